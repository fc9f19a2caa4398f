"""Reads for the staff page: each job with its last and next run, and the run history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from thuvien.scheduler.models import ScheduledRun
from thuvien.scheduler.registry import Job, discover


@dataclass
class JobRow:
    job: Job
    last: ScheduledRun | None
    next_due: dt.datetime
    missed: bool  # the latest slot has no run yet: it runs at the scheduler's next tick


def job_rows(*, now: dt.datetime | None = None) -> list[JobRow]:
    """Every declared job with its latest run (one query per job, on an index) and its next slot."""
    now = now or timezone.now()
    rows = []
    for job in discover():
        last = ScheduledRun.objects.filter(name=job.name).order_by("-due_at", "-id").first()
        rows.append(JobRow(job=job, last=last, next_due=job.next_due(now),
                           missed=last is None or last.due_at < job.last_due(now)))
    return rows


def run_history(*, name: str = "") -> QuerySet[ScheduledRun]:
    """Runs, newest first, optionally of one job."""
    qs = ScheduledRun.objects.order_by("-due_at", "-id")
    return qs.filter(name=name) if name else qs
