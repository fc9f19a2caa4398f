"""Write services of the catalogue. Each checks permission, owns its transaction, writes its
audit entry and enqueues the changed records for the search index in the same transaction.

Bibliographic records are shared by the whole network: any cataloguer may enrich one (the audit
log shows who). Items belong to a library: only cataloguers of that library's subtree edit them.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from pymarc import Field, Record

from thuvien.catalog import rfid
from thuvien.catalog.extract import extract, is_authority
from thuvien.catalog.importer import (
    MATCHES,
    ON_MATCH,
    Importer,
    ImportOutcome,
    Prepared,
    identifiers,
    import_session,
    prepare,
    prepare_raw,
    shared_batches,
)
from thuvien.catalog.marc.iso2709 import MarcError, split_records
from thuvien.catalog.marc.marcjson import to_json
from thuvien.catalog.marc.reader import ENCODINGS, FORMATS, ReadResult, iter_records, sniff_format
from thuvien.catalog.models import (
    BibIdentifier,
    BibRecord,
    ChangeRequest,
    ImportJob,
    Item,
    ItemStatus,
    ItemType,
    QuarantinedRecord,
)
from thuvien.circulation.states import CATALOGUE_STATUSES, TransitionError, item_transition
from thuvien.core.audit import audit, diff, snapshot
from thuvien.core.models import OrgUnit
from thuvien.core.permissions import Perm, has_perm, require_perm
from thuvien.core.unit_settings import setting_get
from thuvien.search.outbox import outbox_enqueue

if TYPE_CHECKING:
    from thuvien.core.models import User

__all__ = ["ImportOutcome", "bib_create", "bib_delete", "bib_update", "import_job_create", "import_job_run",
           "item_create", "item_delete", "item_update", "marc_import_record", "quarantine_discard",
           "quarantine_reimport"]

ITEM_EDITABLE = ("library", "barcode", "call_number", "shelving_location", "item_type", "status", "price",
                 "acquired_on", "acquisition_source", "notes", "rfid_tag")
MAX_WARNINGS = 2000
PARALLEL_BYTES = 4 << 20  # files with more than this left to read are parsed by worker processes


def require_cataloguer(actor: User | None) -> None:
    """Raise PermissionDenied unless the actor may catalogue somewhere in the network."""
    if actor is not None and actor.is_authenticated and actor.is_active and actor.is_superuser:
        return
    if actor is not None and actor.is_authenticated:
        for grant in actor.grants.select_related("unit"):
            if has_perm(actor, Perm.CATALOG_EDIT, grant.unit):
                return
    raise PermissionDenied(_("Bạn không có quyền biên mục."))


def may_edit_record(actor: User | None, owner: OrgUnit | None) -> bool:
    """True when `actor` may change a record owned by `owner`: a cataloguer whose grant covers the
    owning library (a network-level cataloguer covers every record); a record without an owner is
    edited only at network level."""
    return has_perm(actor, Perm.CATALOG_EDIT, owner)


def require_record_owner(actor: User | None, bib: BibRecord) -> None:
    """Raise PermissionDenied unless `actor` catalogues at the library that owns `bib`."""
    if not may_edit_record(actor, bib.owner):
        where = bib.owner.name if bib.owner is not None else _("toàn mạng lưới")
        raise PermissionDenied(_("Biểu ghi này thuộc %(unit)s: chỉ cán bộ biên mục của đơn vị đó được sửa; "
                                 "hãy gửi đề nghị sửa cho đơn vị sở hữu.") % {"unit": where})


@transaction.atomic
def change_request_create(*, actor: User, bib: BibRecord, message: str) -> ChangeRequest:
    """A cataloguer who may not edit `bib` asks its owning library to change it."""
    require_cataloguer(actor)
    if bib.owner is None:
        raise ValidationError(_("Biểu ghi chưa có đơn vị sở hữu."))
    if not message.strip():
        raise ValidationError({"message": _("Hãy viết cần sửa gì.")})
    request = ChangeRequest.objects.create(record=bib, owner=bib.owner, requested_by=actor,
                                           requester_unit=actor.home_unit, message=message.strip()[:5000])
    audit(actor=actor, action="catalog.change_request", obj=request, unit=bib.owner,
          changes={"record": [None, bib.pk]}, object_repr=bib.title[:200])
    return request


@transaction.atomic
def change_request_resolve(*, actor: User, request: ChangeRequest, status: str, answer: str = "") -> ChangeRequest:
    """The owning library closes a change request (done or declined), with an answer."""
    request = ChangeRequest.objects.select_for_update().select_related("owner").get(pk=request.pk)
    require_perm(actor, Perm.CATALOG_EDIT, request.owner)
    if status not in (ChangeRequest.Status.DONE, ChangeRequest.Status.DECLINED):
        raise ValidationError(_("Trạng thái không hợp lệ."))
    request.status, request.answer, request.resolved_at = status, answer.strip()[:5000], timezone.now()
    request.save(update_fields=["status", "answer", "resolved_at"])
    audit(actor=actor, action="catalog.change_request_resolve", obj=request, unit=request.owner,
          changes={"status": [ChangeRequest.Status.OPEN, status]})
    return request


def _stamp_005(record: Record) -> None:
    """Set 005 (date and time of latest transaction) to now, as MARC21 expects on every edit."""
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S.0")
    for f in record.get_fields("005"):
        record.remove_field(f)
    position = next((i for i, f in enumerate(record.fields) if f.tag > "005"), len(record.fields))
    record.fields.insert(position, Field(tag="005", data=stamp))


def _save_identifiers(bib: BibRecord, record: Record, values: dict[str, Any]) -> None:
    BibIdentifier.objects.filter(record=bib).delete()
    BibIdentifier.objects.bulk_create([BibIdentifier(record=bib, kind=k, value=v) for k, v in identifiers(record, values)])


BIB_AUDIT_FIELDS = ["title", "main_author", "ddc", "call_number", "isbns", "language", "year", "publisher",
                    "subjects", "material_type", "owner_id", "is_deleted"]


@transaction.atomic
def bib_create(*, actor: User, record: Record, owner: OrgUnit) -> BibRecord:
    """Store a new bibliographic record owned by `owner` (the actor must catalogue there)."""
    require_perm(actor, Perm.CATALOG_EDIT, owner)
    if is_authority(record):
        raise ValidationError(_("Đây là biểu ghi tính nhất quán (leader/06 = z), không phải biểu ghi thư mục."))
    _stamp_005(record)
    values = extract(record)
    bib = BibRecord.objects.create(marc=to_json(record), owner=owner, created_by=actor, **values)
    if not values["control_number"]:  # give it a control number: 001 = id, 003 = the network's code
        root = OrgUnit.objects.filter(pk=owner.ancestor_ids[0]).values_list("code", flat=True).first() or owner.code
        record.fields[0:0] = [Field(tag="001", data=str(bib.pk)), Field(tag="003", data=root)]
        record.fields.sort(key=lambda f: f.tag if f.control_field else "~")  # control fields first, stable
        values = extract(record)
        for name, value in values.items():
            setattr(bib, name, value)
        bib.marc = to_json(record)
        bib.save()
    _save_identifiers(bib, record, values)
    audit(actor=actor, action="catalog.bib_create", obj=bib, unit=owner,
          changes=diff({}, snapshot(bib, BIB_AUDIT_FIELDS)))
    outbox_enqueue([bib.pk])
    return bib


@transaction.atomic
def bib_update(*, actor: User, bib: BibRecord, record: Record) -> BibRecord:
    """Replace the MARC record of `bib`; only cataloguers of the owning library's subtree (or of the
    network) may; the audit entry is filed under the owner's unit."""
    bib = BibRecord.objects.select_for_update(of=("self",)).select_related("owner").get(pk=bib.pk)
    require_record_owner(actor, bib)
    if bib.is_deleted:
        raise ValidationError(_("Biểu ghi đã bị xoá."))
    before = snapshot(bib, BIB_AUDIT_FIELDS)
    before_marc = bib.marc
    _stamp_005(record)
    values = extract(record)
    for name, value in values.items():
        setattr(bib, name, value)
    bib.marc = to_json(record)
    bib.save()
    _save_identifiers(bib, record, values)
    changes = diff(before, snapshot(bib, BIB_AUDIT_FIELDS))
    changes["marc"] = [_marc_lines(before_marc), _marc_lines(bib.marc)]
    audit(actor=actor, action="catalog.bib_update", obj=bib, unit=bib.owner or actor.home_unit, changes=changes)
    outbox_enqueue([bib.pk])
    return bib


