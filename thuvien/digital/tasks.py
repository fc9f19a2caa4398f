"""Background jobs of the digital library (django-tasks): the object row carries the progress."""

from __future__ import annotations

from django_tasks import task

from thuvien.digital.models import DigitalObject


@task()
def object_process_task(obj_id: int) -> str:
    from thuvien.digital.services import object_process

    obj = object_process(obj=DigitalObject.objects.get(pk=obj_id))
    return f"{obj.status}: {obj.pages_done} pages"


@task()
def upload_ingest_task(source: str, user_id: int, collection_id: int, record: str, title: str, language: str,
                       access: str, ocr: str) -> str:
    """A staff upload: ingest it as a new object, then process its pages (the upload folder is removed)."""
    import shutil
    from pathlib import Path

    from thuvien.core.models import User
    from thuvien.digital.ingest import IngestError
    from thuvien.digital.models import Collection
    from thuvien.digital.services import object_ingest, object_process, record_find

    path = Path(source)
    try:
        result = object_ingest(actor=User.objects.get(pk=user_id), source=path,
                               collection=Collection.objects.get(pk=collection_id),
                               record=record_find(record) if record else None, title=title, language=language,
                               access=access, ocr_profile=ocr, process=False)
    except IngestError as exc:
        return f"refused: {exc}"
    finally:
        shutil.rmtree(path if path.is_dir() else path.parent, ignore_errors=True)
    obj = object_process(obj=result.obj)
    return f"{obj.status}: {obj.pages_done} pages"


@task()
def object_pdf_task(obj_id: int) -> str:
    """Rebuild the object's PDF/A after its pages changed order."""
    from django.utils import timezone

    from thuvien.digital import processing

    obj = DigitalObject.objects.get(pk=obj_id)
    if not obj.pages.exists() or obj.pages.filter(processed=False).exists():
        return "skipped: pages not processed"
    processing.object_pdf(obj_uuid=obj.uuid, orders=list(obj.pages.values_list("order", flat=True)),
                          title=obj.title, language=obj.language)
    DigitalObject.objects.filter(pk=obj_id).update(has_pdf=True, updated_at=timezone.now())
    return "pdf rebuilt"
