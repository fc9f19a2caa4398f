"""The API list of digital objects, the record page's digital section and the demo's pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from thuvien.catalog.services import bib_create
from thuvien.catalog.tests.fixtures import make_book
from thuvien.digital.models import DigitalObject


def test_api_lists_objects_filtered_by_record_and_collection(client, net, admin_user, digital_object_factory):
    bib = bib_create(actor=admin_user, record=make_book("Địa chí Cao Bằng"), owner=net.a)
    with_record = digital_object_factory(texts=["Một", "Hai"], ocr="none", record=bib, access="registered")
    other = digital_object_factory(texts=["Ba"], ocr="none", unit=net.b)
    resp = client.get("/api/v1/digital/objects")
    assert resp.status_code == 200
    data = resp.json()
    assert data["count"] == 2 and [i["id"] for i in data["items"]] == [str(other.uuid), str(with_record.uuid)]
    only = client.get("/api/v1/digital/objects", {"record": bib.pk}).json()
    assert only["count"] == 1
    item = only["items"][0]
    assert item == {"id": str(with_record.uuid), "record": bib.pk, "title": "Địa chí", "language": "vie",
                    "collection": with_record.collection.code, "access": "registered", "status": "ready",
                    "page_count": 2, "manifest": f"http://testserver/iiif/{with_record.uuid}/manifest",
                    "viewer": f"http://testserver/digital/{with_record.uuid}/"}
    by_coll = client.get("/api/v1/digital/objects", {"collection": other.collection.code}).json()
    assert [i["id"] for i in by_coll["items"]] == [str(other.uuid)]
    assert client.get("/api/v1/digital/objects", {"limit": "x"}).status_code == 422


def test_record_page_shows_its_digital_object(client, net, admin_user, digital_object_factory):
    bib = bib_create(actor=admin_user, record=make_book("Địa chí Cao Bằng"), owner=net.a)
    obj = digital_object_factory(texts=["Một"], ocr="none", record=bib)
    html = client.get(f"/record/{bib.pk}/").content.decode()
    assert f'href="/digital/{obj.uuid}/"' in html and "1 trang" in html


@pytest.mark.slow
def test_demo_pages_are_viewable_and_found_by_a_word_of_their_text(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the worker's job (tasks run at once in tests)
        call_command("demo", stdout=io.StringIO())
    obj = DigitalObject.objects.get(collection__code="dia-chi-cao-bang")
    assert obj.status == "ready" and obj.pages.count() == 3 and obj.has_pdf
    assert client.get(f"/digital/{obj.uuid}/").status_code == 200
    hits = client.get(f"/iiif/{obj.uuid}/search2", {"q": "thac ban gioc"}).json()["items"]
    assert [h["body"]["value"] for h in hits] == ["Thác Bản Giốc"]
    assert hits[0]["target"].split("#")[0].endswith("/canvas/2")
