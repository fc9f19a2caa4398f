"""Reads for reports: figures from the roll-ups and the catalogue for a unit's subtree and a period.

Every function takes unit ids (a subtree, from `subtree_ids`) so a parent's figure is by construction
the sum of its own and its children's; `tests/test_figures.py` checks it against direct counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext as _

from thuvien.catalog.models import Item, ItemStatus
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, has_perm, scope_q
from thuvien.reports.facts import AGE_BAND_CODES, HCM, age_band
from thuvien.reports.models import DailyRollup, MonthlyRollup, SavedReport, UnitYearData
from thuvien.reports.periods import Period

SMALL_CELL = 3  # person-attribute cells under this are suppressed
PERSON_DIMS = {"category", "age_band", "gender", "ethnicity"}
GONE = (ItemStatus.WITHDRAWN, ItemStatus.LOST, ItemStatus.MISSING)


def report_units(user: User) -> list[OrgUnit]:
    """The units whose subtree `user` may report on (the tops of their report.view grants first)."""
    return list(OrgUnit.objects.filter(scope_q(user, Perm.REPORT_VIEW), is_active=True)
                .select_related("kind").order_by("path"))


def report_unit_get(*, user: User, code: str | None) -> OrgUnit:
    """The unit to report on: `code` if the user may see it, else their widest report unit."""
    if code:
        unit = OrgUnit.objects.select_related("kind").filter(code=code).first()
        if unit is None or not has_perm(user, Perm.REPORT_VIEW, unit):
            raise PermissionDenied(_("Bạn không có quyền xem báo cáo của đơn vị này."))
        return unit
    units = report_units(user)
    if not units:
        raise PermissionDenied(_("Bạn không có quyền xem báo cáo."))
    return min(units, key=lambda u: (u.depth, u.path))


def subtree_ids(unit: OrgUnit) -> list[int]:
    """Ids of `unit` and every unit under it (one indexed path-prefix query)."""
    return list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def _full_months(period: Period) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """Months wholly inside the period, and the partial day ranges at its edges."""
    full, edges = [], []
    for m in period.months():
        end = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        a, b = max(m, period.first), min(end, period.last)
        if a == m and b == end:
            full.append(m)
        else:
            edges.append((a, b))
    return full, edges


def totals(units: list[int], period: Period, kinds: list[str] | None = None) -> dict[str, int]:
    """{kind: count} over the units and period: whole months from MonthlyRollup, edges from DailyRollup."""
    full, edges = _full_months(period)
    out: dict[str, int] = defaultdict(int)
    if full:
        qs = MonthlyRollup.objects.filter(unit_id__in=units, month__in=full)
        if kinds:
            qs = qs.filter(kind__in=kinds)
        for kind, n in qs.values_list("kind").annotate(n=Sum("count")).order_by().values_list("kind", "n"):
            out[kind] += n
    for a, b in edges:
        qs2 = DailyRollup.objects.filter(unit_id__in=units, day__gte=a, day__lte=b)
        if kinds:
            qs2 = qs2.filter(kind__in=kinds)
        for kind, n in qs2.values_list("kind").annotate(n=Sum("count")).order_by().values_list("kind", "n"):
            out[kind] += n
    return dict(out)


def totals_by_unit(units: list[int], period: Period, kinds: list[str]) -> dict[int, dict[str, int]]:
    """{unit id: {kind: count}} for each unit itself (not its subtree), in two or three queries."""
    full, edges = _full_months(period)
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if full:
        rows = (MonthlyRollup.objects.filter(unit_id__in=units, month__in=full, kind__in=kinds)
                .values_list("unit_id", "kind").annotate(n=Sum("count")).order_by())
        for unit_id, kind, n in rows.values_list("unit_id", "kind", "n"):
            out[unit_id][kind] += n
    for a, b in edges:
        rows2 = (DailyRollup.objects.filter(unit_id__in=units, day__gte=a, day__lte=b, kind__in=kinds)
                 .values_list("unit_id", "kind").annotate(n=Sum("count")).order_by())
        for unit_id, kind, n in rows2.values_list("unit_id", "kind", "n"):
            out[unit_id][kind] += n
    return out


def breakdown(units: list[int], period: Period, kind: str, dim: str, dim2: str | None = None,
              filters: dict[str, str] | None = None) -> dict[Any, int]:
    """{value: count} (or {(value, value2): count}) of one kind by one or two roll-up dimensions."""
    qs = DailyRollup.objects.filter(unit_id__in=units, day__gte=period.first, day__lte=period.last, kind=kind)
    for k, v in (filters or {}).items():
        qs = qs.filter(**{k: v})
    fields = [_dim_field(dim)] + ([_dim_field(dim2)] if dim2 else [])
    rows = qs.values(*fields).annotate(n=Sum("count")).order_by()
    out: dict[Any, int] = {}
    for r in rows:
        key = tuple(r[f] for f in fields) if dim2 else r[fields[0]]
        out[key] = out.get(key, 0) + r["n"]
    return out


def _dim_field(dim: str) -> str:
    if dim == "month":
        return "day__month"
    if dim == "unit":
        return "unit_id"
    return dim


def monthly_series_many(units: list[int], period: Period, kinds: list[str]) -> dict[str, dict[dt.date, int]]:
    """{kind: {first day of month: count}} for every month of the period, all kinds in one query
    (plus one per partial edge month)."""
    values = {k: dict.fromkeys(period.months(), 0) for k in kinds}
    full, edges = _full_months(period)
    if full:
        rows = (MonthlyRollup.objects.filter(unit_id__in=units, month__in=full, kind__in=kinds)
                .values_list("kind", "month").annotate(n=Sum("count")).order_by())
        for kind, month, n in rows.values_list("kind", "month", "n"):
            values[kind][month] += n
    for a, b in edges:
        rows2 = (DailyRollup.objects.filter(unit_id__in=units, day__gte=a, day__lte=b, kind__in=kinds)
                 .values_list("kind").annotate(n=Sum("count")).order_by())
        for kind, n in rows2.values_list("kind", "n"):
            values[kind][a.replace(day=1)] += n
    return values


def suppress(values: dict[Any, int], dim: str) -> dict[Any, int | str]:
    """Person-attribute cells under SMALL_CELL become the text "<3" (never a number that identifies)."""
    if dim not in PERSON_DIMS:
        return dict(values)
    return {k: (v if v >= SMALL_CELL or v == 0 else f"<{SMALL_CELL}") for k, v in values.items()}


def children_of(unit: OrgUnit) -> list[OrgUnit]:
    """The active direct children of `unit`, in tree order."""
    return list(unit.children.filter(is_active=True).select_related("kind").order_by("path"))


# -- catalogue and readers (current state, not events) ------------------------------------------

def collection_items(units: list[int], as_of: dt.date) -> Any:
    """Items held on `as_of` (acquired by then, not withdrawn, lost or missing)."""
    return (Item.objects.filter(library_id__in=units).exclude(status__in=GONE)
            .filter(Q(acquired_on__lte=as_of) | Q(acquired_on__isnull=True, created_at__date__lte=as_of)))


def collection_figures(units: list[int], period: Period) -> dict[str, int]:
    """Copies and titles held at the period's end, and copies added during it, in one query."""
    held = (~Q(status__in=GONE) & (Q(acquired_on__lte=period.last)
                                   | Q(acquired_on__isnull=True, created_at__date__lte=period.last)))
    return Item.objects.filter(library_id__in=units).aggregate(
        copies=Count("pk", filter=held), titles=Count("record_id", filter=held, distinct=True),
        additions=Count("pk", filter=Q(acquired_on__gte=period.first, acquired_on__lte=period.last)))


