"""The background task that runs one claimed slot of a periodic job (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def scheduled_run_task(run_id: int, target: str) -> str:
    from thuvien.scheduler.services import scheduled_run_execute

    return str(scheduled_run_execute(run_id=run_id, target=target).status)
