"""The one place protocols call the search engine (thuvien.search.selectors.record_search).

Until the search app is present, a small in-process evaluator over the catalogue columns stands in,
so the protocol layers can be developed and tested; it is not meant for large catalogues.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thuvien.catalog.models import BibRecord, Item
from thuvien.core.models import OrgUnit
from thuvien.core.text import fold
from thuvien.search.query import And, MatchAll, Node, Not, Or, Range, Term


@dataclass(frozen=True)
class Found:
    total: int
    ids: list[int]


def search_records(*, query: Node, library: OrgUnit | None, offset: int, limit: int) -> Found:
    """Run `query` (optionally within a library subtree); total hits and the ids of one page."""
    try:
        selectors: Any = importlib.import_module("thuvien.search.selectors")
        record_search = selectors.record_search
    except (ImportError, AttributeError):
        return _fallback(query=query, library=library, offset=offset, limit=limit)
    result = record_search(query=query, library=library, offset=offset, limit=limit)
    return Found(total=int(result.total), ids=[int(h.record_id) for h in result.hits])


# ---- stand-in evaluator -------------------------------------------------------------------------

_FIELDS = {
    "title": lambda r: [r["title"]],
    "author": lambda r: [r["main_author"], *_strings(r["authors"])],
    "subject": lambda r: _strings(r["subjects"]),
    "publisher": lambda r: [r["publisher"]],
    "isbn": lambda r: _strings(r["isbns"]),
    "issn": lambda r: _strings(r["issns"]),
    "control_number": lambda r: [r["control_number"]],
    "material_type": lambda r: [r["material_type"]],
    "language": lambda r: [r["language"]],
    "ddc": lambda r: [r["ddc"]],
    "call_number": lambda r: [r["call_number"]],
}


def _strings(value: Any) -> list[str]:
    out: list[str] = []
    for v in value or []:
        if isinstance(v, dict):
            out.extend(str(x) for x in v.values() if isinstance(x, str))
        else:
            out.append(str(v))
    return out


def _values(row: Mapping[str, Any], field: str) -> list[str]:
    if field == "any":
        return [v for f in _FIELDS.values() for v in f(row)]
    getter = _FIELDS.get(field)
    return getter(row) if getter else []


def _words(s: str) -> list[str]:
    return [w for w in "".join(ch if ch.isalnum() else " " for ch in fold(s)).split() if w]


def _match_term(t: Term, row: Mapping[str, Any]) -> bool:
    values = [v for v in _values(row, t.field) if v]
    if t.exact:
        return any(v == t.text for v in values)
    want = _words(t.text)
    if t.field in ("isbn", "issn", "control_number"):
        want = ["".join(want)]
        values = ["".join(_words(v)) for v in values]
    if not want:
        return False
    for v in values:
        have = _words(v) if t.field not in ("isbn", "issn", "control_number") else [v]

        def hit(w: str, last: bool, have: list[str] = have) -> bool:
            return any(h.startswith(w) for h in have) if (last and t.truncated) else w in have

        if t.phrase:
            n = len(want)
            for i in range(len(have) - n + 1):
                window = have[i:i + n]
                if all(window[j] == want[j] or (t.truncated and j == n - 1 and window[j].startswith(want[j]))
                       for j in range(n)):
                    return True
        elif t.any_word:
            if any(hit(w, i == len(want) - 1) for i, w in enumerate(want)):
                return True
        elif all(hit(w, i == len(want) - 1) for i, w in enumerate(want)):
            return True
    return False


def _eval(node: Node, row: Mapping[str, Any]) -> bool:
    if isinstance(node, MatchAll):
        return True
    if isinstance(node, Term):
        return _match_term(node, row)
    if isinstance(node, Range):
        y = row["year"]
        return y is not None and (node.lower is None or y >= node.lower) and (node.upper is None or y <= node.upper)
    if isinstance(node, And):
        return all(_eval(c, row) for c in node.children)
    if isinstance(node, Or):
        return any(_eval(c, row) for c in node.children)
    if isinstance(node, Not):
        return _eval(node.positive, row) and not _eval(node.negative, row)
    raise TypeError(node)


def _fallback(*, query: Node, library: OrgUnit | None, offset: int, limit: int) -> Found:
    qs = BibRecord.objects.filter(is_deleted=False)
    if library is not None:
        qs = qs.filter(pk__in=Item.objects.filter(library__path__startswith=library.path).values("record_id")) | \
            qs.filter(owner__path__startswith=library.path)
    rows = qs.order_by("pk").values("id", "title", "main_author", "authors", "subjects", "publisher", "isbns",
                                    "issns", "control_number", "material_type", "language", "ddc", "call_number",
                                    "year").distinct()
    ids = [r["id"] for r in rows if _eval(query, r)]
    return Found(total=len(ids), ids=ids[offset:offset + limit])
