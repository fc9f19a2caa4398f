"""API endpoints for statistics: gate counters post a day's visits (setting the same count again
writes nothing, so a retried request is harmless), and any catalogue report as JSON. Session
authentication with CSRF, like the other staff endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from thuvien.core.models import OrgUnit, User
from thuvien.reports.catalogue import REPORTS, report_build
from thuvien.reports.facts import HCM, visit_count_set
from thuvien.reports.periods import period_parse
from thuvien.reports.selectors import report_unit_get

router = Router(tags=["reports"], auth=django_auth)


class VisitsIn(Schema):
    unit: str
    day: dt.date
    count: int
    source: Literal["gate", "manual"] = "gate"


class VisitsOut(Schema):
    unit: str
    day: dt.date
    source: str
    count: int
    change: int


class TableOut(Schema):
    title: str
    headers: list[str]
    rows: list[list[Any]]
    note: str


class ReportOut(Schema):
    name: str
    title: str
    unit: str
    period: str
    previous: str
    tables: list[TableOut]


class Problem(Schema):
    detail: str


@router.post("/reports/visits", response={200: VisitsOut, 400: Problem, 403: Problem, 404: Problem})
def visits_set(request: HttpRequest, payload: VisitsIn):  # type: ignore[no-untyped-def]
    """Set the visits of a unit on a day from one source (a gate counter or a head count)."""
    unit = OrgUnit.objects.filter(code=payload.unit).first()
    if unit is None:
        return Status(404, Problem(detail=f"Không có đơn vị {payload.unit}."))
    user = request.user
    assert isinstance(user, User)
    try:
        change = visit_count_set(actor=user, unit=unit, day=payload.day, count=payload.count, source=payload.source)
    except PermissionDenied as exc:
        return Status(403, Problem(detail=str(exc)))
    except ValueError as exc:
        return Status(400, Problem(detail=str(exc)))
    return VisitsOut(unit=unit.code, day=payload.day, source=payload.source, count=payload.count, change=change)


@router.get("/reports/{name}", response={200: ReportOut, 400: Problem, 403: Problem, 404: Problem})
def report_get(request: HttpRequest, name: str, unit: str = "", period: str = ""):  # type: ignore[no-untyped-def]
    """A catalogue report (annual, iso, circulation, collection, readers) as JSON tables."""
    if name not in REPORTS:
        return Status(404, Problem(detail=f"Không có báo cáo {name}."))
    user = request.user
    assert isinstance(user, User)
    try:
        target = report_unit_get(user=user, code=unit or None)
        parsed = period_parse(period or str(dt.datetime.now(tz=HCM).year))
    except PermissionDenied as exc:
        return Status(403, Problem(detail=str(exc)))
    except ValueError as exc:
        return Status(400, Problem(detail=str(exc)))
    report = report_build(name=name, unit=target, period=parsed)
    return ReportOut(name=name, title=report.title, unit=target.code, period=parsed.code,
                     previous=report.previous.code,
                     tables=[TableOut(title=t.title, headers=t.headers, note=t.note,
                                      rows=[[_json(v) for v in r] for r in t.rows]) for t in report.tables])


def _json(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
