"""Preservation of the masters: OCFL versions, fixity checks, damage and repair (services).

The working copy of the masters (digital/<uuid>/masters, named by page order) is what tiles and OCR
read; the OCFL object under `conf.ocfl_root()` (a directory or an S3 bucket, `conf.ocfl_store()`) is
the preservation copy, checked by `fixity_check`.
Every change of pages (ingest, reorder, replaced page) writes a new OCFL version; nothing is ever
overwritten in place except a damaged content file put back, byte for byte, by `object_repair`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from thuvien.core.audit import audit
from thuvien.core.models import User
from thuvien.core.permissions import Perm, require_perm
from thuvien.digital import ocfl
from thuvien.digital.blobstore import LocalStore
from thuvien.digital.conf import fixity_min_slice, ocfl_store
from thuvien.digital.models import DigitalObject, FixityCheck, Page

log = logging.getLogger(__name__)

EXTENSIONS = {"image/tiff": ".tif", "image/jpeg": ".jpg", "image/png": ".png", "image/jp2": ".jp2"}


def logical_name(page: Page) -> str:
    return f"{page.order:05d}{EXTENSIONS[page.mime]}"


def working_master(obj: DigitalObject, page: Page) -> Path:
    from thuvien.digital.processing import object_dir

    return object_dir(obj.uuid) / "masters" / logical_name(page)


def object_key(obj: DigitalObject) -> str:
    """The object's key in the storage root (`ocfl_store()`)."""
    return ocfl.object_key(obj.uuid)


def object_path(obj: DigitalObject) -> Path:
    """The object's directory, when the storage root is a local directory."""
    store = ocfl_store()
    if not isinstance(store, LocalStore):
        raise ocfl.OcflError(f"the OCFL storage root is not a directory: {store.describe()}")
    return store.path(object_key(obj))


def preserve(*, obj: DigitalObject, message: str, user: User | None,
             sources: dict[str, Path] | None = None) -> ocfl.Written:
    """Write the next OCFL version of `obj` from its working masters (in page order); `sources`
    ({logical name: file}) when the working files are not yet where the pages' order puts them."""
    pages = list(Page.objects.filter(obj=obj).order_by("order"))
    files = sources if sources is not None else {logical_name(p): working_master(obj, p) for p in pages}
    name = (user.get_full_name() or user.get_username()) if user is not None else "thuvien"
    address = f"mailto:{user.email}" if user is not None and user.email else ""
    # pages whose sha256 the object already holds are not read again (a reorder copies and reads nothing)
    written = ocfl.version_write(ocfl_store(), obj.uuid, files, message=message, user_name=name,
                                 user_address=address, known={logical_name(p): p.sha256 for p in pages if p.sha256})
    for p in pages:  # a file that was read must be what was ingested: a mismatch is damage, not a new page
        if p.sha256 and written.sha256[logical_name(p)] != p.sha256:
            raise ocfl.OcflError(f"working master of page {p.order} does not match its sha256")
    size = sum(path.stat().st_size for path in files.values())
    DigitalObject.objects.filter(pk=obj.pk).update(ocfl_version=written.version, master_bytes=size,
                                                   updated_at=timezone.now())
    obj.ocfl_version, obj.master_bytes = written.version, size
    return written


@dataclass
class CheckOutcome:
    obj: DigitalObject
    check: FixityCheck

    @property
    def ok(self) -> bool:
        return self.check.result != FixityCheck.Result.DAMAGED


def check_object(*, obj: DigitalObject) -> CheckOutcome:
    """Re-read the preservation copy of `obj`; log the check; mark the object damaged on any fault."""
    report = ocfl.fixity_check(ocfl_store(), object_key(obj))
    now = timezone.now()
    with transaction.atomic():
        check = FixityCheck.objects.create(obj=obj, result=FixityCheck.Result.OK if report.ok
                                           else FixityCheck.Result.DAMAGED, details=report.problems[:200],
                                           files=report.files, bytes=report.bytes, seconds=round(report.seconds, 3))
        if not report.ok and not obj.damaged:
            from thuvien.core.demo import system_user

            DigitalObject.objects.filter(pk=obj.pk).update(damaged=True, fixity_checked_at=now, manifest_cache="",
                                                           updated_at=now)
            obj.damaged = True
            audit(actor=system_user(), unit=obj.unit, action="digital.fixity_damage", obj=obj,
                  changes={"problems": report.problems[:20]})
            log.error("fixity: digital object %s is damaged: %s", obj.uuid, report.problems[:5])
        else:
            DigitalObject.objects.filter(pk=obj.pk).update(fixity_checked_at=now)  # not a change: time of the last check
        obj.fixity_checked_at = now
    return CheckOutcome(obj=obj, check=check)


