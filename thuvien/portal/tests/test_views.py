"""Portal pages: directory, van, news, events with registration, acquisitions, lists, history, staff pages."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from thuvien.catalog.services import bib_create
from thuvien.portal import services
from thuvien.portal.models import Event, NewsItem, Registration, SavedList
from thuvien.portal.tests.fixtures import READER_PASSWORD

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).parent / "golden"
T = dt.time


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _login_reader(client, reader) -> None:  # type: ignore[no-untyped-def]
    assert client.login(username="A000900", password=READER_PASSWORD)


def test_directory_and_van_pages(client, net, manager_a, van_unit):
    services.hours_set(actor=manager_a, unit=net.a, week={d: [(T(7, 30), T(11, 30)), (T(13, 30), T(17))]
                                                          for d in range(7)})
    page = _text(client.get(reverse("portal:directory")))
    assert "Thư viện huyện A" in page and "07:30–11:30, 13:30–17:00" in page
    assert ("Đang mở cửa" in page) or ("Đã đóng cửa" in page)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.van_stop_save(actor=manager_a, unit=van_unit, day=tomorrow, starts=T(8), ends=T(11),
                           place="Trường Tiểu học", commune="Xã Dân Chủ")
    r = client.get(reverse("portal:van"), {"commune": "Xã Dân Chủ"})
    html = r.content.decode()
    assert f'{tomorrow:%d/%m/%Y}, 08:00–11:00' in html and 'id="next-visit"' in html
    assert client.get(reverse("portal:van"), {"commune": "<script>"}).status_code == 200  # unknown: ignored


def test_news_pages_show_only_published(client, net, manager_a):
    pub = services.news_save(actor=manager_a, library=net.a, title="Tin đã đăng", summary="", body="<p>x</p>",
                             publish=True)
    draft = services.news_save(actor=manager_a, library=net.a, title="Tin nháp", summary="", body="", publish=False)
    listing = _text(client.get(reverse("portal:news"), {"library": "A"}))
    assert "Tin đã đăng" in listing and "Tin nháp" not in listing
    assert client.get(reverse("portal:news_detail", args=[pub.pk])).status_code == 200
    assert client.get(reverse("portal:news_detail", args=[draft.pk])).status_code == 404


def test_event_registration_as_visitor_and_reader(client, event_factory, reader):
    event = event_factory(seats=2)
    url = reverse("portal:event_detail", args=[event.pk])
    r = client.post(url, {"name": "", "phone": "1"})
    assert r.status_code == 400
    assert "Cần có họ tên." in r.content.decode() and "Số điện thoại không hợp lệ." in r.content.decode()
    r = client.post(url, {"name": "Khách Một", "phone": "0912345678", "consent": "1"})
    reg = Registration.objects.get(name="Khách Một")
    assert r.status_code == 302 and r["Location"] == reverse("portal:registration", args=[reg.token])
    assert "Còn 1 chỗ" in _text(client.get(url))
    _login_reader(client, reader)
    client.post(url, {})
    assert Registration.objects.filter(event=event, user=reader.user, state="registered").count() == 1
    page = _text(client.get(url))
    assert "Bạn đã đăng ký sự kiện này." in page
    assert "Giờ kể chuyện" in _text(client.get(reverse("opac:account"), {"tab": "lists"}))
    client.logout()
    assert "Sự kiện đã hết chỗ." in _text(client.get(url))
    assert client.post(url, {"name": "Khách Hai", "phone": "0912345679", "consent": "1"}).status_code == 400
    client.post(reverse("portal:registration", args=[reg.token]))  # the visitor cancels with the link
    assert Registration.objects.get(pk=reg.pk).state == "cancelled"
    assert "Còn 1 chỗ" in _text(client.get(url))


def test_events_calendar_month(client, event_factory):
    event = event_factory(days=2)
    month = event.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%Y-%m")
    page = client.get(reverse("portal:events"), {"month": month}).content.decode()
    assert page.count(f'href="/su-kien/{event.pk}/"') == 2  # in the list and in the calendar
    assert client.get(reverse("portal:events"), {"month": "x-99"}).status_code == 200


def test_acquisitions_page_with_cover(client, vn_catalogue, cataloguer_a):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 450), (0, 0, 200)).save(out, "PNG")
    kieu = vn_catalogue["kieu"]
    services.cover_upload(actor=cataloguer_a, record=kieu, image=SimpleUploadedFile("k.png", out.getvalue()))
    r = client.get(reverse("portal:acquisitions"), {"days": "90", "ddc": "8"})
    html = r.content.decode()
    assert r.status_code == 200 and kieu.title in html and 'class="cover-thumb"' in html
    assert client.get(reverse("portal:acquisitions"), {"days": "abc", "ddc": "xyz"}).status_code == 200
    record_page = client.get(reverse("opac:record", args=[kieu.pk])).content.decode()
    assert 'id="record-cover"' in record_page and 'id="save-to-list"' in record_page


def test_acquisitions_line_without_an_author_starts_with_the_year(client, vn_catalogue):
    """A record with no main author reads "2019 · bổ sung …", not "· 2019 · bổ sung …"."""
    import re

    from django.utils import timezone

    from thuvien.catalog.models import BibRecord

    kieu = vn_catalogue["kieu"]
    BibRecord.objects.filter(pk=kieu.pk).update(main_author="", updated_at=timezone.now())
    html = client.get(reverse("portal:acquisitions"), {"days": "90"}).content.decode()
    added = timezone.localdate().strftime("%d/%m/%Y")
    line = re.search(rf'href="/record/{kieu.pk}/"><strong>[^<]*</strong></a><br><span class="meta">([^<]*)<', html)
    assert line is not None and line.group(1) == f"{kieu.year} · bổ sung {added}"
    assert f"{vn_catalogue['datrung'].main_author} · " in html


def test_saved_lists_share_export_and_privacy(client, vn_catalogue, reader):
    kieu, matbiec = vn_catalogue["kieu"], vn_catalogue["matbiec"]
    assert client.get(reverse("portal:lists")).status_code == 302  # login first
    _login_reader(client, reader)
    client.post(reverse("portal:list_add", args=[kieu.pk]), {"name": "Văn học"})
    saved = SavedList.objects.get(owner=reader.user)
    client.post(reverse("portal:list_add", args=[matbiec.pk]), {"list": saved.pk})
    client.post(reverse("portal:list_add", args=[matbiec.pk]), {"list": saved.pk})  # twice: once in the list
    assert list(saved.entries.values_list("record_id", flat=True)) == [kieu.pk, matbiec.pk]
    csv_body = client.get(reverse("portal:list_export", args=[saved.uuid, "csv"])).content.decode("utf-8")
    assert csv_body.startswith("\ufefftitle,main_author,")
    assert "Truyện Kiều,Nguyễn Du" in csv_body and "Mắt biếc,Nguyễn Nhật Ánh" in csv_body
    ris = client.get(reverse("portal:list_export", args=[saved.uuid, "ris"])).content.decode()
    assert ris.count("TY  - ") == 2
    assert client.get(reverse("portal:list_export", args=[saved.uuid, "exe"])).status_code == 404
    # private: the share link does not work until shared
    assert client.get(reverse("portal:list_shared", args=[saved.share_token])).status_code == 404
    client.post(reverse("portal:list_detail", args=[saved.uuid]), {"action": "save", "name": "Văn học VN",
                                                                   "is_shared": "on"})
    saved.refresh_from_db()
    assert saved.name == "Văn học VN" and saved.is_shared
    client.logout()
    shared = client.get(reverse("portal:list_shared", args=[saved.share_token]))
    assert shared.status_code == 200 and "Mắt biếc" in shared.content.decode()
    assert client.get(reverse("portal:list_detail", args=[saved.uuid])).status_code == 302
    # another reader cannot open it by its uuid
    from thuvien.core.tests.fixtures import make_staff
    other = make_staff("other", reader.home_library)
    client.force_login(other)
    assert client.get(reverse("portal:list_detail", args=[saved.uuid])).status_code == 404
    old_token = saved.share_token
    client.force_login(reader.user)
    client.post(reverse("portal:list_detail", args=[saved.uuid]), {"action": "save", "name": "Văn học VN"})
    saved.refresh_from_db()
    assert not saved.is_shared and saved.share_token != old_token
    client.post(reverse("portal:list_detail", args=[saved.uuid]), {"action": "delete"})
    assert not SavedList.objects.filter(pk=saved.pk).exists()


def test_search_history_in_the_session(client, vn_catalogue, django_user_model):
    client.get(reverse("opac:search"), {"q": "kieu"})
    assert "sessionid" not in client.cookies  # an anonymous search starts no session, sets no cookie
    page = _text(client.get(reverse("portal:history")))  # and the page says why the history is empty
    assert "Khi chưa đăng nhập, thư viện không ghi lại lượt tra cứu của bạn" in page
    assert "sessionid" not in client.cookies
    client.force_login(django_user_model.objects.create_user("reader-h", password="x-Mat-khau-2026"))
    for q in ["kieu", "mat biec", "kieu"]:
        client.get(reverse("opac:search"), {"q": q})
    for i in range(25):
        client.get(reverse("opac:search"), {"q": f"tu {i}"})
    history = client.session["portal_search_history"]
    assert len(history) == 20 and history[0]["q"] == "tu 24"
    page = _text(client.get(reverse("portal:history")))
    assert "tu 24" in page and "tu 4" not in page.replace("tu 24", "").replace("tu 14", "")
    assert "Khi chưa đăng nhập" not in page
    client.post(reverse("portal:history"))
    assert "portal_search_history" not in client.session


def test_staff_pages_permission_and_forms(client, net, manager_a, manager_b, van_unit, desk_a):
    client.force_login(desk_a)
    assert client.get(reverse("portal:staff_home")).status_code == 403
    client.force_login(manager_b)
    assert client.get(reverse("portal:staff_unit", args=[net.a.pk])).status_code == 404  # not B's unit
    client.force_login(manager_a)
    r = client.post(reverse("portal:staff_unit", args=[net.a.pk]), {"action": "hours", "day0": "7:30-11:30, 13:30-17",
                                                                     "day1": "25:00-26:00"})
    assert r.status_code == 400 and "Khoảng giờ “25:00-26:00” không hợp lệ" in r.content.decode()
    r = client.post(reverse("portal:staff_unit", args=[net.a.pk]), {"action": "hours", "day0": "7:30-11:30, 13:30-17"})
    assert r.status_code == 302 and net.a.opening_intervals.count() == 2
    r = client.post(reverse("portal:staff_news_new"), {"library": net.a.pk, "title": "Tin mới", "summary": "",
                                                       "body": "<p>Xin chào<script>x</script></p>", "publish": "on"})
    item = NewsItem.objects.get(title="Tin mới")
    assert r.status_code == 302 and item.body == "<p>Xin chào</p>" and item.is_published
    r = client.post(reverse("portal:staff_news_new"), {"library": net.b.pk, "title": "Tin B"})
    assert r.status_code == 400  # B is not A's: not offered
    r = client.post(reverse("portal:staff_event_new"), {
        "library": net.a.pk, "kind": "book_day", "title": "Ngày Sách", "place": "Sân", "seats": "",
        "starts_at": "2027-04-21T08:00", "ends_at": "2027-04-21T07:00", "is_published": "on"})
    assert r.status_code == 400 and "Giờ kết thúc phải sau giờ bắt đầu." in r.content.decode()
    r = client.post(reverse("portal:staff_event_new"), {
        "library": net.a.pk, "kind": "book_day", "title": "Ngày Sách", "place": "Sân", "seats": "",
        "starts_at": "2027-04-21T08:00", "ends_at": "2027-04-21T17:00", "is_published": "on",
        "registration_open": "on"})
    event = Event.objects.get(title="Ngày Sách")
    assert r.status_code == 302 and event.seats is None
    assert event.starts_at == dt.datetime(2027, 4, 21, 1, 0, tzinfo=dt.UTC)  # 8:00 in Vietnam
    r = client.post(reverse("portal:staff_van"), {"unit": van_unit.pk, "day": "2027-01-05", "starts": "08:00",
                                                  "ends": "11:00", "place": "Chợ", "commune": "Xã X"})
    assert r.status_code == 302 and van_unit.van_stops.count() == 1
    stop = van_unit.van_stops.get()
    r = client.post(reverse("portal:staff_van_edit", args=[stop.pk]), {
        "unit": van_unit.pk, "day": "2027-01-05", "starts": "08:00", "ends": "11:30", "place": "Chợ phiên",
        "commune": "Xã X"})
    stop.refresh_from_db()
    assert r.status_code == 302 and (stop.place, stop.ends) == ("Chợ phiên", T(11, 30))
    edit_page = client.get(reverse("portal:staff_van_edit", args=[stop.pk])).content.decode()
    assert edit_page.index('<form method="post" class="danger-zone">') > edit_page.index('id="van-form"')
    assert "Chợ phiên, Xã X" in edit_page  # the upcoming stops: place and commune on their own line
    r = client.post(reverse("portal:staff_van_edit", args=[stop.pk]), {"action": "delete"})
    assert r.status_code == 302 and r["Location"] == reverse("portal:staff_van") and not van_unit.van_stops.exists()
    r = client.post(reverse("portal:staff_news_edit", args=[item.pk]), {"action": "delete"})
    assert r.status_code == 302 and r["Location"] == reverse("portal:staff_news")
    assert not NewsItem.objects.filter(pk=item.pk).exists()


def test_ris_and_bibtex_golden_for_a_demo_record(client, admin_user, net, reader):
    """One real demo record (Dế Mèn phiêu lưu ký, from catalog/demo.py) exported from a list."""
    from thuvien.catalog.demo import _classics

    record = bib_create(actor=admin_user, record=_classics("CB")[2], owner=net.province)
    saved = services.list_create(actor=reader.user, name="Thiếu nhi")
    services.list_add(actor=reader.user, saved=saved, record=record)
    _login_reader(client, reader)
    for fmt, name in (("ris", "demenh.ris"), ("bib", "demenh.bib")):
        body = client.get(reverse("portal:list_export", args=[saved.uuid, fmt])).content.decode()
        body = body.replace(f"_{record.pk}", "_PK")  # the BibTeX key carries the database id
        golden = GOLDEN / name
        if not golden.exists():  # pragma: no cover - writing a new golden file
            golden.write_bytes(body.encode())
        assert body == golden.read_bytes().decode(), name


def test_directory_of_one_library_and_its_query_count(client, net, manager_a, django_assert_max_num_queries):
    services.hours_set(actor=manager_a, unit=net.c, week={0: [(T(8), T(11))]})
    with django_assert_max_num_queries(12):
        html = client.get(reverse("portal:directory"), {"library": "A"}).content.decode()
    assert re.findall(r'id="unit-([A-Z]+)"', html) == ["A", "C"]


def test_home_shows_coming_events_and_news(client, event_factory, net, manager_a):
    event = event_factory("Ngày hội đọc sách")
    services.news_save(actor=manager_a, library=net.a, title="Tin trang chủ", summary="", body="", publish=True)
    page = _text(client.get(reverse("opac:home")))
    assert "Tin tức và sự kiện" in page and event.title in page and "Tin trang chủ" in page
