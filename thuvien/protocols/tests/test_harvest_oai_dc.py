"""Harvesting oai_dc (Dublin Core crosswalked to MARC21): from a second thuvien over HTTP, and a
DSpace-style page stored through the same path as marc21 records."""

from __future__ import annotations

import time

import pytest
from defusedxml import ElementTree as SafeET
from django.core.exceptions import ValidationError

from thuvien.catalog.marc.lint import lint
from thuvien.catalog.marc.marcjson import from_json
from thuvien.catalog.models import BibRecord
from thuvien.protocols.harvest.oai import parse_page
from thuvien.protocols.harvest.services import (
    _store_page,
    harvest_run_execute,
    harvest_source_create,
    harvest_source_update,
    harvest_start,
)
from thuvien.protocols.models import HarvestedRecord, HarvestRun

NO_TITLE = "Biểu ghi Dublin Core không có nhan đề (dc:title): không nhập."


def note(url: str) -> str:
    return f"Biểu ghi chuyển đổi từ Dublin Core, thu thập qua OAI-PMH từ {url}."


def test_two_thuvien_oai_dc(net, admin_user, remote):
    assert remote.run("-m", "thuvien.protocols.tests.remote_seed", "dc").split() == ["9"]
    time.sleep(1.1)  # `from` is inclusive at second granularity: keep these records out of later incremental runs
    source = harvest_source_create(actor=admin_user, code="tinh-q-dc", name="Thư viện tỉnh Q (DC)",
                                   base_url=remote.oai_url, library=net.b, metadata_prefix="oai_dc")
    run = harvest_run_execute(run=harvest_start(actor=admin_user, source=source, background=False))
    assert run.status == HarvestRun.Status.DONE, run.error
    assert (run.pages, run.records_seen, run.imported, run.rejected, run.complete_list_size) == (3, 9, 8, 1, 9)
    # the record without a title is refused visibly, with its identifier, and not remembered
    [[untitled, message]] = run.warnings
    assert message == NO_TITLE and untitled.startswith("oai:q.thuvien:")
    assert not HarvestedRecord.objects.filter(identifier=untitled).exists()

    got = {b.title: b for b in BibRecord.objects.filter(owner=net.b)}
    assert sorted(got) == sorted(["Sổ tay thư viện xã", "Sách riêng tỉnh Q"] + [
        f"{t} (tỉnh Q)" for t in ("Truyện Kiều", "Đất rừng phương Nam", "Số đỏ", "Dế Mèn phiêu lưu ký",
                                  "Truyện ngắn Nam Cao", "Lịch sử Cao Bằng")])
    kieu = got["Truyện Kiều (tỉnh Q)"]
    assert (kieu.main_author, kieu.authors, kieu.year, kieu.publisher, kieu.language) == (
        "Nguyễn Du", ["Nguyễn Du"], 1995, "Văn học", "vie")
    assert kieu.subjects == ["Văn học Việt Nam", "Thơ"]
    book = got["Sổ tay thư viện xã"]
    assert (book.main_author, book.authors, book.isbns, book.year) == (
        "Lê Văn Thư", ["Lê Văn Thư", "Nông Thị Hà"], ["9786042000031"], 2019)
    marc = from_json(book.marc)
    ident = HarvestedRecord.objects.get(source=source, record=book).identifier
    assert marc["035"]["a"] == f"(OAI){ident}"
    assert [f["a"] for f in marc.get_fields("500")] == [note(remote.oai_url)]
    assert lint(marc) == []

    # a full re-harvest changes nothing (the date entered of 008 is kept) and refuses the untitled one again
    again = harvest_run_execute(run=harvest_start(actor=admin_user, source=source, full=True, background=False))
    assert (again.records_seen, again.imported, again.updated, again.unchanged, again.rejected) == (9, 0, 0, 8, 1)
    assert BibRecord.objects.filter(owner=net.b).count() == 8

    # a deletion at the source withdraws the record here, as for marc21
    time.sleep(1.1)
    remote.run("-m", "thuvien.protocols.tests.remote_seed", "delete")
    run3 = harvest_run_execute(run=harvest_start(actor=admin_user, source=source, background=False))
    assert (run3.records_seen, run3.deleted, run3.imported) == (1, 1, 0)
    gone = BibRecord.objects.get(title="Đất rừng phương Nam (tỉnh Q)")
    assert gone.is_deleted and gone.owner == net.b
    assert BibRecord.objects.filter(owner=net.b, is_deleted=False).count() == 7


