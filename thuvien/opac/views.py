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
from thuvien.opac.search_page import (
    LANGUAGE_LABELS,
    MATERIAL_LABELS,
    active_filters,
    facet_boxes,
    parse_filters,
)
from thuvien.portal.history import remember_search
from thuvien.search.engine import IndexUnavailable
from thuvien.search.fallback import record_search_fallback
from thuvien.search.query import MatchAll
from thuvien.search.selectors import (
    QuerySyntaxError,
    autocomplete,
    holdings_counts,
    parse_user_query,
    record_get_public,
    record_search,
    records_in_order,
    suggest_query,
    year_span,
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


def _search_from_database(request: HttpRequest, ctx: dict[str, Any]) -> HttpResponse:
    """While the indexer (re)builds the index: a plain title/author match from the database, with a notice."""
    page, library = ctx["page"], ctx["library"]
    ids, total = record_search_fallback(text=ctx["q"], library=library, offset=(page - 1) * PAGE_SIZE,
                                        limit=PAGE_SIZE)
    records = records_in_order(ids)
    counts = holdings_counts(record_ids=[r.pk for r in records], library=library)
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    base = reverse("opac:search")
    keep = [("q", ctx["q"])] + ([("library", library.code)] if library else [])
    ctx.update(dict(
        results=[{"record": r, "hl": {}, "avail": counts[r.pk]} for r in records], total=total, pages=pages,
        first=(page - 1) * PAGE_SIZE + 1, last=min(page * PAGE_SIZE, total),
        prev_url=_url(base, keep + [("page", str(page - 1))]) if page > 1 else None,
        next_url=_url(base, keep + [("page", str(page + 1))]) if page < pages else None,
        degraded=_("Chỉ mục tìm kiếm đang được dựng lại: tạm thời chỉ tìm theo nhan đề và tác giả, "
                   "không có bộ lọc."),
    ))
    return render(request, "opac/search.html", ctx)


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
        "recent": recent, "sections": ["opac/_new_acquisitions.html", "portal/_home.html"], "libraries": _libraries(),
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
    filters = parse_filters(request.GET.getlist("f"))
    span = "-".join(request.GET.get(k, "").strip()[:4] for k in ("yf", "yt"))
    if span != "-":  # the year facet's from/to boxes
        filters.pop("years", None)
        if year_span(span) is not None:
            filters["years"] = [span]
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
        return _search_from_database(request, ctx)
    records = records_in_order(result.record_ids)
    counts = holdings_counts(record_ids=[r.pk for r in records], library=library)
    hl = {h.record_id: h.highlights for h in result.hits}
    ctx["results"] = [{"record": r, "hl": hl.get(r.pk, {}), "avail": counts[r.pk]} for r in records]
    if page == 1:
        remember_search(request.session, q=q, url=request.get_full_path(), total=result.total)
    ctx.update(total=result.total, fuzzy=result.fuzzy, relaxed=result.relaxed)

    base = reverse("opac:search")
    keep: list[tuple[str, str]] = [("q", q)] + ([("library", library.code)] if library else [])
    if sort != "relevance":
        keep.append(("sort", sort))
    active_params = [("f", f"{n}:{v}") for n, vs in filters.items() for v in vs]
    keep_scope = True
    if result.total == 0 and q:
        ctx["suggestion"] = suggest_query(q, library=library)
        if ctx["suggestion"] is None and library is not None:  # found elsewhere in the network only
            ctx["suggestion"] = suggest_query(q)
            keep_scope = False
        if library is not None:  # the same search over the whole network, if it finds something there
            everywhere = record_search(query=node, limit=0, filters=filters).total
            ctx["network_total"] = everywhere
            ctx["network_url"] = _url(base, [("q", q), *keep[2:], *active_params]) if everywhere else None
        if filters:
            ctx["unfiltered_url"] = _url(base, keep)
    codes = [v for v, _n in result.facets.get("library", [])] + filters.get("library", [])
    units = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    pages = (result.total + PAGE_SIZE - 1) // PAGE_SIZE
    years = year_span(next(iter(filters.get("years", [])), "")) or (None, None)
    ctx.update(
        facets=facet_boxes(result.facets, filters, base=base, keep=keep, units=units),
        active=active_filters(filters, base=base, keep=keep, units=units),
        year_from=years[0] or "", year_to=years[1] or "",
        year_params=[*keep, *[p for p in active_params if not p[1].startswith("years:")]],
        pages=pages,
        prev_url=_url(base, keep + active_params + [("page", str(page - 1))]) if page > 1 else None,
        next_url=_url(base, keep + active_params + [("page", str(page + 1))]) if page < pages else None,
        first=(page - 1) * PAGE_SIZE + 1,
        last=min(page * PAGE_SIZE, result.total),
        suggestion_url=(_url(base, [("q", ctx["suggestion"])] + (keep[1:] if keep_scope else keep[2:]))
                        if ctx["suggestion"] else None),
        sort_params=[(k, v) for k, v in keep + active_params if k != "sort"],
    )
    return render(request, "opac/search.html", ctx)


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The autocomplete list under the search box (an HTMX fragment)."""
    q = request.GET.get("q", "").strip()[:200]
    try:
        items = autocomplete(q, library=_library(request.GET.get("library", ""))) if len(q) >= 2 else []
    except IndexUnavailable:  # the indexer is building the index: no suggestions meanwhile
        items = []
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
