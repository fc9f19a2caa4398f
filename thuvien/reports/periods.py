"""Report periods: a year, a quarter, a month or a range of days, and the period before it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    kind: str  # year | quarter | month | range

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.first.year}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Năm %(y)s") % {"y": self.first.year}
        if self.kind == "quarter":
            return _("Quý %(q)s/%(y)s") % {"q": (self.first.month - 1) // 3 + 1, "y": self.first.year}
        if self.kind == "month":
            return _("Tháng %(m)s/%(y)s") % {"m": self.first.month, "y": self.first.year}
        return _("Từ %(a)s đến %(b)s") % {"a": f"{self.first:%d/%m/%Y}", "b": f"{self.last:%d/%m/%Y}"}

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period just before: the previous year, quarter or month, or as many days before."""
        if self.kind in ("year", "quarter", "month"):
            months = {"year": 12, "quarter": 3, "month": 1}[self.kind]
            first = _add_months(self.first, -months)
            return Period(first, _add_months(first, months) - dt.timedelta(days=1), self.kind)
        return Period(self.first - dt.timedelta(days=self.days), self.first - dt.timedelta(days=1), "range")

    def same_last_year(self) -> Period:
        first = _add_months(self.first, -12)
        if self.kind in ("year", "quarter", "month"):
            months = {"year": 12, "quarter": 3, "month": 1}[self.kind]
            return Period(first, _add_months(first, months) - dt.timedelta(days=1), self.kind)
        return Period(first, first + dt.timedelta(days=self.days - 1), "range")

    def months(self) -> list[dt.date]:
        """First days of the months the period touches."""
        out, m = [], self.first.replace(day=1)
        while m <= self.last:
            out.append(m)
            m = _add_months(m, 1)
        return out


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_parse(text: str) -> Period:
    """Parse "2026", "2026-Q2", "2026-05" or "2026-01-01..2026-03-31"; ValueError with a clear message."""
    text = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})", text):
            y = int(m[1])
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), "year")
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
            first = dt.date(int(m[1]), 3 * int(m[2]) - 2, 1)
            return Period(first, _add_months(first, 3) - dt.timedelta(days=1), "quarter")
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            first = dt.date(int(m[1]), int(m[2]), 1)
            return Period(first, _add_months(first, 1) - dt.timedelta(days=1), "month")
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            first, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if first <= last and (last - first).days <= 366 * 20:
                return Period(first, last, "range")
    except ValueError:
        pass
    raise ValueError(_("Kỳ báo cáo không hợp lệ: “%(p)s” (ví dụ: 2026, 2026-Q2, 2026-05, "
                       "2026-01-01..2026-03-31).") % {"p": text})