DSPACE_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
 <responseDate>2026-03-09T02:00:00Z</responseDate>
 <request verb="ListRecords" metadataPrefix="oai_dc">https://dspace.example.edu.vn/oai/request</request>
 <ListRecords>
  <record>
   <header><identifier>oai:dspace.example.edu.vn:123456789/1001</identifier>
    <datestamp>2026-03-01T10:00:00Z</datestamp><setSpec>com_123456789_1</setSpec></header>
   <metadata>
    <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
     <dc:title>Giáo trình Văn học dân gian Việt Nam</dc:title>
     <dc:creator>Đinh, Gia Khánh</dc:creator>
     <dc:creator>Chu, Xuân Diên</dc:creator>
     <dc:subject>Văn học dân gian</dc:subject>
     <dc:date>2015-03-02T08:15:00Z</dc:date>
     <dc:date>2015-03-02</dc:date>
     <dc:type>Book</dc:type>
     <dc:identifier>https://dspace.example.edu.vn/handle/123456789/1001</dc:identifier>
     <dc:identifier>ISBN 978-604-1-23458-1</dc:identifier>
     <dc:language>vi</dc:language>
     <dc:publisher>Giáo dục Việt Nam</dc:publisher>
    </oai_dc:dc>
   </metadata>
  </record>
  <record>
   <header><identifier>oai:dspace.example.edu.vn:123456789/1002</identifier>
    <datestamp>2026-03-01T10:05:00Z</datestamp></header>
   <metadata>
    <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
     <dc:title>Vietnamese folk tales: an anthology</dc:title>
     <dc:date>[1998?]</dc:date>
     <dc:language>en</dc:language>
    </oai_dc:dc>
   </metadata>
  </record>
  <record>
   <header><identifier>oai:dspace.example.edu.vn:123456789/1003</identifier>
    <datestamp>2026-03-01T10:06:00Z</datestamp></header>
   <metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title> </dc:title><dc:creator>Khuyết danh</dc:creator></oai_dc:dc>
   </metadata>
  </record>
  <record>
   <header><identifier>oai:dspace.example.edu.vn:123456789/1004</identifier>
    <datestamp>2026-03-01T10:07:00Z</datestamp></header>
   <metadata><mods xmlns="http://www.loc.gov/mods/v3"/></metadata>
  </record>
  <record>
   <header status="deleted"><identifier>oai:dspace.example.edu.vn:123456789/999</identifier>
    <datestamp>2026-03-01T10:08:00Z</datestamp></header>
  </record>
 </ListRecords>
</OAI-PMH>"""


def test_dspace_page_stored_like_marc21(net, admin_user):
    url = "https://dspace.example.edu.vn/oai/request"
    source = harvest_source_create(actor=admin_user, code="dspace", name="Đại học X", base_url=url, library=net.a,
                                   metadata_prefix="oai_dc", match="isbn")
    run = harvest_start(actor=admin_user, source=source, background=False)
    page = parse_page(SafeET.fromstring(DSPACE_PAGE.encode()), metadata_prefix="oai_dc")
    _store_page(run, source, page, admin_user)
    run.refresh_from_db()
    assert (run.records_seen, run.imported, run.rejected, run.deleted) == (5, 2, 2, 0)
    assert run.warnings == [["oai:dspace.example.edu.vn:123456789/1003", NO_TITLE],
                            ["oai:dspace.example.edu.vn:123456789/1004", "no oai_dc record in metadata"]]
    textbook = BibRecord.objects.get(title="Giáo trình Văn học dân gian Việt Nam")
    assert (textbook.authors, textbook.isbns, textbook.year, textbook.publisher, textbook.language, textbook.owner) == (
        ["Đinh, Gia Khánh", "Chu, Xuân Diên"], ["9786041234581"], 2015, "Giáo dục Việt Nam", "vie", net.a)
    tales = BibRecord.objects.get(title="Vietnamese folk tales: an anthology")
    assert (tales.authors, tales.year, tales.language) == ([], 1998, "eng")
    assert from_json(tales.marc).get_fields("856") == []
    assert [f["u"] for f in from_json(textbook.marc).get_fields("856")] == [
        "https://dspace.example.edu.vn/handle/123456789/1001"]
    # the deleted record is remembered (deleted), so a later record with that identifier is not confused
    assert list(HarvestedRecord.objects.filter(source=source).order_by("identifier")
                .values_list("identifier", "deleted")) == [
        ("oai:dspace.example.edu.vn:123456789/1001", False), ("oai:dspace.example.edu.vn:123456789/1002", False),
        ("oai:dspace.example.edu.vn:123456789/999", True)]

    # the same page again: nothing new; the textbook changed at the source is updated in place
    changed = DSPACE_PAGE.replace("Giáo dục Việt Nam", "Giáo dục")
    _store_page(run, source, parse_page(SafeET.fromstring(changed.encode()), metadata_prefix="oai_dc"), admin_user)
    run.refresh_from_db()
    assert (run.imported, run.updated, run.unchanged, run.rejected) == (2, 1, 1, 4)
    textbook.refresh_from_db()
    assert textbook.publisher == "Giáo dục" and BibRecord.objects.count() == 2


def test_prefixes_offered(net, admin_user):
    source = harvest_source_create(actor=admin_user, code="q", name="Q", base_url="https://q.example/oai",
                                   library=net.b)
    assert source.metadata_prefix == "marc21"
    source = harvest_source_update(actor=admin_user, source=source, metadata_prefix="oai_dc")
    assert source.metadata_prefix == "oai_dc"
    with pytest.raises(ValidationError) as exc:
        harvest_source_update(actor=admin_user, source=source, metadata_prefix="mods")
    assert "metadata_prefix" in exc.value.message_dict


def test_source_form_offers_oai_dc(admin_client, net):
    from django.urls import reverse

    form = admin_client.get(reverse("staff:interop:source_add")).content.decode()
    assert '<option value="oai_dc">oai_dc (Dublin Core, chuyển sang MARC21)</option>' in form
    response = admin_client.post(reverse("staff:interop:source_add"), {
        "code": "dspace-x", "name": "Kho DSpace X", "base_url": "https://dspace.example.edu.vn/oai/request",
        "metadata_prefix": "oai_dc", "set_spec": "", "library": net.b.pk, "schedule": "manual", "match": "isbn",
        "on_match": "overlay", "is_active": "on"})
    assert response.status_code == 302
    detail = admin_client.get(response.url).content.decode()
    assert "<dd>oai_dc (Dublin Core, chuyển sang MARC21)</dd>" in detail
    edit = admin_client.get(reverse("staff:interop:source_edit", args=["dspace-x"])).content.decode()
    assert '<option value="oai_dc" selected>' in edit
