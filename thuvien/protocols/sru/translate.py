"""CQL syntax tree -> thuvien.search query tree, with SRU diagnostics for what we do not support."""

from __future__ import annotations

from dataclasses import dataclass

from thuvien.protocols.sru.cql import CQLNode, CQLQuery, SearchClause, SortKey
from thuvien.search.query import And, MatchAll, Node, Not, Or, Range, Term

# CQL index (lower-case, context set prefix included) -> search field. "dc.identifier" is special.
INDEXES: dict[str, str] = {
    "cql.anywhere": "any",
    "cql.serverchoice": "any",
    "cql.keywords": "any",
    "dc.title": "title",
    "dc.creator": "author",
    "dc.subject": "subject",
    "dc.publisher": "publisher",
    "dc.date": "year",
    "dc.identifier": "identifier",
    "bath.isbn": "isbn",
    "bath.issn": "issn",
    "rec.identifier": "control_number",
}
# Human titles for the explain record (Vietnamese first; they are index titles, not UI strings).
INDEX_TITLES: dict[str, str] = {
    "cql.anywhere": "Mọi trường / Any field",
    "cql.serverChoice": "Mọi trường / Any field",
    "dc.title": "Nhan đề / Title",
    "dc.creator": "Tác giả / Creator",
    "dc.subject": "Chủ đề / Subject",
    "dc.publisher": "Nhà xuất bản / Publisher",
    "dc.date": "Năm xuất bản / Date",
    "dc.identifier": "ISBN, ISSN, số kiểm soát / Identifier",
    "bath.isbn": "ISBN",
    "bath.issn": "ISSN",
    "rec.identifier": "Số kiểm soát (001) / Record identifier",
}
DEFAULT_CONTEXT = "dc"
WORD_RELATIONS = frozenset({"=", "all", "any", "adj", "==", "exact", "<>", "scr"})
ORDER_RELATIONS = frozenset({"<", ">", "<=", ">=", "within"})
IGNORED_RELATION_MODIFIERS = frozenset({"ignorecase", "ignoreaccents", "word", "string", "cql.ignorecase",
                                        "cql.ignoreaccents", "cql.word", "cql.string", "lang", "cql.lang"})


@dataclass
class CQLDiagnostic(Exception):  # noqa: N818 - an SRU diagnostic, raised to abort translation
    number: int
    details: str = ""
    message: str = ""


def _index_key(index: str) -> str:
    key = index.lower()
    if "." not in key:
        key = f"{DEFAULT_CONTEXT}.{key}"
    return key


def _term(field: str, text: str, **kw: bool) -> Node:
    if field == "identifier":
        return Or(tuple(Term(f, text, **kw) for f in ("isbn", "issn", "control_number")))
    return Term(field, text, **kw)


def _year(text: str, index: str) -> int:
    t = text.strip()
    if len(t) >= 4 and t[:4].isdigit():
        return int(t[:4])
    raise CQLDiagnostic(36, index, "Term in invalid format for index or relation")


def _clause(c: SearchClause) -> Node:
    relation = c.relation or "="
    key = _index_key(c.index) if c.index else "cql.serverchoice"
    if key == "cql.allrecords":
        return MatchAll()
    field = INDEXES.get(key)
    if field is None:
        raise CQLDiagnostic(16, c.index, "Unsupported index")
    for mod in c.modifiers:
        if mod.name not in IGNORED_RELATION_MODIFIERS:
            raise CQLDiagnostic(20, mod.name, "Unsupported relation modifier")
    text = c.term.strip()
    if field == "year":
        if relation in ("=", "==", "exact", "adj", "all", "any"):
            if relation == "any":
                return Or(tuple(Range("year", y, y) for y in (_year(w, c.index) for w in text.split())))
            y = _year(text, c.index)
            return Range("year", y, y)
        if relation == "<":
            return Range("year", None, _year(text, c.index) - 1)
        if relation == "<=":
            return Range("year", None, _year(text, c.index))
        if relation == ">":
            return Range("year", _year(text, c.index) + 1, None)
        if relation == ">=":
            return Range("year", _year(text, c.index), None)
        if relation == "within":
            parts = text.split()
            if len(parts) != 2:
                raise CQLDiagnostic(36, c.index, "within needs two years")
            return Range("year", _year(parts[0], c.index), _year(parts[1], c.index))
        if relation == "<>":
            y = _year(text, c.index)
            return Not(MatchAll(), Range("year", y, y))
        raise CQLDiagnostic(19, relation, "Unsupported relation")
    if relation in ORDER_RELATIONS:
        raise CQLDiagnostic(19, relation, "Unsupported relation")
    if relation not in WORD_RELATIONS:
        raise CQLDiagnostic(19, relation, "Unsupported relation")
    if not text:
        raise CQLDiagnostic(27, c.index or "cql.serverChoice", "Empty term unsupported")
    truncated = False
    if relation not in ("==", "exact"):
        if text.endswith("*") and not text.endswith("\\*"):
            text = text[:-1].rstrip()
            truncated = True
        if not text:
            return MatchAll()
        if "*" in text.replace("\\*", "") or "?" in text.replace("\\?", ""):
            raise CQLDiagnostic(28, c.term, "Masking character not supported")
        text = text.replace("\\*", "*").replace("\\?", "?")
    if relation in ("==", "exact"):
        return _term(field, text, exact=True)
    if relation == "adj":
        return _term(field, text, phrase=True, truncated=truncated)
    if relation == "any":
        return _term(field, text, any_word=True, truncated=truncated)
    if relation == "<>":
        return Not(MatchAll(), _term(field, text))
    return _term(field, text, truncated=truncated)  # "=", "all", "scr": every word, folded


