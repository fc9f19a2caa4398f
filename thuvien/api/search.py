"""API endpoints for search: the catalogue search and autocomplete (a record is `api.catalog`'s)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from thuvien.core.models import OrgUnit
from thuvien.search.engine import IndexUnavailable
from thuvien.search.selectors import (
    QuerySyntaxError,
    autocomplete,
    holdings_counts,
    parse_user_query,
    record_rows_in_order,
    record_search,
)

router = Router(tags=["search"])

RESULT_COLUMNS = ("control_number", "title", "authors", "main_author", "year", "material_type")
SortName = Literal["relevance", "title", "author", "newest", "oldest"]


class SearchParams(Schema):
    q: str = Field("", max_length=1000, description='Cú pháp ô tìm kiếm, ví dụ `tac gia:"Nam Cao" -kieu`')
    library: str | None = Field(None, max_length=32, description="Mã đơn vị: tìm trong đơn vị và cấp dưới")
    page: int = Field(1, ge=1, le=10_000)
    size: int = Field(20, ge=1, le=100)
    sort: SortName = "relevance"
    facets: bool = True
    author: list[str] = Field(default_factory=list, description="tiêu đề tác giả, như trong facet author")
    material_type: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)
    year: list[int] = Field(default_factory=list)
    subject: list[str] = Field(default_factory=list)
    ddc_hundreds: list[str] = Field(default_factory=list)
    ddc_tens: list[str] = Field(default_factory=list)
    available: bool = Field(False, description="chỉ những tài liệu còn bản sẵn sàng trong phạm vi")


class AvailabilityOut(Schema):
    total: int
    available: int
    scope: str | None


class ResultOut(Schema):
    id: int
    control_number: str
    title: str
    authors: list[str]
    year: int | None
    material_type: str
    availability: AvailabilityOut
    highlights: dict[str, str]


class SearchOut(Schema):
    total: int
    page: int
    size: int
    results: list[ResultOut]
    facets: dict[str, list[tuple[str, int]]]


class SuggestionOut(Schema):
    text: str
    kind: str


def _library(code: str | None) -> OrgUnit | None:
    if not code:
        return None
    unit = OrgUnit.objects.filter(code__iexact=code.strip(), is_active=True).first()
    if unit is None:
        raise HttpError(422, _("Không có đơn vị có mã “%(code)s” (library=%(code)s).") % {"code": code})
    return unit


@router.get("/search", response=SearchOut, summary="Tìm trong mục lục")
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any] | JsonResponse:
    """Search the union catalogue, optionally within one library's subtree; facets and holdings counts
    are for that scope."""
    library = _library(params.library)
    try:
        node = parse_user_query(params.q)
    except QuerySyntaxError as exc:
        raise HttpError(422, str(exc)) from exc
    filters: dict[str, list[str]] = {
        "author": params.author, "material_type": params.material_type, "language": params.language,
        "year": [str(y) for y in params.year], "subject": params.subject,
        "ddc_hundreds": params.ddc_hundreds, "ddc_tens": params.ddc_tens,
        "availability": ["available"] if params.available else [],
    }
    try:
        result = record_search(query=node, library=library, offset=(params.page - 1) * params.size,
                               limit=params.size, sort=params.sort, facets=params.facets,
                               filters={k: v for k, v in filters.items() if v})
    except IndexUnavailable:
        return JsonResponse({"detail": _("Chỉ mục tìm kiếm đang được dựng lại; xin thử lại sau ít phút.")},
                            status=503, headers={"Retry-After": "30"})
    rows = record_rows_in_order(result.record_ids, RESULT_COLUMNS)
    counts = holdings_counts(record_ids=[r["id"] for r in rows], library=library)
    highlights = {h.record_id: h.highlights for h in result.hits}
    scope = library.code if library else None
    return {
        "total": result.total,
        "page": params.page,
        "size": params.size,
        "results": [
            {
                "id": r["id"], "control_number": r["control_number"], "title": r["title"],
                "authors": _names(r["authors"]) or ([r["main_author"]] if r["main_author"] else []),
                "year": r["year"], "material_type": r["material_type"],
                "availability": {"total": counts[r["id"]].total, "available": counts[r["id"]].available,
                                 "scope": scope},
                "highlights": highlights.get(r["id"], {}),
            }
            for r in rows
        ],
        "facets": result.facets,
    }


def _names(values: list[Any]) -> list[str]:
    out: list[str] = []
    for v in values or []:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict) and isinstance(v.get("name"), str):
            out.append(v["name"])
    return out


class SuggestParams(Schema):
    q: str = Field(..., min_length=1, max_length=200)
    library: str | None = Field(None, max_length=32)


@router.get("/search/suggest", response=list[SuggestionOut], summary="Gợi ý khi gõ")
def suggest(request: HttpRequest, params: Query[SuggestParams]) -> list[dict[str, str]]:
    """Titles and authors starting with what has been typed (for an autocomplete box)."""
    try:
        return autocomplete(params.q, library=_library(params.library))
    except IndexUnavailable:  # the indexer is building the index: no suggestions meanwhile
        return []
