"""The scheduler's own periodic jobs: resume work whose worker died, forget old runs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from thuvien.scheduler.models import ScheduledRun
from thuvien.scheduler.services import scheduled_runs_prune

# A running import or harvest commits its checkpoint (and so `updated_at`) after every batch or
# page; one silent this long has lost its worker.
STALE_AFTER = dt.timedelta(minutes=15)
RUN_STALE_AFTER = dt.timedelta(hours=6)


def resume_interrupted(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Hand imports and harvests left "running" by a worker that died back to the background worker
    (they resume from their last committed batch or page); mark such scheduled runs failed. Each
    is claimed by a conditional update, so two servers doing this at once resume it once."""
    from thuvien.catalog.models import ImportJob
    from thuvien.catalog.tasks import import_job_task
    from thuvien.core.demo import system_user
    from thuvien.protocols.harvest.tasks import harvest_task
    from thuvien.protocols.models import HarvestRun

    now = now or timezone.now()
    imports = harvests = 0
    for job_id, user_id, seen in ImportJob.objects.filter(
            status=ImportJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER).values_list("id", "created_by_id",
                                                                                          "updated_at"):
        if ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING, updated_at=seen).update(updated_at=now):
            import_job_task.enqueue(job_id, user_id or system_user().pk)
            imports += 1
    for run_id, seen in HarvestRun.objects.filter(
            status=HarvestRun.Status.RUNNING, updated_at__lt=now - STALE_AFTER).values_list("id", "updated_at"):
        if HarvestRun.objects.filter(pk=run_id, status=HarvestRun.Status.RUNNING, updated_at=seen).update(
                updated_at=now):
            harvest_task.enqueue(run_id)
            harvests += 1
    runs = ScheduledRun.objects.filter(status=ScheduledRun.Status.RUNNING, started_at__lt=now - RUN_STALE_AFTER).update(
        status=ScheduledRun.Status.FAILED, finished_at=now, error="interrupted: the worker stopped during the run")
    return {"imports_resumed": imports, "harvests_resumed": harvests, "runs_interrupted": runs}


def forget_old_runs() -> dict[str, int]:
    return scheduled_runs_prune()