def _node(n: CQLNode) -> Node:
    if isinstance(n, SearchClause):
        return _clause(n)
    left, right = _node(n.left), _node(n.right)
    if n.op == "and":
        return And((left, right))
    if n.op == "or":
        return Or((left, right))
    if n.op == "not":
        return Not(left, right)
    if n.op == "prox":
        for mod in n.modifiers:
            if mod.name not in ("unit", "distance", "ordering", "prox.unit", "prox.distance", "prox.ordering"):
                raise CQLDiagnostic(40, mod.name, "Unsupported proximity modifier")
        # Two single-field terms next to each other become one phrase; otherwise both must match.
        if (isinstance(left, Term) and isinstance(right, Term) and left.field == right.field
                and not (left.exact or right.exact or left.truncated)):
            return Term(left.field, f"{left.text} {right.text}", phrase=True, truncated=right.truncated)
        return And((left, right))
    raise CQLDiagnostic(37, n.op, "Unsupported boolean operator")


def cql_to_query(q: CQLQuery) -> Node:
    """Translate parsed CQL into the search query tree (its sortBy: `cql_sort`); raises
    CQLDiagnostic (SRU numbering)."""
    return _node(q.root)


@dataclass(frozen=True)
class SortRequest:
    index: str
    ascending: bool = True


# sort index (CQL sortBy or the path of SRU 1.x sortKeys) -> the search's sort names (ascending, descending)
_SORT_INDEXES: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(("title", "dc.title"), ("title", None)),
    **dict.fromkeys(("author", "creator", "dc.creator", "dc.author", "bath.name"), ("author", None)),
    **dict.fromkeys(("date", "year", "dc.date"), ("oldest", "newest")),
}


def cql_sort(keys: tuple[SortKey, ...]) -> list[SortRequest]:
    """The sort asked for by a CQL sortBy clause (modifiers /sort.ascending, /sort.descending; the
    sort keys already ignore case and accents, so /ignoreCase and /ignoreAccents are accepted)."""
    out = []
    for key in keys:
        ascending = True
        for m in key.modifiers:
            name = m.name.lower().removeprefix("sort.")
            if name in ("ascending", "descending"):
                ascending = name == "ascending"
            elif name in ("respectcase", "respectaccents"):
                raise CQLDiagnostic(91, m.name, "Unsupported case")
            elif name.startswith("missing"):
                raise CQLDiagnostic(92, m.name, "Unsupported missing value action")
            elif name not in ("ignorecase", "ignoreaccents"):
                raise CQLDiagnostic(82, m.name, "Unsupported sort sequence")
        out.append(SortRequest(key.index, ascending))
    return out


def sortkeys_param(text: str) -> list[SortRequest]:
    """The sort asked for by SRU 1.1/1.2's sortKeys parameter: space-separated keys
    `path,schema,ascending,caseSensitive,missingValue` (all but the path optional)."""
    out = []
    for spec in text.split():
        path, schema, ascending, case, missing = (spec.split(",") + [""] * 5)[:5]
        if schema and schema.lower() not in ("marcxml", "marc21", "dc", "mods", "info:srw/schema/1/marcxml-v1.1",
                                             "info:srw/schema/1/dc-v1.1"):
            raise CQLDiagnostic(87, schema, "Unsupported schema for sort")
        if ascending not in ("", "0", "1"):
            raise CQLDiagnostic(90, ascending, "Unsupported direction")
        if case not in ("", "0"):
            raise CQLDiagnostic(91, case, "Unsupported case")
        if missing:
            raise CQLDiagnostic(92, missing, "Unsupported missing value action")
        out.append(SortRequest(path, ascending != "0"))
    return out


def sort_name(requests: list[SortRequest]) -> str:
    """The search's sort for the requested keys: by relevance when none; one key (title, author or
    date) is supported, in the directions its sort has."""
    if not requests:
        return "relevance"
    if len(requests) > 1:
        raise CQLDiagnostic(84, "1", "Too many sort keys to sort")
    request = requests[0]
    names = _SORT_INDEXES.get(request.index.lower())
    if names is None:
        raise CQLDiagnostic(88, request.index, "Unsupported path for sort")
    name = names[0] if request.ascending else names[1]
    if name is None:
        raise CQLDiagnostic(90, "descending", "Unsupported direction")
    return name
