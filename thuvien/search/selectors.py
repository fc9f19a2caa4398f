"""Reads of the discovery layer: searching the index, suggestions, holdings per scope.

Every search first applies the outbox entries this process has not seen, so a search made
right after a committed write sees it.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tantivy
from django.conf import settings
from django.db.models import Count, Q, Subquery
from tantivy import Occur, Query

from thuvien.catalog.models import BibRecord, Item, ItemStatus
from thuvien.core.models import OrgUnit
from thuvien.core.text import fold, fold_key, normalize, syllable_key
from thuvien.search.compile import Compiler, Highlight, has_marks, words_of
from thuvien.search.documents import SET_SEPARATOR
from thuvien.search.engine import get_index
from thuvien.search.query import Node, Term
from thuvien.search.syntax import QuerySyntaxError, parse_user_query

__all__ = [
    "FACETS", "SORTS", "Hit", "QuerySyntaxError", "SearchResult", "autocomplete", "holdings_counts",
    "parse_user_query", "record_get_public", "record_rows_in_order", "record_search", "suggest_query",
]

# sort name -> (fast field, order) ; None = relevance
SORTS: dict[str, tuple[str, tantivy.Order] | None] = {
    "relevance": None,
    "title": ("title_key", tantivy.Order.Asc),
    "author": ("author_key", tantivy.Order.Asc),
    "newest": ("newest", tantivy.Order.Desc),
    "oldest": ("oldest", tantivy.Order.Asc),
    "recent": ("id", tantivy.Order.Desc),  # most recently catalogued first
}
# facet name -> (index field, how many values)
FACETS: dict[str, tuple[str, int]] = {
    "author": ("auth", 50),
    "library": ("lib_code", 30),
    "material_type": ("mtype", 15),
    "language": ("lang", 15),
    "year": ("year", 25),
    "subject": ("subj", 20),
    "ddc_hundreds": ("ddc_h", 10),
    "ddc_tens": ("ddc_t", 20),
}
FILTER_FIELDS = {name: fname for name, (fname, _) in FACETS.items()}
MAX_LIMIT = 200
MAX_OFFSET = 100_000
_UNAVAILABLE = (ItemStatus.WITHDRAWN, ItemStatus.LOST)


@dataclass(frozen=True)
class Hit:
    record_id: int
    score: float
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    fuzzy: bool = False  # a similar spelling (one edit) found records the words as typed did not
    relaxed: bool = False  # the words as typed (with their diacritics) found nothing: accents were ignored

    @property
    def record_ids(self) -> list[int]:
        return [h.record_id for h in self.hits]


class _Scopes:
    """Library code -> subtree unit ids, each code looked up once per search."""

    def __init__(self) -> None:
        self.cache: dict[str, list[tuple[int, str]]] = {}

    def units(self, *, code: str | None = None, unit: OrgUnit | None = None) -> list[tuple[int, str]]:
        key = unit.code if unit is not None else (code or "")
        if key not in self.cache:
            if unit is not None:
                rows = OrgUnit.objects.filter(path__startswith=unit.path).values_list("id", "code")
            else:
                path = OrgUnit.objects.filter(code__iexact=key).values("path")[:1]
                rows = OrgUnit.objects.filter(path__startswith=Subquery(path)).values_list("id", "code")
            self.cache[key] = list(rows)
        return self.cache[key]

    def ids(self, code: str) -> list[int]:
        return [i for i, _ in self.units(code=code)]


def _mark(text: str, hl: Highlight) -> str:
    """HTML-escaped text with the words the query matched wrapped in <mark>."""
    if not text:
        return ""
    out: list[str] = []
    last = 0
    for m in re.finditer(r"[^\W_]+", text):
        fw = fold(m.group())
        if (syllable_key(m.group()) if hl.strict else fold_key(m.group())) in hl.words or any(fw.startswith(p) for p in hl.prefixes):
            out.append(html.escape(text[last:m.start()]))
            out.append(f"<mark>{html.escape(m.group())}</mark>")
            last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def year_span(value: str) -> tuple[int | None, int | None] | None:
    """"1990-2000", "1990-" or "-2000" as (from, to); None when it is not a year range."""
    m = re.fullmatch(r"\s*(\d{1,4})?\s*-\s*(\d{1,4})?\s*", str(value))
    if not m or (m.group(1) is None and m.group(2) is None):
        return None
    lower, upper = (int(g) if g else None for g in m.groups())
    if lower is not None and upper is not None and lower > upper:
        lower, upper = upper, lower
    return lower, upper


def _filter_query(schema: tantivy.Schema, name: str, values: list[str], scope_ids: list[int] | None) -> Query:
    if name == "years":  # a range typed in the year facet: "1990-2000", "1990-", "-2000"
        spans = [s for s in (year_span(v) for v in values) if s is not None]
        if not spans:
            return Query.empty_query()
        ranges = [Query.range_query(schema, "year", tantivy.FieldType.Integer,
                                    lower_bound=lo if lo is not None else -(2**62),
                                    upper_bound=hi if hi is not None else 2**62) for lo, hi in spans]
        return ranges[0] if len(ranges) == 1 else Query.boolean_query([(Occur.Should, q) for q in ranges])
    if name == "availability":
        if "available" not in values:
            return Query.all_query()
        if scope_ids is not None:
            return Query.term_set_query(schema, "avail", scope_ids)
        return Query.term_query(schema, "avail_any", "y")
    fname = FILTER_FIELDS.get(name)
    if fname is None:
        raise ValueError(f"unknown filter {name!r}")
    if fname == "year":
        years = [int(v) for v in values if str(v).lstrip("-").isdigit() and len(str(v)) <= 6]  # 64-bit field
        return Query.term_set_query(schema, "year", years) if years else Query.empty_query()
    return Query.term_set_query(schema, fname, [str(v) for v in values])


_likely: dict[str, Any] = {"generation": None, "forms": {}}


def _likely_forms(generation: int) -> dict[str, str | None]:
    """The likeliest accented forms looked up so far, valid while the index does not change."""
    if _likely["generation"] != generation:
        _likely["generation"], _likely["forms"] = generation, {}
    forms: dict[str, str | None] = _likely["forms"]
    return forms


def record_search(
    *,
    query: Node,
    library: OrgUnit | None = None,
    offset: int = 0,
    limit: int = 10,
    sort: str = "relevance",
    facets: bool = False,
    filters: dict[str, list[str]] | None = None,
) -> SearchResult:
    """Records matching `query` (never deleted ones), scoped to `library`'s subtree, sorted and paged.

    `filters` narrows by exact facet values ({"language": ["vie"], "availability": ["available"]}).
    Queries: one for the outbox, plus one per library scope looked up.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    offset = max(0, min(int(offset), MAX_OFFSET))
    limit = max(0, min(int(limit), MAX_LIMIT))
    index = get_index()
    index.sync()
    searcher = index.searcher()
    schema = index.schema
    scopes = _Scopes()
    scope_ids: list[int] | None = None
    scope_codes: set[str] | None = None
    extra: list[tuple[Occur, Query]] = []
    if library is not None:
        units = scopes.units(unit=library)
        scope_ids = [i for i, _ in units]
        scope_codes = {c for _, c in units}
        extra.append((Occur.Must, Query.const_score_query(Query.term_set_query(schema, "lib", scope_ids), 0.0)))
    for name, values in (filters or {}).items():
        if values:
            extra.append((Occur.Must, Query.const_score_query(_filter_query(schema, name, values, scope_ids), 0.0)))
    order = SORTS[sort]
    kwargs: dict[str, object] = {}
    if order is not None:
        kwargs = {"order_by_field": order[0], "order": order[1]}

    def run(compiler: Compiler, n: int) -> tuple[Query, Any]:
        main = compiler.compile(query)
        final = main if not extra else Query.boolean_query([(Occur.Must, main), *extra])
        return final, searcher.search(final, n, count=True, offset=offset, **kwargs)  # type: ignore[arg-type]

    strict = has_marks(query)
    likely = _likely_forms(index.generation)
    compiler = Compiler(schema, searcher, scopes.ids, strict=strict, likely=likely)
    final, res = run(compiler, max(limit, 1))
    relaxed = False
    if strict and not res.count:  # type: ignore[attr-defined]
        compiler = Compiler(schema, searcher, scopes.ids, strict=False, likely=likely)
        final, res = run(compiler, max(limit, 1))
        relaxed = bool(res.count)  # type: ignore[attr-defined]
    if compiler.narrowed and not res.count:  # type: ignore[attr-defined]
        # the name's works are not in this scope or filter: its words anywhere, as for any other words
        compiler = Compiler(schema, searcher, scopes.ids, strict=False, likely=likely, narrow=False)
        final, res = run(compiler, max(limit, 1))
    total = int(res.count or 0)  # type: ignore[attr-defined]
    fuzzy = False
    if compiler.fuzzy_used and total:
        _plain, counted = run(Compiler(schema, searcher, scopes.ids, strict=False, fuzzy=False, likely=likely,
                                        narrow=compiler.allow_narrow), 1)
        fuzzy = int(counted.count or 0) < total  # type: ignore[attr-defined]
    raw_hits = res.hits[:limit]
    hits: list[Hit] = []
    for score, addr in raw_hits:
        doc = searcher.doc(addr)
        hl = {"title": _mark(doc.get_first("title_s") or "", compiler.highlight)}
        author = doc.get_first("author_s")
        if author:
            hl["author"] = _mark(author, compiler.highlight)
        hits.append(Hit(record_id=int(doc.get_first("id") or 0), score=float(score) if order is None else 0.0,
                        highlights=hl))
    result = SearchResult(total=total, hits=hits, fuzzy=fuzzy, relaxed=relaxed)
    if facets:
        key = (index.generation, repr(query), relaxed, None if scope_ids is None else tuple(scope_ids),
               tuple(sorted((k, tuple(v)) for k, v in (filters or {}).items() if v)),
               tuple(sorted((code, tuple(units)) for code, units in scopes.cache.items())))
        result.facets = _cached_facets(
            key, lambda: _facets(searcher, schema, final, scope_ids, scope_codes, result.total), result.total)
        result.facets = {name: list(values) for name, values in result.facets.items()}
    return result


