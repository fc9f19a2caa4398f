"""The ad-hoc report builder: one fact, grouped by up to two dimensions, filtered, from allow-lists
only. A spec is plain data ({"fact", "dims", "filters"}); nothing a user types reaches SQL except as
a parameter value, and field names come only from `DIMENSIONS` (Koha's wizard was injectable)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from thuvien.core.models import OrgUnit
from thuvien.reports import selectors as sel
from thuvien.reports.catalogue import DIM_TITLES, KINDS, Table, dim_label, dim_sort
from thuvien.reports.periods import Period

DIMENSIONS: dict[str, Any] = {**DIM_TITLES}
FILTER_DIMS = ("category", "age_band", "gender", "ethnicity", "ddc_class", "language")
MAX_DIMS = 2

def filter_choices(dim: str) -> list[tuple[str, str]] | None:
    """The values a filter on `dim` may take, with labels (None: free text, e.g. ethnicity)."""
    from thuvien.patrons.models import PatronCategory
    from thuvien.reports.catalogue import DDC_NAMES, GENDER_NAMES, LANG_NAMES
    from thuvien.reports.facts import AGE_BAND_CODES

    if dim == "category":
        return [(c.code, c.name) for c in PatronCategory.objects.order_by("sort_order", "code")]
    if dim == "age_band":
        return [(b, b) for b in AGE_BAND_CODES]
    if dim == "gender":
        return [(k, str(v)) for k, v in GENDER_NAMES.items() if k]
    if dim == "ddc_class":
        return [(k, str(v)) for k, v in DDC_NAMES.items() if k]
    if dim == "language":
        return [(k, str(v)) for k, v in LANG_NAMES.items() if k]
    return None


def builder_clean(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec, checked against the allow-lists; ValueError naming what is not allowed."""
    fact = spec.get("fact")
    if fact not in KINDS:
        raise ValueError(_("Chỉ tiêu không hợp lệ."))
    dims = [d for d in spec.get("dims", []) if d]
    if not 1 <= len(dims) <= MAX_DIMS or len(set(dims)) != len(dims) or any(d not in DIMENSIONS for d in dims):
        raise ValueError(_("Chọn một hoặc hai chiều phân tổ khác nhau trong danh sách."))
    filters = {k: str(v)[:60] for k, v in (spec.get("filters") or {}).items() if v not in (None, "")}
    if any(k not in FILTER_DIMS for k in filters):
        raise ValueError(_("Điều kiện lọc không hợp lệ."))
    return {"fact": fact, "dims": dims, "filters": filters}


def builder_run(*, unit: OrgUnit, period: Period, spec: dict[str, Any]) -> Table:
    """Run a (cleaned) spec over the unit's subtree; person-attribute cells under 3 are suppressed."""
    spec = builder_clean(spec)
    fact, dims, filters = spec["fact"], spec["dims"], spec["filters"]
    units = sel.subtree_ids(unit)
    if "unit" in dims:  # group by direct child subtree, not by every leaf unit
        return _by_child(unit, period, spec)
    values = sel.breakdown(units, period, fact, dims[0], dims[1] if len(dims) > 1 else None, filters)
    person = bool(sel.PERSON_DIMS & set(dims))
    title = _("%(what)s theo %(dims)s") % {"what": KINDS[fact], "dims": ", ".join(str(DIMENSIONS[d]) for d in dims)}
    if len(dims) == 1:
        shown = sel.suppress(values, dims[0])
        keys = sorted(shown, key=lambda k: dim_sort(dims[0], k))
        rows: list[list[Any]] = [[dim_label(dims[0], k), shown[k]] for k in keys]
        rows.append([_("Tổng cộng"), sum(values.values())])
        chart = {"type": "line" if dims[0] == "month" else "bar", "labels": [r[0] for r in rows[:-1]],
                 "series": [(str(KINDS[fact]), [r[1] if isinstance(r[1], int) else 0 for r in rows[:-1]])]}
        return Table(title, [str(DIMENSIONS[dims[0]]).capitalize(), str(KINDS[fact])], rows, chart,
                     _("Ô dưới 3 được ẩn để bảo vệ dữ liệu cá nhân.") if person else "")
    rows_keys = sorted({k[0] for k in values}, key=lambda k: dim_sort(dims[0], k))
    col_keys = sorted({k[1] for k in values}, key=lambda k: dim_sort(dims[1], k))
    rows = []
    for r in rows_keys:
        cells: list[Any] = []
        for c in col_keys:
            v = values.get((r, c), 0)
            cells.append(f"<{sel.SMALL_CELL}" if person and 0 < v < sel.SMALL_CELL else v)
        rows.append([dim_label(dims[0], r), *cells, sum(values.get((r, c), 0) for c in col_keys)])
    rows.append([_("Tổng cộng"), *[sum(values.get((r, c), 0) for r in rows_keys) for c in col_keys],
                 sum(values.values())])
    headers = [str(DIMENSIONS[dims[0]]).capitalize(), *[dim_label(dims[1], c) for c in col_keys], _("Tổng cộng")]
    chart2 = {"type": "bar", "labels": [r[0] for r in rows[:-1]],
              "series": [(headers[i + 1], [r[i + 1] if isinstance(r[i + 1], int) else 0 for r in rows[:-1]])
                         for i in range(len(col_keys))]}
    return Table(title, headers, rows, chart2, _("Ô dưới 3 được ẩn để bảo vệ dữ liệu cá nhân.") if person else "")


def _by_child(unit: OrgUnit, period: Period, spec: dict[str, Any]) -> Table:
    fact, filters = spec["fact"], spec["filters"]
    groups = [(f"{unit.name} ({_('trực tiếp')})", [unit.pk])] + [
        (child.name, sel.subtree_ids(child)) for child in sel.children_of(unit)]
    rows: list[list[Any]] = []
    for name, ids in groups:
        n = sum(sel.breakdown(ids, period, fact, "kind", None, filters).values()) if ids else 0
        rows.append([name, n])
    rows = [r for r in rows if r[1] or r is not rows[0]]
    rows.append([_("Tổng cộng"), sum(r[1] for r in rows)])
    chart = {"type": "bar", "labels": [r[0] for r in rows[:-1]], "series": [(str(KINDS[fact]), [r[1] for r in rows[:-1]])]}
    return Table(_("%(what)s theo đơn vị") % {"what": KINDS[fact]}, [_("Đơn vị"), str(KINDS[fact])], rows, chart)
