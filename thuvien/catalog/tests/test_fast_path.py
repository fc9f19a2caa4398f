"""The fast UTF-8 import path (MARC-in-JSON straight from the bytes, no pymarc objects) gives
exactly what the general path (parse_record + pymarc Record) gives: the same stored JSON, the
same columns, identifiers and items, for every record of the shared files and a generated
catalogue; and the bulk insert gives every row its own id."""

from __future__ import annotations

import io
import json
import pickle
import sys
import uuid
from pathlib import Path

import pytest

from thuvien.catalog import services
from thuvien.catalog.bulk import json_text, new_uuids
from thuvien.catalog.extract import extract, extract_marc
from thuvien.catalog.importer import Prepared, prepare, prepare_raw
from thuvien.catalog.marc.iso2709 import JsonRecord, MarcError, parse_record, parse_utf8_json, split_records
from thuvien.catalog.marc.marcjson import to_json
from thuvien.catalog.marc.reader import iter_records
from thuvien.catalog.models import BibRecord, Item

REPO = Path(__file__).resolve().parents[3]


def _generated(n: int, seed: int = 11) -> bytes:
    sys.path.insert(0, str(REPO))
    from bench.make_catalogue import generate

    return generate(n, seed=seed, libraries=["A", "B", "C"])


def _iso_files(shared: Path) -> list[Path]:
    return sorted(p for p in (shared / "marc").rglob("*")
                  if p.is_file() and p.suffix.lower() in (".mrc", ".marc", ".dat", ".mrk", ".iso", ".utf8"))


def _same(fast: Prepared, general: Prepared) -> None:
    assert fast.marc == general.marc
    assert fast.marc_text == general.marc_text
    assert fast.values == general.values
    assert fast.ids == general.ids
    assert fast.holdings == general.holdings
    assert fast.json_columns == general.json_columns
    assert fast.authority == general.authority


def _check_all(raws: list[bytes]) -> int:
    """Compare both paths on every record the fast path takes; return how many it took."""
    fast_count = 0
    for raw in raws:
        marc = parse_utf8_json(raw)
        if marc is None:
            continue
        fast_count += 1
        record, warnings = parse_record(raw)
        assert warnings == []  # the fast path only takes records the general one reads cleanly
        assert marc == to_json(record)
        fast = prepare(JsonRecord(marc, raw), serialise=True)
        _same(fast, prepare(record, serialise=True))
        if not fast.authority:
            assert fast.values == extract(record) == extract_marc(marc)
        # a JsonRecord is still a full pymarc Record for whoever asks for fields
        lazy = JsonRecord(marc, raw)
        assert [str(f) for f in lazy.fields] == [str(f) for f in record.fields]
        assert lazy.as_marc() == record.as_marc()
    return fast_count


def test_fast_path_equals_general_path_on_shared_files(shared_data):
    total = fast = 0
    for path in _iso_files(shared_data):
        with path.open("rb") as fh:
            raws = [raw for _offset, raw in split_records(fh)]
        total += len(raws)
        fast += _check_all(raws)
    # the clean UTF-8 records (brkrtest_UTF8.mrc: all, backslashes and quotes included) go the fast
    # way; MARC-8 and damaged records do not
    assert 0 < fast < total
    utf8 = shared_data / "marc" / "marc4j" / "brkrtest_UTF8.mrc"
    with utf8.open("rb") as fh:
        assert all(parse_utf8_json(raw) is not None for _o, raw in split_records(fh))


def test_fast_path_equals_general_path_on_generated_catalogue(shared_data):
    data = _generated(400)
    raws = [raw for _offset, raw in split_records(io.BytesIO(data))]
    assert _check_all(raws) == len(raws) == 400


def test_fast_path_refuses_what_the_general_path_warns_about_or_rejects(shared_data):
    raw = next(split_records(io.BytesIO(_generated(1))))[1]
    assert parse_utf8_json(raw) is not None
    marc8 = raw[:9] + b" " + raw[10:]
    wrong_length = b"99999" + raw[5:]
    wrong_base = raw[:12] + b"00000" + raw[17:]
    bad_code = raw.replace(b"\x1fa", b"\x1fA", 1)
    empty_sub = raw.replace(b"\x1fa", b"\x1f\x1fa", 1)  # (lengths now wrong too)
    first_non_ascii = next(i for i, byte in enumerate(raw) if byte >= 0x80)
    bad_utf8 = raw[:first_non_ascii] + b"\xff" + raw[first_non_ascii + 1:]  # same length, invalid UTF-8
    for bad in (marc8, wrong_length, wrong_base, bad_code, empty_sub, bad_utf8, raw[:-1], raw[:20]):
        assert parse_utf8_json(bad) is None
    # what the fast path leaves to parse_record: read with a warning, or quarantined with a reason
    assert parse_record(bad_code)[1] == ["field 020: unusual subfield code 'A' kept"]
    with pytest.raises(MarcError, match="invalid UTF-8 byte 0xff"):
        parse_record(bad_utf8)


def test_prepared_travels_to_the_writer_without_its_marc_dict(shared_data):
    raw = next(split_records(io.BytesIO(_generated(1))))[1]
    prepared, error, warnings = prepare_raw(raw)
    assert error is None and warnings == [] and prepared is not None
    copy = pickle.loads(pickle.dumps(prepared))  # noqa: S301 - our own object
    assert copy.marc is None
    assert copy.marc_dict() == prepared.marc
    assert copy.values == prepared.values and copy.holdings == prepared.holdings


def test_json_text_is_the_json_modules_text():
    for value in ([], ["Nguyễn Du", "a\x1fb", "\u2028"], {"k": [1, None, True, 2.5]}, "\ud800"):
        assert json_text(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.django_db
def test_new_uuids_are_unique_time_ordered_version_7():
    values = [uuid.UUID(str(v)) for v in new_uuids(BibRecord, 1000) + new_uuids(BibRecord, 1000)]
    assert len(set(values)) == 2000
    assert {v.version for v in values} == {7}
    assert values[:1000] == sorted(values[:1000])


@pytest.mark.parametrize("workers", [0, 1])
def test_bulk_import_gives_each_record_its_own_items(shared_data, net, admin_user, tmp_path, workers):
    """Ids assigned by the batch insert: every item hangs off the record whose 952 it came from,
    whether the records were prepared in this process or in a worker."""
    path = tmp_path / "gen.mrc"
    path.write_bytes(_generated(250, seed=5))
    job = services.import_job_create(actor=admin_user, library=net.province, path=path)
    job = services.import_job_run(job=job, actor=admin_user, batch_size=64, workers=workers)
    assert (job.imported, job.quarantined) == (250, 0)
    barcodes_of = {r.record["001"].data: {f["p"] for f in r.record.get_fields("952")} for r in iter_records(path)}
    items = list(Item.objects.values_list("record__control_number", "barcode"))
    assert len(items) == job.items_created > 250
    assert all(barcode in barcodes_of[number] for number, barcode in items)
    assert BibRecord.objects.count() == 250
