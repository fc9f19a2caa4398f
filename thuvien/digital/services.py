"""Writes of the digital library: each checks permission at the object's library, writes its audit
entry in the same transaction and hands slow work (tiles, OCR, PDF) to a background task."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.catalog.models import BibRecord
from thuvien.core.audit import audit
from thuvien.core.models import ActivityEvent, OrgUnit, User
from thuvien.core.permissions import Perm, require_perm
from thuvien.core.text import fold
from thuvien.digital import preservation, processing
from thuvien.digital.conf import digital_root, ocr_jobs
from thuvien.digital.ingest import IngestError, SourceFile, collect
from thuvien.digital.models import AccessLevel, Collection, DigitalObject, ObjectStatus, OcrProfile, Page
from thuvien.digital.ocfl import OcflError

log = logging.getLogger(__name__)

EXTENSIONS = {"image/tiff": ".tif", "image/jpeg": ".jpg", "image/png": ".png", "image/jp2": ".jp2"}
PDF_RASTER_DPI = 300


@dataclass
class IngestResult:
    obj: DigitalObject
    pages: int
    skipped: list[str] = field(default_factory=list)
    duplicates_elsewhere: list[str] = field(default_factory=list)


def collection_create(*, actor: User, code: str, name: str, unit: OrgUnit, description: str = "") -> Collection:
    """A new digital collection owned by `unit`."""
    require_perm(actor, Perm.DIGITAL_EDIT, unit)
    with transaction.atomic():
        coll = Collection.objects.create(code=code, name=name, unit=unit, description=description)
        audit(actor=actor, unit=unit, action="digital.collection_create", obj=coll, changes={"code": code})
    return coll


def record_find(ident: str) -> BibRecord:
    """A catalogue record by its id or its 001 control number."""
    ident = ident.strip()
    found = BibRecord.objects.filter(control_number=ident).order_by("pk").first()
    if found is None and ident.isdigit():
        found = BibRecord.objects.filter(pk=int(ident)).first()
    if found is None:
        raise IngestError(_("Không tìm thấy biểu ghi %(id)s") % {"id": ident})
    return found


def _rasterise_pdf(src: SourceFile, dest: Path) -> list[SourceFile]:
    """Each page of a PDF as a PNG page file (poppler's pdftoppm at 300 dpi)."""
    from thuvien.digital.ingest import file_sha256

    dest.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(["pdftoppm", "-r", str(PDF_RASTER_DPI), "-png", str(src.path), str(dest / "p")],
                       check=True, capture_output=True, timeout=1800)
    except subprocess.CalledProcessError as exc:
        raise IngestError(_("Không đọc được tệp PDF %(name)s") % {"name": src.name}) from exc
    pngs = sorted(dest.glob("p-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [SourceFile(name=f"{src.name}#{i}", path=p, mime="image/png", sha256=file_sha256(p))
            for i, p in enumerate(pngs, 1)]


def object_ingest(*, actor: User, source: Path, collection: Collection, record: BibRecord | None = None,
                  title: str = "", language: str = "vie", access: str = AccessLevel.PUBLIC,
                  ocr_profile: str = "", rights: str = "", process: bool = True) -> IngestResult:
    """Create a digital object from a folder, ZIP or single file and queue its processing."""
    require_perm(actor, Perm.DIGITAL_EDIT, collection.unit)
    if record is None and not title.strip():
        raise IngestError(_("Cần một biểu ghi hoặc một nhan đề."))
    with tempfile.TemporaryDirectory(dir=digital_root()) as tmp:
        files, skipped = collect(source, Path(tmp) / "in")
        pages: list[SourceFile] = []
        for n, f in enumerate(files):
            pages.extend(_rasterise_pdf(f, Path(tmp) / f"pdf{n}") if f.mime == "application/pdf" else [f])
        known = set(Page.objects.filter(sha256__in=[p.sha256 for p in pages]).values_list("sha256", flat=True))
        profile = ocr_profile or (OcrProfile.VIE if language in ("", "vie") else _default_profile(language))
        with transaction.atomic():
            obj = DigitalObject.objects.create(
                record=record, collection=collection, unit=collection.unit,
                title=title.strip() or (record.title if record else ""), language=language or "vie",
                ocr_profile=profile, access=access, rights=rights or DigitalObject._meta.get_field("rights").default,
                right_to_left=language in ("lzh",) or profile == OcrProfile.HAN)
            masters = processing.object_dir(obj.uuid) / "masters"
            masters.mkdir(parents=True, exist_ok=True)
            rows = []
            for order, f in enumerate(pages, 1):
                target = masters / f"{order:05d}{EXTENSIONS[f.mime]}"
                shutil.copyfile(f.path, target)
                rows.append(Page(obj=obj, order=order, label=str(order), source_name=f.name[:500],
                                 sha256=f.sha256, mime=f.mime))
            Page.objects.bulk_create(rows)
            written = preservation.preserve(obj=obj, message=f"Ingest of {source.name}", user=actor)
            audit(actor=actor, unit=obj.unit, action="digital.ingest", obj=obj,
                  changes={"pages": len(rows), "source": source.name, "skipped": skipped[:50],
                           "ocfl_version": written.version})
            if process:
                transaction.on_commit(lambda: _enqueue(obj.pk))
    return IngestResult(obj=obj, pages=len(pages), skipped=skipped,
                        duplicates_elsewhere=[p.name for p in pages if p.sha256 in known])


def _default_profile(language: str) -> str:
    """Minority languages written in Quốc ngữ read best with `vie`; Hán is off unless chosen."""
    return OcrProfile.NONE if language in ("lzh",) else OcrProfile.VIE


def _enqueue(obj_id: int) -> None:
    from thuvien.digital.tasks import object_process_task

    object_process_task.enqueue(obj_id)


def master_path(page: Page) -> Path:
    return processing.object_dir(page.obj.uuid) / "masters" / f"{page.order:05d}{EXTENSIONS[page.mime]}"


def object_process(*, obj: DigitalObject, pdf: bool = True) -> DigitalObject:
    """Derive every unprocessed page (tiles + OCR, up to `ocr_jobs()` at once), then the PDF/A.

    Progress is `pages_done` on the object; an interrupted run resumes with the pages left."""
    DigitalObject.objects.filter(pk=obj.pk).update(status=ObjectStatus.PROCESSING, error="",
                                                   updated_at=timezone.now())
    todo = list(obj.pages.filter(processed=False).select_related("obj").order_by("order"))
    done = obj.pages.filter(processed=True).count()
    try:
        for page in todo:  # a working master lost (server rebuilt from database + bucket): from the OCFL copy
            if obj.ocfl_version and not master_path(page).exists():
                preservation.working_master_fetch(obj=obj, page=page)
        with ThreadPoolExecutor(max_workers=ocr_jobs()) as pool:
            futures = [(page, pool.submit(processing.page_derive, obj_uuid=obj.uuid, order=page.order,
                                          master=master_path(page), mime=page.mime, profile=obj.ocr_profile))
                       for page in todo]
            for page, future in futures:
                result = future.result()
                page.width, page.height, page.processed = result.width, result.height, True
                fields = ["width", "height", "processed", "updated_at"]
                if not page.text_edited:
                    page.text, page.text_folded = result.text, fold(result.text)
                    page.words = orjson.dumps(result.words).decode()
                    fields += ["text", "text_folded", "words"]
                done += 1
                with transaction.atomic():  # the page and the progress: one commit
                    page.save(update_fields=fields)
                    DigitalObject.objects.filter(pk=obj.pk).update(pages_done=done, updated_at=timezone.now())
        if pdf:
            processing.object_pdf(obj_uuid=obj.uuid, orders=list(obj.pages.values_list("order", flat=True)),
                                  title=obj.title, language=obj.language)
    except (OSError, subprocess.SubprocessError, OcflError) as exc:
        log.exception("digital object %s failed", obj.pk)
        DigitalObject.objects.filter(pk=obj.pk).update(status=ObjectStatus.FAILED, error=str(exc)[:2000],
                                                       updated_at=timezone.now())
        obj.refresh_from_db()
        return obj
    DigitalObject.objects.filter(pk=obj.pk).update(status=ObjectStatus.READY, has_pdf=pdf, manifest_cache="",
                                                   updated_at=timezone.now())
    _reindex_record(obj)
    obj.refresh_from_db()
    return obj


def _reindex_record(obj: DigitalObject) -> None:
    """The record's search document and OAI-PMH datestamp change with its digital copies."""
    if obj.record_id:
        from thuvien.search.outbox import outbox_enqueue

        with transaction.atomic():
            BibRecord.objects.filter(pk=obj.record_id).update(updated_at=timezone.now())
            outbox_enqueue([obj.record_id])


def object_published_set(*, obj: DigitalObject, published: bool) -> None:
    """Show (True) or hide (False) the object from readers; called inside the caller's transaction by the
    digitisation workflow, whose transition log and audit entry record who did it. The manifest cache is
    dropped and the record re-indexed (its "digital copy" facet and full text follow)."""
    if obj.published == published:
        return
    obj.published, obj.manifest_cache = published, ""
    obj.save(update_fields=["published", "manifest_cache", "updated_at"])
    _reindex_record(obj)


def object_update(*, actor: User, obj: DigitalObject, **fields: Any) -> DigitalObject:
    """Change descriptive or access fields; the cached manifest is dropped."""
    require_perm(actor, Perm.DIGITAL_EDIT, obj.unit)
    allowed = {"title", "dcterms", "language", "rights", "access", "embargo_until", "right_to_left", "collection"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        before = {k: str(getattr(obj, k)) for k in fields}
        for k, v in fields.items():
            setattr(obj, k, v)
        obj.manifest_cache = ""
        obj.save(update_fields=[*fields, "manifest_cache", "updated_at"])
        audit(actor=actor, unit=obj.unit, action="digital.update", obj=obj,
              changes={k: [before[k], str(v)] for k, v in fields.items()})
        _reindex_record(obj)
    return obj


def page_text_update(*, actor: User, page: Page, text: str) -> Page:
    """Save a corrected OCR text or a manual transcription (e.g. Nôm) for one page."""
    require_perm(actor, Perm.DIGITAL_EDIT, page.obj.unit)
    with transaction.atomic():
        page.text, page.text_folded, page.text_edited = text, fold(text), True
        page.save(update_fields=["text", "text_folded", "text_edited", "updated_at"])
        DigitalObject.objects.filter(pk=page.obj_id).update(manifest_cache="", updated_at=timezone.now())
        audit(actor=actor, unit=page.obj.unit, action="digital.page_text", obj=page,
              changes={"chars": len(text)})
        _reindex_record(page.obj)
    return page


def _order_files(obj: DigitalObject, order: int, mime: str) -> list[Path]:
    """The files named after a page's position: working master, tiled TIFF, OCR outputs."""
    base = processing.ocr_base(obj.uuid, order)
    return [processing.object_dir(obj.uuid) / "masters" / f"{order:05d}{EXTENSIONS[mime]}",
            processing.tile_path(obj.uuid, order),
            *(base.with_suffix(s) for s in (".txt", ".hocr", ".xml", ".pdf"))]


def _rename_page_files(obj: DigitalObject, moves: list[tuple[Page, int]]) -> None:
    """Move each page's files from its old position to its new one (via temporary names, so two
    pages that swap places never overwrite each other)."""
    staged: list[tuple[Path, Path]] = []
    for page, new_order in moves:
        for old, new in zip(_order_files(obj, page.order, page.mime), _order_files(obj, new_order, page.mime),
                            strict=True):
            if old.exists():
                tmp = old.with_name(f".move-{page.pk}-{old.name}")
                old.replace(tmp)
                staged.append((tmp, new))
    for tmp, new in staged:
        tmp.replace(new)


def pages_reorder(*, actor: User, obj: DigitalObject, page_ids: list[int]) -> None:
    """Put the object's pages in the order given (drag-and-drop); every page must be listed once.

    The page files follow their pages, and the preservation copy gets a new OCFL version (the same
    content under new logical names: no byte is copied)."""
    require_perm(actor, Perm.DIGITAL_EDIT, obj.unit)
    pages = {p.pk: p for p in obj.pages.all()}
    if len(page_ids) != len(set(page_ids)) or sorted(page_ids) != sorted(pages):
        raise ValueError(_("Danh sách trang không khớp với tài liệu."))
    moves = [(pages[pk], n) for n, pk in enumerate(page_ids, 1) if pages[pk].order != n]
    if not moves:
        return
    had_pdf = DigitalObject.objects.filter(pk=obj.pk, has_pdf=True).exists()
    with transaction.atomic():
        # one change of an object's pages at a time (the row lock on PostgreSQL; SQLite has one writer)
        DigitalObject.objects.select_for_update().filter(pk=obj.pk).first()
        top = (obj.pages.aggregate(m=Max("order"))["m"] or 0) + 1
        # two steps so the unique (object, order) constraint never sees a clash
        now = timezone.now()
        for n, pk in enumerate(page_ids):
            Page.objects.filter(pk=pk).update(order=top + n, updated_at=now)
        for n, pk in enumerate(page_ids, 1):
            Page.objects.filter(pk=pk).update(order=n, label=str(n), updated_at=now)
        DigitalObject.objects.filter(pk=obj.pk).update(manifest_cache="", has_pdf=False, updated_at=timezone.now())
        # the new OCFL version first, from the files where they still are: if it fails, nothing moved
        sources = {f"{n:05d}{EXTENSIONS[pages[pk].mime]}": master_path(pages[pk])
                   for n, pk in enumerate(page_ids, 1)}
        written = preservation.preserve(obj=obj, message="Pages reordered", user=actor, sources=sources)
        _rename_page_files(obj, moves)
        audit(actor=actor, unit=obj.unit, action="digital.reorder", obj=obj,
              changes={"pages": len(page_ids), "moved": len(moves), "ocfl_version": written.version})
        if had_pdf:
            transaction.on_commit(lambda: _enqueue_pdf(obj.pk))


def _enqueue_pdf(obj_id: int) -> None:
    from thuvien.digital.tasks import object_pdf_task

    object_pdf_task.enqueue(obj_id)


def page_replace(*, actor: User, page: Page, source: Path) -> Page:
    """A rescanned page replaces one page: a new OCFL version holds the new file (the old one stays in
    the earlier version), and the page is tiled and OCR'd again in the background."""
    from thuvien.digital.ingest import file_sha256, sniff

    obj = page.obj
    require_perm(actor, Perm.DIGITAL_EDIT, obj.unit)
    with source.open("rb") as fh:
        mime = sniff(fh.read(16))
    if mime not in EXTENSIONS:
        raise IngestError(_("Trang thay thế phải là ảnh TIFF, JPEG, JPEG 2000 hoặc PNG."))
    with transaction.atomic():
        DigitalObject.objects.select_for_update().filter(pk=obj.pk).first()
        old_files = _order_files(obj, page.order, page.mime)
        page.mime, page.sha256 = mime, file_sha256(source)
        page.processed, page.width, page.height = False, 0, 0
        page.source_name = source.name[:500]
        page.save(update_fields=["mime", "sha256", "processed", "width", "height", "source_name", "updated_at"])
        DigitalObject.objects.filter(pk=obj.pk).update(manifest_cache="", updated_at=timezone.now())
        # the new OCFL version first (the rescan from where it is): if it fails, no file was touched
        sources = {f"{p.order:05d}{EXTENSIONS[p.mime]}": (source if p.pk == page.pk else master_path(p))
                   for p in obj.pages.order_by("order")}
        written = preservation.preserve(obj=obj, message=f"Page {page.order} replaced (rescan)", user=actor,
                                        sources=sources)
        for path in old_files:
            path.unlink(missing_ok=True)
        target = processing.object_dir(obj.uuid) / "masters" / f"{page.order:05d}{EXTENSIONS[mime]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        audit(actor=actor, unit=obj.unit, action="digital.page_replace", obj=obj,
              changes={"page": page.order, "sha256": page.sha256, "ocfl_version": written.version})
        transaction.on_commit(lambda: _enqueue(obj.pk))
    return page


def event_record(*, obj: DigitalObject, kind: str) -> None:
    """Count a view or download, anonymously (no reader identity), for the statistics."""
    ActivityEvent.objects.create(kind=kind, unit_id=obj.unit_id,
                                 attributes={"object": str(obj.uuid), "collection": obj.collection_id})


def download_record(*, obj: DigitalObject, user: User | None) -> None:
    """Count a PDF download: the reader's row (for the daily quota) and the anonymous event."""
    from thuvien.digital.models import Download

    with transaction.atomic():
        if user is not None:
            Download.objects.create(user=user, obj=obj)
        event_record(obj=obj, kind="digital_download")


def downloads_today(*, user: User) -> int:
    from thuvien.digital.models import Download

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Download.objects.filter(user=user, at__gte=start).count()


def downloads_prune() -> dict[str, int]:
    """Forget who downloaded what after two days (the quota only needs today)."""
    from thuvien.digital.models import Download

    deleted, _rows = Download.objects.filter(at__lt=timezone.now() - dt.timedelta(days=2)).delete()
    return {"download_rows_pruned": deleted}
