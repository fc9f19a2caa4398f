"""The periodic table: every installed app's `schedule.py` declares its jobs as plain data.

    SCHEDULE = [{"name": "reports.monthly_mail", "callable": "thuvien.reports.jobs.send_monthly",
                 "every": "daily", "at": "02:30", "title": "..."}]

`every` is "hourly" | "daily" | "weekly" (Mondays) | "monthly" (the 1st) | a whole number of
seconds; `at` is an optional "HH:MM" in local time (for "hourly" only the minutes count);
`callable` takes no arguments and returns a short summary (a string or a dict); `title` is an
optional description shown on the staff page. A job's slots are the times it is due; a slot
without a run (the server was down) is run at the next start, once, however many were missed.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

PERIODS = ("hourly", "daily", "weekly", "monthly")


@dataclass(frozen=True)
class Job:
    name: str
    callable: str
    every: str | int
    at: str = ""
    title: str = ""

    @property
    def _hm(self) -> tuple[int, int]:
        if not self.at:
            return 0, 0
        hh, mm = self.at.split(":")
        return int(hh), int(mm)

    def last_due(self, now: dt.datetime) -> dt.datetime:
        """The latest slot at or before `now` (aware)."""
        if isinstance(self.every, int):
            start = int(now.timestamp()) // self.every * self.every
            return dt.datetime.fromtimestamp(start, tz=dt.UTC)
        tz = ZoneInfo(settings.TIME_ZONE)
        local = now.astimezone(tz)
        hh, mm = self._hm
        if self.every == "hourly":
            slot = local.replace(minute=mm, second=0, microsecond=0)
            return slot if slot <= local else slot - dt.timedelta(hours=1)
        day = local.date()
        if self.every == "weekly":
            day -= dt.timedelta(days=day.weekday())
        elif self.every == "monthly":
            day = day.replace(day=1)
        slot = dt.datetime.combine(day, dt.time(hh, mm), tzinfo=tz)
        if slot <= local:
            return slot
        if self.every == "daily":
            day -= dt.timedelta(days=1)
        elif self.every == "weekly":
            day -= dt.timedelta(days=7)
        else:
            day = (day - dt.timedelta(days=1)).replace(day=1)
        return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=tz)

    def next_due(self, now: dt.datetime) -> dt.datetime:
        """The first slot after `now`."""
        last = self.last_due(now)
        if isinstance(self.every, int):
            return last + dt.timedelta(seconds=self.every)
        if self.every == "hourly":
            return last + dt.timedelta(hours=1)
        if self.every == "daily":
            step = dt.timedelta(days=1)
        elif self.every == "weekly":
            step = dt.timedelta(days=7)
        else:
            step = dt.timedelta(days=32)  # somewhere in the next month: its 1st is then the last slot
            return self.last_due(last + step)
        return dt.datetime.combine(last.date() + step, last.timetz())

    @property
    def every_label(self) -> str:
        """The period in words, for a librarian: "hằng ngày lúc 00:30", "mỗi 5 phút"."""
        if isinstance(self.every, int):
            if self.every % 3600 == 0:
                return _("mỗi %(n)d giờ") % {"n": self.every // 3600}
            if self.every % 60 == 0:
                return _("mỗi %(n)d phút") % {"n": self.every // 60}
            return _("mỗi %(n)d giây") % {"n": self.every}
        at = self.at or "00:00"
        if self.every == "hourly":
            return _("hằng giờ, phút %(mm)s") % {"mm": f"{self._hm[1]:02d}"}
        if self.every == "weekly":
            return _("thứ Hai hằng tuần lúc %(at)s") % {"at": at}
        if self.every == "monthly":
            return _("ngày 1 hằng tháng lúc %(at)s") % {"at": at}
        return _("hằng ngày lúc %(at)s") % {"at": at}


def job_from_entry(entry: dict[str, object], module: str) -> Job:
    """One SCHEDULE entry checked; a mistake names the module and the entry."""
    try:
        name, target, every = str(entry["name"]), str(entry["callable"]), entry["every"]
    except (KeyError, TypeError) as exc:
        raise ImproperlyConfigured(f"{module}: a SCHEDULE entry needs name, callable and every: {entry!r}") from exc
    if not (every in PERIODS or (isinstance(every, int) and not isinstance(every, bool) and every > 0)):
        raise ImproperlyConfigured(f"{module}: {name}: every must be one of {PERIODS} or seconds, not {every!r}")
    at = str(entry.get("at") or "")
    if at:
        hh, _sep, mm = at.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            raise ImproperlyConfigured(f"{module}: {name}: at must be HH:MM, not {at!r}")
    return Job(name=name, callable=target, every=every, at=at, title=str(entry.get("title") or ""))  # type: ignore[arg-type]


def discover() -> list[Job]:
    """Every job declared by an installed app's `schedule` module, by name."""
    jobs: dict[str, Job] = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.schedule"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        for entry in getattr(module, "SCHEDULE", []):
            job = job_from_entry(entry, module_name)
            if job.name in jobs:
                raise ImproperlyConfigured(f"{module_name}: job {job.name!r} is declared twice")
            jobs[job.name] = job
    return sorted(jobs.values(), key=lambda j: j.name)
