"""Library calendars: closed weekdays, closed dates and Vietnamese public holidays (lunar Tết and
Hùng Kings day included), inherited down the tree. Due dates never fall on a closed day.

The government moves holidays most years (a bridge day off, worked back on a Saturday): those
are entered as closed dates and open dates (`circ.open_dates` wins over everything else)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings

from thuvien.circulation.conf import settings_many
from thuvien.circulation.lunar import hung_kings_day, tet

if TYPE_CHECKING:
    from thuvien.core.models import OrgUnit

CALENDAR_KEYS = ["circ.closed_weekdays", "circ.closed_dates", "circ.open_dates", "circ.public_holidays",
                 "circ.tet_days_before", "circ.tet_days_after"]


@lru_cache(maxsize=256)
def vn_public_holidays(year: int, tet_before: int = 1, tet_after: int = 5) -> frozenset[dt.date]:
    """Public holidays of Gregorian `year` under the Labour Code 2019 (art. 112): 1/1, Tết (lunar),
    Hùng Kings day (10/3 lunar), 30/4, 1/5, 1/9 and 2/9. Tết spans `tet_before` days before mùng 1
    and `tet_after` days from mùng 1; a Tết that straddles the year boundary is included."""
    days = {dt.date(year, 1, 1), dt.date(year, 4, 30), dt.date(year, 5, 1), dt.date(year, 9, 1),
            dt.date(year, 9, 2), hung_kings_day(year)}
    for y in (year, year + 1):
        first = tet(y)
        for offset in range(-tet_before, tet_after):
            d = first + dt.timedelta(days=offset)
            if d.year == year:
                days.add(d)
    return frozenset(days)


@dataclass
class LibraryCalendar:
    closed_weekdays: frozenset[int] = frozenset()
    closed_dates: frozenset[dt.date] = frozenset()
    open_dates: frozenset[dt.date] = frozenset()  # open even on a closed weekday or a holiday (make-up days)
    public_holidays: bool = True
    tet_before: int = 1
    tet_after: int = 5
    _years: dict[int, frozenset[dt.date]] = field(default_factory=dict, repr=False)

    def is_closed(self, day: dt.date) -> bool:
        if day in self.open_dates:
            return False
        if day.weekday() in self.closed_weekdays or day in self.closed_dates:
            return True
        if not self.public_holidays:
            return False
        if day.year not in self._years:
            self._years[day.year] = vn_public_holidays(day.year, self.tet_before, self.tet_after)
        return day in self._years[day.year]

    def next_open_day(self, day: dt.date) -> dt.date:
        """`day` itself when open, else the first open day after it (a year at most)."""
        for _ in range(366):
            if not self.is_closed(day):
                return day
            day += dt.timedelta(days=1)
        return day  # a library closed all year: give up rather than loop

    def due_date(self, start: dt.date, days: int) -> dt.date:
        return self.next_open_day(start + dt.timedelta(days=days))


def calendar_for(unit: OrgUnit) -> LibraryCalendar:
    """The effective calendar of `unit` (one query for all inherited settings)."""
    return calendar_from_settings(settings_many(unit, CALENDAR_KEYS))


def _dates(raw: list[Any] | None) -> frozenset[dt.date]:
    dates = set()
    for value in raw or []:
        try:
            dates.add(dt.date.fromisoformat(str(value)))
        except ValueError:  # a mistyped date in the settings: ignored, the rest still count
            continue
    return frozenset(dates)


def calendar_from_settings(values: dict[str, Any]) -> LibraryCalendar:
    """The calendar described by the effective values of CALENDAR_KEYS."""
    return LibraryCalendar(
        closed_weekdays=frozenset(int(d) for d in values["circ.closed_weekdays"] or []),
        closed_dates=_dates(values["circ.closed_dates"]),
        open_dates=_dates(values["circ.open_dates"]),
        public_holidays=bool(values["circ.public_holidays"]),
        tet_before=int(values["circ.tet_days_before"]),
        tet_after=int(values["circ.tet_days_after"]),
    )


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 local time on `day`, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=local_tz())


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(local_tz()).date()
