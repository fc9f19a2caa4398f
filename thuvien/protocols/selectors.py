"""Reads the protocol layers need: pages of records in id order, set membership, repository facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from thuvien.catalog.models import BibRecord, Item
from thuvien.core.models import OrgUnit
from thuvien.digital import selectors as digital

LIBRARY_SET = "library"
DIGITAL_SET = digital.DIGITAL_SET
TYPE_SET = "type"


@dataclass(frozen=True)
class RecordRow:
    """What a protocol needs of one record: id, datestamp, deletion flag, MARC-in-JSON and set specs."""

    id: int
    datestamp: datetime
    deleted: bool
    marc: dict[str, Any]
    sets: tuple[str, ...] = field(default_factory=tuple)


def record_datestamp(updated_at: datetime, deleted_at: datetime | None) -> datetime:
    return max(updated_at, deleted_at) if deleted_at else updated_at


def _set_q(spec: str) -> Q | None:
    """Q for an OAI set spec, or None when the spec names nothing we have."""
    kind, _, value = spec.partition(":")
    if kind == LIBRARY_SET:
        if not value:
            return Q(owner__isnull=False) | Q(pk__in=Item.objects.values("record_id"))
        unit = OrgUnit.objects.filter(code=value).only("path").first()
        if unit is None:
            return None
        return Q(owner__path__startswith=unit.path) | Q(
            pk__in=Item.objects.filter(library__path__startswith=unit.path).values("record_id"))
    if kind == TYPE_SET:
        return ~Q(material_type="") if not value else Q(material_type=value)
    if kind == DIGITAL_SET:
        if value and digital.collection_get(code=value) is None:
            return None
        return Q(pk__in=digital.records_in_collection(value))
    return None


def set_exists(spec: str) -> bool:
    return _set_q(spec) is not None


def harvest_queryset(*, set_spec: str = "", since: datetime | None = None,
                     before: datetime | None = None) -> QuerySet[BibRecord] | None:
    """Records (deleted ones too) in a set whose datestamp is >= since and < before; None: unknown set."""
    qs = BibRecord.objects.all()
    if set_spec:
        q = _set_q(set_spec)
        if q is None:
            return None
        qs = qs.filter(q)
    if since is not None:
        qs = qs.filter(Q(updated_at__gte=since) | Q(deleted_at__gte=since))
    if before is not None:
        qs = qs.filter(updated_at__lt=before).exclude(deleted_at__gte=before)
    return qs


def record_rows(qs: QuerySet[BibRecord], *, after_id: int, limit: int, with_marc: bool) -> list[RecordRow]:
    """One page of `qs` in id order after `after_id`, with set specs, in at most three queries."""
    cols = ["id", "updated_at", "deleted_at", "is_deleted", "material_type", "owner__code"]
    if with_marc:
        cols.append("marc")
    rows = list(qs.filter(pk__gt=after_id).order_by("pk").values(*cols)[:limit])
    return _with_sets(rows, with_marc=with_marc)


def record_row(pk: int) -> RecordRow | None:
    rows = list(BibRecord.objects.filter(pk=pk).values(
        "id", "updated_at", "deleted_at", "is_deleted", "material_type", "owner__code", "marc"))
    return _with_sets(rows, with_marc=True)[0] if rows else None


def _with_sets(rows: Sequence[Mapping[str, Any]], *, with_marc: bool) -> list[RecordRow]:
    holders: dict[int, set[str]] = {}
    if rows:
        pairs = (Item.objects.filter(record_id__in=[r["id"] for r in rows])
                 .values_list("record_id", "library__code").distinct())
        for rid, code in pairs:
            holders.setdefault(rid, set()).add(code)
    extra = digital.oai_digital(record_ids=[r["id"] for r in rows],
                                base_url=str(getattr(settings, "THUVIEN_BASE_URL", "")))
    out = []
    for r in rows:
        codes = holders.get(r["id"], set())
        if r["owner__code"]:
            codes = codes | {r["owner__code"]}
        sets = [f"{LIBRARY_SET}:{c}" for c in sorted(codes)]
        if r["material_type"]:
            sets.append(f"{TYPE_SET}:{r['material_type']}")
        marc = r["marc"] if with_marc else {}
        if r["id"] in extra:  # digital copies: their sets, and 856/506/540 fields for the manifest and access
            digital_sets, fields = extra[r["id"]]
            sets.extend(digital_sets)
            if marc:
                marc = {**marc, "fields": [*marc.get("fields", []), *fields]}
        out.append(RecordRow(
            id=r["id"], datestamp=record_datestamp(r["updated_at"], r["deleted_at"]),
            deleted=bool(r["is_deleted"]), marc=marc, sets=tuple(sets),
        ))
    return out


def earliest_datestamp() -> datetime:
    value = BibRecord.objects.aggregate(m=Min("updated_at"))["m"]
    return value or timezone.now()


def latest_datestamp() -> datetime | None:
    agg = BibRecord.objects.aggregate(u=Max("updated_at"), d=Max("deleted_at"))
    stamps = [s for s in (agg["u"], agg["d"]) if s]
    return max(stamps) if stamps else None


def library_sets(*, offset: int = 0, limit: int | None = None) -> list[tuple[str, str]]:
    """(code, name) of the active units, in tree order, for ListSets (a slice of them with offset/limit)."""
    qs = OrgUnit.objects.filter(is_active=True).order_by("path", "pk").values_list("code", "name")
    return list(qs[offset:] if limit is None else qs[offset:offset + limit])


def library_set_count() -> int:
    return OrgUnit.objects.filter(is_active=True).count()


def material_types() -> list[str]:
    return list(BibRecord.objects.exclude(material_type="").order_by("material_type")
                .values_list("material_type", flat=True).distinct())


def repository_identifier() -> str:
    """The repository part of OAI identifiers (THUVIEN_OAI_REPOSITORY_ID, else derived from the root unit)."""
    configured = getattr(settings, "THUVIEN_OAI_REPOSITORY_ID", "")
    if configured:
        return str(configured)
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").values_list("code", flat=True).first()
    code = "".join(ch for ch in (root or "").lower() if ch.isalnum() or ch == "-").strip("-")
    if code and code[0].isalpha():
        return f"{code}.thuvien"
    return "thuvien.local"


def repository_name() -> str:
    configured = getattr(settings, "THUVIEN_OAI_REPOSITORY_NAME", "")
    if configured:
        return str(configured)
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").values_list("name", flat=True).first()
    return root or "thuvien"
