"""Background job for harvests (django-tasks); the run row carries the progress."""

from __future__ import annotations

from django_tasks import task

from thuvien.protocols.models import HarvestRun


@task()
def harvest_task(run_id: int) -> str:
    from thuvien.protocols.harvest.services import harvest_run_execute

    run = harvest_run_execute(run=HarvestRun.objects.get(pk=run_id))
    return run.status
