"""Public catalogue pages: home, search results, advanced search, record, MARC view and exports.

Thin views: they parse the request, call the search selectors and render.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from thuvien.catalog.models import BibRecord, ItemStatus
from thuvien.core.models import OrgUnit
from thuvien.search.engine import IndexUnavailable
from thuvien.search.query import MatchAll
from thuvien.search.selectors import (
    FACETS,
    QuerySyntaxError,
    autocomplete,
    holdings_counts,
    parse_user_query,
    record_get_public,
    record_search,
    records_in_order,
    suggest_query,
)
from thuvien.search.syntax import field_query

PAGE_SIZE = 20
SORT_LABELS = [
    ("relevance", gettext_lazy("Phù hợp nhất")),
    ("title", gettext_lazy("Nhan đề (A-Z)")),
    ("author", gettext_lazy("Tác giả (A-Z)")),
    ("newest", gettext_lazy("Mới xuất bản")),
    ("oldest", gettext_lazy("Xuất bản lâu nhất")),
]
FACET_LABELS = {
    "availability": gettext_lazy("Tình trạng"),
    "library": gettext_lazy("Thư viện"),
    "material_type": gettext_lazy("Loại tài liệu"),
    "language": gettext_lazy("Ngôn ngữ"),
    "year": gettext_lazy("Năm xuất bản"),
    "subject": gettext_lazy("Chủ đề"),
    "ddc_hundreds": gettext_lazy("Môn loại DDC"),
    "ddc_tens": gettext_lazy("Phân môn DDC"),
}
MATERIAL_LABELS = {
    "book": gettext_lazy("Sách"), "serial": gettext_lazy("Báo, tạp chí"), "map": gettext_lazy("Bản đồ"),
    "video": gettext_lazy("Phim, video"), "music": gettext_lazy("Âm nhạc"), "score": gettext_lazy("Bản nhạc"),
    "audiobook": gettext_lazy("Sách nói"), "computer_file": gettext_lazy("Tệp máy tính"),
    "manuscript": gettext_lazy("Bản thảo"), "image": gettext_lazy("Hình ảnh"), "kit": gettext_lazy("Bộ tài liệu"),
    "mixed": gettext_lazy("Tài liệu hỗn hợp"), "object": gettext_lazy("Hiện vật"), "other": gettext_lazy("Khác"),
    "digital": gettext_lazy("Có bản số"),  # not a MARC type: set by the index for records with a digital copy
}
LANGUAGE_LABELS = {
    "vie": gettext_lazy("Tiếng Việt"), "eng": gettext_lazy("Tiếng Anh"), "fre": gettext_lazy("Tiếng Pháp"),
    "chi": gettext_lazy("Tiếng Trung"), "rus": gettext_lazy("Tiếng Nga"), "ger": gettext_lazy("Tiếng Đức"),
    "jpn": gettext_lazy("Tiếng Nhật"), "kor": gettext_lazy("Tiếng Hàn"), "tha": gettext_lazy("Tiếng Thái"),
    "lao": gettext_lazy("Tiếng Lào"), "khm": gettext_lazy("Tiếng Khmer"),
}
DDC_LABELS = {
    "000": gettext_lazy("Tổng quát"), "100": gettext_lazy("Triết học, tâm lý học"), "200": gettext_lazy("Tôn giáo"),
    "300": gettext_lazy("Khoa học xã hội"), "400": gettext_lazy("Ngôn ngữ"), "500": gettext_lazy("Khoa học tự nhiên"),
    "600": gettext_lazy("Công nghệ"), "700": gettext_lazy("Nghệ thuật"), "800": gettext_lazy("Văn học"),
    "900": gettext_lazy("Lịch sử, địa lý"),
}
STATUS_CLASSES: dict[str, str] = {ItemStatus.AVAILABLE: "ok", ItemStatus.IN_HOUSE: "ok"}
ADVANCED_FIELDS = [
    ("any", gettext_lazy("Từ khóa")), ("title", gettext_lazy("Nhan đề")), ("author", gettext_lazy("Tác giả")),
    ("subject", gettext_lazy("Chủ đề")), ("series", gettext_lazy("Tùng thư")),
    ("publisher", gettext_lazy("Nhà xuất bản")), ("isbn", gettext_lazy("ISBN/ISSN")),
    ("call_number", gettext_lazy("Ký hiệu xếp giá")),
]


def _libraries() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(is_active=True).only("id", "code", "name", "depth", "path").order_by("path"))


def _library(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, is_active=True).first() if code else None


def _facet_label(name: str, value: str, units: dict[str, str]) -> str:
    if name == "library":
        return units.get(value, value)
    if name == "material_type":
        return str(MATERIAL_LABELS.get(value, value))
    if name == "language":
        return str(LANGUAGE_LABELS.get(value, value))
    if name == "ddc_hundreds":
        return f"{value} {DDC_LABELS.get(value, '')}".strip()
    if name == "availability":
        return _("Còn sẵn để mượn") if value == "available" else _("Đang bận hoặc không có bản")
    return value


def _parse_filters(request: HttpRequest) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for raw in request.GET.getlist("f")[:20]:
        name, _sep, value = raw.partition(":")
        if name in FACETS or name == "availability":
            filters.setdefault(name, []).append(value)
    return filters


def _url(base: str, params: list[tuple[str, str]]) -> str:
    return base + ("?" + urlencode(params) if params else "")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    recent: list[BibRecord] = []
    try:
        result = record_search(query=MatchAll(), sort="recent", limit=8)
        recent = records_in_order(result.record_ids)
    except IndexUnavailable:
        pass
    return render(request, "opac/home.html", {
        "recent": recent, "sections": ["opac/_new_acquisitions.html"], "libraries": _libraries(),
    })


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "relevance")
    if sort not in dict(SORT_LABELS):
        sort = "relevance"
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 500))
    except ValueError:
        page = 1
    library = _library(request.GET.get("library", ""))
    filters = _parse_filters(request)
    ctx: dict[str, Any] = {"q": q, "sort": sort, "sorts": SORT_LABELS, "library": library, "libraries": _libraries(),
                           "page": page, "error": None, "results": [], "total": 0, "facets": [], "suggestion": None}
    try:
        node = parse_user_query(q)
    except QuerySyntaxError as exc:
        ctx["error"] = str(exc)
        return render(request, "opac/search.html", ctx, status=200)
    try:
        result = record_search(query=node, library=library, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE,
                               sort=sort, facets=True, filters=filters)
    except IndexUnavailable:
        ctx["error"] = _("Chỉ mục tìm kiếm đang được dựng lại; xin thử lại sau ít phút.")
        return render(request, "opac/search.html", ctx, status=503)
    records = records_in_order(result.record_ids)
    counts = holdings_counts(record_ids=[r.pk for r in records], library=library)
    hl = {h.record_id: h.highlights for h in result.hits}
    ctx["results"] = [{"record": r, "hl": hl.get(r.pk, {}), "avail": counts[r.pk]} for r in records]
    ctx["total"] = result.total
    ctx["fuzzy"] = result.fuzzy
    if result.total == 0 and q:
        ctx["suggestion"] = suggest_query(q, library=library)

    base = reverse("opac:search")
    keep: list[tuple[str, str]] = [("q", q)] + ([("library", library.code)] if library else [])
    if sort != "relevance":
        keep.append(("sort", sort))
    active = [(n, v) for n, vs in filters.items() for v in vs]
    active_params = [("f", f"{n}:{v}") for n, v in active]
    codes = [v for v, _n in result.facets.get("library", [])]
    units = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    facets = []
    for name in ["availability", "library", "material_type", "language", "year", "ddc_hundreds", "ddc_tens",
                 "subject"]:
        values = result.facets.get(name, [])
        if name == "availability":
            values = [(v, n) for v, n in values if v == "available" and n]
        if name == "year":
            values = sorted(values, key=lambda vn: vn[0], reverse=True)
        entries = []
        for value, count in values:
            selected = (name, value) in active
            params = keep + ([p for p in active_params if p != ("f", f"{name}:{value}")] if selected
                             else active_params + [("f", f"{name}:{value}")])
            entries.append({"value": value, "label": _facet_label(name, value, units), "count": count,
                            "selected": selected, "url": _url(base, params)})
        if entries:
            facets.append({"name": name, "label": FACET_LABELS[name], "entries": entries})
    pages = (result.total + PAGE_SIZE - 1) // PAGE_SIZE
    ctx.update(
        facets=facets,
        active=[{"label": f"{FACET_LABELS.get(n, n)}: {_facet_label(n, v, units)}",
                 "url": _url(base, keep + [p for p in active_params if p != ('f', f'{n}:{v}')])} for n, v in active],
        pages=pages,
        prev_url=_url(base, keep + active_params + [("page", str(page - 1))]) if page > 1 else None,
        next_url=_url(base, keep + active_params + [("page", str(page + 1))]) if page < pages else None,
        first=(page - 1) * PAGE_SIZE + 1,
        last=min(page * PAGE_SIZE, result.total),
        suggestion_url=_url(base, [("q", ctx["suggestion"])] + keep[1:]) if ctx["suggestion"] else None,
        sort_params=[(k, v) for k, v in keep + active_params if k != "sort"],
    )
    return render(request, "opac/search.html", ctx)


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The autocomplete list under the search box (an HTMX fragment)."""
    q = request.GET.get("q", "").strip()[:200]
    items = autocomplete(q, library=_library(request.GET.get("library", ""))) if len(q) >= 2 else []
    base = reverse("opac:search")
    for item in items:
        item["url"] = _url(base, [("q", field_query(item["kind"], item["text"]))])
    return render(request, "opac/_suggest.html", {"items": items, "q": q})