# Library and availability facets come from single-valued fields holding each record's whole set of
# libraries ("libset": codes) and of libraries with a copy on the shelf ("availset": ids): counting the
# distinct sets is several times cheaper than counting a multi-valued field, and summing them per library
# is exact as long as every distinct set came back (otherwise we fall back to the direct count).
SET_BUCKETS = 2000
FACET_CACHE_SIZE = 256
FACET_CACHE_MIN_TOTAL = 2000  # smaller result sets are counted faster than they are looked up
_facet_cache: OrderedDict[tuple[object, ...], dict[str, list[tuple[str, int]]]] = OrderedDict()
_facet_cache_lock = threading.Lock()


def _bucket_key(key: object) -> str:
    return str(int(key)) if isinstance(key, float) else str(key)


def _complete(data: dict[str, Any], name: str) -> list[tuple[str, int]] | None:
    agg = data.get(name, {})
    if agg.get("sum_other_doc_count", 0):
        return None
    return [(_bucket_key(b["key"]), int(b["doc_count"])) for b in agg.get("buckets", [])]


def _facets(searcher: tantivy.Searcher, schema: tantivy.Schema, final: Query, scope_ids: list[int] | None,
            scope_codes: set[str] | None, total: int) -> dict[str, list[tuple[str, int]]]:
    """Every facet in one aggregation pass over the matching documents (plus a fallback pass when a
    catalogue has more distinct library sets than SET_BUCKETS)."""
    if total == 0:
        return {name: [] for name in [*FACETS, "availability"]}
    aggs: dict[str, Any] = {name: {"terms": {"field": fname, "size": size}}
                            for name, (fname, size) in FACETS.items() if name != "library"}
    for name in ("libset", "availset"):
        aggs[name] = {"terms": {"field": name, "size": SET_BUCKETS, "segment_size": SET_BUCKETS}}
    data = searcher.aggregate(final, aggs)
    out: dict[str, list[tuple[str, int]]] = {}
    for name in FACETS:
        if name != "library":
            out[name] = [(_bucket_key(b["key"]), int(b["doc_count"])) for b in data.get(name, {}).get("buckets", [])]

    libsets = _complete(data, "libset")
    if libsets is None:
        lib_field, lib_size = FACETS["library"]
        buckets = searcher.aggregate(final, {"l": {"terms": {"field": lib_field, "size": lib_size}}})["l"]["buckets"]
        per_library = sorted(((_bucket_key(b["key"]), int(b["doc_count"])) for b in buckets),
                             key=lambda kv: (-kv[1], kv[0]))
        if scope_codes is not None:
            per_library = [(k, n) for k, n in per_library if k in scope_codes]
    else:
        counts: dict[str, int] = defaultdict(int)
        for key, n in libsets:
            for code in key.split(SET_SEPARATOR):
                if scope_codes is None or code in scope_codes:
                    counts[code] += n
        per_library = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACETS["library"][1]]
    out["library"] = per_library

    if scope_ids is None:  # any copy on the shelf anywhere: every bucket counts
        agg = data.get("availset", {})
        available = sum(int(b["doc_count"]) for b in agg.get("buckets", [])) + int(agg.get("sum_other_doc_count", 0))
    else:
        availsets = _complete(data, "availset")
        if availsets is None:
            counted = searcher.search(Query.boolean_query(
                [(Occur.Must, final), (Occur.Must, Query.term_set_query(schema, "avail", scope_ids))]), 1, count=True)
            available = int(counted.count or 0)  # type: ignore[attr-defined]
        else:
            in_scope = {str(i) for i in scope_ids}
            available = sum(n for key, n in availsets if not in_scope.isdisjoint(key.split(SET_SEPARATOR)))
    out["availability"] = [("available", available), ("unavailable", total - available)]
    return out


