"""Background tasks of the portal (django-tasks): fetching one record's cover from the cover service."""

from __future__ import annotations

from django_tasks import task


@task()
def cover_fetch_task(record_id: int) -> str:
    from thuvien.catalog.models import BibRecord
    from thuvien.portal.services import cover_fetch

    record = BibRecord.objects.filter(pk=record_id, is_deleted=False).first()
    if record is None:
        return "no record"
    return "fetched" if cover_fetch(record=record) is not None else "none"
