"""Portal services: hours and open-now, van timetable, sanitised news, event seats, attendance facts, covers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from thuvien.core.models import ActivityEvent, AuditEntry
from thuvien.core.services import unit_setting_set
from thuvien.portal import selectors, services
from thuvien.portal.models import Registration, RegistrationState, VanStop
from thuvien.portal.selectors import HCM
from thuvien.portal.states import TransitionRefused

pytestmark = pytest.mark.django_db
T = dt.time


def _png(size=(300, 450)) -> bytes:  # type: ignore[no-untyped-def]
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_parse_hours_accepts_several_intervals_and_names_the_bad_part():
    assert services.parse_hours("7:30-11:30, 13:30-17:00") == [(T(7, 30), T(11, 30)), (T(13, 30), T(17, 0))]
    assert services.parse_hours("") == []
    assert services.parse_hours("7h30-11h, 13:30-17") == [(T(7, 30), T(11, 0)), (T(13, 30), T(17, 0))]
    with pytest.raises(ValidationError, match="“13:30-12:00”: giờ đóng cửa phải sau giờ mở cửa"):
        services.parse_hours("7:30-11:30, 13:30-12:00")
    with pytest.raises(ValidationError, match="chồng lên"):
        services.parse_hours("7:30-11:30, 11:00-12:00")
    with pytest.raises(ValidationError, match="không hợp lệ"):
        services.parse_hours("sáng")


def test_hours_permission_is_at_the_unit(net, manager_a, manager_b):
    week = {0: [(T(7, 30), T(11, 30)), (T(13, 30), T(17))]}
    services.hours_set(actor=manager_a, unit=net.c, week=week)  # C lies under A
    with pytest.raises(PermissionDenied):
        services.hours_set(actor=manager_b, unit=net.a, week=week)
    assert AuditEntry.objects.filter(action="portal.hours_set", unit=net.c).count() == 1


def test_open_now_follows_hours_and_the_circulation_calendar(net, manager_a, admin_user):
    monday_hours = [(T(7, 30), T(11, 30)), (T(13, 30), T(17))]
    services.hours_set(actor=manager_a, unit=net.a, week={0: monday_hours, 1: monday_hours})
    monday = dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM)  # a Monday, not a holiday
    cards = {c.unit.code: c for c, _level in selectors.flatten(selectors.directory(now=monday))}
    assert cards["A"].open_now is True
    assert cards["B"].open_now is None  # no hours entered
    lunch = monday.replace(hour=12)
    assert {c.unit.code: c for c, _l in selectors.flatten(selectors.directory(now=lunch))}["A"].open_now is False
    # a UTC moment that is Monday 9:00 in Vietnam counts as open
    utc = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    assert {c.unit.code: c for c, _l in selectors.flatten(selectors.directory(now=utc))}["A"].open_now is True
    unit_setting_set(actor=admin_user, unit=net.a, key="circ.closed_dates", value=["2026-03-02"])
    cards = {c.unit.code: c for c, _l in selectors.flatten(selectors.directory(now=monday))}
    assert cards["A"].open_now is False and cards["A"].closed_today is True
    # Tet 2026 (17 Feb) is a public holiday from the calendar: shown among the coming closed days
    before_tet = dt.datetime(2026, 2, 9, 9, 0, tzinfo=HCM)
    card = {c.unit.code: c for c, _l in selectors.flatten(selectors.directory(now=before_tet))}["A"]
    assert dt.date(2026, 2, 17) in card.upcoming_closed
    # children are grouped under their parent
    top = selectors.directory(now=monday)
    assert [c.unit.code for c in top] == ["P"]
    assert [c.unit.code for c in top[0].children] == ["A", "B"]
    assert [c.unit.code for c in top[0].children[0].children] == ["C"]


def test_profile_coordinates_make_an_osm_link(net, manager_a):
    services.profile_update(actor=manager_a, unit=net.a, latitude=Decimal("22.665410"),
                            longitude=Decimal("106.257780"), services="Mượn về nhà\n\nĐọc tại chỗ\n")
    card = {c.unit.code: c for c, _l in selectors.flatten(selectors.directory())}["A"]
    assert card.osm_url == "https://www.openstreetmap.org/?mlat=22.665410&mlon=106.257780#map=16/22.665410/106.257780"
    assert card.profile.service_list == ["Mượn về nhà", "Đọc tại chỗ"]
    with pytest.raises(ValidationError, match="cả vĩ độ và kinh độ"):
        services.profile_update(actor=manager_a, unit=net.a, latitude=Decimal("22"), longitude=None, services="")


def test_van_next_visit_near_me(van_unit, manager_a, manager_b):
    now = dt.datetime(2026, 5, 4, 12, 0, tzinfo=HCM)
    day = now.date()
    services.van_stop_save(actor=manager_a, unit=van_unit, day=day, starts=T(8), ends=T(11), place="Trường Tiểu học",
                           commune="Xã Dân Chủ")  # already over at noon
    later = services.van_stop_save(actor=manager_a, unit=van_unit, day=day + dt.timedelta(days=7), starts=T(8),
                                   ends=T(11), place="Trường Tiểu học", commune="Xã Dân Chủ")
    services.van_stop_save(actor=manager_a, unit=van_unit, day=day + dt.timedelta(days=2), starts=T(8), ends=T(11),
                           place="Chợ xã", commune="Xã Trà Lĩnh")
    assert selectors.van_next_visit(commune="Xã Dân Chủ", now=now) == later
    assert selectors.van_next_visit(commune="Xã Dân Chủ", place="Chợ xã", now=now) is None
    with pytest.raises(PermissionDenied):
        services.van_stop_save(actor=manager_b, unit=van_unit, day=day, starts=T(8), ends=T(9), place="x", commune="y")
    with pytest.raises(ValidationError, match="Giờ kết thúc"):
        services.van_stop_save(actor=manager_a, unit=van_unit, day=day, starts=T(9), ends=T(8), place="x", commune="y")
    assert VanStop.objects.count() == 3


def test_news_html_is_sanitised_and_images_checked(net, manager_a, settings):
    item = services.news_save(
        actor=manager_a, library=net.a, title="Tin", summary="", publish=True,
        body='<p onclick="x()">Xin <strong>chào</strong><script>alert(1)</script></p>'
             '<img src="https://tracker.example/x.png"><img src="/media/portal/a.png" alt="a">'
             '<a href="javascript:alert(1)">x</a><a href="https://thuvien.vn">y</a><style>p{}</style>',
        image=SimpleUploadedFile("a.png", _png(), content_type="image/png"))
    assert item.body == ('<p>Xin <strong>chào</strong></p><img><img src="/media/portal/a.png" alt="a">'
                         '<a rel="noopener noreferrer nofollow">x</a>'
                         '<a href="https://thuvien.vn" rel="noopener noreferrer nofollow">y</a>')
    assert item.image.name.startswith("portal/news/") and item.image.name.endswith(".png")
    assert item.published_at is not None
    with pytest.raises(ValidationError, match="không phải là ảnh"):
        services.news_save(actor=manager_a, library=net.a, title="Tin 2", summary="", body="", publish=False,
                           image=SimpleUploadedFile("a.png", b"<svg onload=alert(1)>", content_type="image/png"))
    big = SimpleUploadedFile("b.jpg", b"\xff" * (services.MAX_IMAGE_BYTES + 1), content_type="image/jpeg")
    with pytest.raises(ValidationError, match="quá lớn"):
        services.news_save(actor=manager_a, library=net.a, title="Tin 3", summary="", body="", publish=False, image=big)


def test_registration_seat_limit_duplicates_and_cancel(event_factory, reader):
    event = event_factory(seats=2)
    user = reader.user
    first = services.registration_create(event=event, user=user, name="", phone="", consent=False)
    assert first.name == "Lò Văn Đọc" and first.consent_at is None
    with pytest.raises(ValidationError, match="đã đăng ký"):
        services.registration_create(event=event, user=user, name="", phone="", consent=False)
    with pytest.raises(ValidationError) as missing:
        services.registration_create(event=event, user=None, name="", phone="12", consent=False)
    assert missing.value.messages == ["Cần có họ tên.", "Số điện thoại không hợp lệ.",
                                      "Cần đồng ý để thư viện dùng thông tin liên hệ."]
    guest = services.registration_create(event=event, user=None, name="Khách", phone="0912 345 678", consent=True)
    assert guest.consent_at is not None and "liên hệ về sự kiện" in guest.consent_text
    with pytest.raises(ValidationError, match="hết chỗ"):
        services.registration_create(event=event, user=None, name="Khách 2", phone="0912345679", consent=True)
    services.registration_cancel(registration=guest, token=guest.token)
    assert services.event_taken(event) == 1
    with pytest.raises(TransitionRefused):
        services.registration_cancel(registration=guest, token=guest.token)
    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=first, token="wrong")
    services.registration_create(event=event, user=None, name="Khách 2", phone="0912345679", consent=True)
    assert services.event_taken(event) == 2


def test_registration_refused_for_unpublished_or_past_events(event_factory):
    with pytest.raises(ValidationError, match="không nhận đăng ký"):
        services.registration_create(event=event_factory(published=False), user=None, name="A", phone="0912345678",
                                     consent=True)
    with pytest.raises(ValidationError, match="không nhận đăng ký"):
        services.registration_create(event=event_factory(days=-2), user=None, name="A", phone="0912345678",
                                     consent=True)


def test_attendance_writes_event_and_attendance_facts_once(event_factory, manager_a, manager_b, net):
    event = event_factory(days=1, seats=None)
    regs = [services.registration_create(event=event, user=None, name=f"Khách {i}", phone=f"091234567{i}",
                                         consent=True) for i in range(3)]
    with pytest.raises(ValidationError, match="chưa diễn ra"):
        services.attendance_record(actor=manager_a, event=event, count=3)
    type(event).objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=3),
                                                   ends_at=timezone.now() - dt.timedelta(hours=1),
                                                   updated_at=timezone.now())
    event.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=manager_b, event=event, count=3)
    services.attendance_record(actor=manager_a, event=event, attended_ids=[regs[0].pk, regs[2].pk])
    states = dict(Registration.objects.filter(event=event).values_list("pk", "state"))
    assert states == {regs[0].pk: RegistrationState.ATTENDED, regs[1].pk: RegistrationState.ABSENT,
                      regs[2].pk: RegistrationState.ATTENDED}
    services.attendance_record(actor=manager_a, event=event, count=25)  # walk-ins counted too
    services.attendance_record(actor=manager_a, event=event, count=25)  # the same figure again: nothing new
    facts = list(ActivityEvent.objects.filter(unit=net.a, kind__in=["event", "attendance"])
                 .order_by("pk").values_list("kind", "attributes"))
    assert facts == [("event", {}), ("attendance", {"count": 2}), ("attendance", {"count": 23})]
    event.refresh_from_db()
    assert event.attendance == 25


def test_cover_upload_makes_a_thumbnail_and_checks_permission(vn_catalogue, cataloguer_a, staff_factory, net):
    from PIL import Image

    from thuvien.core.models import Role

    kieu = vn_catalogue["kieu"]
    cover = services.cover_upload(actor=cataloguer_a, record=kieu,
                                  image=SimpleUploadedFile("k.png", _png((600, 900)), content_type="image/png"))
    thumb = Image.open(cover.thumbnail.path)
    assert thumb.format == "JPEG" and thumb.size == (240, 360)
    assert selectors.covers_for([kieu.pk]) == {kieu.pk: cover}
    outsider = staff_factory("cat_x", net.b, Role.CATALOGUER)
    if not kieu.items.filter(library__path__startswith=net.b.path).exists():
        with pytest.raises(PermissionDenied):
            services.cover_upload(actor=outsider, record=kieu,
                                  image=SimpleUploadedFile("k.png", _png(), content_type="image/png"))
    services.cover_delete(actor=cataloguer_a, record=kieu)
    assert selectors.covers_for([kieu.pk]) == {}


def test_cover_fetch_is_off_by_default(vn_catalogue, settings):
    settings.THUVIEN_COVER_SERVICE_URL = ""
    assert services.cover_fetch(record=vn_catalogue["kieu"]) is None


def test_acquisitions_by_library_ddc_and_age(vn_catalogue, net):
    from thuvien.catalog.models import Item

    recent = list(selectors.acquisitions(days=30))
    assert {r.pk for r in recent} == {r.pk for r in vn_catalogue.records.values() if r.items.exists()}
    old = timezone.now() - dt.timedelta(days=60)
    kieu = vn_catalogue["kieu"]
    Item.objects.filter(record=kieu).update(created_at=old, updated_at=timezone.now())
    assert kieu.pk not in {r.pk for r in selectors.acquisitions(days=30)}
    assert kieu.pk in {r.pk for r in selectors.acquisitions(days=90)}
    eight = {r.pk for r in selectors.acquisitions(days=90, ddc_class="8")}
    assert eight and all(r.ddc.startswith("8") for r in selectors.acquisitions(days=90, ddc_class="8"))
    only_b = {r.pk for r in selectors.acquisitions(days=90, library=net.b)}
    assert only_b == set(Item.objects.filter(library__path__startswith=net.b.path).values_list("record_id", flat=True))


def test_visitor_contacts_are_forgotten_30_days_after_the_event(event_factory, reader):
    event = event_factory(seats=None)
    guest = services.registration_create(event=event, user=None, name="Khách", phone="0912345678", consent=True)
    services.registration_create(event=event, user=reader.user, name="", phone="", consent=False)
    assert services.registrations_forget_contacts(before=timezone.now()) == 0  # the event has not ended
    from thuvien.portal.jobs import forget_visitor_contacts
    assert forget_visitor_contacts() == {"forgotten": 0}
    later = event.ends_at + dt.timedelta(days=31)
    assert services.registrations_forget_contacts(before=later - dt.timedelta(days=30)) == 1
    guest.refresh_from_db()
    assert (guest.name, guest.phone) == ("", "")
    assert Registration.objects.filter(event=event, user=reader.user).values_list("name", flat=True).get() == "Lò Văn Đọc"


def test_cover_fetch_goes_through_the_outbound_guard(vn_catalogue, settings, monkeypatch, cataloguer_a):
    from thuvien.core import outbound

    kieu = vn_catalogue["kieu"]
    settings.THUVIEN_COVER_SERVICE_URL = "https://covers.example/b/isbn/{isbn}-L.jpg"
    asked = []

    def fake_fetch(url, params=None, *, timeout=60.0):  # type: ignore[no-untyped-def]
        asked.append(url)
        return _png((400, 600)) + b"\0" * 1000

    monkeypatch.setattr(outbound, "fetch", fake_fetch)
    if not kieu.isbns:
        pytest.skip("the fixture record has no ISBN")
    cover = services.cover_fetch(record=kieu)
    assert asked == [f"https://covers.example/b/isbn/{kieu.isbns[0]}-L.jpg"]
    assert cover is not None and cover.source == "service"
    assert services.cover_fetch(record=kieu) is None  # it has one now: nothing fetched
    assert len(asked) == 1


def test_erasing_a_reader_blanks_registrations_and_deletes_lists(event_factory, reader, desk_a, vn_catalogue):
    from thuvien.patrons.services import patron_erase
    from thuvien.portal.models import SavedList

    reg = services.registration_create(event=event_factory(seats=None), user=reader.user, name="", phone="",
                                       consent=False)
    saved = services.list_create(actor=reader.user, name="Của tôi")
    services.list_add(actor=reader.user, saved=saved, record=vn_catalogue["kieu"])
    patron_erase(actor=desk_a, patron=reader)
    reg.refresh_from_db()
    assert (reg.name, reg.phone, reg.user_id, reg.state) == ("", "", None, RegistrationState.REGISTERED)
    assert not SavedList.objects.filter(pk=saved.pk).exists()


def test_acquisitions_read_items_through_the_created_at_index(vn_catalogue, net):
    """The new-acquisitions page reads the last N days of items by `item_created_at`, not by
    scanning every item of the network (1M+ copies in a province)."""
    from django.db import connection, transaction

    sql, params = selectors.acquisitions(days=30).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of test rows: force the planner to say
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "item_created_at" in plan, plan
