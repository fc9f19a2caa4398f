"""Every real MARC file in ../shared/data/marc imported, file by file, with the number of records
stored and quarantined checked against what each file really holds; round trips; yaz-marcdump."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pytest
from django.core.management import call_command

from thuvien.catalog import services
from thuvien.catalog.marc import iter_records, to_json
from thuvien.catalog.models import AuthorityRecord, BibRecord, ImportJob, QuarantinedRecord

# file: (stored, quarantined, why it differs from COUNTS.tsv - pymarc 5.4's permissive reading)
EXPECTED: dict[str, tuple[int, int, str]] = {
    "evergreen/FSL.marc": (52, 0, "leader/09 says MARC-8 but the bytes are UTF-8 Cyrillic: read as UTF-8 and "
                                  "flagged with a warning instead of being stored as MARC-8 mojibake"),
    "evergreen/RDA/RDA_record_CD_Claudia.mrc": (1, 0, ""),
    "evergreen/RDA/RDA_record_DVD-BLUE-RAY-MOVIE_Pineapple_express.mrc": (1, 0, ""),
    "evergreen/RDA/RDA_record_DVD_Jorge_Mautner.mrc": (1, 0, ""),
    "evergreen/RDA/RDA_record_MAP_2012_Enchanted_Circle.mrc": (1, 0, ""),
    "evergreen/RDA/RDA_record_PHOTO_Srid_pa_ho.mrc": (1, 0, ""),
    "evergreen/RDA/RDA_record_SCORE-CD_Arias_for_soprano.mrc": (1, 0, ""),
    "evergreen/RDA/RDA_record_SCORE_Arias_for_bass.mrc": (1, 0, ""),
    "evergreen/RDA/RDA_record_SCORE_Intermediate_studies.mrc": (1, 0, ""),
    "evergreen/RDA/RDA_record_SCORE_Wiegenlied.mrc": (1, 0, ""),
    "evergreen/RDA/RDA_record_SERIAL_IEEE_International_conference.mrc": (1, 0, ""),
    "evergreen/auth-1066.mrc": (1066, 0, "authority records (leader/06 z): stored as AuthorityRecord"),
    "evergreen/badisbns.xml": (10, 0, "bad ISBNs are data, not a reading error: kept, lint reports them"),
    "evergreen/hebrew.marc": (19, 1, "one 880 holds byte 0x7F inside MARC-8 Hebrew, which has no mapping; "
                                     "pymarc silently turns it into a space"),
    "evergreen/jazz_1k.mrc": (1000, 0, ""),
    "evergreen/lul_fre_500.mrc": (500, 0, ""),
    "evergreen/map_data.mrc": (3, 0, ""),
    "evergreen/nepali.marc": (96, 0, ""),
    "evergreen/oss.marc": (41, 1, "the bad one has a non-ASCII byte in its leader"),
    "evergreen/serials_mfhd.xml": (7, 0, ""),
    "marc4j/008008027.mrc": (18, 1, "the last record is cut off (no record terminator)"),
    "marc4j/065001035.mrc": (40, 0, ""),
    "marc4j/1474920681_KOHA_LFL_5.xml": (1, 0, "Koha's <identifier>/<datestamp> inside <record> are ignored "
                                               "with a warning"),
    "marc4j/bad-characters-in-various-fields.mrc": (0, 1, "control character 0x14 in the leader and subfield "
                                                          "codes: pymarc keeps the garbage"),
    "marc4j/bad_leaders_10_11.mrc": (1, 0, ""),
    "marc4j/bad_oversize_field_bad_directory.mrc": (4, 1, ""),
    "marc4j/bad_too_long_plus_2.mrc": (3, 0, "pymarc trusts the leader length (23375 for a 123375-byte record) "
                                             "and loses all three; we split on record terminators and read the "
                                             "fields by their terminators: nothing is lost"),
    "marc4j/brkrtest.mrc": (8, 0, ""),
    "marc4j/brkrtest_UTF8.mrc": (8, 0, ""),
    "marc4j/chabon-bad-subfields-element.xml": (0, 1, "<subfields> is not MARCXML: pymarc drops the 020 "
                                                      "silently, we quarantine"),
    "marc4j/chabon-missing-subfield-code.xml": (0, 1, "pymarc rejects the whole file; we quarantine the one "
                                                      "record whose subfield has no code"),
    "marc4j/chabon.xml": (2, 0, ""),
    "marc4j/chinese_mangled_multibyte.mrc": (3, 1, "one EACC character is not in the MARC-8 tables "
                                                   "(pymarc writes a space instead)"),
    "marc4j/greekmissingcharsetchange.mrc": (2, 1, "missing escape back from Greek: the text would be "
                                                   "garbled, so quarantined"),
    "marc4j/incomplete_esc_seq.mrc": (0, 1, ""),
    "marc4j/loongboonmee.mrc": (2, 0, ""),
    "marc4j/marc-in-json.json": (1, 0, "not in COUNTS.tsv"),
    "marc4j/pride-and-prejudice-fixed.mrc": (383, 0, ""),
    "marc4j/pride-and-prejudice-with-many-errors.mrc": (298, 85, ""),
    "marc4j/selectedRecs.mrc": (11, 0, ""),
    "marc4j/unordered-directory-entries.mrc": (1, 0, ""),
    "pymarc/1251.dat": (0, 6, "Windows-1251 Russian labelled MARC-8: pymarc stores mojibake; we refuse"),
    "pymarc/bad_eacc_encoding.dat": (0, 1, "EACC character not in the MARC-8 tables"),
    "pymarc/bad_indicator.dat": (0, 1, "field tagged '0 2' with no indicators; the 822 blanks after the "
                                       "record are padding, not a record"),
    "pymarc/bad_marc8_escape.dat": (0, 1, "ESC t is not a MARC-8 escape: the é's are lost in pymarc"),
    "pymarc/bad_records.mrc": (5, 3, "two records only have a wrong base address (the data is intact, so "
                                     "read with a warning) and one a non-numeric base address; quarantined: "
                                     "13-byte directory (x2) and a record with no fields; the trailing newline "
                                     "is not a record"),
    "pymarc/bad_subfield_code.dat": (0, 1, ""),
    "pymarc/batch.xml": (2, 0, ""),
    "pymarc/diacritic.dat": (1, 0, ""),
    "pymarc/marc.dat": (20, 0, ""),
    "pymarc/marc8.dat": (1, 0, ""),
    "pymarc/regression45.dat": (12, 0, ""),
    "pymarc/test.dat": (10, 0, ""),
    "pymarc/testunimarc.dat": (1, 0, "the trailing newline after the record is not a record"),
    "pymarc/utf8_errors.dat": (1, 0, ""),
    "pymarc/utf8_invalid.mrc": (0, 1, "a subfield code that is U+FFFD: the record was already mangled"),
    "traject/bad_utf_byte.utf8.marc": (0, 1, ""),
    "traject/george_eliot.marc": (1, 0, ""),
    "traject/hebrew880s.marc": (1, 0, ""),
    "traject/manufacturing_consent.marc": (1, 0, ""),
    "traject/sample-oai-pmh.xml": (0, 0, "the OAI-PMH response carries oai_dc, not MARCXML: pymarc counts "
                                         "its 10 OAI <record> elements as empty MARC records"),
    "traject/test_data.utf8.mrc": (30, 0, ""),
}


@pytest.mark.slow
def test_every_shared_marc_file_imports_with_expected_counts(shared_data, net, admin_user):
    root = shared_data / "marc"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "COUNTS.tsv")
    assert files == sorted(EXPECTED), "a data file was added or removed: give it an expectation"
    got: dict[str, tuple[int, int]] = {}
    for name in files:
        job = services.import_job_create(actor=admin_user, library=net.a, path=root / name, match="none")
        job = services.import_job_run(job=job, actor=admin_user)
        stored, bad, _why = EXPECTED[name]
        # A file in which nothing looked like a record fails with a reason instead of "done" (issue 12).
        assert job.status == (ImportJob.Status.FAILED if stored == bad == 0 else ImportJob.Status.DONE), name
        assert job.updated == job.skipped == 0
        got[name] = (job.imported, job.quarantined)
    assert got == {name: (stored, bad) for name, (stored, bad, _why) in EXPECTED.items()}
    assert AuthorityRecord.objects.count() == 1066
    stored = sum(s for s, _b, _w in EXPECTED.values())
    assert BibRecord.objects.count() == stored - 1066
    assert QuarantinedRecord.objects.count() == sum(b for _s, b, _w in EXPECTED.values())
    # every quarantined record keeps its bytes, where it came from and why
    entry = QuarantinedRecord.objects.get(source_name="bad_utf_byte.utf8.marc")
    assert bytes(entry.raw).startswith(b"00083") and entry.offset == 0
    assert entry.reason == "300$a: invalid UTF-8 byte 0xc0 at 21"
    fsl = ImportJob.objects.get(source_name="FSL.marc")
    assert len(fsl.warnings) == 52 and "leader/09 says MARC-8" in fsl.warnings[0][2]
    fsl_bib = BibRecord.objects.filter(provenance="import:FSL.marc").order_by("pk").first()
    assert fsl_bib.leader[9] == "a" and any("\u0400" <= ch <= "\u04ff" for ch in fsl_bib.title)


def test_brkrtest_marc8_and_utf8_store_identical_records(shared_data, net, admin_user):
    stored = {}
    for name in ("brkrtest.mrc", "brkrtest_UTF8.mrc"):
        job = services.import_job_create(actor=admin_user, library=net.a, path=shared_data / "marc/marc4j" / name,
                                         match="none")
        services.import_job_run(job=job, actor=admin_user)
        stored[name] = [b.marc for b in BibRecord.objects.filter(provenance=f"import:{name}").order_by("pk")]
    assert len(stored["brkrtest.mrc"]) == 8
    for marc8, utf8 in zip(stored["brkrtest.mrc"], stored["brkrtest_UTF8.mrc"], strict=True):
        assert marc8["fields"] == utf8["fields"]
        # leader: only length (00-04) and coding scheme (09) differ
        assert marc8["leader"][5:9] + marc8["leader"][10:] == utf8["leader"][5:9] + utf8["leader"][10:]


ROUND_TRIP = ["marc4j/brkrtest.mrc", "evergreen/lul_fre_500.mrc", "evergreen/FSL.marc", "evergreen/nepali.marc",
              "marc4j/pride-and-prejudice-fixed.mrc", "traject/test_data.utf8.mrc", "marc4j/chabon.xml",
              "pymarc/batch.xml", "marc4j/marc-in-json.json", "evergreen/RDA/RDA_record_SCORE_Wiegenlied.mrc"]


def _comparable(record) -> tuple[str, list]:  # type: ignore[no-untyped-def]
    data = to_json(record)
    lead = data["leader"]
    return lead[5:9] + lead[10:12] + lead[17:20], data["fields"]


def test_round_trip_iso2709_and_marcxml_field_for_field(shared_data, net, admin_user, tmp_path):
    source: list = []
    for name in ROUND_TRIP:
        path = shared_data / "marc" / name
        source.extend(r.record for r in iter_records(path) if r.record is not None)
        job = services.import_job_create(actor=admin_user, library=net.a, path=path, match="none")
        services.import_job_run(job=job, actor=admin_user)
    iso, xml = tmp_path / "out.mrc", tmp_path / "out.xml"
    err = io.StringIO()
    call_command("export_marc", "--format", "iso2709", "-o", str(iso), stderr=err)
    call_command("export_marc", "--format", "marcxml", "-o", str(xml), stderr=err)
    assert err.getvalue().splitlines() == [f"exported {len(source)} records"] * 2
    for path in (iso, xml):
        exported = [r.record for r in iter_records(path)]
        assert [_comparable(r) for r in exported] == [_comparable(r) for r in source], path.name
    first = next(iter_records(iso)).record
    assert str(first.leader)[9] == "a"  # MARC-8 input comes out as UTF-8


@pytest.mark.skipif(shutil.which("yaz-marcdump") is None, reason="Debian package yaz is not installed")
def test_yaz_marcdump_reads_the_export_cleanly(shared_data, net, admin_user, tmp_path):
    for name in ("evergreen/lul_fre_500.mrc", "evergreen/hebrew.marc", "marc4j/pride-and-prejudice-fixed.mrc"):
        job = services.import_job_create(actor=admin_user, library=net.a, path=shared_data / "marc" / name,
                                         match="none")
        services.import_job_run(job=job, actor=admin_user)
    out = tmp_path / "export.mrc"
    call_command("export_marc", "-o", str(out), stderr=io.StringIO())
    done = subprocess.run(["yaz-marcdump", "-i", "marc", "-o", "line", "-f", "UTF-8", "-t", "UTF-8", str(out)],
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == 0 and done.stderr == b""
    assert done.stdout.count(b"\n\n") == 500 + 19 + 383  # one blank line after each record
    assert "Société" in unicodedata.normalize("NFC", done.stdout.decode("utf-8"))


def test_export_since_lists_deletions_with_leader_status_d(net, admin_user, tmp_path):
    from django.utils import timezone

    from thuvien.catalog.tests.fixtures import make_book
    start = timezone.now()
    keep = services.bib_create(actor=admin_user, record=make_book("Giữ lại"), owner=net.a)
    gone = services.bib_create(actor=admin_user, record=make_book("Xoá đi", isbn=""), owner=net.a)
    services.bib_delete(actor=admin_user, bib=gone)
    out = tmp_path / "delta.mrc"
    call_command("export_marc", "--since", start.isoformat(), "-o", str(out), stderr=io.StringIO())
    records = {r.record["001"].data: str(r.record.leader)[5] for r in iter_records(out)}
    assert records == {str(keep.pk): "n", str(gone.pk): "d"}
    csv_out = tmp_path / "deleted.csv"
    call_command("export_marc", "--since", start.isoformat(), "--deleted-only", "--format", "csv",
                 "-o", str(csv_out), stderr=io.StringIO())
    lines = csv_out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{gone.pk},{gone.pk},P,deleted,Xoá đi")
