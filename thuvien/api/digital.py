"""API endpoints for the digital library: the list of digital objects (public metadata only; the
images, manifests and PDFs themselves are behind each object's access level)."""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from thuvien.digital.access import Viewer, access_decide
from thuvien.digital.iiif import BASE
from thuvien.digital.selectors import object_get, object_list, object_mets

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


def _error(message: str, status: int, **extra: object) -> HttpResponse:
    return HttpResponse(orjson.dumps({"error": message, **extra}), status=status, content_type="application/json")


@router.get("/digital/objects/{obj_id}/mets", summary="METS (hồ sơ DFG) của một tài liệu số",
            response={200: str, 401: dict, 403: dict, 404: dict, 503: dict})
def digital_object_mets(request: HttpRequest, obj_id: str) -> HttpResponse:
    """METS 1.12.1 after the DFG profile: MODS from the record (or the object's Dublin Core), rights,
    file groups DEFAULT (IIIF images) and FULLTEXT (ALTO, with SHA-256), the physical and logical
    structure. The object's access level decides who gets it; the MASTER group (the preservation copy
    in OCFL, with SHA-256) is only given to staff. A damaged object answers 503 until repaired."""
    obj = object_get(obj_uuid=obj_id)
    if obj is None:
        return _error(_("Không có tài liệu số này."), 404)
    user = request.user if request.user.is_authenticated else None
    decision = access_decide(obj=obj, viewer=Viewer(user=user, ip=request.META.get("REMOTE_ADDR", "")))  # type: ignore[arg-type]
    if not decision.allowed:
        return _error(_("Bạn không có quyền xem tài liệu này."), 401 if user is None else 403)
    if obj.damaged:
        return _error(_("Bản lưu trữ của tài liệu này bị hỏng (kiểm tra toàn vẹn không đạt); tài liệu tạm ngừng "
                        "phục vụ cho đến khi được khôi phục."), 503, damaged=True)
    staff = decision.allows("staff")
    text = object_mets(obj=obj, allows=decision.allows, with_masters=staff)
    resp = HttpResponse(text.replace(BASE, request.build_absolute_uri("/").rstrip("/")),
                        content_type="application/xml; charset=utf-8")
    resp["Cache-Control"] = "private, max-age=300"
    return resp
