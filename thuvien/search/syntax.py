"""The OPAC search-box syntax, parsed into the shared query tree (thuvien.search.query).

    truyen kieu                 words, all required, adjacency boosted
    "Đất rừng phương Nam"       a phrase
    tac gia:"Nam Cao"           a field (Vietnamese or English name, with or without accents)
    tác giả:Nam nhan de:kieu*   a field with one word; `*` makes the last word a prefix
    -"nguyen du"  -kieu         exclusion
    nam:1990-2000  year:1995    a year or a range of years
    kieu OR "mat biec"          either side
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from thuvien.core.text import fold, normalize
from thuvien.search.query import And, MatchAll, Node, Not, Or, Range, Term

# Field names as readers type them, folded (no accents, lower case), mapped to query fields.
FIELD_ALIASES: dict[str, str] = {
    "tat ca": "any", "tu khoa": "any", "any": "any", "keyword": "any", "kw": "any",
    "nhan de": "title", "nhande": "title", "ten sach": "title", "ten": "title", "title": "title", "ti": "title",
    "tac gia": "author", "tacgia": "author", "author": "author", "au": "author",
    "chu de": "subject", "chude": "subject", "subject": "subject", "su": "subject",
    "tung thu": "series", "tungthu": "series", "series": "series",
    "nha xuat ban": "publisher", "nxb": "publisher", "publisher": "publisher", "pb": "publisher",
    "isbn": "isbn", "issn": "issn",
    "ky hieu": "call_number", "kyhieu": "call_number", "ky hieu xep gia": "call_number",
    "call number": "call_number", "callnumber": "call_number", "call": "call_number",
    "so kiem soat": "control_number", "control number": "control_number", "control": "control_number",
    "nam": "year", "nam xuat ban": "year", "year": "year", "date": "year",
    "ngon ngu": "language", "language": "language", "lang": "language",
    "loai": "material_type", "loai tai lieu": "material_type", "type": "material_type",
    "thu vien": "library", "library": "library",
    "ddc": "ddc", "dewey": "ddc",
    "toan van": "fulltext", "toanvan": "fulltext", "noi dung": "fulltext", "fulltext": "fulltext",
    "full text": "fulltext", "ft": "fulltext",
}
# How each field is written back into the box (used for suggestions and links).
FIELD_PREFIX: dict[str, str] = {
    "title": "nhan đề", "author": "tác giả", "subject": "chủ đề", "series": "tùng thư",
    "publisher": "nxb", "isbn": "isbn", "issn": "issn", "call_number": "ký hiệu",
    "control_number": "số kiểm soát", "year": "năm", "language": "ngôn ngữ",
    "material_type": "loại", "library": "thư viện", "ddc": "ddc", "fulltext": "toàn văn",
}

_FIELD_RE = re.compile(r"([^\W\d_]+(?:[ \t]+[^\W\d_]+){0,3})[ \t]*:")
_YEAR_RE = re.compile(r"^\s*(\d{1,4})?\s*(?:(-|–|\.\.)\s*(\d{1,4})?)?\s*$")
_NUMBER_RE = re.compile(r"[\dXx][\dXx \t\-]*[\dXx]")  # an ISBN/ISSN typed with spaces or hyphens
MAX_QUERY_LENGTH = 1000


class QuerySyntaxError(ValueError):
    """A search box entry that cannot be understood; the message is for the reader."""


@dataclass
class _Clause:
    node: Node
    negated: bool


def _year_node(value: str) -> Range:
    m = _YEAR_RE.match(value)
    if not m or (m.group(1) is None and m.group(3) is None):
        raise QuerySyntaxError(_("Năm không hợp lệ: “%(value)s” (ví dụ: 1995 hoặc 1990-2000).") % {"value": value})
    lower = int(m.group(1)) if m.group(1) else None
    upper = int(m.group(3)) if m.group(3) else None
    if m.group(2) is None:
        upper = lower
    if lower is not None and upper is not None and lower > upper:
        lower, upper = upper, lower
    return Range("year", lower, upper)


def _term(field: str, text: str, *, phrase: bool) -> Node:
    if field == "year":
        return _year_node(text)
    truncated = text.endswith("*")
    text = text.rstrip("*").strip()
    if not text:
        raise QuerySyntaxError(_("Thiếu từ cần tìm trước dấu *."))
    return Term(field, text, phrase=phrase and len(text.split()) > 1, truncated=truncated)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def quoted(self) -> str:
        """Read a "..." phrase starting at the opening quote."""
        quote = self.text[self.pos]
        closing = "”" if quote == "“" else quote
        end = self.text.find(closing, self.pos + 1)
        if end < 0:
            raise QuerySyntaxError(_("Thiếu dấu ngoặc kép đóng sau “%(rest)s”.") % {"rest": self.text[self.pos + 1:][:40]})
        value = self.text[self.pos + 1:end]
        self.pos = end + 1
        return value

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and not self.text[self.pos].isspace() and self.text[self.pos] not in "\"“":
            self.pos += 1
        return self.text[start:self.pos]


_QUOTES = "\"“”"


def _parse_clauses(text: str) -> list[list[_Clause]]:
    """Clauses grouped by OR: [[a, b], [c]] means (a AND b) OR c."""
    sc = _Scanner(text)
    groups: list[list[_Clause]] = [[]]
    loose: list[str] = []  # consecutive bare words, kept together so adjacency can be boosted

    def flush_loose() -> None:
        if loose:
            groups[-1].append(_Clause(_term("any", " ".join(loose), phrase=False), False))
            loose.clear()

    while True:
        sc.skip_ws()
        if sc.at_end():
            break
        negated = False
        if sc.text[sc.pos] == "-" and sc.pos + 1 < len(sc.text) and not sc.text[sc.pos + 1].isspace():
            negated = True
            sc.pos += 1
        field = "any"
        m = _FIELD_RE.match(sc.text, sc.pos)
        if m and fold(m.group(1)) in FIELD_ALIASES:
            field = FIELD_ALIASES[fold(m.group(1))]
            sc.pos = m.end()
            sc.skip_ws()
            if sc.at_end():
                raise QuerySyntaxError(_("Thiếu giá trị sau “%(field)s:”.") % {"field": m.group(1)})
        if field in ("isbn", "issn"):
            m_num = _NUMBER_RE.match(sc.text, sc.pos)
            if m_num:
                sc.pos = m_num.end()
                flush_loose()
                groups[-1].append(_Clause(Term(field, m_num.group().strip()), negated))
                continue
        if sc.text[sc.pos] in _QUOTES:
            value = sc.quoted().strip()
            if not value:
                continue
            clause = _Clause(_term(field, value, phrase=True), negated)
        else:
            value = sc.word()
            if not value:
                continue
            if value == "OR" and field == "any" and not negated:
                flush_loose()
                groups.append([])
                continue
            if field == "any" and not negated and not value.endswith("*"):
                loose.append(value)
                continue
            clause = _Clause(_term(field, value, phrase=False), negated)
        flush_loose()
        groups[-1].append(clause)
    flush_loose()
    return [g for g in groups if g]


def _group_node(clauses: list[_Clause]) -> Node:
    positives = [c.node for c in clauses if not c.negated]
    negatives = [c.node for c in clauses if c.negated]
    positive: Node
    if not positives:
        positive = MatchAll()
    elif len(positives) == 1:
        positive = positives[0]
    else:
        positive = And(tuple(positives))
    if not negatives:
        return positive
    negative = negatives[0] if len(negatives) == 1 else Or(tuple(negatives))
    return Not(positive, negative)


def parse_user_query(text: str) -> Node:
    """Parse what a reader typed into the box; raises QuerySyntaxError with a readable message."""
    text = normalize(text or "")
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(_("Câu tìm kiếm quá dài (tối đa %(n)d ký tự).") % {"n": MAX_QUERY_LENGTH})
    groups = _parse_clauses(text)
    if not groups:
        return MatchAll()
    nodes = [_group_node(g) for g in groups]
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


def _quote(text: str) -> str:
    return f'"{text}"' if (" " in text or ":" in text) else text


def node_to_text(node: Node) -> str:
    """Write a query tree back in box syntax (used for suggestions and author/subject links)."""
    if isinstance(node, Term):
        value = _quote(node.text) if node.phrase else node.text
        if node.truncated:
            value += "*"
        return value if node.field == "any" else f"{FIELD_PREFIX.get(node.field, node.field)}:{value}"
    if isinstance(node, Range):
        if node.lower == node.upper and node.lower is not None:
            return f"năm:{node.lower}"
        return f"năm:{node.lower or ''}-{node.upper or ''}"
    if isinstance(node, And):
        return " ".join(node_to_text(c) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(node_to_text(c) for c in node.children)
    if isinstance(node, Not):
        positive = "" if isinstance(node.positive, MatchAll) else node_to_text(node.positive) + " "
        negatives = node.negative.children if isinstance(node.negative, Or) else (node.negative,)
        return positive + " ".join("-" + node_to_text(n) for n in negatives)
    return ""


def field_query(field: str, value: str) -> str:
    """Box syntax searching one field for a value, e.g. for the author links of a record page."""
    return f"{FIELD_PREFIX.get(field, field)}:{_quote(value)}"
