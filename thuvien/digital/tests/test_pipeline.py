"""The whole pipeline on generated Vietnamese pages: OCR accuracy, ALTO against the ALTO 3 XSD,
the PDF/A-2b, the Presentation 3.0 manifest (loaded by iiif-prezi3), Content Search 2.0 and 1.0."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pikepdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from thuvien.digital import processing
from thuvien.digital.models import DigitalObject
from thuvien.digital.synthetic import DIA_CHI_CAO_BANG, cer, render_page

XSD = Path(__file__).resolve().parents[1] / "schemas" / "alto-3-0.xsd"


@pytest.mark.slow
def test_ocr_cer_alto_and_pdfa_on_noisy_vietnamese_pages(net, tmp_path, digital_object_factory):
    src = tmp_path / "truth"
    truths = [render_page(t, src / f"{n}.png", width=1240, height=760, seed=n)
              for n, t in enumerate(DIA_CHI_CAO_BANG[:2], 1)]
    obj = digital_object_factory(texts=DIA_CHI_CAO_BANG[:2], pdf=True, size=(1240, 760))
    assert obj.status == "ready", obj.error
    pages = list(obj.pages.order_by("order"))
    rates = [cer(truth, page.text) for truth, page in zip(truths, pages, strict=True)]
    print("OCR CER per page (vie, noisy 150 ppi):", [f"{r:.2%}" for r in rates])
    assert all(r < 0.01 for r in rates), rates
    # ALTO validates against the ALTO 3.0 schema shipped in the repository (no network)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    for page in pages:
        alto = etree.parse(str(processing.ocr_base(obj.uuid, page.order).with_suffix(".xml")))
        assert schema.validate(alto), schema.error_log
        assert processing.ocr_base(obj.uuid, page.order).with_suffix(".hocr").read_text().count("ocrx_word") > 20
    # word boxes lie inside the page
    assert all(0 <= w[1] and w[1] + w[3] <= pages[0].width and 0 <= w[2] and w[2] + w[4] <= pages[0].height
               for w in orjson.loads(pages[0].words))
    # the archival PDF is PDF/A-2b with a text layer for every page
    with pikepdf.open(processing.pdf_path(obj.uuid)) as pdf:
        assert len(pdf.pages) == 2
        assert pdf.open_metadata().pdfa_status == "2B"
    assert obj.has_pdf


def _manifest(client, obj: DigitalObject) -> dict:
    resp = client.get(f"/iiif/{obj.uuid}/manifest")
    assert resp.status_code == 200
    return orjson.loads(resp.content)


def test_manifest_loads_in_iiif_prezi3_and_is_cached(client, digital_object_factory, django_assert_max_num_queries):
    from iiif_prezi3 import Manifest

    obj = digital_object_factory(texts=["Địa chí Cao Bằng, tỉnh biên giới.", "Thác Bản Giốc ở Trùng Khánh."],
                                 title="Địa chí Cao Bằng")
    data = _manifest(client, obj)
    m = Manifest(**data)
    assert m.label == {"vi": ["Địa chí Cao Bằng"]}
    assert data["behavior"] == ["paged"] and data["viewingDirection"] == "left-to-right"
    assert data["rights"] == "http://rightsstatements.org/vocab/InC-EDU/1.0/"
    assert data["id"] == f"http://testserver/iiif/{obj.uuid}/manifest"
    assert len(data["items"]) == 2
    canvas = data["items"][0]
    body = canvas["items"][0]["items"][0]["body"]
    assert body["service"][0]["type"] == "ImageService3"
    assert (canvas["width"], canvas["height"]) == (900, 500)
    assert [s["format"] for s in canvas["seeAlso"]] == ["application/xml", "text/vnd.hocr+html"]
    assert {s.get("type") or s.get("@type") for s in data["service"]} == {"SearchService2", "SearchService1"}
    assert "rendering" not in data  # no PDF was made for this object
    alto = client.get(canvas["seeAlso"][0]["id"].removeprefix("http://testserver"))
    assert alto.status_code == 200 and b"ns-v3" in b"".join(alto.streaming_content)
    # served from the cache the second time: one query for the object, none for pages
    obj.refresh_from_db()
    assert obj.manifest_cache
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(f"/iiif/{obj.uuid}/manifest")
    assert orjson.loads(again.content) == data
    assert not any("digital_page" in q["sql"] for q in ctx.captured_queries)


def test_right_to_left_for_han_nom_and_ranges(client, digital_object_factory, admin_user):
    from thuvien.digital.services import object_update

    obj = digital_object_factory(texts=["Trang một", "Trang hai"], ocr="none", title="Gia phả chữ Nôm")
    obj = object_update(actor=admin_user, obj=obj, right_to_left=True,
                        dcterms={"toc": [["Lời tựa", 1], ["Phả hệ", 2]], "creator": ["Khuyết danh"]})
    data = _manifest(client, obj)
    assert data["viewingDirection"] == "right-to-left"
    assert [(r["label"]["vi"][0], r["items"][0]["id"].rsplit("/", 1)[1]) for r in data["structures"]] == [
        ("Lời tựa", "1"), ("Phả hệ", "2")]
    assert {"label": {"vi": ["Tác giả"]}, "value": {"vi": ["Khuyết danh"]}} in data["metadata"]
    assert "seeAlso" not in data["items"][0]  # nothing recognised: transcription only


def test_search_inside_ignores_diacritics_and_boxes_fall_in_the_canvas(client, digital_object_factory):
    obj = digital_object_factory(texts=["Người Tày ở Cao Bằng hát then.", "Lạng Sơn và Cao Bằng giáp nhau."])
    r2 = orjson.loads(client.get(f"/iiif/{obj.uuid}/search2", {"q": "cao bang"}).content)
    assert r2["type"] == "AnnotationPage" and r2["@context"] == "http://iiif.io/api/search/2/context.json"
    targets = [a["target"] for a in r2["items"]]
    assert [t.split("/canvas/")[1].split("#")[0] for t in targets] == ["1", "2"]
    assert [a["body"]["value"] for a in r2["items"]] == ["Cao Bằng", "Cao Bằng"]
    for t in targets:
        x, y, w, h = map(int, re.search(r"#xywh=(\d+),(\d+),(\d+),(\d+)$", t).groups())
        assert w > 0 and h > 0 and x + w <= 900 and y + h <= 500
    ctx = r2["annotations"][0]["items"][0]["target"]["selector"][0]
    assert ctx["type"] == "TextQuoteSelector" and ctx["exact"] == "Cao Bằng" and ctx["prefix"].endswith("Tày ở")
    r1 = orjson.loads(client.get(f"/iiif/{obj.uuid}/search1", {"q": "LANG SON"}).content)
    assert r1["within"]["total"] == 1 and r1["hits"][0]["match"] == "Lạng Sơn"
    assert r1["resources"][0]["on"].split("#")[0].endswith("/canvas/2")
    none = orjson.loads(client.get(f"/iiif/{obj.uuid}/search2", {"q": "Hà Nội"}).content)
    assert none["items"] == [] and "annotations" not in none
    ac = orjson.loads(client.get(f"/iiif/{obj.uuid}/autocomplete2", {"q": "ba"}).content)
    assert ac["type"] == "TermPage" and [i["value"] for i in ac["items"]] == ["Bằng"]


def test_edited_text_is_searchable_and_kept_on_reprocessing(client, digital_object_factory, admin_user):
    from thuvien.digital.services import object_process, page_text_update

    obj = digital_object_factory(texts=["Trang chép tay"], ocr="none")
    page = obj.pages.get()
    page_text_update(actor=admin_user, page=page, text="Gia phả họ Nông ở Hà Quảng")
    page.refresh_from_db()
    assert page.text_folded == "gia pha ho nong o ha quang"
    page.processed = False
    page.save(update_fields=["processed"])
    object_process(obj=obj, pdf=False)
    page.refresh_from_db()
    assert page.text == "Gia phả họ Nông ở Hà Quảng"


def test_collection_manifest_lists_only_what_the_viewer_may_open(client, digital_object_factory, admin_user):
    from thuvien.digital.services import object_update

    open_obj = digital_object_factory(texts=["Một"], ocr="none", title="Công khai")
    coll = open_obj.collection
    closed = digital_object_factory(texts=["Hai"], ocr="none", title="Nội bộ", access="staff")
    object_update(actor=admin_user, obj=closed, collection=coll)
    data = client.get(f"/iiif/collection/{coll.code}").json()
    assert data["type"] == "Collection" and data["label"] == {"vi": ["Tài liệu địa chí"]}
    assert [(m["id"].rsplit("/", 2)[1], m["label"]["vi"][0]) for m in data["items"]] == [
        (str(open_obj.uuid), "Công khai")]
    client.force_login(admin_user)
    assert len(client.get(f"/iiif/collection/{coll.code}").json()["items"]) == 2
    assert client.get("/iiif/collection/no-such").status_code == 404
