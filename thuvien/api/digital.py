"""API endpoints for the digital library: the list of digital objects (public metadata only; the
images, manifests and PDFs themselves are behind each object's access level)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from thuvien.digital.selectors import object_list

router = Router(tags=["digital"])
MAX_LIMIT = 200


class DigitalObjectOut(Schema):
    id: str
    record: int | None
    title: str
    collection: str
    language: str
    access: str
    status: str
    page_count: int
    manifest: str
    viewer: str


class DigitalPageOut(Schema):
    count: int
    offset: int
    items: list[DigitalObjectOut]


class DigitalFilter(Schema):
    record: int | None = None
    collection: str | None = None
    offset: int = 0
    limit: int = 50


@router.get("/digital/objects", response=DigitalPageOut, summary="Danh sách tài liệu số")
def digital_objects(request: HttpRequest, filters: Query[DigitalFilter]) -> DigitalPageOut:
    """Digital objects, newest first, filtered by record id and/or collection code; paginated."""
    base = request.build_absolute_uri("/").rstrip("/")
    qs = object_list(record_id=filters.record, collection=filters.collection)
    offset = max(0, filters.offset)
    limit = min(max(1, filters.limit), MAX_LIMIT)
    items = [DigitalObjectOut(id=str(o.uuid), record=o.record_id, title=o.title, collection=o.collection.code,
                              language=o.language, access=o.access, status=o.status,
                              page_count=o.page_count,  # type: ignore[attr-defined]
                              manifest=f"{base}/iiif/{o.uuid}/manifest", viewer=f"{base}/digital/{o.uuid}/")
             for o in qs[offset:offset + limit]]
    return DigitalPageOut(count=qs.count(), offset=offset, items=items)
