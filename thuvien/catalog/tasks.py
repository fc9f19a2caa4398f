"""Background jobs of the catalogue (django-tasks): the import job row carries the progress."""

from __future__ import annotations

from django_tasks import task

from thuvien.catalog.models import ImportJob
from thuvien.core.models import User


@task()
def import_job_task(job_id: int, user_id: int) -> str:
    from thuvien.catalog.services import import_job_run

    job = import_job_run(job=ImportJob.objects.get(pk=job_id), actor=User.objects.get(pk=user_id))
    return job.summary
