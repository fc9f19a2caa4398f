"""Staff cataloguing pages through the test client: search, record, downloads, quick form with
duplicate warning, MARC editor with lint, import with progress and report, quarantine, authorities."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from thuvien.catalog import services
from thuvien.catalog.marc import iter_records
from thuvien.catalog.models import AuthorityRecord, BibRecord, ImportJob, Item, QuarantinedRecord
from thuvien.catalog.tests.fixtures import make_book
from thuvien.core.models import AuditEntry


def test_catalog_home_lists_and_finds_records(client, net, cataloguer_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    client.force_login(cataloguer_a)
    assert reverse("staff:catalog:home") == "/staff/catalog/"
    page = client.get("/staff/catalog/", {"q": "dế mèn"})  # title prefix, case-insensitive (OPAC search folds)
    assert page.status_code == 200 and f'href="/staff/catalog/record/{bib.pk}/"' in page.text
    assert client.get("/staff/catalog/", {"q": "9786042082051"}).context["page"].object_list[0] == bib
    assert list(client.get("/staff/catalog/", {"q": "khong co"}).context["page"].object_list) == []


def test_record_page_and_downloads(client, net, cataloguer_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    client.force_login(cataloguer_a)
    page = client.get(f"/staff/catalog/record/{bib.pk}/")
    assert page.status_code == 200 and "Dế Mèn phiêu lưu ký" in page.text
    mrc = client.get(f"/staff/catalog/record/{bib.pk}/download.mrc")
    record = next(iter_records(__import__("io").BytesIO(mrc.content))).record
    assert record["245"]["a"] == "Dế Mèn phiêu lưu ký /"
    assert b"<dc:title>D\xe1\xba\xbf M\xc3\xa8n phi\xc3\xaau l\xc6\xb0u k\xc3\xbd</dc:title>" in \
        client.get(f"/staff/catalog/record/{bib.pk}/download.dc").content
    assert client.get(f"/staff/catalog/record/{bib.pk}/download.mods").status_code == 200
    assert client.get(f"/staff/catalog/record/{bib.pk}/download.exe").status_code == 404


def test_quick_form_warns_about_duplicates_then_saves_record_and_items(client, net, cataloguer_a):
    services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    client.force_login(cataloguer_a)
    data = {"title": "Dế mèn phiêu lưu ký", "authors": "Tô Hoài", "publisher": "Kim Đồng", "place": "Hà Nội",
            "year": "2019", "ddc": "895.9223", "subjects": "Văn học thiếu nhi\nTruyện dài", "language": "vie",
            "size": "21 cm", "library": net.c.pk, "barcodes": "C-1\nC-2", "item_type": "child_book"}
    first = client.post("/staff/catalog/new/", data)
    assert first.status_code == 200 and len(first.context["duplicates"]) == 1
    assert BibRecord.objects.count() == 1
    saved = client.post("/staff/catalog/new/", {**data, "confirm_duplicate": "on"})
    bib = BibRecord.objects.order_by("-pk").first()
    assert saved.status_code == 302 and saved["Location"] == f"/staff/catalog/record/{bib.pk}/"
    assert bib.subjects == ["Văn học thiếu nhi", "Truyện dài"] and bib.language == "vie"
    assert sorted(Item.objects.filter(record=bib).values_list("barcode", "library__code", "item_type__code")) == \
        [("C-1", "C", "child_book"), ("C-2", "C", "child_book")]


def test_marc_editor_lints_then_saves_and_audits(client, net, cataloguer_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    client.force_login(cataloguer_a)
    form = client.get(f"/staff/catalog/record/{bib.pk}/edit/").context
    rows = form["rows"]
    post = {"leader": form["leader"], "tag": [], "ind1": [], "ind2": [], "value": [], "order": [], "delete": []}
    for r in rows:
        for key in ("tag", "ind1", "ind2", "value", "order"):
            post[key].append(r[key])
        post["delete"].append("0")
    # add a 500 note (moved to the end by its order number) and a bad 650 indicator
    post["tag"].append("500"); post["ind1"].append(" "); post["ind2"].append(" ")  # noqa: E702
    post["value"].append("$aGhi chú mới"); post["order"].append("99"); post["delete"].append("0")  # noqa: E702
    post["tag"].append("650"); post["ind1"].append("9"); post["ind2"].append("7")  # noqa: E702
    post["value"].append("$aThử"); post["order"].append("100"); post["delete"].append("0")  # noqa: E702
    checked = client.post(f"/staff/catalog/record/{bib.pk}/edit/", {**post, "action": "save"})
    assert checked.status_code == 200 and "650: first indicator '9' is not valid." in checked.context["lint"]
    post["delete"][-1] = "1"
    saved = client.post(f"/staff/catalog/record/{bib.pk}/edit/", {**post, "action": "save"})
    assert saved.status_code == 302
    bib.refresh_from_db()
    assert bib.notes == ["Ghi chú mới"] and bib.marc["fields"][-1] == {"500": {"ind1": " ", "ind2": " ",
                                                                              "subfields": [{"a": "Ghi chú mới"}]}}
    assert AuditEntry.objects.filter(action="catalog.bib_update", object_id=str(bib.pk)).count() == 1


def test_desk_staff_sees_catalogue_but_cannot_edit(client, net, cataloguer_a, desk_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    client.force_login(desk_a)
    assert client.get(f"/staff/catalog/record/{bib.pk}/").status_code == 200
    assert client.get(f"/staff/catalog/record/{bib.pk}/edit/").status_code == 403
    assert client.post("/staff/catalog/new/", {"title": "X", "language": "vie"}).status_code == 403
    assert BibRecord.objects.count() == 1


def test_import_upload_runs_as_task_with_progress_report_and_quarantine(client, net, cataloguer_a, shared_data,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(cataloguer_a)
    raw = (shared_data / "marc/pymarc/bad_records.mrc").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/catalog/import/", {
            "file": SimpleUploadedFile("bad_records.mrc", raw), "library": net.a.pk, "format": "auto",
            "encoding": "auto", "match": "none", "on_match": "skip"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/catalog/import/{job.pk}/"
    assert (job.status, job.imported, job.quarantined) == ("done", 5, 3)
    progress = client.get(f"/staff/catalog/import/{job.pk}/progress/")
    assert "hx-get" not in progress.text and "Đã nhập 5, cập nhật 0, bỏ qua 0, cách ly 3" in progress.text
    report = client.get(f"/staff/catalog/import/{job.pk}/report.csv").content.decode("utf-8-sig")
    assert report.splitlines()[1] == "summary,,,\"imported 5, updated 0, skipped 0, quarantined 3\""
    assert report.count("quarantined,") == 3
    entry = QuarantinedRecord.objects.get(reason="record has no fields")
    assert client.get(f"/staff/catalog/quarantine/{entry.pk}/raw").content == bytes(entry.raw)


def test_quarantined_record_fixed_and_reimported(client, net, cataloguer_a, shared_data):
    job = services.import_job_create(actor=cataloguer_a, library=net.a,
                                     path=shared_data / "marc/traject/bad_utf_byte.utf8.marc")
    services.import_job_run(job=job, actor=cataloguer_a)
    entry = QuarantinedRecord.objects.get()
    client.force_login(cataloguer_a)
    still_bad = client.post(f"/staff/catalog/quarantine/{entry.pk}/", {"encoding": "auto"})
    assert "invalid UTF-8 byte 0xc0" in still_bad.text
    fixed = bytes(entry.raw).replace(b"\xc0", b"?").replace(b"\x80", b"?")
    done = client.post(f"/staff/catalog/quarantine/{entry.pk}/", {
        "encoding": "auto", "file": SimpleUploadedFile("fixed.mrc", fixed)})
    entry.refresh_from_db()
    assert done.status_code == 302 and entry.status == "reimported" and entry.record is not None
    assert entry.record.notes == [] and entry.record.physical.startswith("This is a bad byte: '?'")


def test_authority_import_and_browse_shows_variants(client, net, cataloguer_a, shared_data):
    job = services.import_job_create(actor=cataloguer_a, library=net.a, path=shared_data / "marc/evergreen/auth-1066.mrc")
    services.import_job_run(job=job, actor=cataloguer_a)
    assert AuthorityRecord.objects.count() == 1066 and BibRecord.objects.count() == 0
    client.force_login(cataloguer_a)
    page = client.get("/staff/catalog/authorities/", {"q": "pers"})
    assert page.context["headings"][0].heading == "Pers Press"
    assert "Dagbladzegel Newspaper stamp" in page.text
    auth = AuthorityRecord.objects.get(heading="Pers Press")
    detail = client.get(f"/staff/catalog/authorities/{auth.pk}/")
    assert "Journalisten Journalists" in detail.text


def test_api_record_marc_and_holdings(client, net, cataloguer_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    services.item_create(actor=cataloguer_a, record=bib, library=net.c, barcode="C9", item_type="book")
    data = client.get(f"/api/v1/records/{bib.pk}").json()
    assert (data["title"], data["isbns"], data["language"]) == ("Dế Mèn phiêu lưu ký", ["9786042082051"], "vie")
    marc = client.get(f"/api/v1/records/{bib.pk}/marc", {"format": "json"}).json()
    assert marc == bib.marc
    assert client.get(f"/api/v1/records/{bib.pk}/holdings").json() == [
        {"library": "C", "library_name": "Phòng đọc xã C", "total": 1, "available": 1}]


def test_staff_catalogue_search_uses_the_search_engine(client, vn_catalogue, cataloguer_a):
    """Staff find records as readers do: without diacritics, by author, with deleted ones left out."""
    client.force_login(cataloguer_a)
    page = client.get("/staff/catalog/", {"q": "truyen kieu"}).context["page"]
    assert [b.title for b in page.object_list] == ["Truyện Kiều"]
    assert page.paginator.count == 1
    page = client.get("/staff/catalog/", {"q": 'tác giả:"Nam Cao"'}).context["page"]
    assert sorted(b.title for b in page.object_list) == ["Chí Phèo", "Lão Hạc"]
    response = client.get("/staff/catalog/", {"q": 'tác giả:"Nam'})
    assert response.context["error"] != "" and list(response.context["page"].object_list) == []
    # a page past the end shows the last page instead of failing
    assert client.get("/staff/catalog/", {"q": "nguyen", "page": "99"}).context["page"].number == 1
