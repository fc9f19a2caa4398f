import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from thuvien.catalog.models import ItemStatus
from thuvien.circulation.models import HoldState, Notice, Transit
from thuvien.circulation.notices import notices_send_pending
from thuvien.circulation.selectors import hold_list_for_patron, hold_pull_list
from thuvien.circulation.services import (
    BlockedError,
    hold_cancel,
    hold_change_pickup,
    hold_place,
    holds_expire,
    loan_checkin,
    loan_checkout,
)
from thuvien.core.models import ActivityEvent

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)


@pytest.fixture
def setup(net, base_rule, patron_factory, record_factory):
    reader = patron_factory("H1", net.c, consents=("service", "notices_email"), email="lan@example.vn",
                            full_name="Lò Thị Lan")
    return reader, record_factory("Truyện Kiều")


def test_targeting_prefers_pickup_library_then_nearest(net, desk_a, setup, item_factory):
    reader, record = setup
    at_b = item_factory("B1", net.b, record=record)
    at_p = item_factory("P1", net.province, record=record)
    hold = hold_place(actor=desk_a, patron=reader, record=record, pickup_library=net.a, now=NOW)
    assert hold.state == HoldState.TARGETED and hold.target_item == at_p  # P is 1 step from A, B is 2
    at_a = item_factory("A1", net.a, record=record)
    hold = hold_change_pickup(actor=desk_a, hold=hold, pickup_library=net.a)
    assert hold.target_item == at_a  # the pickup library's own copy first
    hold = hold_change_pickup(actor=desk_a, hold=hold, pickup_library=net.c)
    assert hold.target_item == at_a  # C is under A: A's copy is nearest
    assert at_b.status == ItemStatus.AVAILABLE
    assert [h.pk for h in hold_pull_list(staff=desk_a, library=net.a)] == [hold.pk]
    assert ActivityEvent.objects.get(kind="hold").attributes == {"category": "adult", "channel": "desk"}


def test_transit_flow_end_to_end(net, desk_a, desk_b, setup, item_factory, patron_factory, django_capture_on_commit_callbacks):
    reader, record = setup
    copy = item_factory("B7", net.b, record=record)
    hold = hold_place(actor=reader_user(reader), patron=reader, record=record, pickup_library=net.c, now=NOW)
    assert (hold.state, hold.target_item) == (HoldState.TARGETED, copy)
    # B pulls the copy from the shelf and checks it in: it is sent to C
    result = loan_checkin(actor=desk_b, item=copy, desk=net.b, now=NOW)
    assert result.route == "transit_hold" and result.transit.to_library == net.c
    assert "Chuyển đến Phòng đọc xã C" in result.message
    hold.refresh_from_db()
    copy.refresh_from_db()
    assert (hold.state, copy.status) == (HoldState.IN_TRANSIT, ItemStatus.IN_TRANSIT)
    # C receives it: ready on the hold shelf, reader notified by e-mail after commit
    with django_capture_on_commit_callbacks(execute=True):
        arrived = loan_checkin(actor=desk_a, item=copy, desk=net.c, now=NOW + dt.timedelta(days=2))
    assert arrived.route == "hold_here" and "Lò Thị Lan" in arrived.message
    hold.refresh_from_db()
    copy.refresh_from_db()
    assert (hold.state, copy.status) == (HoldState.READY, ItemStatus.ON_HOLD_SHELF)
    assert hold.expires_at == dt.datetime(2026, 3, 11, 23, 59, 59, tzinfo=VN)
    assert Transit.objects.get().received_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lan@example.vn"]
    assert "Truyện Kiều" in mail.outbox[0].body and "11/03/2026" in mail.outbox[0].body
    # another reader cannot take it; the reader who asked can
    other = patron_factory("H2", net.c)
    with pytest.raises(BlockedError, match="giữ cho bạn đọc H1"):
        loan_checkout(actor=desk_a, item=copy, patron=other, desk=net.c, now=NOW + dt.timedelta(days=3))
    loan = loan_checkout(actor=desk_a, item=copy, patron=reader, desk=net.c, now=NOW + dt.timedelta(days=3))
    hold.refresh_from_db()
    assert hold.state == HoldState.FULFILLED and loan.patron == reader
    # returned at C: it belongs to B, so it goes home
    back = loan_checkin(actor=desk_a, item=copy, desk=net.c, now=NOW + dt.timedelta(days=10))
    assert back.route == "transit_home" and back.transit.to_library == net.b
    home = loan_checkin(actor=desk_b, item=copy, desk=net.b, now=NOW + dt.timedelta(days=12))
    copy.refresh_from_db()
    assert home.route == "shelve" and copy.status == ItemStatus.AVAILABLE


