import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from thuvien.catalog.models import ItemStatus
from thuvien.circulation.models import DeskOperation, Fine, Loan, LoanState
from thuvien.circulation.services import (
    BlockedError,
    CirculationError,
    loan_checkin,
    loan_checkout,
    loan_claim_returned,
    loan_mark_lost,
    loan_renew,
)
from thuvien.core.models import ActivityEvent, AuditEntry, OrgUnitSetting
from thuvien.patrons.models import PatronBlock
from thuvien.search.models import OutboxEntry

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 2, 3, 9, 30, tzinfo=VN)


@pytest.fixture
def reader(net, patron_factory):
    return patron_factory("R1", net.a)


def test_checkout_sets_due_date_after_tet_and_records_everything(net, desk_a, base_rule, reader, item_factory):
    item = item_factory("A001", net.a)
    loan = loan_checkout(actor=desk_a, item=item, patron=reader, desk=net.a, now=NOW)
    # 3 Feb + 14 days = 17 Feb 2026 (mùng 1 Tết); closed through mùng 5 (21 Feb): due on 22 Feb
    assert loan.due_at == dt.datetime(2026, 2, 22, 23, 59, 59, tzinfo=VN)
    assert (loan.fine_per_day, loan.fine_cap, loan.patron_category, loan.item_type) == (1000, 20000, "adult", "book")
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_LOAN
    assert OutboxEntry.objects.filter(record_id=item.record_id).count() == 1
    event = ActivityEvent.objects.get(kind="loan")
    assert event.unit == net.a and event.attributes == {"category": "adult", "item_type": "book"}
    assert AuditEntry.objects.filter(action="loan.checkout", object_id=str(loan.pk)).count() == 1