def _cached_facets(key: tuple[object, ...], compute: Callable[[], dict[str, list[tuple[str, int]]]],
                   total: int) -> dict[str, list[tuple[str, int]]]:
    """Facet counts of large result sets, remembered per (query, scope, filters, index generation):
    paging through results, or many readers asking the same common word, counts them once."""
    size = int(getattr(settings, "THUVIEN_SEARCH_FACET_CACHE", FACET_CACHE_SIZE))
    if total < FACET_CACHE_MIN_TOTAL or size <= 0:
        return compute()
    with _facet_cache_lock:
        found = _facet_cache.get(key)
        if found is not None:
            _facet_cache.move_to_end(key)
            return found
    facets = compute()
    with _facet_cache_lock:
        _facet_cache[key] = facets
        while len(_facet_cache) > size:
            _facet_cache.popitem(last=False)
    return facets


# ---- suggestions ------------------------------------------------------------------------------

def _edit_distance(a: str, b: str, cap: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, stopping early past `cap`."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > cap:
            return cap + 1
        prev2, prev = prev, cur
    return prev[-1]


_SUGGEST_FIELDS = ("title_f", "author_f", "subject_f")


def _correct(searcher: tantivy.Searcher, word: str) -> str | None:
    """The index word closest to `word` (within two edits, most frequent first), or None."""
    if any(searcher.doc_freq(f, word) for f in _SUGGEST_FIELDS):
        return word
    if len(word) < 3:
        return None
    best: tuple[int, int, str] | None = None
    for f in _SUGGEST_FIELDS:
        for prefix in {word[:1], word[:2]}:
            for term, freq in searcher.terms_with_prefix(f, prefix, limit=5000):
                d = _edit_distance(word, term, cap=2)
                if d <= 2 and (best is None or (d, -freq) < (best[0], -best[1])):
                    best = (d, freq, term)
    return best[2] if best else None


def suggest_query(text: str, *, library: OrgUnit | None = None) -> str | None:
    """"Có phải bạn muốn tìm": the query with misspelt words corrected and accents restored, or None.

    Only for plain keyword queries; returns None when the suggestion would find nothing either.
    """
    try:
        node = parse_user_query(text)
    except QuerySyntaxError:
        return None
    if not (isinstance(node, Term) and node.field == "any"):
        return None
    index = get_index()
    searcher = index.searcher()
    words = words_of(node.text)
    if not words:
        return None
    corrected: list[str] = []
    for w in words:
        c = _correct(searcher, fold_key(w))
        if c is None:
            return None
        corrected.append(c)
    result = record_search(query=Term("any", " ".join(corrected), phrase=node.phrase), library=library, limit=3)
    if not result.hits:
        return None
    # Restore accents from the best matching record's title and author.
    forms: dict[str, str] = {}
    for hit in result.hits:
        for key in ("title", "author"):
            plain = re.sub(r"<[^>]+>", "", html.unescape(hit.highlights.get(key, "")))
            for token in re.findall(r"[^\W_]+", plain):
                forms.setdefault(fold_key(token), token)
    restored = " ".join(forms.get(c, c) for c in corrected)
    if normalize(restored).lower() == normalize(text).lower():
        return None
    return restored


def autocomplete(prefix: str, *, library: OrgUnit | None = None, limit: int = 8) -> list[dict[str, str]]:
    """Titles and authors that start with (or contain words starting with) what has been typed."""
    words = words_of(prefix)
    if not words or len(fold(words[-1])) < 1:
        return []
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for field_name, kind in (("title", "title"), ("author", "author")):
        q = Term(field_name, " ".join(words), truncated=True)
        result = record_search(query=q, library=library, limit=limit)
        for hit in result.hits:
            value = re.sub(r"<[^>]+>", "", html.unescape(hit.highlights.get(kind, "")))
            if value and fold(value) not in seen:
                seen.add(fold(value))
                out.append({"text": value, "kind": kind, "html": hit.highlights.get(kind, "")})
    return out[:limit]


# ---- holdings and records ----------------------------------------------------------------------

@dataclass
class Availability:
    total: int = 0
    available: int = 0


def holdings_counts(*, record_ids: list[int], library: OrgUnit | None = None) -> dict[int, Availability]:
    """Copies and available copies of each record within the scope (one query)."""
    qs = Item.objects.filter(record_id__in=record_ids).exclude(status__in=_UNAVAILABLE)
    if library is not None:
        qs = qs.filter(library__path__startswith=library.path)
    out: dict[int, Availability] = defaultdict(Availability)
    for row in qs.values("record_id").annotate(
        n=Count("id"), avail=Count("id", filter=Q(status=ItemStatus.AVAILABLE))
    ):
        out[row["record_id"]] = Availability(total=row["n"], available=row["avail"])
    return {rid: out.get(rid, Availability()) for rid in record_ids}


def record_get_public(*, record_id: int) -> BibRecord | None:
    """A live record with its items (library, type) prefetched, or None if missing or deleted."""
    return (
        BibRecord.objects.filter(pk=record_id, is_deleted=False)
        .prefetch_related("items__library", "items__item_type")
        .first()
    )


def record_rows_in_order(record_ids: list[int], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Just these columns of a result page's records, in result order (one query, no model instances;
    deleted or vanished records dropped)."""
    rows = BibRecord.objects.filter(id__in=record_ids, is_deleted=False).values("id", *fields)
    found = {row["id"]: row for row in rows}
    return [found[i] for i in record_ids if i in found]


def records_in_order(record_ids: list[int]) -> list[BibRecord]:
    """Records for a result page, in result order (one query; deleted or vanished ones dropped)."""
    found = BibRecord.objects.filter(id__in=record_ids, is_deleted=False).in_bulk()
    return [found[i] for i in record_ids if i in found]

