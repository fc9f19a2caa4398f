"""The one place protocols call the search engine (thuvien.search.selectors.record_search)."""

from __future__ import annotations

from dataclasses import dataclass

from thuvien.core.models import OrgUnit
from thuvien.search.query import Node
from thuvien.search.selectors import record_search


@dataclass(frozen=True)
class Found:
    total: int
    ids: list[int]


def search_records(*, query: Node, library: OrgUnit | None, offset: int, limit: int,
                   sort: str = "relevance") -> Found:
    """Run `query` (optionally within a library subtree: records with items there); total hits
    and the ids of one page, best first or in `sort` order (a name of search.selectors.SORTS).
    Deleted records are never found."""
    result = record_search(query=query, library=library, offset=offset, limit=limit, sort=sort)
    return Found(total=int(result.total), ids=[int(h.record_id) for h in result.hits])
