"""OAI-PMH harvesting into the union catalogue: sources, starting a run, and running it page by page."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pymarc import Record

from thuvien.catalog.marc.marcjson import to_json
from thuvien.catalog.models import BibRecord
from thuvien.catalog.services import bib_delete, bib_update, marc_import_record
from thuvien.core.audit import audit, diff, snapshot
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit, User
from thuvien.core.outbound import OutboundError, OutboundRefused, check_url
from thuvien.core.permissions import Perm, require_perm
from thuvien.protocols.dc_marc import DCRecordError, dc_to_marc
from thuvien.protocols.harvest.oai import Page, PageRecord, fetch_page
from thuvien.protocols.models import HarvestedRecord, HarvestRun, HarvestSource
from thuvien.protocols.remote import RemoteError

log = logging.getLogger("thuvien.protocols.harvest")
SOURCE_FIELDS = ("code", "name", "base_url", "metadata_prefix", "set_spec", "library", "schedule", "match",
                 "on_match", "is_active")
SNAPSHOT_FIELDS = [f if f != "library" else "library_id" for f in SOURCE_FIELDS]
MAX_WARNINGS = 200
PREFIXES = tuple(HarvestSource.Prefix.values)  # oai_dc records are crosswalked to MARC21 (protocols/dc_marc.py)


@transaction.atomic
def harvest_source_create(*, actor: User, code: str, name: str, base_url: str, library: OrgUnit,
                          metadata_prefix: str = "marc21", set_spec: str = "", schedule: str = "manual",
                          match: str = "001", on_match: str = "overlay", is_active: bool = True) -> HarvestSource:
    """A new source feeding `library` (the actor must catalogue there)."""
    require_perm(actor, Perm.CATALOG_EDIT, library)
    source = HarvestSource(code=code, name=name, base_url=base_url, library=library, metadata_prefix=metadata_prefix,
                           set_spec=set_spec, schedule=schedule, match=match, on_match=on_match, is_active=is_active)
    source.full_clean()
    _check_prefix(source)
    _check_url(source)
    source.save()
    audit(actor=actor, action="protocols.harvest_source_create", obj=source, unit=library,
          changes=diff({}, snapshot(source, SNAPSHOT_FIELDS)))
    return source


@transaction.atomic
def harvest_source_update(*, actor: User, source: HarvestSource, **fields: Any) -> HarvestSource:
    """Edit a source; moving it to another library needs the right at both ends."""
    source = HarvestSource.objects.select_for_update().get(pk=source.pk)
    require_perm(actor, Perm.CATALOG_EDIT, source.library)
    unknown = set(fields) - set(SOURCE_FIELDS)
    if unknown:
        raise ValidationError(_("Không được sửa trường %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if "library" in fields:
        require_perm(actor, Perm.CATALOG_EDIT, fields["library"])
    before = snapshot(source, SNAPSHOT_FIELDS)
    for name, value in fields.items():
        setattr(source, name, value)
    source.full_clean()
    _check_prefix(source)
    _check_url(source)
    if any(f in fields and before[f] != snapshot(source, SNAPSHOT_FIELDS)[f] for f in ("base_url", "set_spec",
                                                                                   "metadata_prefix")):
        source.last_datestamp = ""  # another list: the next harvest is a full one
    source.save()
    audit(actor=actor, action="protocols.harvest_source_update", obj=source, unit=source.library,
          changes=diff(before, snapshot(source, SNAPSHOT_FIELDS)))
    return source


def _check_url(source: HarvestSource) -> None:
    """Refuse a base URL on an internal address (SSRF) when the source is saved; the worker checks again."""
    try:
        check_url(source.base_url)
    except OutboundRefused as exc:
        raise ValidationError({"base_url": _("Địa chỉ này trỏ vào mạng nội bộ nên bị từ chối: %(e)s")
                               % {"e": exc}}) from exc
    except OutboundError:
        pass  # not resolvable now: the run reports it


def _check_prefix(source: HarvestSource) -> None:
    if source.metadata_prefix not in PREFIXES:
        raise ValidationError({"metadata_prefix": _(
            "Chỉ hỗ trợ định dạng marc21 (MARCXML) và oai_dc (Dublin Core) để nhập biểu ghi.")})


@transaction.atomic
def harvest_start(*, actor: User, source: HarvestSource, full: bool = False, background: bool = True) -> HarvestRun:
    """Queue a harvest of `source` as a background job (or only prepare the run when not
    `background`). A run that failed part-way is resumed from the page that failed; `full`
    ignores the last datestamp and harvests everything."""
    require_perm(actor, Perm.CATALOG_EDIT, source.library)
    source = HarvestSource.objects.select_for_update().get(pk=source.pk)
    active = source.runs.filter(status__in=[HarvestRun.Status.PENDING, HarvestRun.Status.RUNNING]).first()
    if active is not None:
        return active
    last = source.runs.first()
    if last is not None and last.status == HarvestRun.Status.FAILED and last.resumption_token and not full:
        run = last
        run.status = HarvestRun.Status.PENDING
        run.error = ""
        run.save(update_fields=["status", "error", "updated_at"])
    else:
        run = HarvestRun.objects.create(source=source, started_by=actor,
                                        from_datestamp="" if full else source.last_datestamp)
    audit(actor=actor, action="protocols.harvest_start", obj=run, unit=source.library,
          changes={"from": ["", run.from_datestamp], "resume": [False, bool(run.resumption_token)]})
    if background:
        from thuvien.protocols.harvest.tasks import harvest_task

        transaction.on_commit(lambda: harvest_task.enqueue(run.pk))
    return run


def _list_params(source: HarvestSource, run: HarvestRun) -> dict[str, str]:
    if run.resumption_token:
        return {"verb": "ListRecords", "resumptionToken": run.resumption_token}
    params = {"verb": "ListRecords", "metadataPrefix": source.metadata_prefix}
    if source.set_spec:
        params["set"] = source.set_spec
    if run.from_datestamp:
        params["from"] = run.from_datestamp
    return params


def harvest_run_execute(*, run: HarvestRun, actor: User | None = None, timeout: float = 120.0) -> HarvestRun:
    """Harvest page after page, committing each page with the token of the next; stops at the end
    of the list (done) or at the first page that cannot be fetched (failed, resumable)."""
    run = HarvestRun.objects.select_related("source__library", "started_by").get(pk=run.pk)
    source = run.source
    actor = actor or run.started_by or system_user()
    run.status = HarvestRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.save(update_fields=["status", "started_at", "updated_at"])
    while True:
        params = _list_params(source, run)
        try:
            page = fetch_page(source.base_url, params, timeout=timeout, metadata_prefix=source.metadata_prefix)
            if page.error_code == "badArgument" and "from" in params and len(params["from"]) > 10:
                params["from"] = params["from"][:10]  # a repository with day granularity
                page = fetch_page(source.base_url, params, timeout=timeout, metadata_prefix=source.metadata_prefix)
        except RemoteError as exc:
            return _fail(run, str(exc))
        if page.error_code == "noRecordsMatch" and not run.resumption_token:
            if not run.response_date:
                run.response_date = page.response_date
            break
        if page.error_code:
            if page.error_code == "badResumptionToken":
                run.resumption_token = ""  # expired: the next start begins the list again from `from`
            return _fail(run, f"{page.error_code}: {page.error_message}")
        _store_page(run, source, page, actor)
        if not page.token:
            break
    return _finish(run, source)


@transaction.atomic
def _store_page(run: HarvestRun, source: HarvestSource, page: Page, actor: User) -> None:
    known = {h.identifier: h for h in HarvestedRecord.objects.filter(
        source=source, identifier__in=[r.identifier for r in page.records]).select_related("record")}
    for item in page.records:
        _crosswalk(source, item, known.get(item.identifier))
        _apply(run, source, item, known.get(item.identifier), actor)
    if not run.response_date:
        run.response_date = page.response_date
    run.resumption_token = page.token
    run.pages += 1
    run.records_seen += len(page.records)
    if page.cursor is not None:
        run.cursor = page.cursor
    if page.complete_list_size is not None:
        run.complete_list_size = page.complete_list_size
    run.save()


def _crosswalk(source: HarvestSource, item: PageRecord, known: HarvestedRecord | None) -> None:
    """An oai_dc record -> item.marc, or item.problem when it cannot be converted (no title). A record
    harvested before keeps its 008/00-05 (date entered), so an unchanged record compares equal."""
    if item.dc is None or item.deleted:
        return
    entered: date | str = timezone.localdate()
    bib = known.record if known is not None else None
    if bib is not None:
        fixed = next((f["008"] for f in bib.marc.get("fields", []) if isinstance(f.get("008"), str)), "")
        if len(fixed) >= 6 and fixed[:6].isdigit():
            entered = fixed[:6]
    try:
        item.marc = dc_to_marc(item.dc, oai_identifier=item.identifier, base_url=source.base_url, entered=entered)
    except DCRecordError:
        item.problem = _("Biểu ghi Dublin Core không có nhan đề (dc:title): không nhập.")


def _warn(run: HarvestRun, identifier: str, message: str) -> None:
    if len(run.warnings) < MAX_WARNINGS:
        run.warnings.append([identifier, message])


def _same(bib: BibRecord, record: Record) -> bool:
    def strip(marc: dict[str, Any]) -> list[Any]:
        return [f for f in marc.get("fields", []) if "005" not in f]

    incoming = to_json(record)
    return bool(strip(incoming) == strip(bib.marc) and incoming.get("leader", "")[5:] == bib.marc.get("leader", "")[5:])


def _apply(run: HarvestRun, source: HarvestSource, item: PageRecord, known: HarvestedRecord | None,
           actor: User) -> None:
    bib = known.record if known is not None else None
    if item.deleted:
        if bib is not None and not bib.is_deleted:
            try:
                with transaction.atomic():
                    bib_delete(actor=actor, bib=bib)
                run.deleted += 1
            except ValidationError as exc:
                _warn(run, item.identifier, "; ".join(exc.messages))
        _remember(source, item, bib, known)
        return
    if item.marc is None:
        run.rejected += 1
        _warn(run, item.identifier, item.problem)
        return
    try:
        with transaction.atomic():
            if bib is not None and not bib.is_deleted:
                if _same(bib, item.marc) or source.on_match == HarvestSource.OnMatch.SKIP:
                    run.unchanged += 1
                else:
                    record = item.marc
                    if source.on_match == HarvestSource.OnMatch.MERGE:
                        from thuvien.catalog.importer import merge_records
                        from thuvien.catalog.marc.marcjson import from_json
                        record = merge_records(from_json(bib.marc), item.marc)
                    bib_update(actor=actor, bib=bib, record=record)
                    run.updated += 1
            else:
                outcome = marc_import_record(
                    actor=actor, record=item.marc, library=source.library, match=source.match,
                    on_match=source.on_match, provenance=f"OAI-PMH {source.code} {item.identifier} {item.datestamp}")
                if outcome.bib is not None:
                    bib = BibRecord.objects.get(pk=outcome.bib.pk)
                if outcome.action == "imported":
                    run.imported += 1
                elif outcome.action == "updated":
                    run.updated += 1
                else:
                    run.unchanged += 1
                for w in outcome.warnings:
                    _warn(run, item.identifier, w)
    except ValidationError as exc:
        run.rejected += 1
        _warn(run, item.identifier, "; ".join(exc.messages))
        return
    _remember(source, item, bib, known)


def _remember(source: HarvestSource, item: PageRecord, bib: BibRecord | None, known: HarvestedRecord | None) -> None:
    if known is None:
        HarvestedRecord.objects.create(source=source, identifier=item.identifier[:255], record=bib,
                                       datestamp=item.datestamp[:20], deleted=item.deleted)
    else:
        known.record, known.datestamp, known.deleted = bib, item.datestamp[:20], item.deleted
        known.save(update_fields=["record", "datestamp", "deleted", "harvested_at"])


def _fail(run: HarvestRun, message: str) -> HarvestRun:
    log.warning("harvest %s #%s failed: %s", run.source.code, run.pk, message)
    run.status = HarvestRun.Status.FAILED
    run.error = message[:2000]
    run.finished_at = timezone.now()
    run.save()
    return run


@transaction.atomic
def _finish(run: HarvestRun, source: HarvestSource) -> HarvestRun:
    run.status = HarvestRun.Status.DONE
    run.resumption_token = ""
    run.finished_at = timezone.now()
    run.save()
    if run.response_date:
        source.last_datestamp = run.response_date[:20]
    source.last_success_at = run.finished_at
    source.save(update_fields=["last_datestamp", "last_success_at", "updated_at"])
    log.info("harvest %s #%s done: %s imported, %s updated, %s deleted", source.code, run.pk, run.imported,
             run.updated, run.deleted)
    return run


def harvest_due_sources(*, now: Any = None) -> list[HarvestSource]:
    """Active scheduled sources whose last success is older than their schedule."""
    from datetime import timedelta

    now = now or timezone.now()
    due = []
    periods = {HarvestSource.Schedule.DAILY: timedelta(days=1), HarvestSource.Schedule.WEEKLY: timedelta(days=7)}
    for source in HarvestSource.objects.filter(is_active=True).exclude(schedule=HarvestSource.Schedule.MANUAL):
        period = periods[HarvestSource.Schedule(source.schedule)]
        if source.last_success_at is None or source.last_success_at + period <= now:
            due.append(source)
    return due