@require_GET
def advanced(request: HttpRequest) -> HttpResponse:
    """The advanced search form; submitting it builds the box syntax and shows the results."""
    parts: list[str] = []
    for name, _label in ADVANCED_FIELDS:
        value = request.GET.get(name, "").strip().replace('"', "")
        if value:
            parts.append(value if name == "any" else field_query(name, value))
    year_from, year_to = request.GET.get("year_from", "").strip(), request.GET.get("year_to", "").strip()
    if (year_from.isdigit() or not year_from) and (year_to.isdigit() or not year_to) and (year_from or year_to):
        parts.append(f"năm:{year_from}-{year_to}")
    for name in ("language", "material_type"):
        value = request.GET.get(name, "").strip()
        if value:
            parts.append(field_query(name, value))
    if parts:
        params = [("q", " ".join(parts))]
        for key in ("library", "sort"):
            if request.GET.get(key):
                params.append((key, request.GET[key]))
        return redirect(_url(reverse("opac:search"), params))
    return render(request, "opac/advanced.html", {
        "fields": ADVANCED_FIELDS, "libraries": _libraries(), "sorts": SORT_LABELS,
        "languages": sorted(LANGUAGE_LABELS.items(), key=lambda kv: kv[0] != "vie"),
        "materials": list(MATERIAL_LABELS.items()),
    })


