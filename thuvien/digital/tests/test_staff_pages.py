"""Staff pages: upload a ZIP for background ingest and processing, see progress, set access,
correct a page's text; other libraries' staff cannot reach the object."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from thuvien.digital.models import DigitalObject
from thuvien.digital.tests.fixtures import make_collection


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in (10, 2):
            img = io.BytesIO()
            Image.new("L", (300, 200), 200 + n).save(img, "PNG")
            zf.writestr(f"Trang {n}.png", img.getvalue())
    return buf.getvalue()


def test_upload_process_access_and_transcription(client, net, staff_factory, django_capture_on_commit_callbacks):
    coll = make_collection(net.a)
    staff = staff_factory("sohoa_a", net.a, "digitisation")
    client.force_login(staff)
    assert "Thư viện số" in client.get("/staff/digital/").content.decode()
    upload = SimpleUploadedFile("Gia phả.zip", _zip(), content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/staff/digital/", {"upload": upload, "collection": coll.pk, "title": "Gia phả họ Nông",
                                               "language": "tyz", "ocr": "none", "access": "registered"})
    assert resp.status_code == 302
    obj = DigitalObject.objects.get()
    assert (obj.title, obj.language, obj.access, obj.status, obj.pages_done, obj.has_pdf) == (
        "Gia phả họ Nông", "tyz", "registered", "ready", 2, True)
    assert list(obj.pages.order_by("order").values_list("source_name", flat=True)) == ["Trang 2.png", "Trang 10.png"]
    page = client.get(f"/staff/digital/object/{obj.pk}/").content.decode()
    assert "2/2 trang" in page and "Sẵn sàng" in page
    resp = client.post(f"/staff/digital/object/{obj.pk}/", {
        "obj-title": "Gia phả họ Nông (Hà Quảng)", "obj-access": "public", "obj-rights": obj.rights,
        "obj-language": "tyz", "obj-right_to_left": "on", "obj-embargo_until": ""})
    assert resp.status_code == 302
    obj.refresh_from_db()
    assert (obj.title, obj.access, obj.right_to_left, obj.manifest_cache) == (
        "Gia phả họ Nông (Hà Quảng)", "public", True, "")
    first = obj.pages.get(order=1)
    client.post(f"/staff/digital/page/{first.pk}/text/", {"text": "Phả hệ họ Nông, đời thứ nhất",
                                                          "next": f"/staff/digital/object/{obj.pk}/?page=1"})
    first.refresh_from_db()
    assert (first.text, first.text_edited) == ("Phả hệ họ Nông, đời thứ nhất", True)
    hits = client.get(f"/iiif/{obj.uuid}/search2", {"q": "pha he"}).json()["items"]
    assert hits == []  # transcribed text has no word boxes, but it is searchable in the catalogue text
    other = staff_factory("sohoa_b", net.b, "digitisation")
    client.force_login(other)
    assert client.get(f"/staff/digital/object/{obj.pk}/").status_code == 404
    assert client.post(f"/staff/digital/page/{first.pk}/text/", {"text": "x"}).status_code == 403
    first.refresh_from_db()
    assert first.text == "Phả hệ họ Nông, đời thứ nhất"


def test_upload_form_needs_record_or_title(client, net, staff_factory):
    coll = make_collection(net.a)
    client.force_login(staff_factory("sohoa_c", net.a, "digitisation"))
    upload = SimpleUploadedFile("a.zip", _zip(), content_type="application/zip")
    resp = client.post("/staff/digital/", {"upload": upload, "collection": coll.pk, "language": "vie",
                                           "ocr": "vie", "access": "public"})
    assert resp.status_code == 200 and "Cần một biểu ghi hoặc một nhan đề." in resp.content.decode()
    assert DigitalObject.objects.count() == 0
