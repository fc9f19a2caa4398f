"""Background jobs of the digital library (django-tasks): the object row carries the progress."""

from __future__ import annotations

from django_tasks import task

from thuvien.digital.models import DigitalObject


@task()
def object_process_task(obj_id: int) -> str:
    from thuvien.digital.services import object_process

    obj = object_process(obj=DigitalObject.objects.get(pk=obj_id))
    return f"{obj.status}: {obj.pages_done} pages"
