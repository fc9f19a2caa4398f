"""Background jobs of the digitisation projects (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def item_checks_task(item_id: int) -> str:
    """The automatic page checks of one planned record's object (enqueued when it enters QC)."""
    from thuvien.digitisation.models import PlanItem
    from thuvien.digitisation.services import item_checks_run

    item = PlanItem.objects.select_related("project", "obj").filter(pk=item_id).first()
    if item is None:
        return "gone"
    found = item_checks_run(item=item)
    return f"{len(found)} findings"