def collection_by(units: list[int], as_of: dt.date, dim: str) -> dict[str, int]:
    """Copies held by DDC class, language, material type, year added or acquisition source."""
    qs = collection_items(units, as_of)
    if dim == "ddc_class":
        out: dict[str, int] = defaultdict(int)
        for ddc, n in qs.values_list("record__ddc").annotate(n=Count("pk")).order_by().values_list("record__ddc", "n"):
            out[(ddc or "").strip()[:1] if (ddc or "").strip()[:1].isdigit() else ""] += n
        return dict(out)
    field = {"language": "record__language", "material_type": "record__material_type",
             "source": "acquisition_source"}.get(dim)
    if dim == "year_added":
        rows = qs.annotate(y=Coalesce(ExtractYear("acquired_on"), ExtractYear("created_at"))).values_list("y")
        return {str(y): n for y, n in rows.annotate(n=Count("pk")).order_by().values_list("y", "n")}
    if field is None:
        raise ValueError(dim)
    return {(v or ""): n for v, n in qs.values_list(field).annotate(n=Count("pk")).order_by().values_list(field, "n")}


def unit_counts_by_kind(unit: OrgUnit) -> list[tuple[str, int]]:
    """[(kind name, number of active units)] in `unit`'s subtree, the network root itself left out."""
    rows = (OrgUnit.objects.filter(path__startswith=unit.path, is_active=True).exclude(kind__code="network")
            .values_list("kind__name").annotate(n=Count("pk")).order_by("kind__sort_order"))
    return [(str(name), n) for name, n in rows.values_list("kind__name", "n")]


