"""The parallel import path: byte ranges read the same records as the whole file, the writer
and the workers share the batches in file order with bounded memory, a worker's batch travels
as a database row, and an import through workers stores exactly what a serial one does."""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import pytest

from thuvien.catalog import services
from thuvien.catalog.bulk import insert_tuples
from thuvien.catalog.importer import BIB_ROW_COLUMNS, match_keys, prepare_raw, shared_batches
from thuvien.catalog.marc.iso2709 import split_records
from thuvien.catalog.models import BibIdentifier, BibRecord, Item, QuarantinedRecord
from thuvien.catalog.tests.test_fast_path import _generated, _iso_files


def _by_ranges(path: Path, start: int, size: int) -> list[tuple[int, bytes]]:
    spans = list(services._iso_ranges(str(path), start, size))
    assert all(a < b for a, b in spans)
    assert [b for _a, b in spans[:-1]] == [a for a, _b in spans[1:]]  # contiguous, no gap, no overlap
    return [record for span in spans for record in services._read_range(str(path), span)]


def test_byte_ranges_read_the_same_records_as_the_whole_file(shared_data, tmp_path):
    # junk the splitter skips or reports: whitespace between records, a last record cut short
    messy = tmp_path / "messy.mrc"
    records = [raw for _o, raw in split_records(io.BytesIO(_generated(30, seed=3)))]
    messy.write_bytes(b"\r\n".join(records[:20]) + b"\n\n  " + b"".join(records[20:]) + records[0][:40])
    for path in [*_iso_files(shared_data), messy]:
        with path.open("rb") as fh:
            whole = list(split_records(fh))
        for size in (1, 7, 1000):
            assert _by_ranges(path, 0, size) == whole, (path, size)
        if len(whole) > 3:  # a resumed import starts at a record's offset
            assert _by_ranges(path, whole[3][0], 5) == whole[3:], path
    assert len(_by_ranges(messy, 0, 4)) == 31  # 30 records and the cut-short one, which will be quarantined


class _Result:
    """An AsyncResult stand-in: ready when the test says (or at once), and get() always answers."""

    def __init__(self, chunk: int, ready: bool) -> None:
        self.chunk, self._ready = chunk, ready

    def ready(self) -> bool:
        return self._ready

    def get(self) -> tuple[str, int]:
        return ("worker", self.chunk)


def _run(ready: bool, ahead: int) -> tuple[list[tuple[str, int]], int]:
    held = max_held = 0

    def here(chunk: int) -> tuple[str, int]:
        nonlocal held, max_held
        held += 1
        max_held = max(max_held, held)
        return ("here", chunk)

    def submit(chunk: int) -> _Result:
        nonlocal held, max_held
        held += 1
        max_held = max(max_held, held)
        return _Result(chunk, ready)

    out = []
    for item in shared_batches(iter(range(20)), submit=submit, prepare_here=here, in_flight=2, ahead=ahead):
        held -= 1
        out.append(item)
    return out, max_held


def test_writer_prepares_batches_itself_instead_of_waiting_and_keeps_file_order():
    out, max_held = _run(ready=False, ahead=6)
    assert [chunk for _who, chunk in out] == list(range(20))
    assert max_held == 6
    # a worker that never gets ahead: the writer prepares the next chunks itself while it waits
    assert [who for who, _c in out[:6]] == ["worker", "worker", "here", "here", "here", "here"]
    assert {who for who, _c in out} == {"worker", "here"}


def test_workers_that_keep_ahead_do_all_the_preparing():
    out, max_held = _run(ready=True, ahead=6)
    assert out == [("worker", chunk) for chunk in range(20)]
    assert max_held == 6  # finished batches count against `ahead`, not against the workers' in-flight limit


def test_a_worker_record_travels_as_its_row_and_is_matched_without_unpacking(shared_data):
    raw = next(split_records(io.BytesIO(_generated(1))))[1]
    prepared, _error, _warnings = prepare_raw(raw)
    assert prepared is not None and prepared.row is not None and len(prepared.row) == len(BIB_ROW_COLUMNS)
    copy = pickle.loads(pickle.dumps(prepared))  # noqa: S301 - our own object
    assert copy.row == prepared.row
    assert all(type(v) in (str, int, type(None)) for v in copy.row)  # plain values: cheap to unpickle
    assert match_keys(copy, "001") == [("001", f"{prepared.values['control_number']}\x1f"
                                               f"{prepared.values['control_number_source']}")]
    assert match_keys(copy, "isbn") == [("isbn", v) for v in prepared.values["isbns"]] != []
    assert copy._values is None  # matching read the row; the values dict was never rebuilt
    assert copy.values == prepared.values
    assert copy.json_columns == prepared.json_columns
    assert copy.marc_text == prepared.marc_text and copy.marc_dict() == prepared.marc


@pytest.mark.django_db
def test_tuple_insert_refuses_a_column_list_that_is_not_the_models():
    with pytest.raises(ValueError, match="are not exactly"):
        insert_tuples(BibIdentifier, ("record_id", "kind"), [(1, "isbn")])


def _stored() -> dict[str, Any]:
    bibs = BibRecord.objects.order_by("control_number", "title")
    return {
        # records without a 001 may share a title: order on the whole row, not what the database returns for ties
        "bibs": sorted(((b.control_number, b.title, b.marc, b.title_sort, b.authors, b.isbns, b.year)
                        for b in bibs), key=repr),
        "items": sorted(Item.objects.values_list("record__control_number", "record__title", "barcode", "library__code",
                                                 "price", "acquired_on", "item_type__code")),
        "ids": sorted(BibIdentifier.objects.values_list("record__control_number", "kind", "value")),
        "quarantine": sorted(QuarantinedRecord.objects.values_list("source_name", "offset", "index", "reason")),
    }


@pytest.mark.parametrize("name", ["evergreen/jazz_1k.mrc", "evergreen/hebrew.marc", "evergreen/oss.marc", "generated"])
def test_an_import_through_workers_stores_what_a_serial_one_does(shared_data, net, admin_user, tmp_path,
                                                                  settings, name):
    if name == "generated":
        path = tmp_path / "generated.mrc"
        path.write_bytes(_generated(300, seed=8))
    else:
        path = shared_data / "marc" / name
    settings.THUVIEN_HOME = tmp_path / "home"
    results = []
    for workers in (0, 1):
        job = services.import_job_create(actor=admin_user, library=net.province, path=path)
        job = services.import_job_run(job=job, actor=admin_user, batch_size=37, workers=workers)
        results.append(((job.imported, job.quarantined, job.items_created, job.warnings), _stored()))
        Item.objects.all().delete()
        BibRecord.objects.all().delete()  # (identifiers go with them)
        QuarantinedRecord.objects.all().delete()
    assert results[0] == results[1]
    assert results[0][0][0] > 0
    assert list((tmp_path / "home" / "tmp").iterdir()) == []  # the workers' batch files are gone with their directory
