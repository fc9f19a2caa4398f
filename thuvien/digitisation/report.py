"""The "digitisation progress" statistics report (registered in the reports catalogue as
`digitisation`): targets and progress by collection, titles and pages published in the period by
collection, library and year, and the views and downloads of the digital objects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from thuvien.core.models import ActivityEvent, OrgUnit
from thuvien.digitisation import selectors as sel
from thuvien.digitisation.models import Project, State


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(first, dt.time(0), tzinfo=sel.HCM),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=sel.HCM))


def _target_text(t: Any) -> str:
    value = f"{t.value:,}".replace(",", ".")
    text = f"{value}%" if t.measure == "percent" else f"{value} {t.get_measure_display()}"
    return f"{text} · {t.phase}" if t.phase else text


def tables(unit: OrgUnit, first: dt.date, last: dt.date, *, projects: list[Project] | None = None) -> list[Any]:
    """The report's tables for `unit`'s subtree (or only `projects`) over first..last."""
    from thuvien.reports.catalogue import Table
    from thuvien.reports.periods import Period
    from thuvien.reports.selectors import subtree_ids, totals

    units = subtree_ids(unit)
    if projects is None:
        projects = list(sel.projects_in_units(units))
    start, end = _bounds(first, last)
    coll_ids = [p.collection_id for p in projects]

    targets = Table(_("1. Tiến độ so với chỉ tiêu"),
                    [_("Bộ sưu tập: chỉ tiêu"), _("Hạn"), _("Đã đạt"), _("Đạt (% chỉ tiêu)")], [])
    labels = []
    for p in projects:
        progress = sel.project_progress(project=p)
        for tp in progress["targets"]:
            done = f"{tp.done:g}%".replace(".", ",") if tp.target.measure == "percent" else tp.done
            targets.rows.append([f"{p.collection.name}: {_target_text(tp.target)}", f"{tp.target.deadline:%d/%m/%Y}",
                                 done, tp.percent])
            labels.append(f"{p.collection.name} ({_target_text(tp.target).split(' · ')[0]})")
    if targets.rows:
        targets.chart = {"type": "bar", "labels": labels,
                         "series": [(_("Đạt (% chỉ tiêu)"), [r[3] for r in targets.rows])]}

    published = sel.published_between(units, start, end).filter(project__in=projects)
    by_coll: dict[int, dict[str, Any]] = {row["project__collection_id"]: dict(row) for row in published.values("project__collection_id")
               .annotate(titles=Count("pk"), pages=Sum("pages"))}
    views = ActivityEvent.objects.filter(unit_id__in=units, at__gte=start, at__lt=end)
    per_coll = Table(_("2. Số hoá và sử dụng trong kỳ theo bộ sưu tập"),
                     [_("Bộ sưu tập"), _("Đầu tài liệu công bố"), _("Trang công bố"), _("Lượt xem"), _("Lượt tải")],
                     [])
    for p in projects:
        row = by_coll.get(p.collection_id, {})
        mine = views.filter(attributes__collection=p.collection_id)
        per_coll.rows.append([p.collection.name, int(row.get("titles") or 0), int(row.get("pages") or 0),
                              mine.filter(kind="digital_view").count(), mine.filter(kind="digital_download").count()])
    per_coll.rows.append([_("Tổng cộng")] + [sum(r[i] for r in per_coll.rows) for i in range(1, 5)])

    by_lib = {r["project__collection__unit__name"]: r for r in published
              .values("project__collection__unit__name").annotate(titles=Count("pk"), pages=Sum("pages"))}
    use = totals(units, Period(first, last, "range"), ["digital_view", "digital_download"])
    per_lib = Table(_("3. Theo thư viện"), [_("Thư viện"), _("Đầu tài liệu công bố"), _("Trang công bố")],
                    [[name, int(r["titles"] or 0), int(r["pages"] or 0)] for name, r in sorted(by_lib.items())])
    per_lib.rows.append([_("Tổng cộng"), sum(r[1] for r in per_lib.rows), sum(r[2] for r in per_lib.rows)])
    per_lib.note = _("Toàn đơn vị trong kỳ: %(v)s lượt xem, %(d)s lượt tải tài liệu số.") % {
        "v": use.get("digital_view", 0), "d": use.get("digital_download", 0)}

    yearly = (sel.published_between(units, dt.datetime(2000, 1, 1, tzinfo=sel.HCM), end)
              .filter(project__collection_id__in=coll_ids)
              .annotate(y=ExtractYear("published_at", tzinfo=sel.HCM)).values("y")
              .annotate(titles=Count("pk"), pages=Sum("pages")).order_by("y"))
    per_year = Table(_("4. Theo năm công bố (luỹ kế đến cuối kỳ)"), [_("Năm"), _("Đầu tài liệu"), _("Trang")],
                     [[str(r["y"]), int(r["titles"]), int(r["pages"] or 0)] for r in yearly])
    per_year.rows.append([_("Tổng cộng"), sum(r[1] for r in per_year.rows), sum(r[2] for r in per_year.rows)])
    per_year.chart = None if len(per_year.rows) < 2 else {"type": "bar", "labels": [r[0] for r in per_year.rows[:-1]],
                      "series": [(_("Đầu tài liệu"), [r[1] for r in per_year.rows[:-1]])]}

    states = Table(_("5. Tài liệu theo bước quy trình (hiện tại)"), [_("Bước"), _("Số tài liệu")], [])
    counts = dict(sel.PlanItem.objects.filter(project__in=projects).values_list("state")
                  .annotate(n=Count("pk")).values_list("state", "n"))
    states.rows = [[str(State(s).label), counts.get(s, 0)] for s in sel.ORDER]
    states.rows.append([_("Tổng cộng"), sum(counts.values())])
    return [targets, per_coll, per_lib, per_year, states]


def catalogue_tables(unit: OrgUnit, period: Any) -> list[Any]:
    """The catalogue's entry point: (unit, Period) -> tables."""
    return tables(unit, period.first, period.last)


def project_report(*, project: Project, period: Any) -> Any:
    """The printable progress report of one collection (rendered by reports.exports: pdf, xlsx, csv)."""
    from thuvien.reports.catalogue import Report

    unit = project.collection.unit
    return Report(name="digitisation", title=_("Báo cáo tiến độ số hoá: %(c)s") % {"c": project.collection.name},
                  unit=unit, period=period, previous=period.previous(),
                  tables=tables(unit, period.first, period.last, projects=[project]))