def year_data(units: list[int], year: int) -> dict[str, Decimal]:
    """Population, expenditure, staff, seats and digitisation target summed over the units for a year."""
    agg = UnitYearData.objects.filter(unit_id__in=units, year=year).aggregate(
        population=Coalesce(Sum("population"), 0), expenditure=Coalesce(Sum("expenditure"), Decimal(0)),
        staff=Coalesce(Sum("staff"), Decimal(0)), seats=Coalesce(Sum("seats"), 0),
        digitisation_target=Coalesce(Sum("digitisation_target"), 0))
    return {k: Decimal(v) for k, v in agg.items()}


def readers(units: list[int], period: Period) -> Any:
    """Readers registered at the units (the period narrows nothing here; callers filter)."""
    from thuvien.patrons.models import Patron

    return Patron.objects.filter(home_library_id__in=units)


def reader_figures(units: list[int], period: Period) -> dict[str, int]:
    """Registered (card valid at the period's end), new in the period, expired in the period."""
    end = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(0), tzinfo=HCM)
    start = dt.datetime.combine(period.first, dt.time(0), tzinfo=HCM)
    return readers(units, period).aggregate(  # one query
        registered=Count("pk", filter=Q(created_at__lt=end, expires_on__gte=period.last, status="active")),
        new=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        expired=Count("pk", filter=Q(expires_on__gte=period.first, expires_on__lte=period.last)))


def reader_breakdown(units: list[int], period: Period, dim: str) -> dict[str, int]:
    """Registered readers by category, age band, gender or ethnicity (before suppression)."""
    end = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(0), tzinfo=HCM)
    qs = readers(units, period).filter(created_at__lt=end, expires_on__gte=period.last, status="active")
    if dim == "age_band":
        out = dict.fromkeys(AGE_BAND_CODES, 0)
        for birth in qs.values_list("birth_date", flat=True).iterator():
            band = age_band(birth, period.last)
            out[band] = out.get(band, 0) + 1
        return {k: v for k, v in out.items() if v}
    field = {"category": "category__name", "gender": "gender", "ethnicity": "ethnicity"}[dim]
    return {(v or ""): n for v, n in qs.values_list(field).annotate(n=Count("pk")).order_by().values_list(field, "n")}


def saved_reports_for(user: User) -> list[SavedReport]:
    """Saved builder reports the user may open: their own, and shared ones in units they report on."""
    mine = Q(owner=user)
    shared = Q(shared=True) & Q(pk__in=SavedReport.objects.filter(
        **{}).filter(scope_q(user, Perm.REPORT_VIEW, "unit__")).values("pk"))
    return list(SavedReport.objects.filter(mine | shared).select_related("unit"))


DASHBOARD_KINDS = ["visit", "loan", "in_house", "card_new", "digital_view", "portal_visit"]


def dashboard(*, user: User, today: dt.date | None = None) -> dict[str, Any] | None:
    """This month so far against last month and the same month last year, for the user's widest
    report unit; None when the user may not see reports."""
    from thuvien.reports.facts import KINDS
    from thuvien.reports.periods import Period

    units = report_units(user)
    if not units:
        return None
    unit = min(units, key=lambda u: (u.depth, u.path))
    today = today or dt.datetime.now(tz=HCM).date()
    this = Period(today.replace(day=1), today, "range")
    last_first = (this.first - dt.timedelta(days=1)).replace(day=1)
    last = Period(last_first, this.first - dt.timedelta(days=1), "month")
    year_ago = Period(this.first.replace(year=this.first.year - 1),
                      (this.first.replace(year=this.first.year - 1) + dt.timedelta(days=32)).replace(day=1)
                      - dt.timedelta(days=1), "month")
    ids = subtree_ids(unit)
    a, b, c = (totals(ids, p, DASHBOARD_KINDS) for p in (this, last, year_ago))
    rows = [{"kind": k, "label": KINDS[k], "this": a.get(k, 0), "last": b.get(k, 0), "year_ago": c.get(k, 0)}
            for k in DASHBOARD_KINDS]
    return {"unit": unit, "this": this, "last": last, "year_ago": year_ago, "rows": rows}