def _marc_lines(marc: dict[str, Any]) -> list[str]:
    from thuvien.catalog.marc.marcjson import from_json
    return [str(f) for f in from_json(marc).fields if f.tag != "005"]


@transaction.atomic
def bib_delete(*, actor: User, bib: BibRecord) -> None:
    """Mark a record deleted (kept so OAI-PMH can report the deletion); refused while it has items."""
    bib = BibRecord.objects.select_for_update(of=("self",)).select_related("owner").get(pk=bib.pk)
    require_record_owner(actor, bib)
    if bib.is_deleted:
        return
    live = bib.items.exclude(status=ItemStatus.WITHDRAWN).count()
    if live:
        raise ValidationError(_("Không thể xoá: biểu ghi còn %(n)d bản tài liệu.") % {"n": live})
    bib.is_deleted = True
    bib.deleted_at = timezone.now()
    bib.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit(actor=actor, action="catalog.bib_delete", obj=bib, unit=bib.owner, changes={"is_deleted": [False, True]})
    outbox_enqueue([bib.pk])


def _item_type(value: ItemType | str) -> ItemType:
    if isinstance(value, ItemType):
        return value
    try:
        return ItemType.objects.get(code=value)
    except ItemType.DoesNotExist as exc:
        raise ValidationError({"item_type": _("Không có loại tài liệu %(code)s.") % {"code": value}}) from exc