def reader_user(patron):
    from thuvien.core.models import User
    user = User.objects.create_user(username=f"reader-{patron.card_number}", password="x")
    patron.user = user
    patron.save(update_fields=["user"])
    return user


def test_queue_position_and_checkin_fills_the_oldest_hold(net, desk_a, setup, item_factory, patron_factory):
    reader, record = setup
    copy = item_factory("A5", net.a, record=record)
    first = patron_factory("Q1", net.a)
    loan_checkout(actor=desk_a, item=copy, patron=first, desk=net.a, now=NOW)
    h1 = hold_place(actor=desk_a, patron=reader, record=record, pickup_library=net.a, now=NOW)
    second = patron_factory("Q2", net.a)
    h2 = hold_place(actor=desk_a, patron=second, record=record, pickup_library=net.a, now=NOW + dt.timedelta(hours=1))
    assert h1.state == h2.state == HoldState.WAITING
    assert [h.queue_position for h in hold_list_for_patron(patron=second)] == [2]
    with pytest.raises(BlockedError, match="đã đặt mượn tài liệu này"):
        hold_place(actor=desk_a, patron=second, record=record, pickup_library=net.a, now=NOW)
    result = loan_checkin(actor=desk_a, item=copy, desk=net.a, now=NOW + dt.timedelta(days=1))
    assert result.route == "hold_here" and result.hold == h1
    assert [h.queue_position for h in hold_list_for_patron(patron=second)] == [1]
    # the reader cancels: the copy goes straight to the next in the queue
    hold_cancel(actor=desk_a, hold=h1)
    h2.refresh_from_db()
    copy.refresh_from_db()
    assert h2.state == HoldState.READY and h2.target_item == copy and copy.status == ItemStatus.ON_HOLD_SHELF


def test_uncollected_holds_expire_and_copy_goes_home(net, desk_a, desk_b, setup, item_factory):
    reader, record = setup
    copy = item_factory("B9", net.b, record=record)
    hold_place(actor=desk_a, patron=reader, record=record, pickup_library=net.a, now=NOW)
    loan_checkin(actor=desk_b, item=copy, desk=net.b, now=NOW)
    loan_checkin(actor=desk_a, item=copy, desk=net.a, now=NOW)
    assert holds_expire(now=NOW + dt.timedelta(days=3)) == 0
    assert holds_expire(now=NOW + dt.timedelta(days=30)) == 1
    copy.refresh_from_db()
    assert copy.status == ItemStatus.IN_TRANSIT
    assert Transit.objects.filter(received_at__isnull=True).get().to_library == net.b
    assert reader.holds.get().state == HoldState.EXPIRED


def test_hold_limits_from_policy(net, desk_a, base_rule, patron_factory, record_factory, item_factory):
    base_rule.max_holds = 0
    base_rule.save()
    reader = patron_factory("N1", net.a)
    record = record_factory()
    item_factory("X1", net.a, record=record)
    with pytest.raises(BlockedError, match="không được đặt mượn"):
        hold_place(actor=desk_a, patron=reader, record=record, pickup_library=net.a, now=NOW)


def test_notice_sent_by_sms_console_gateway(net, setup, item_factory):
    from thuvien.circulation.notices import ConsoleSmsGateway, notice_queue
    reader, _ = setup
    reader.phone = "0912345678"
    reader.save()
    reader.consents.create(purpose="notices_sms", wording="w", wording_version="v", given_at=NOW)
    rows = notice_queue(patron=reader, kind="overdue", subject="Nhắc trả", body="...")
    assert {r.channel for r in rows} == {"email", "sms"}
    ConsoleSmsGateway.sent.clear()
    assert notices_send_pending() == 2
    assert ConsoleSmsGateway.sent == [("0912345678", "Nhắc trả")]
    assert Notice.objects.filter(sent_at__isnull=True).count() == 0
