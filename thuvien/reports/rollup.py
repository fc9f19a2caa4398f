"""Daily and monthly roll-ups of `core.ActivityEvent`, the tables every report reads.

A day is rolled up by recomputing it entirely from its events (delete + insert), so doing it twice
changes nothing; the month it belongs to is then re-summed from its days. The scheduled job rolls up
every day that received events since the last run (`RollupState.last_event_id`) plus today and
yesterday, which also catches events whose transaction committed after a later id was seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import CharField, Max, Min, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from thuvien.core.models import ActivityEvent
from thuvien.reports.facts import HCM, TAGS, count_expr, day_bounds
from thuvien.reports.models import DailyRollup, MonthlyRollup, RollupState

BATCH = 5000
TAG_LENGTHS = {"category": 40, "age_band": 10, "gender": 1, "ethnicity": 60, "ddc_class": 1, "language": 3}


def _months(days: Iterable[dt.date]) -> set[dt.date]:
    return {d.replace(day=1) for d in days}


def _month_end(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


@transaction.atomic
def rollup_range(first: dt.date, last: dt.date) -> int:
    """Recompute the daily roll-ups of [first, last] and the monthly ones of the months they touch.
    Returns the number of daily rows written."""
    start, end = day_bounds(first, last)
    # one roll-up at a time (the hourly job and a rebuild must not both delete-then-insert a day)
    RollupState.objects.get_or_create(pk=1)
    list(RollupState.objects.select_for_update().filter(pk=1))
    DailyRollup.objects.filter(day__gte=first, day__lte=last).delete()
    tags = {t: Coalesce(KeyTextTransform(t, "attributes"), Value(""), output_field=CharField()) for t in TAGS}
    rows = (ActivityEvent.objects.filter(at__gte=start, at__lt=end, unit__isnull=False)
            .annotate(d=TruncDate("at", tzinfo=HCM), **{f"t_{k}": v for k, v in tags.items()})
            .values("d", "unit_id", "kind", *(f"t_{k}" for k in TAGS))
            .annotate(n=Sum(count_expr())).order_by())
    # one INSERT ... SELECT: the grouped rows never come through Python
    sql, params = rows.query.sql_with_params()
    table = DailyRollup._meta.db_table
    columns = ", ".join(["day", "unit_id", "kind", *TAGS, "count"])
    picked = ", ".join(["d", "unit_id", "kind", *(f"SUBSTR(t_{k}, 1, {TAG_LENGTHS[k]})" for k in TAGS), "n"])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {picked} FROM ({sql}) grouped WHERE n <> 0",  # noqa: S608
                       params)
        written = cursor.rowcount
    d = first
    months = set()
    while d <= last:
        months.add(d.replace(day=1))
        d += dt.timedelta(days=1)
    for month in sorted(months):
        _rollup_month(month)
    return written


def _rollup_month(month: dt.date) -> None:
    MonthlyRollup.objects.filter(month=month).delete()
    sums = (DailyRollup.objects.filter(day__gte=month, day__lte=_month_end(month))
            .values("unit_id", "kind").annotate(n=Sum("count")).order_by())
    MonthlyRollup.objects.bulk_create([MonthlyRollup(month=month, unit_id=s["unit_id"], kind=s["kind"], count=s["n"])
                                       for s in sums if s["n"]])


def rollup_pending(today: dt.date | None = None) -> dict[str, int]:
    """Roll up every day that received events since the last run, and today and yesterday."""
    today = today or dt.datetime.now(tz=HCM).date()
    state, _ = RollupState.objects.get_or_create(pk=1)
    top = ActivityEvent.objects.aggregate(m=Max("id"))["m"] or 0
    days = {today, today - dt.timedelta(days=1)}
    if top > state.last_event_id:
        new = ActivityEvent.objects.filter(id__gt=state.last_event_id, id__lte=top)
        days |= set(new.annotate(d=TruncDate("at", tzinfo=HCM)).values_list("d", flat=True).distinct())
    rows = 0
    for day in sorted(days):
        rows += rollup_range(day, day)
    RollupState.objects.filter(pk=1).update(last_event_id=top, updated_at=timezone.now())
    return {"days": len(days), "rows": rows, "last_event_id": top}


def rollup_rebuild() -> dict[str, int]:
    """Drop every roll-up and recompute them from all events, a month at a time."""
    top = ActivityEvent.objects.aggregate(m=Max("id"))["m"] or 0
    DailyRollup.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    span = ActivityEvent.objects.aggregate(first=Min("at"), last=Max("at"))
    rows = months = 0
    if span["first"] is not None:
        month = span["first"].astimezone(HCM).date().replace(day=1)
        last = span["last"].astimezone(HCM).date()
        while month <= last:
            rows += rollup_range(month, _month_end(month))
            months += 1
            month = _month_end(month) + dt.timedelta(days=1)
    RollupState.objects.update_or_create(pk=1, defaults={"last_event_id": top})
    return {"months": months, "rows": rows, "last_event_id": top}