def _check_item(item: Item) -> None:
    if not item.library.kind.holds_items:
        raise ValidationError({"library": _("%(unit)s không có kho tài liệu.") % {"unit": item.library.name}})
    item.barcode = item.barcode.strip()
    if not item.barcode:
        raise ValidationError({"barcode": _("Cần có mã vạch.")})
    if setting_get(item.library, "rfid.enabled"):
        rfid.check_barcode(item.barcode)
    clash = Item.objects.filter(barcode=item.barcode).exclude(pk=item.pk).first()
    if clash is not None:
        raise ValidationError({"barcode": _("Mã vạch %(barcode)s đã dùng cho bản khác.") % {"barcode": item.barcode}})
    if item.rfid_tag == "":
        item.rfid_tag = None
    if item.rfid_tag and Item.objects.filter(rfid_tag=item.rfid_tag).exclude(pk=item.pk).exists():
        raise ValidationError({"rfid_tag": _("Thẻ RFID %(tag)s đã dùng cho bản khác.") % {"tag": item.rfid_tag}})


@transaction.atomic
def item_create(*, actor: User, record: BibRecord, library: OrgUnit, barcode: str, item_type: ItemType | str,
                **fields: Any) -> Item:
    """Add a copy of `record` to `library` (the actor must catalogue in the library's subtree)."""
    require_perm(actor, Perm.CATALOG_EDIT, library)
    unknown = set(fields) - set(ITEM_EDITABLE)
    if unknown:
        raise ValidationError(_("Không được đặt trường %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if record.is_deleted:
        raise ValidationError(_("Biểu ghi đã bị xoá."))
    if fields.get("status", ItemStatus.AVAILABLE) not in CATALOGUE_STATUSES:
        raise ValidationError({"status": _("Trạng thái “%(s)s” chỉ do mượn trả đặt ra, không chọn được ở đây.")
                               % {"s": ItemStatus(fields["status"]).label}})
    fields.setdefault("call_number", record.call_number)
    item = Item(record=record, library=library, barcode=barcode, item_type=_item_type(item_type), **fields)
    _check_item(item)
    item.full_clean(exclude=["record", "library", "item_type"])
    item.save()
    audit(actor=actor, action="catalog.item_create", obj=item, unit=library, changes=diff({}, snapshot(item)))
    outbox_enqueue([record.pk])
    return item


def _item_status_by_catalogue(item: Item, new: str) -> None:
    """A cataloguer's change of status, through the item lifecycle table: only between shelf statuses,
    and never while a loan of the copy is open (check-in closes it)."""
    if new == item.status:
        return
    try:
        item_transition(item, new, by_catalogue=True)
        if item.loans.filter(returned_at__isnull=True).exists():  # e.g. a copy reported lost by its reader
            raise TransitionError(_("Bản tài liệu còn một lượt mượn chưa đóng; hãy trả tài liệu tại quầy trước."))
    except TransitionError as exc:
        raise ValidationError({"status": exc.messages}) from exc


@transaction.atomic
def item_update(*, actor: User, item: Item, **fields: Any) -> Item:
    """Edit an item; moving it to another library needs the right at both ends."""
    item = Item.objects.select_for_update().select_related("library__kind").get(pk=item.pk)
    require_perm(actor, Perm.CATALOG_EDIT, item.library)
    unknown = set(fields) - set(ITEM_EDITABLE)
    if unknown:
        raise ValidationError(_("Không được sửa trường %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if "library" in fields and fields["library"].pk != item.library_id:
        require_perm(actor, Perm.CATALOG_EDIT, fields["library"])
    if "item_type" in fields:
        fields["item_type"] = _item_type(fields["item_type"])
    before = snapshot(item)
    if "status" in fields:
        _item_status_by_catalogue(item, fields.pop("status"))
    for name, value in fields.items():
        setattr(item, name, value)
    _check_item(item)
    item.full_clean(exclude=["record", "library", "item_type"])
    item.save()
    changes = diff(before, snapshot(item))
    changes.pop("updated_at", None)
    if changes:
        audit(actor=actor, action="catalog.item_update", obj=item, unit=item.library, changes=changes)
    outbox_enqueue([item.record_id])
    return item


@transaction.atomic
def item_delete(*, actor: User, item: Item) -> None:
    """Delete an item entered by mistake; an item with loan history should be withdrawn instead."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    require_perm(actor, Perm.CATALOG_EDIT, item.library)
    if item.status == ItemStatus.ON_LOAN:
        raise ValidationError(_("Bản tài liệu đang được mượn."))
    record_id = item.record_id
    audit(actor=actor, action="catalog.item_delete", obj=item, unit=item.library, changes=diff(snapshot(item), {}))
    try:
        with transaction.atomic():
            item.delete()
    except (ProtectedError, IntegrityError) as exc:  # loans or holds still reference it
        raise ValidationError(_("Bản tài liệu đã có lịch sử lưu thông; hãy chuyển sang trạng thái Thanh lý.")) from exc
    outbox_enqueue([record_id])


@transaction.atomic
def marc_import_record(*, actor: User, record: Record, library: OrgUnit, match: str = "001",
                       on_match: str = "skip", provenance: str = "") -> ImportOutcome:
    """Import one record (bibliographic or authority, with items from 852/952) as the import
    command does; outcome.action is "imported", "updated" or "skipped"."""
    importer = Importer(actor=actor, library=library, match=match, on_match=on_match, provenance=provenance)
    outcomes = importer.store([record])
    importer.audit_batch(outcomes, source=provenance or "marc_import_record")
    outcome = outcomes[0]
    if outcome.bib_id is not None:
        outcome.bib = BibRecord.objects.get(pk=outcome.bib_id)
    return outcome


# --- import jobs -----------------------------------------------------------------------------

def file_fingerprint(path: str | Path) -> str:
    """Size plus a hash of the first and last 64 KiB: identifies a file across restarts cheaply."""
    size = os.path.getsize(path)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        digest.update(fh.read(65536))
        if size > 65536:
            fh.seek(max(size - 65536, 65536))
            digest.update(fh.read(65536))
    return f"{size}:{digest.hexdigest()[:32]}"


def import_job_create(*, actor: User, library: OrgUnit, path: str | Path, source_name: str = "",
                      format: str = "auto", encoding: str = "auto", match: str = "001",  # noqa: A002
                      on_match: str = "skip", resume: bool = True) -> ImportJob:
    """A job for importing `path`; with `resume`, an unfinished job for the same file, library
    and options is returned instead, so a killed import continues where it stopped."""
    require_perm(actor, Perm.CATALOG_EDIT, library)
    if format not in FORMATS or encoding not in ENCODINGS or match not in MATCHES or on_match not in ON_MATCH:
        raise ValidationError(_("Tham số nhập không hợp lệ."))
    path = str(Path(path).resolve())
    fingerprint = file_fingerprint(path)
    options = {"library": library, "fingerprint": fingerprint, "format": format, "encoding": encoding,
               "match": match, "on_match": on_match}
    if resume:
        job = ImportJob.objects.filter(status__in=[ImportJob.Status.RUNNING, ImportJob.Status.PENDING,
                                                   ImportJob.Status.FAILED], **options).order_by("-pk").first()
        if job is not None:
            return job
    return ImportJob.objects.create(created_by=actor if actor.pk else None, path=path,
                                    source_name=(source_name or Path(path).name)[:500],
                                    total_bytes=os.path.getsize(path), **options)


class Parsed(NamedTuple):
    """One record as read for an import batch: `prepared` is None when it could not be read."""

    offset: int
    length: int
    prepared: Prepared | None
    raw: bytes  # kept only for records that go to quarantine
    error: str | None
    warnings: list[str]


def _parsed(result: ReadResult) -> Parsed:
    if result.record is None:
        return Parsed(result.offset, len(result.raw), None, result.raw, result.error, result.warnings)
    return Parsed(result.offset, len(result.raw), prepare(result.record), b"", None, result.warnings)


def _prepare_raw_chunk(chunk: list[tuple[int, bytes]], encoding: str) -> list[Parsed]:
    """Worker process: parse and prepare a chunk of ISO 2709 records (no database access)."""
    out: list[Parsed] = []
    for offset, raw in chunk:
        prepared, error, warnings = prepare_raw(raw, encoding=encoding)
        out.append(Parsed(offset, len(raw), prepared, raw if prepared is None else b"", error, warnings))
    return out


def _iso_ranges(path: str, start: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) byte ranges of the file holding `size` records each, cut right after record
    terminators (so split_records reads the same records from a range as from the whole file)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        pos = begin = start  # file offset of the block; start of the range being counted
        count = 0
        while block := fh.read(1 << 20):
            at = 0
            while (found := block.find(b"\x1d", at)) >= 0:
                at = found + 1
                count += 1
                if count == size:
                    yield begin, pos + at
                    begin, count = pos + at, 0
            pos += len(block)
        if pos > begin:
            yield begin, pos


def _read_range(path: str, span: tuple[int, int]) -> list[tuple[int, bytes]]:
    """The (offset, raw bytes) records of a byte range of an ISO 2709 file."""
    start, end = span
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    return [(start + offset, raw) for offset, raw in split_records(io.BytesIO(data))]


def _prepare_range(path: str, span: tuple[int, int], encoding: str, spill: str) -> str:
    """Worker process: read, parse and prepare the records of a byte range (no database access),
    and leave the batch, pickled, in a file of the directory `spill`; returns its path.

    The worker reads the file itself and hands its batch over as a file rather than through the
    pool's pipe: a batch is megabytes, and a pipe passes 64 KB at a time, each time waiting for
    the writer process's busy interpreter to let its result thread run."""
    batch = _prepare_raw_chunk(_read_range(path, span), encoding)
    fd, name = tempfile.mkstemp(dir=spill, suffix=".batch")
    with os.fdopen(fd, "wb") as fh:
        fh.write(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    return name


def _load_spilled(name: str) -> list[Parsed]:
    with open(name, "rb") as fh:
        data = fh.read()
    os.unlink(name)
    return pickle.loads(data)  # type: ignore[no-any-return]  # noqa: S301 - our own worker's file


def _parallel_batches(job: ImportJob, size: int, workers: int) -> Iterator[list[Parsed]]:
    """Batches prepared by `workers` processes, in file order, at most 2 per worker in flight; when
    the next is not ready this process prepares a later one itself (see shared_batches).

    The workers' batch files live in THUVIEN_HOME/tmp/import-job-<id>-*, removed at the end; what
    a killed run left there is removed when the job runs again (_remove_spilled)."""
    path, encoding = job.path, job.encoding
    base, prefix = _spill_place(job)
    base.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory(prefix=prefix, dir=base) as spill, context.Pool(workers) as pool:
        for batch in shared_batches(
                _iso_ranges(path, job.position, size),
                submit=lambda span: pool.apply_async(_prepare_range, (path, span, encoding, spill)),
                prepare_here=lambda span: _prepare_raw_chunk(_read_range(path, span), encoding),
                in_flight=2 * workers):
            loaded = _load_spilled(batch) if isinstance(batch, str) else batch
            if loaded:  # (a range of nothing but trailing whitespace)
                yield loaded


def _spill_place(job: ImportJob) -> tuple[Path, str]:
    return Path(settings.THUVIEN_HOME) / "tmp", f"import-job-{job.pk}-"


def _remove_spilled(job: ImportJob) -> None:
    """Remove the worker batch files a killed run of `job` left behind."""
    base, prefix = _spill_place(job)
    for stale in base.glob(f"{prefix}*"):
        shutil.rmtree(stale, ignore_errors=True)


def default_workers() -> int:
    """Processes that prepare records in parallel with the database writes: one per core beyond
    two, at least one (this process prepares batches itself whenever a worker falls behind, so a
    worker never makes the import slower than none on a loaded machine), up to 4."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else max(1, min(4, cores - 2))


def import_job_run(*, job: ImportJob, actor: User, batch_size: int = 1000, workers: int | None = None,
                   progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
    """Run (or resume) an import job batch by batch; each batch, its quarantine entries and the
    job's checkpoint commit together. Large ISO 2709 files are parsed by worker processes
    (`workers`, default one per spare core) while this process writes. Returns the finished job."""
    require_perm(actor, Perm.CATALOG_EDIT, job.library)
    importer = Importer(actor=actor, library=job.library, match=job.match, on_match=job.on_match,
                        provenance=f"import:{job.source_name}"[:255])
    job.status = ImportJob.Status.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.error = ""
    job.save(update_fields=["status", "started_at", "error", "updated_at"])
    fmt = job.format
    if fmt == "auto":
        with open(job.path, "rb") as fh:
            fmt = sniff_format(fh.read(512))
    seekable = fmt == "iso2709"
    _remove_spilled(job)
    if workers is None:
        workers = default_workers() if seekable and job.total_bytes - job.position > PARALLEL_BYTES else 0
    try:
        batches: Iterator[list[Parsed]]
        with import_session():
            if seekable and workers > 0:
                batches = _parallel_batches(job, batch_size, workers)
            else:
                batches = _serial_batches(job, fmt, batch_size, seekable)
            for batch in batches:
                _commit_batch(job, importer, batch, seekable, fmt)
                if progress:
                    progress(job)
    except (OSError, ValueError) as exc:
        job.status = ImportJob.Status.FAILED
        job.error = str(exc)
        job.save(update_fields=["status", "error", "updated_at"])
        raise
    job.status = ImportJob.Status.DONE
    if job.records_read == 0:  # nothing in the file looked like a record: say so, do not report "done"
        job.status = ImportJob.Status.FAILED
        job.error = _("Không tìm thấy biểu ghi MARC nào trong tệp (định dạng nhận ra: %(f)s). Hãy kiểm tra tệp: "
                      "ISO 2709 (.mrc), MARCXML hoặc MARC-in-JSON.") % {"f": fmt}
    job.position = job.total_bytes
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "position", "finished_at", "updated_at"])
    if progress:
        progress(job)
    return job


def _serial_batches(job: ImportJob, fmt: str, batch_size: int, seekable: bool) -> Iterator[list[Parsed]]:
    skip = 0 if seekable else job.records_read  # XML and JSON resume by counting records
    batch: list[Parsed] = []
    for result in iter_records(job.path, format=fmt, encoding=job.encoding,
                               start_offset=job.position if seekable else 0):
        if skip:
            skip -= 1
            continue
        batch.append(_parsed(result))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _commit_batch(job: ImportJob, importer: Importer, batch: list[Parsed], seekable: bool, fmt: str) -> None:
    base_index = job.records_read
    good = [r for r in batch if r.prepared is not None]
    with transaction.atomic():
        outcomes = importer.store_prepared([r.prepared for r in good]) if good else []  # type: ignore[misc]
        quarantine = [QuarantinedRecord(job=job, library=job.library, source_name=job.source_name[:500],
                                        offset=r.offset, index=base_index + i, format=fmt,
                                        raw=r.raw, reason=r.error or "")
                      for i, r in enumerate(batch) if r.prepared is None]
        QuarantinedRecord.objects.bulk_create(quarantine)
        warnings = job.warnings if isinstance(job.warnings, list) else []
        by_result = dict(zip([id(r) for r in good], outcomes, strict=True))
        for i, r in enumerate(batch):
            notes = list(r.warnings)
            outcome = by_result.get(id(r))
            if outcome is not None:
                notes.extend(outcome.warnings)
                job.items_created += outcome.items
                if outcome.authority is not None and outcome.action != "skipped":
                    job.authorities += 1
                if outcome.action == "imported":
                    job.imported += 1
                elif outcome.action == "updated":
                    job.updated += 1
                else:
                    job.skipped += 1
            for note in notes:
                if len(warnings) < MAX_WARNINGS:
                    warnings.append([base_index + i, r.offset, note])
        job.warnings = warnings
        job.quarantined += len(quarantine)
        job.records_read = base_index + len(batch)
        if seekable:  # XML/JSON resume by counting records_read; their position is set at the end
            job.position = batch[-1].offset + batch[-1].length
        importer.audit_batch(outcomes, source=f"{job.source_name} (job {job.pk})")
        job.save(update_fields=["imported", "updated", "skipped", "quarantined", "items_created", "authorities",
                                "warnings", "records_read", "position", "updated_at"])


# --- quarantine ------------------------------------------------------------------------------

@transaction.atomic
def quarantine_reimport(*, actor: User, entry: QuarantinedRecord, raw: bytes | None = None,
                        encoding: str = "auto", format: str = "auto") -> ImportOutcome:  # noqa: A002
    """Re-read a quarantined record (optionally corrected bytes or another encoding) and import it;
    raises ValidationError with the reader's reason when it still cannot be read."""
    import io
    entry = QuarantinedRecord.objects.select_for_update().get(pk=entry.pk)
    require_perm(actor, Perm.CATALOG_EDIT, entry.library)
    if entry.status != QuarantinedRecord.Status.OPEN:
        raise ValidationError(_("Biểu ghi này đã được xử lý."))
    data = raw if raw is not None else bytes(entry.raw)
    results = list(iter_records(io.BytesIO(data), format=format, encoding=encoding))
    good = [r for r in results if r.record is not None]
    if len(results) != 1 or len(good) != 1:
        reason = "; ".join(r.error or "" for r in results if r.error) or _("không tìm thấy đúng một biểu ghi")
        raise ValidationError(_("Vẫn chưa đọc được biểu ghi: %(reason)s") % {"reason": reason})
    try:
        outcome = marc_import_record(actor=actor, record=good[0].record, library=entry.library,  # type: ignore[arg-type]
                                     provenance=f"quarantine:{entry.source_name}"[:255])
    except MarcError as exc:
        raise ValidationError(str(exc)) from exc
    entry.status = QuarantinedRecord.Status.REIMPORTED
    entry.resolved_at = timezone.now()
    entry.resolved_by = actor
    entry.record = outcome.bib if outcome.bib is not None and outcome.bib.pk else None
    entry.save(update_fields=["status", "resolved_at", "resolved_by", "record"])
    audit(actor=actor, action="catalog.quarantine_reimport", obj=entry, unit=entry.library,
          changes={"record": [None, entry.record_id], "warnings": good[0].warnings})
    return outcome


@transaction.atomic
def quarantine_discard(*, actor: User, entry: QuarantinedRecord) -> None:
    """Mark a quarantined record as given up (its bytes stay for the record)."""
    require_perm(actor, Perm.CATALOG_EDIT, entry.library)
    entry.status = QuarantinedRecord.Status.DISCARDED
    entry.resolved_at = timezone.now()
    entry.resolved_by = actor
    entry.save(update_fields=["status", "resolved_at", "resolved_by"])
    audit(actor=actor, action="catalog.quarantine_discard", obj=entry, unit=entry.library)
