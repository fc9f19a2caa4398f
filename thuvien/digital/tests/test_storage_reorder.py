"""Storage figures per collection (bytes, growth per month, projection to a target), the staff
storage page, and saving a page order from the staff object page (the drag itself is tested in
Chromium by test_reorder_browser.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from thuvien.digital import processing, storage
from thuvien.digital.conf import digital_root
from thuvien.digital.models import DigitalObject
from thuvien.digital.preservation import object_path
from thuvien.digital.selectors import storage_by_collection


def _bytes(path) -> int:  # type: ignore[no-untyped-def]
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def test_storage_by_collection_counts_bytes_months_and_projects_the_target(settings, tmp_path,
                                                                           digital_object_factory):
    settings.THUVIEN_OCFL_ROOT = tmp_path / "ocfl"
    settings.THUVIEN_DIGITAL_ROOT = str(digital_root())  # stays put when THUVIEN_HOME moves below
    a = digital_object_factory(texts=["Cao Bằng", "Hà Quảng"], ocr="vie", pdf=True)
    b = digital_object_factory(texts=["Bảo Lạc"], ocr="none")
    old = timezone.make_aware(dt.datetime(2026, 9, 15, 10, 0))
    DigitalObject.objects.filter(pk=b.pk).update(created_at=old)  # not a change: an object from September
    settings.THUVIEN_HOME = tmp_path
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "thuvien-20261101-020000.tar.gz").write_bytes(b"x")
    (tmp_path / "backups" / "thuvien-20261201-020000.tar.gz.enc").write_bytes(b"x")
    [row] = storage_by_collection(targets={a.collection_id: 103})
    base = processing.object_dir(a.uuid)
    masters = _bytes(object_path(a)) + _bytes(object_path(b))
    tiles = _bytes(base / "tiles") + _bytes(processing.object_dir(b.uuid) / "tiles")
    ocr = _bytes(base / "ocr")
    pdf = processing.pdf_path(a.uuid).stat().st_size
    working = _bytes(base / "masters") + _bytes(processing.object_dir(b.uuid) / "masters")
    assert (row.objects, row.pages) == (2, 3)
    assert (row.bytes.masters, row.bytes.working, row.bytes.tiles, row.bytes.ocr, row.bytes.pdf) == (
        masters, working, tiles, ocr, pdf)
    assert ocr > 0 and pdf > 0 and masters > 0
    total = masters + working + tiles + ocr + pdf
    assert row.bytes.total == total
    assert row.backups == 2 * total  # two backup archives kept, each holding the whole collection
    month_now = timezone.now().astimezone(dt.UTC).strftime("%Y-%m")
    b_total = storage.object_bytes(b.uuid).total
    assert row.by_month == {"2026-09": b_total, month_now: total - b_total}
    assert row.target_pages == 103 and row.pages_remaining == 100
    assert row.projected_bytes == 100 * (total // 3)
    assert row.projected_uncompressed == 100 * storage.UNCOMPRESSED_A4_300PPI_PAGE
    # the rule of thumb of the issue: a 300-page A4 book at 300 ppi is ~7 GiB uncompressed
    assert 7.0 < storage.rule_of_thumb_book() / 1024**3 < 7.5
    # without a target: no projection; a registered provider (the digitisation projects) gives it
    assert storage_by_collection()[0].projected_bytes is None
    registered = list(storage._TARGET_PROVIDERS)  # the digitisation app's own provider stays registered
    storage.register_target_provider(lambda: {a.collection_id: 10})
    try:
        assert storage_by_collection()[0].pages_remaining == 7
    finally:
        storage._TARGET_PROVIDERS[:] = registered


def test_storage_page_and_reorder_endpoint(client, net, staff_factory, digital_object_factory):
    obj = digital_object_factory(texts=["Một", "Hai", "Ba"], ocr="none")
    other_library = staff_factory("sohoa_b", net.b, "digitisation")
    staff = staff_factory("sohoa_a2", net.a, "digitisation")
    client.force_login(staff)
    page = client.get("/staff/digital/storage/").content.decode()
    assert obj.collection.name in page and "Bản gốc (lưu trữ OCFL)" in page
    assert "1 tài liệu đã lưu trữ OCFL" in page
    ids = list(obj.pages.order_by("order").values_list("pk", flat=True))
    url = f"/staff/digital/object/{obj.pk}/reorder/"
    resp = client.post(url, {"pages": [ids[2], ids[0], ids[1]]}, headers={"X-Requested-With": "fetch"})
    assert resp.status_code == 204
    assert list(obj.pages.order_by("order").values_list("pk", flat=True)) == [ids[2], ids[0], ids[1]]
    manifest = client.get(f"/iiif/{obj.uuid}/manifest").json()
    uuids = dict(obj.pages.values_list("pk", "uuid"))
    assert [c["items"][0]["items"][0]["body"]["service"][0]["id"].rsplit("/", 1)[1] for c in manifest["items"]] == [
        str(uuids[ids[2]]), str(uuids[ids[0]]), str(uuids[ids[1]])]
    # a wrong list is refused with a message and changes nothing
    resp = client.post(url, {"pages": [ids[0], ids[0], ids[1]]}, headers={"X-Requested-With": "fetch"})
    assert resp.status_code == 400 and "không khớp" in resp.content.decode()
    resp = client.post(url, {"pages": ["x"]})
    assert resp.status_code == 302
    assert list(obj.pages.order_by("order").values_list("pk", flat=True)) == [ids[2], ids[0], ids[1]]
    DigitalObject.objects.filter(pk=obj.pk).update(damaged=True, updated_at=timezone.now())
    assert "Bản lưu trữ bị hỏng" in client.get(f"/staff/digital/object/{obj.pk}/").content.decode()
    # another library's staff cannot reorder or see it
    client.force_login(other_library)
    assert client.post(url, {"pages": ids}).status_code == 404
    assert obj.collection.name not in client.get("/staff/digital/storage/").content.decode()


def test_staff_replace_a_page_with_a_rescan(client, net, staff_factory, digital_object_factory, tmp_path,
                                            django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from thuvien.digital.synthetic import render_page

    obj = digital_object_factory(texts=["Một", "Hai"], ocr="none")
    client.force_login(staff_factory("sohoa_rescan", net.a, "digitisation"))
    page = obj.pages.get(order=2)
    render_page("Hai quét lại", tmp_path / "r.png", width=600, height=300, font_size=24, seed=3, noise=False)
    url = f"/staff/digital/page/{page.pk}/replace/"
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(url, {"scan": SimpleUploadedFile("Trang 2 quét lại.png", (tmp_path / "r.png").read_bytes())})
    assert resp.status_code == 302
    page.refresh_from_db()
    assert (page.source_name, page.processed, page.width) == ("Trang 2 quét lại.png", True, 600)
    assert DigitalObject.objects.get(pk=obj.pk).ocfl_version == 2
    # not an image: refused with a message, nothing changes
    resp = client.post(url, {"scan": SimpleUploadedFile("notes.txt", b"hello")}, follow=True)
    assert "Trang thay thế phải là ảnh TIFF, JPEG, JPEG 2000 hoặc PNG." in resp.content.decode()
    assert DigitalObject.objects.get(pk=obj.pk).ocfl_version == 2
    resp = client.post(url, {}, follow=True)
    assert "Chọn tệp ảnh trang quét lại." in resp.content.decode()