def test_item_can_never_be_on_two_open_loans_database_constraint(net, desk_a, base_rule, reader, item_factory,
                                                                 patron_factory):
    item = item_factory("A002", net.a)
    loan = loan_checkout(actor=desk_a, item=item, patron=reader, desk=net.a, now=NOW)
    other = patron_factory("R2", net.a)
    with pytest.raises(CirculationError, match="đang được cho mượn"):
        loan_checkout(actor=desk_a, item=item, patron=other, desk=net.a, now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(item=item, patron=other, library=net.a, checked_out_at=NOW, due_at=NOW)
    assert Loan.objects.filter(item=item, returned_at__isnull=True).count() == 1
    loan_checkin(actor=desk_a, item=item, desk=net.a, now=NOW)
    loan.refresh_from_db()
    assert loan.state == LoanState.RETURNED
    assert loan_checkout(actor=desk_a, item=item, patron=other, desk=net.a, now=NOW).patron == other


def test_retried_requests_are_idempotent(net, desk_a, base_rule, reader, item_factory):
    item = item_factory("A003", net.a)
    rid = uuid.uuid4()
    first = loan_checkout(actor=desk_a, item=item, patron=reader, desk=net.a, request_id=rid, now=NOW)
    again = loan_checkout(actor=desk_a, item=item, patron=reader, desk=net.a, request_id=rid, now=NOW)
    assert again.pk == first.pk and Loan.objects.count() == 1
    r1 = uuid.uuid4()
    later = NOW + dt.timedelta(days=30)
    c1 = loan_checkin(actor=desk_a, item=item, desk=net.a, request_id=r1, now=later)
    c2 = loan_checkin(actor=desk_a, item=item, desk=net.a, request_id=r1, now=later)
    assert (c1.route, c1.fine.amount, c1.days_late) == ("shelve", Decimal(11000), 11)  # due 22 Feb, back 5 Mar
    assert (c2.route, c2.fine.pk, c2.loan.pk) == ("shelve", c1.fine.pk, c1.loan.pk)
    assert Fine.objects.count() == 1 and ActivityEvent.objects.filter(kind="return").count() == 1
    with pytest.raises(CirculationError, match="thao tác khác"):
        loan_renew(actor=desk_a, loan=first, request_id=r1)
    assert DeskOperation.objects.count() == 2


def test_blocks_and_audited_override(net, desk_a, manager_a, base_rule, patron_factory, item_factory):
    expired = patron_factory("R3", net.a, expires_on=dt.date(2026, 1, 1))
    item = item_factory("A004", net.a)
    with pytest.raises(BlockedError) as exc:
        loan_checkout(actor=desk_a, item=item, patron=expired, desk=net.a, now=NOW)
    assert exc.value.reasons == ["Thẻ đã hết hạn ngày 01/01/2026."]
    with pytest.raises(BlockedError):  # a desk clerk cannot override
        loan_checkout(actor=desk_a, item=item, patron=expired, desk=net.a, override=True, now=NOW)
    loan = loan_checkout(actor=manager_a, item=item, patron=expired, desk=net.a, override=True, now=NOW)
    entry = AuditEntry.objects.get(action="loan.override")
    assert entry.actor == manager_a and entry.changes == {"reasons": [None, ["Thẻ đã hết hạn ngày 01/01/2026."]]}
    assert loan.patron == expired


def test_blocks_for_manual_block_fines_overdue_and_max_loans(net, desk_a, base_rule, patron_factory, item_factory):
    p = patron_factory("R4", net.a)
    PatronBlock.objects.create(patron=p, note="x")
    with pytest.raises(BlockedError, match="đang bị khoá"):
        loan_checkout(actor=desk_a, item=item_factory("B1", net.a), patron=p, desk=net.a, now=NOW)
    q = patron_factory("R5", net.a)
    Fine.objects.create(patron=q, library=net.a, kind="manual", amount=Decimal(60000))
    with pytest.raises(BlockedError, match="vượt mức 50.000 đ"):
        loan_checkout(actor=desk_a, item=item_factory("B2", net.a), patron=q, desk=net.a, now=NOW)
    r = patron_factory("R6", net.a)
    for i in range(5):
        loan_checkout(actor=desk_a, item=item_factory(f"C{i}", net.a), patron=r, desk=net.a, now=NOW)
    with pytest.raises(BlockedError, match="tối đa 5"):
        loan_checkout(actor=desk_a, item=item_factory("C9", net.a), patron=r, desk=net.a, now=NOW)
    OrgUnitSetting.objects.create(unit=net.province, key="circ.max_overdue", value=2)
    base_rule.max_loans = 50
    base_rule.save()
    with pytest.raises(BlockedError, match="Có 5 tài liệu quá hạn"):
        loan_checkout(actor=desk_a, item=item_factory("C10", net.a), patron=r, desk=net.a,
                      now=NOW + dt.timedelta(days=40))


def test_desk_needs_permission_at_the_desk_unit(net, desk_a, base_rule, reader, item_factory):
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        loan_checkout(actor=desk_a, item=item_factory("D1", net.b), patron=reader, desk=net.b, now=NOW)


def test_renewal_limits_and_due_date(net, desk_a, base_rule, reader, item_factory):
    loan = loan_checkout(actor=desk_a, item=item_factory("E1", net.a), patron=reader, desk=net.a, now=NOW)
    day = dt.datetime(2026, 3, 10, 10, tzinfo=VN)
    loan = loan_renew(actor=desk_a, loan=loan, now=day)
    assert loan.due_at == dt.datetime(2026, 3, 24, 23, 59, 59, tzinfo=VN) and loan.renewals_count == 1
    with pytest.raises(CirculationError, match=r"không lùi được hạn trả \(vẫn là 24/03/2026\)"):
        loan_renew(actor=desk_a, loan=loan, now=day)  # the same day again: same due date, no renewal used
    loan.refresh_from_db()
    assert loan.renewals_count == 1
    loan = loan_renew(actor=desk_a, loan=loan, now=day + dt.timedelta(days=10))
    assert loan.due_at == dt.datetime(2026, 4, 3, 23, 59, 59, tzinfo=VN) and loan.renewals_count == 2
    with pytest.raises(BlockedError, match="hết số lần gia hạn"):
        loan_renew(actor=desk_a, loan=loan, now=day + dt.timedelta(days=20))
    assert ActivityEvent.objects.filter(kind="renewal").count() == 2


def test_renewal_on_the_day_of_checkout_is_refused_and_uses_no_renewal(net, desk_a, base_rule, reader,
                                                                        item_factory):
    loan = loan_checkout(actor=desk_a, item=item_factory("E2", net.a), patron=reader, desk=net.a, now=NOW)
    with pytest.raises(CirculationError) as refused:
        loan_renew(actor=desk_a, loan=loan, now=NOW + dt.timedelta(hours=2))
    assert refused.value.messages == [
        "Gia hạn hôm nay không lùi được hạn trả (vẫn là 22/02/2026); hãy gia hạn gần ngày hết hạn hơn."]
    loan.refresh_from_db()
    assert (loan.renewals_count, loan.due_at) == (0, dt.datetime(2026, 2, 22, 23, 59, 59, tzinfo=VN))
    assert not AuditEntry.objects.filter(action="loan.renew").exists()


def test_no_renewal_before_n_days_column(net, desk_a, manager_a, base_rule, reader, item_factory):
    base_rule.no_renewal_before = 3
    base_rule.save()
    loan = loan_checkout(actor=desk_a, item=item_factory("E3", net.a), patron=reader, desk=net.a, now=NOW)
    with pytest.raises(BlockedError) as early:  # due 22/02 (after Tết): renewals open on 19/02
        loan_renew(actor=desk_a, loan=loan, now=dt.datetime(2026, 2, 18, 9, tzinfo=VN))
    assert early.value.reasons == ["Chỉ được gia hạn trong 3 ngày trước hạn trả, tức là từ ngày 19/02/2026."]
    renewed = loan_renew(actor=desk_a, loan=loan, now=dt.datetime(2026, 2, 19, 9, tzinfo=VN))
    assert (renewed.renewals_count, renewed.due_at) == (1, dt.datetime(2026, 3, 5, 23, 59, 59, tzinfo=VN))


def test_lost_and_claimed_returned(net, desk_a, base_rule, reader, item_factory):
    item = item_factory("F1", net.a, price=Decimal(45000))
    loan = loan_checkout(actor=desk_a, item=item, patron=reader, desk=net.a, now=NOW)
    loan_mark_lost(actor=desk_a, loan=loan)
    item.refresh_from_db()
    assert item.status == ItemStatus.LOST
    assert Fine.objects.get(kind="lost").amount == Decimal(45000)
    # found and returned months later: no overdue fine for a lost loan
    result = loan_checkin(actor=desk_a, item=item, desk=net.a, now=NOW + dt.timedelta(days=90))
    assert result.fine is None and result.route == "shelve"
    item2 = item_factory("F2", net.a)
    loan2 = loan_checkout(actor=desk_a, item=item2, patron=reader, desk=net.a, now=NOW)
    loan_claim_returned(actor=desk_a, loan=loan2)
    loan2.refresh_from_db()
    assert loan2.state == LoanState.CLAIMED_RETURNED and loan2.returned_at is None
    with pytest.raises(ValueError):
        loan_mark_lost(actor=desk_a, loan=loan2)


def _checkout_queries(desk_a, net, patron, item):
    desk_a = type(desk_a).objects.get(pk=desk_a.pk)  # a fresh request: no permission cache
    with CaptureQueriesContext(connection) as ctx:
        loan_checkout(actor=desk_a, item=item, patron=patron, desk=net.a, request_id=uuid.uuid4(), now=NOW)
    return [q["sql"] for q in ctx.captured_queries]


def _checkin_queries(desk_a, net, item):
    desk_a = type(desk_a).objects.get(pk=desk_a.pk)
    with CaptureQueriesContext(connection) as ctx:
        loan_checkin(actor=desk_a, item=item, desk=net.a, request_id=uuid.uuid4(), now=NOW)
    return [q["sql"] for q in ctx.captured_queries]


# Statements sent to the database by one desk operation inside the test's transaction (so with a
# SAVEPOINT and its RELEASE). PostgreSQL: round trips, the reads and the writes each going as one
# batch: savepoint, permission grants, reads, writes, search outbox, release. SQLite runs the
# statements of a batch one by one (no round trips there).
CHECKOUT_QUERIES = {"postgresql": 6, "sqlite": 17}
CHECKIN_QUERIES = {"postgresql": 6, "sqlite": 14}


def test_query_count_does_not_grow_with_the_readers_loans(net, desk_a, base_rule, patron_factory, item_factory,
                                                         record_factory):
    base_rule.max_loans = 1000
    base_rule.save()
    light, heavy = patron_factory("L1", net.a), patron_factory("H1", net.a)
    record = record_factory()
    for i in range(60):
        Loan.objects.create(item=item_factory(f"H{i:03}", net.a, record=record), patron=heavy, library=net.a,
                            checked_out_at=NOW, due_at=NOW + dt.timedelta(days=14))
    a, b = item_factory("Q1", net.a), item_factory("Q2", net.a)
    light_q = _checkout_queries(desk_a, net, light, a)
    heavy_q = _checkout_queries(desk_a, net, heavy, b)
    assert len(light_q) == len(heavy_q) == CHECKOUT_QUERIES[connection.vendor], "\n".join(heavy_q)
    light_in, heavy_in = _checkin_queries(desk_a, net, a), _checkin_queries(desk_a, net, b)
    assert len(light_in) == len(heavy_in) == CHECKIN_QUERIES[connection.vendor], "\n".join(heavy_in)
    assert Loan.objects.filter(patron=heavy, returned_at__isnull=True).count() == 60
    assert Loan.objects.filter(item__in=[a, b], state=LoanState.RETURNED).count() == 2
