"""IIIF endpoints (Image 3.0, Presentation 3.0, Content Search 2.0/1.0), the page viewer and PDF
downloads. Each view looks the object up once, asks `access_decide` once and renders."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from thuvien.core.unit_settings import setting_get
from thuvien.digital import iiif, image, processing, selectors
from thuvien.digital.access import Decision, Viewer, access_decide
from thuvien.digital.models import DigitalObject, ObjectStatus
from thuvien.digital.services import download_record, downloads_today, event_record

LD_JSON = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
PRESENTATION_JSON = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _viewer(request: HttpRequest) -> Viewer:
    return Viewer(user=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                  ip=request.META.get("REMOTE_ADDR", ""))


def _json(data: Any, *, status: int = 200, content_type: str = "application/json", cache: str = "") -> HttpResponse:
    resp = HttpResponse(orjson.dumps(data) if not isinstance(data, str) else data, status=status,
                        content_type=content_type)
    resp["Access-Control-Allow-Origin"] = "*"
    if cache:
        resp["Cache-Control"] = cache
    return resp


def _denied(request: HttpRequest, decision: Decision) -> HttpResponse:
    status = 401 if not request.user.is_authenticated else 403
    message = (_("Tài liệu đang trong thời gian hạn chế.") if decision.embargoed
               else _("Bạn không có quyền xem tài liệu này."))
    return _json({"error": message, "level": decision.level}, status=status)


DAMAGED_STATUS = 503


def _damaged_message() -> str:
    return _("Bản lưu trữ của tài liệu này bị hỏng (kiểm tra toàn vẹn không đạt); tài liệu tạm ngừng phục vụ "
             "cho đến khi được khôi phục.")


def _damaged(request: HttpRequest, obj: DigitalObject) -> HttpResponse:
    """A damaged object is never served as good: every IIIF answer says so until it is repaired."""
    resp = _json({"error": _damaged_message(), "damaged": True, "object": str(obj.uuid)}, status=DAMAGED_STATUS)
    resp["Retry-After"] = "86400"
    resp["Cache-Control"] = "no-store"
    return resp


def _cache_header(decision: Decision) -> str:
    # Public images may sit in shared caches; anything else only in the reader's own browser.
    return "public, max-age=86400" if decision.level == "public" and not decision.embargoed else "private, max-age=3600"


def _object_or_404(obj_uuid: str) -> DigitalObject:
    obj = selectors.object_get(obj_uuid=obj_uuid)
    if obj is None:
        raise Http404(_("Không có tài liệu số này."))
    return obj


# --- Image API ------------------------------------------------------------------------------

def _image_page(request: HttpRequest, page_uuid: str) -> tuple[Any, Decision | None, HttpResponse | None]:
    page = selectors.page_get_for_image(page_uuid=page_uuid)
    if page is None or not page.processed:
        return None, None, _json({"error": "unknown image"}, status=404)
    decision = access_decide(obj=page.obj, viewer=_viewer(request))
    if not page.obj.published and not decision.allows("staff"):  # an unpublished object: readers never see it
        return None, None, _json({"error": "unknown image"}, status=404)
    if not decision.allows(page.access):
        return None, decision, _denied(request, decision)
    if page.obj.damaged:
        return None, decision, _damaged(request, page.obj)
    return page, decision, None


@require_GET
def image_base(request: HttpRequest, page_uuid: str) -> HttpResponse:
    return HttpResponseRedirect(f"{_base(request)}/iiif/3/{page_uuid}/info.json", status=303)


@require_GET
def image_info(request: HttpRequest, page_uuid: str) -> HttpResponse:
    page, decision, denied = _image_page(request, page_uuid)
    if denied is not None:
        return denied
    assert decision is not None
    path = processing.tile_path(page.obj.uuid, page.order)
    levels = len(image.level_widths(str(path), path.stat().st_mtime))
    data = image.info(f"{_base(request)}/iiif/3/{page_uuid}", page.width, page.height, levels)
    accept = request.headers.get("Accept", "")
    return _json(data, content_type=LD_JSON if "ld+json" in accept else "application/json",
                 cache=_cache_header(decision))


@require_GET
def image_request(request: HttpRequest, page_uuid: str, region: str, size: str, rotation: str,
                  quality_format: str) -> HttpResponse:
    page, decision, denied = _image_page(request, page_uuid)
    if denied is not None:
        return denied
    assert decision is not None
    try:
        req = image.parse(region, size, rotation, quality_format, page.width, page.height)
    except image.ImageRequestError as exc:
        return _json({"error": str(exc)}, status=400)
    body = image.render(processing.tile_path(page.obj.uuid, page.order), req)
    resp = HttpResponse(body, content_type=image.FORMATS[req.fmt])
    resp["Access-Control-Allow-Origin"] = "*"
    resp["Cache-Control"] = _cache_header(decision)
    resp["Link"] = '<http://iiif.io/api/image/3/level2.json>;rel="profile"'
    return resp


# --- Presentation and search ------------------------------------------------------------------

def _decided_object(request: HttpRequest, obj_uuid: str) -> tuple[DigitalObject, Decision, HttpResponse | None]:
    obj = _object_or_404(obj_uuid)
    decision = access_decide(obj=obj, viewer=_viewer(request))
    if (obj.status != ObjectStatus.READY or not obj.published) and not decision.allows("staff"):
        raise Http404(_("Tài liệu số đang được xử lý."))
    if not decision.allowed:
        return obj, decision, _denied(request, decision)
    return obj, decision, (_damaged(request, obj) if obj.damaged else None)


# Ready manifests of this process, by (object, last change, base URL): a cached manifest costs one
# small query for the object row (its access and last change) and no JSON work at all.
_MANIFESTS: dict[tuple[int, Any, str], str] = {}
MANIFESTS_KEPT = 16


@require_GET
def manifest(request: HttpRequest, obj_uuid: str) -> HttpResponse:
    obj, decision, denied = _decided_object(request, obj_uuid)
    if denied is not None:
        return denied
    base = _base(request)
    key = (obj.pk, obj.updated_at, base)
    text = _MANIFESTS.get(key)
    if text is None:
        text = selectors.manifest_json(obj=obj).replace(iiif.BASE, base)
        if obj.status == ObjectStatus.READY:
            _MANIFESTS[key] = text
            while len(_MANIFESTS) > MANIFESTS_KEPT:
                _MANIFESTS.pop(next(iter(_MANIFESTS)))
    return _json(text, content_type=PRESENTATION_JSON if "ld+json" in request.headers.get("Accept", "")
                 else "application/json", cache="private, max-age=300")


@require_GET
def collection_manifest(request: HttpRequest, code: str) -> HttpResponse:
    coll = selectors.collection_get(code=code)
    if coll is None:
        raise Http404(_("Không có bộ sưu tập này."))
    viewer = _viewer(request)
    objs = [{"uuid": o.uuid, "title": o.title} for o in
            coll.digital_objects.filter(**selectors.SHOWN, damaged=False).select_related("unit").order_by("pk")
            if access_decide(obj=o, viewer=viewer).allowed]
    data = iiif.collection_manifest(code=coll.code, name=coll.name, objects=objs)
    return _json(orjson.dumps(data).decode().replace(iiif.BASE, _base(request)))


def _search(request: HttpRequest, obj_uuid: str, version: int) -> HttpResponse:
    obj, _decision, denied = _decided_object(request, obj_uuid)
    if denied is not None:
        return denied
    q = request.GET.get("q", "")[:200]
    asked = request.GET.get("page", "1")
    number = int(asked) if asked.isdigit() and 0 < int(asked) <= 1000 else 1
    hits, more = selectors.search_inside(obj=obj, q=q, page=number)
    build = iiif.search2 if version == 2 else iiif.search1
    data = build(obj_uuid=str(obj.uuid), query_url=request.build_absolute_uri(), hits=hits)
    if more:
        following = request.GET.copy()
        following["page"] = str(number + 1)
        data["next"] = f"{request.build_absolute_uri(request.path)}?{following.urlencode()}"
    return _json(orjson.dumps(data).decode().replace(iiif.BASE, _base(request)))


@require_GET
def search2(request: HttpRequest, obj_uuid: str) -> HttpResponse:
    return _search(request, obj_uuid, 2)


@require_GET
def search1(request: HttpRequest, obj_uuid: str) -> HttpResponse:
    return _search(request, obj_uuid, 1)


@require_GET
def autocomplete2(request: HttpRequest, obj_uuid: str) -> HttpResponse:
    obj, _decision, denied = _decided_object(request, obj_uuid)
    if denied is not None:
        return denied
    q = request.GET.get("q", "")[:100]
    data = iiif.autocomplete2(query_url=request.build_absolute_uri(), prefix=q,
                              words=selectors.autocomplete_words(obj=obj, prefix=q))
    return _json(orjson.dumps(data).decode().replace(iiif.BASE, _base(request)))


def _ocr_file(request: HttpRequest, obj_uuid: str, order: int, suffix: str,
              content_type: str) -> HttpResponse | FileResponse:
    obj, decision, denied = _decided_object(request, obj_uuid)
    if denied is not None:
        return denied
    page = obj.pages.filter(order=order).first()
    path = processing.ocr_base(obj.uuid, order).with_suffix(suffix)
    if page is None or not decision.allows(page.access) or not path.exists():
        raise Http404(_("Không có tệp này."))
    resp = FileResponse(path.open("rb"), content_type=content_type)
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


@require_GET
def alto(request: HttpRequest, obj_uuid: str, order: int) -> HttpResponse | FileResponse:
    return _ocr_file(request, obj_uuid, order, ".xml", "application/xml")


@require_GET
def hocr(request: HttpRequest, obj_uuid: str, order: int) -> HttpResponse | FileResponse:
    return _ocr_file(request, obj_uuid, order, ".hocr", "text/vnd.hocr+html; charset=utf-8")


# --- Pages for people -------------------------------------------------------------------------

@require_GET
def viewer(request: HttpRequest, obj_uuid: str) -> HttpResponse:
    obj, decision, denied = _decided_object(request, obj_uuid)
    if denied is not None:
        return render(request, "digital/denied.html", {"obj": obj, "decision": decision,
                                                       "damaged": denied.status_code == DAMAGED_STATUS},
                      status=denied.status_code)
    event_record(obj=obj, kind="digital_view")
    pages = list(obj.pages.order_by("order").values("uuid", "order", "label", "width", "height", "access"))
    pages = [p for p in pages if decision.allows(p["access"])]
    start = request.GET.get("page", "1")
    return render(request, "digital/viewer.html", {
        "obj": obj, "pages": pages, "start": int(start) if start.isdigit() else 1,
        "q": request.GET.get("q", "")[:200],
        "config": {"manifest": f"/iiif/{obj.uuid}/manifest", "search": f"/iiif/{obj.uuid}/search2",
                   "images": [f"/iiif/3/{p['uuid']}" for p in pages],
                   "rtl": obj.right_to_left},
    })


@require_GET
def mirador(request: HttpRequest, obj_uuid: str) -> HttpResponse:
    obj, decision, denied = _decided_object(request, obj_uuid)
    if denied is not None:
        return render(request, "digital/denied.html", {"obj": obj, "decision": decision,
                                                       "damaged": denied.status_code == DAMAGED_STATUS},
                      status=denied.status_code)
    return render(request, "digital/mirador.html", {"obj": obj, "manifest": f"/iiif/{obj.uuid}/manifest"})


@require_GET
def pdf(request: HttpRequest, obj_uuid: str) -> HttpResponse:
    """The delivery PDF: watermarked with the reader's name, card and date; counted, with a daily quota."""
    from thuvien.digital.delivery import watermarked

    obj, decision, denied = _decided_object(request, obj_uuid)
    if denied is not None:
        return render(request, "digital/denied.html", {"obj": obj, "decision": decision,
                                                       "damaged": denied.status_code == DAMAGED_STATUS},
                      status=denied.status_code)
    path = processing.pdf_path(obj.uuid)
    if not obj.has_pdf or not path.exists():
        raise Http404(_("Tài liệu này chưa có bản PDF."))
    now = timezone.localtime()
    user = request.user if request.user.is_authenticated else None
    if user is not None and not decision.allows("staff"):
        quota = int(setting_get(obj.unit, "digital.daily_downloads") or 0)
        if downloads_today(user=user) >= quota:  # type: ignore[arg-type]
            return render(request, "digital/denied.html", {"obj": obj, "decision": decision, "quota": quota},
                          status=429)
    patron = getattr(user, "patron", None) if user is not None else None
    who = (f"{patron.full_name} · {patron.card_number}" if patron is not None
           else (user.get_full_name() or user.get_username()) if user is not None else obj.unit.name)
    stamp = _("Bản cấp cho %(who)s · %(date)s · %(library)s") % {
        "who": who, "date": now.strftime("%d/%m/%Y %H:%M"), "library": obj.unit.name}
    body = watermarked(path, stamp)
    download_record(obj=obj, user=user)  # type: ignore[arg-type]
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{obj.uuid}.pdf"'
    resp["Cache-Control"] = "private, no-store"
    return resp
