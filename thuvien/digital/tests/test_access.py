"""Access levels x viewers (anonymous, reader, a terminal inside the library, staff) for the
manifest, info.json, a tile and the PDF; embargo; one decision per object, not per page."""

from __future__ import annotations

import datetime as dt
import io
from subprocess import run

import pikepdf
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from thuvien.core.models import ActivityEvent, OrgUnitSetting
from thuvien.digital.models import Download
from thuvien.digital.services import object_update

LIBRARY_IP = "203.0.113.7"
OUTSIDE_IP = "198.51.100.9"

# level -> expected status for (anonymous, reader outside, anonymous at a library terminal, staff)
EXPECTED = {
    "public": (200, 200, 200, 200),
    "registered": (401, 200, 200, 200),
    "in_library": (401, 403, 200, 200),
    "staff": (401, 403, 401, 200),
}


@pytest.fixture
def viewers(net, patron_factory, staff_factory):
    User = get_user_model()
    patron = patron_factory("CB000077", net.a, full_name="Nông Thị Hoa")
    patron.user = User.objects.create_user(username="reader77", password="pw-reader")
    patron.save(update_fields=["user"])
    reader = Client(REMOTE_ADDR=OUTSIDE_IP)
    reader.force_login(patron.user)
    staff = Client(REMOTE_ADDR=OUTSIDE_IP)
    staff.force_login(staff_factory("thuthu", net.b, "circulation"))
    OrgUnitSetting.objects.create(unit=net.a, key="digital.library_ip_ranges", value=["203.0.113.0/24", "bad"])
    return {"anonymous": Client(REMOTE_ADDR=OUTSIDE_IP), "reader": reader,
            "terminal": Client(REMOTE_ADDR=LIBRARY_IP), "staff": staff}


@pytest.mark.slow
def test_each_level_for_each_viewer_on_manifest_tiles_and_pdf(viewers, digital_object_factory, admin_user):
    obj = digital_object_factory(texts=["Cao Bằng"], ocr="none", pdf=True)
    page = obj.pages.get()
    urls = [f"/iiif/{obj.uuid}/manifest", f"/iiif/3/{page.uuid}/info.json",
            f"/iiif/3/{page.uuid}/0,0,256,256/256,/0/default.jpg", f"/digital/{obj.uuid}/pdf",
            f"/iiif/{obj.uuid}/search2?q=cao"]
    seen = {}
    for level, expected in EXPECTED.items():
        obj = object_update(actor=admin_user, obj=obj, access=level)
        for who, status in zip(viewers, expected, strict=True):
            codes = {viewers[who].get(u).status_code for u in urls}
            seen[(level, who)] = codes
            assert codes == {status}, (level, who, codes)
    assert len(seen) == 16


def test_embargo_closes_to_all_but_staff(viewers, digital_object_factory, admin_user):
    obj = digital_object_factory(texts=["Cao Bằng"], ocr="none")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    obj = object_update(actor=admin_user, obj=obj, embargo_until=tomorrow)
    url = f"/iiif/{obj.uuid}/manifest"
    assert [viewers[w].get(url).status_code for w in viewers] == [401, 403, 401, 200]
    page = viewers["reader"].get(f"/digital/{obj.uuid}/")
    assert page.status_code == 403 and "thời gian hạn chế" in page.content.decode()
    object_update(actor=admin_user, obj=obj, embargo_until=timezone.localdate())
    assert viewers["anonymous"].get(url).status_code == 200


def test_page_override_narrows_only_that_page(viewers, digital_object_factory):
    obj = digital_object_factory(texts=["Trang một", "Trang hai"], ocr="none")
    first, second = obj.pages.order_by("order")
    second.access = "staff"
    second.save(update_fields=["access"])
    anon = viewers["anonymous"]
    assert anon.get(f"/iiif/3/{first.uuid}/info.json").status_code == 200
    assert anon.get(f"/iiif/3/{second.uuid}/info.json").status_code == 401
    assert viewers["staff"].get(f"/iiif/3/{second.uuid}/info.json").status_code == 200
    manifest = anon.get(f"/iiif/{obj.uuid}/manifest").json()
    assert [c["id"].rsplit("/", 1)[1] for c in manifest["items"]] == ["1"]


def test_a_hundred_page_manifest_is_one_decision(viewers, digital_object_factory, django_assert_max_num_queries):
    from thuvien.digital.models import Page

    obj = digital_object_factory(texts=["Cao Bằng"], ocr="none", access="in_library")
    page = obj.pages.get()
    Page.objects.bulk_create([Page(obj=obj, order=n, sha256=f"{n:064d}", mime="image/png", width=900, height=500,
                                   processed=True, source_name=f"{n}.png") for n in range(2, 101)])
    with django_assert_max_num_queries(6):  # session, object, the library's IP ranges, pages, cache write
        resp = viewers["terminal"].get(f"/iiif/{obj.uuid}/manifest")
    assert resp.status_code == 200 and len(resp.json()["items"]) == 100
    assert page.uuid


def test_pdf_is_watermarked_counted_and_limited(viewers, digital_object_factory, net):
    obj = digital_object_factory(texts=["Cao Bằng"], ocr="none", pdf=True)
    OrgUnitSetting.objects.create(unit=net.a, key="digital.daily_downloads", value=2)
    reader = viewers["reader"]
    first = reader.get(f"/digital/{obj.uuid}/pdf")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(first.content)) as pdf:
        assert len(pdf.pages) == 1
        assert pdf.open_metadata().pdfa_status == ""  # the delivery copy does not claim PDF/A
    from thuvien.digital.processing import pdf_path

    with pikepdf.open(pdf_path(obj.uuid)) as archival:
        assert archival.open_metadata().pdfa_status == "2B"  # the archival copy is untouched
    extracted = run(["pdftotext", "-", "-"], input=first.content, capture_output=True, check=True).stdout.decode()
    assert "Nông Thị Hoa" in extracted and "CB000077" in extracted and timezone.localdate().strftime("%d/%m/%Y") in extracted
    assert reader.get(f"/digital/{obj.uuid}/pdf").status_code == 200
    limited = reader.get(f"/digital/{obj.uuid}/pdf")
    assert limited.status_code == 429 and "2 bản PDF" in limited.content.decode()
    assert Download.objects.count() == 2
    events = ActivityEvent.objects.filter(kind="digital_download")
    assert events.count() == 2
    assert all("user" not in e.attributes and "patron" not in e.attributes for e in events)
    reader.get(f"/digital/{obj.uuid}/")
    assert ActivityEvent.objects.filter(kind="digital_view").count() == 1
