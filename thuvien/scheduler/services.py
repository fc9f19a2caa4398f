"""Running the periodic table: claim due slots, run them in the background worker, record each run."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import traceback

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from thuvien.scheduler.models import ScheduledRun
from thuvien.scheduler.registry import Job, discover

log = logging.getLogger("thuvien.scheduler")


def schedule_tick(*, now: dt.datetime | None = None, jobs: list[Job] | None = None) -> list[ScheduledRun]:
    """Claim every job whose latest slot has no run yet (a missed slot too, once) and hand each to
    the background worker. Safe to call from several processes and servers at once: the unique
    (name, due_at) row is the claim."""
    from thuvien.scheduler.tasks import scheduled_run_task

    now = now or timezone.now()
    host = socket.gethostname()[:120]
    claimed: list[ScheduledRun] = []
    for job in jobs if jobs is not None else discover():
        due = job.last_due(now)
        if ScheduledRun.objects.filter(name=job.name, due_at__gte=due).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=job.name, due_at=due, host=host)
        except IntegrityError:
            continue  # another process or server claimed this slot first
        claimed.append(run)
        scheduled_run_task.enqueue(run.pk, job.callable)
    return claimed


def scheduled_run_execute(*, run_id: int, target: str) -> ScheduledRun:
    """Run one claimed slot's job (`target`, the dotted path of its callable) and record its summary
    or error; a run leaves the queue once, even if its task were delivered twice."""
    started = timezone.now()
    if not ScheduledRun.objects.filter(pk=run_id, status=ScheduledRun.Status.QUEUED).update(
            status=ScheduledRun.Status.RUNNING, started_at=started):
        return ScheduledRun.objects.get(pk=run_id)
    run = ScheduledRun.objects.get(pk=run_id)
    try:
        result = import_string(target)()
    except Exception as exc:  # noqa: BLE001 - any failure of any job is recorded on its run, not lost
        log.exception("scheduled job %s failed", run.name)
        run.status = ScheduledRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"[:20000]
    else:
        run.status = ScheduledRun.Status.DONE
        if result is not None:
            text = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)
            run.summary = text[:2000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "summary", "finished_at"])
    return run


def scheduled_runs_prune(*, keep_days: int = 30) -> dict[str, int]:
    """Forget runs older than `keep_days`, keeping each job's latest run."""
    cutoff = timezone.now() - dt.timedelta(days=keep_days)
    keep = set()
    for name in ScheduledRun.objects.values_list("name", flat=True).distinct():
        keep.add(ScheduledRun.objects.filter(name=name).order_by("-due_at", "-id").values_list("id", flat=True)[0])
    deleted, _ = ScheduledRun.objects.filter(created_at__lt=cutoff).exclude(pk__in=keep).delete()
    return {"runs_forgotten": deleted}