def _record_or_404(pk: int) -> BibRecord:
    bib = record_get_public(record_id=pk)
    if bib is None:
        raise Http404(_("Không có biểu ghi này."))
    return bib


def _text_list(values: list[Any]) -> list[str]:
    out = []
    for v in values or []:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            out.append(str(v.get("name") or v.get("heading") or v.get("text") or v.get("url") or ""))
    return [v for v in out if v]


@require_GET
def record(request: HttpRequest, pk: int) -> HttpResponse:
    bib = _record_or_404(pk)
    items = sorted((i for i in bib.items.all() if i.status != ItemStatus.WITHDRAWN),
                   key=lambda i: (i.library.path, i.shelving_location, i.barcode))
    groups: list[dict[str, Any]] = []
    for item in items:
        if not groups or groups[-1]["library"].pk != item.library_id:
            groups.append({"library": item.library, "items": [], "available": 0})
        groups[-1]["items"].append({"item": item, "cls": STATUS_CLASSES.get(item.status, "busy"),
                                    "call_number": item.call_number or bib.call_number})
        if item.status == ItemStatus.AVAILABLE:
            groups[-1]["available"] += 1
    authors = _text_list(bib.authors) or ([bib.main_author] if bib.main_author else [])
    base = reverse("opac:search")
    links = [v for v in bib.links or [] if isinstance(v, dict) and str(v.get("url", "")).startswith(("http://", "https://"))]
    return render(request, "opac/record.html", {
        "bib": bib,
        "authors": [{"name": a, "url": _url(base, [("q", field_query("author", a))])} for a in authors],
        "subjects": [{"name": s, "url": _url(base, [("q", field_query("subject", s.split(" -- ")[0]))])}
                     for s in _text_list(bib.subjects)],
        "series": [{"name": s, "url": _url(base, [("q", field_query("series", s))])} for s in _text_list(bib.series)],
        "notes": _text_list(bib.notes),
        "isbns": _text_list(bib.isbns), "issns": _text_list(bib.issns),
        "links": links,
        "language_label": LANGUAGE_LABELS.get(bib.language, bib.language),
        "material_label": MATERIAL_LABELS.get(bib.material_type, bib.material_type),
        "groups": groups,
        "total_items": len(items),
        "permalink": request.build_absolute_uri(reverse("opac:permalink", args=[bib.uuid])),
        "back": request.GET.get("back", "") if str(request.GET.get("back", "")).startswith(base) else "",
    })