def daily_slice_size(total: int) -> int:
    """Objects to check per day so each is re-read within a year: count/365, at least the minimum."""
    return min(total, max(fixity_min_slice(), math.ceil(total / 365)))


def objects_due(limit: int | None = None) -> list[DigitalObject]:
    """Preserved objects, longest unchecked first (never checked before anything else)."""
    qs = (DigitalObject.objects.filter(ocfl_version__gt=0).select_related("unit")
          .order_by(F("fixity_checked_at").asc(nulls_first=True), "pk"))
    return list(qs[:limit] if limit is not None else qs)


def fixity_scheduled() -> dict[str, object]:
    """The daily job: check the rolling slice; the summary goes to the scheduler's log."""
    total = DigitalObject.objects.filter(ocfl_version__gt=0).count()
    outcomes = [check_object(obj=o) for o in objects_due(daily_slice_size(total))]
    bad = [str(o.obj.uuid) for o in outcomes if not o.ok]
    return {"objects_checked": len(outcomes), "objects_total": total,
            "bytes": sum(o.check.bytes for o in outcomes), "damaged": len(bad), "damaged_objects": bad[:10]}


def object_repair(*, actor: User, obj: DigitalObject, sources: Iterable[Path] = ()) -> CheckOutcome:
    """Put back damaged content files of the preservation copy from a good copy (the working masters,
    or files from a restored backup given as `sources`: folders searched for files with the right
    sha512), then check again; the object is served again only when the check passes. Audited."""
    require_perm(actor, Perm.DIGITAL_EDIT, obj.unit)
    store, key = ocfl_store(), object_key(obj)
    report = ocfl.fixity_check(store, key)
    candidates: list[Path] = [working_master(obj, p) for p in obj.pages.order_by("order")]
    for folder in sources:
        candidates.extend(f for f in Path(folder).rglob("*") if f.is_file()) if Path(folder).is_dir() \
            else candidates.append(Path(folder))
    restored: list[str] = []
    unrepaired: list[str] = []
    if not store.exists(f"{key}/inventory.json"):
        preserve(obj=obj, message="Recreated from the working masters after loss", user=actor)
        restored.append("(object recreated)")
    for content in report.damaged:
        used = ocfl.restore_content(store, key, content, candidates)
        (restored if used is not None else unrepaired).append(content)
    after = ocfl.fixity_check(store, key)
    now = timezone.now()
    with transaction.atomic():
        check = FixityCheck.objects.create(
            obj=obj, result=FixityCheck.Result.REPAIRED if after.ok else FixityCheck.Result.DAMAGED,
            details=[f"restored {c}" for c in restored] + after.problems[:200], files=after.files,
            bytes=after.bytes, seconds=round(after.seconds, 3))
        DigitalObject.objects.filter(pk=obj.pk).update(damaged=not after.ok, fixity_checked_at=now,
                                                       manifest_cache="", updated_at=now)
        obj.damaged, obj.fixity_checked_at = not after.ok, now
        audit(actor=actor, unit=obj.unit, action="digital.repair", obj=obj,
              changes={"restored": restored, "unrepaired": unrepaired, "ok": after.ok})
    return CheckOutcome(obj=obj, check=check)


def working_master_fetch(*, obj: DigitalObject, page: Page) -> Path:
    """The page's working master, fetched from the preservation copy (streamed, sha512 checked) when the
    working file is missing, e.g. a server rebuilt with only its database and the bucket."""
    target = working_master(obj, page)
    if not target.exists():
        ocfl.master_get(ocfl_store(), object_key(obj), logical_name(page), target)
        log.warning("digital object %s: working master of page %s fetched from the preservation copy",
                    obj.uuid, page.order)
    return target