@require_GET
def permalink(request: HttpRequest, uuid: str) -> HttpResponse:
    pk = BibRecord.objects.filter(uuid=uuid, is_deleted=False).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404(_("Không có biểu ghi này."))
    return redirect("opac:record", pk=pk)


@require_GET
def record_marc(request: HttpRequest, pk: int) -> HttpResponse:
    from thuvien.catalog.selectors import bib_to_pymarc

    bib = _record_or_404(pk)
    marc = bib_to_pymarc(bib)
    rows: list[dict[str, Any]] = []
    for f in marc.fields:
        if f.control_field:
            rows.append({"tag": f.tag, "ind": "", "value": f.data})
        else:
            rows.append({"tag": f.tag, "ind": f"{f.indicator1}{f.indicator2}".replace(" ", "#"),
                         "subfields": [(s.code, s.value) for s in f.subfields]})
    return render(request, "opac/record_marc.html", {"bib": bib, "leader": str(marc.leader), "rows": rows})


EXPORTS = {
    "marcxml": ("application/marcxml+xml; charset=utf-8", "xml"),
    "iso2709": ("application/marc", "mrc"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
}


@require_GET
def record_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    from thuvien.catalog.marc.marcxml import to_marcxml
    from thuvien.catalog.marc.writer import RecordTooLong, to_iso2709
    from thuvien.catalog.selectors import bib_to_pymarc
    from thuvien.search.citation import to_bibtex, to_ris

    if fmt not in EXPORTS:
        raise Http404(_("Không hỗ trợ định dạng này."))
    bib = _record_or_404(pk)
    content_type, ext = EXPORTS[fmt]
    body: str | bytes
    if fmt == "marcxml":
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + to_marcxml(bib_to_pymarc(bib))
    elif fmt == "iso2709":
        try:
            body = to_iso2709(bib_to_pymarc(bib))
        except RecordTooLong as exc:
            raise Http404(str(exc)) from exc
    elif fmt == "ris":
        body = to_ris(bib)
    else:
        body = to_bibtex(bib)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="record-{bib.pk}.{ext}"'
    return response
