"""Turn the shared query tree into a tantivy query, with Vietnamese-aware relevance.

Every text field is indexed twice: as written (lower-cased, accents kept) and folded
(thuvien.core.text.fold). A word always matches the folded field; when the reader typed accents,
a match on the accented field adds to the score, so "Mắt biếc" ranks above "Mặt trời". Words of
the query that stand next to each other also score when they stand next to each other in the
record (Vietnamese words are several syllables: "nhật ánh", "phương nam"). A word of five letters
or more that is nowhere in the index is matched within one edit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import tantivy
from tantivy import Occur, Query

from thuvien.catalog.marc.isbn import isbn_forms, issn_form
from thuvien.core.text import fold, normalize
from thuvien.search.documents import PREFIX_GRAM_FIELDS, PREFIX_GRAMS
from thuvien.search.query import And, MatchAll, Node, Not, Or, Range, Term

_WORD = re.compile(r"[^\W_]+")

# field -> ((index field, boost), ...); the index field has an accented twin without "_f".
FIELD_MAP: dict[str, tuple[tuple[str, float], ...]] = {
    "title": (("title", 1.0),),
    "author": (("author", 1.0),),
    "subject": (("subject", 1.0),),
    "series": (("series", 1.0),),
    "publisher": (("publisher", 1.0),),
    "call_number": (("callno", 1.0),),
    "any": (("title", 3.0), ("author", 2.5), ("subject", 1.5), ("series", 1.2), ("publisher", 0.8),
            ("notes", 0.5), ("callno", 0.8)),
}
HAS_EXACT = {"title", "author", "subject", "series", "publisher", "notes"}
FUZZY_FIELDS = {"title", "author", "subject", "series"}
PREFIX_FIELDS = {"title", "author", "subject"}
EXACT_BOOST = 1.5
PHRASE_BOOST = {"title": 4.0, "author": 3.5, "subject": 2.0, "series": 1.5}
PAIR_BOOST = 1.5
FUZZY_BOOST = 0.4
FUZZY_MIN_LEN = 5
LANGUAGE_NAMES = {
    "tieng viet": "vie", "viet": "vie", "vietnamese": "vie", "tieng anh": "eng", "anh": "eng",
    "english": "eng", "tieng phap": "fre", "phap": "fre", "french": "fre", "tieng trung": "chi",
    "trung": "chi", "chinese": "chi", "tieng nga": "rus", "nga": "rus", "russian": "rus",
}


def words_of(text: str) -> list[str]:
    """The words of a text as the index tokenizer sees them: NFC, lower case, accents kept."""
    return [w.lower() for w in _WORD.findall(normalize(text))][:32]


def has_accents(word: str) -> bool:
    return fold(word) != word


@dataclass
class Highlight:
    """What the query matched, for marking up titles and authors."""

    words: set[str] = field(default_factory=set)  # folded
    prefixes: set[str] = field(default_factory=set)  # folded


ScopeLookup = Callable[[str], list[int]]  # library code -> ids of its subtree


class Compiler:
    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher, scopes: ScopeLookup) -> None:
        self.schema = schema
        self.searcher = searcher
        self.scopes = scopes
        self.highlight = Highlight()
        self.fuzzy_used: list[str] = []

    # ---- helpers -------------------------------------------------------------------------------
    def _term(self, fname: str, value: object) -> Query:
        return Query.term_query(self.schema, fname, value)

    def _known(self, fname: str, word: str) -> bool:
        return self.searcher.doc_freq(fname, word) > 0

    def _must(self, queries: list[Query]) -> Query:
        if len(queries) == 1:
            return queries[0]
        return Query.boolean_query([(Occur.Must, q) for q in queries])

    def _should(self, queries: list[Query]) -> Query:
        if not queries:
            return Query.empty_query()
        if len(queries) == 1:
            return queries[0]
        return Query.boolean_query([(Occur.Should, q) for q in queries])

    # ---- nodes ---------------------------------------------------------------------------------
    def compile(self, node: Node) -> Query:
        if isinstance(node, MatchAll):
            return Query.all_query()
        if isinstance(node, And):
            if not node.children:
                return Query.all_query()
            return self._must([self.compile(c) for c in node.children])
        if isinstance(node, Or):
            if not node.children:
                return Query.empty_query()
            return self._should([self.compile(c) for c in node.children])
        if isinstance(node, Not):
            saved = self.highlight
            positive = self.compile(node.positive)
            self.highlight = Highlight()
            negative = self.compile(node.negative)
            self.highlight = saved
            return Query.boolean_query([(Occur.Must, positive), (Occur.MustNot, negative)])
        if isinstance(node, Range):
            return self._range(node)
        if isinstance(node, Term):
            return self._term_node(node)
        raise TypeError(f"unknown query node {node!r}")

    def _range(self, node: Range) -> Query:
        if node.field != "year":
            return Query.empty_query()
        return Query.range_query(self.schema, "year", tantivy.FieldType.Integer,
                                 lower_bound=node.lower if node.lower is not None else -(2**62),
                                 upper_bound=node.upper if node.upper is not None else 2**62)

    def _term_node(self, node: Term) -> Query:
        f = node.field
        text = normalize(node.text)
        if f == "isbn":
            forms = isbn_forms(text) or [re.sub(r"[\s\-]", "", text).upper()]
            return Query.term_set_query(self.schema, "isbn", forms)
        if f == "issn":
            return self._term("issn", issn_form(text) or re.sub(r"[\s\-]", "", text).upper())
        if f == "control_number":
            return self._term("cn", text.strip().lower())
        if f == "year":
            years = [int(w) for w in re.findall(r"\d{1,4}", text)]
            if not years:
                return Query.empty_query()
            return self._range(Range("year", min(years), max(years)))
        if f == "language":
            code = LANGUAGE_NAMES.get(fold(text), text.strip().lower())
            return self._term("lang", code)
        if f == "material_type":
            return self._term("mtype", text.strip())
        if f == "library":
            ids = self.scopes(text.strip())
            return Query.term_set_query(self.schema, "lib", ids) if ids else Query.empty_query()
        if f == "ddc":
            prefix = re.escape(text.strip().lower())
            return Query.regex_query(self.schema, "ddc", prefix + ".*")
        fields = FIELD_MAP.get(f, FIELD_MAP["any"])
        if f == "any":
            return self._any(text, node)
        words = words_of(text)
        if not words:
            return Query.empty_query()
        return self._words(words, fields, node)

    def _any(self, text: str, node: Term) -> Query:
        """Keyword search: ISBNs and ISSNs in the text match those fields; the rest matches text."""
        whole = isbn_forms(text)
        if whole and not node.phrase:
            return Query.term_set_query(self.schema, "isbn", whole)
        special: list[Query] = []
        rest: list[str] = []
        for chunk in text.split():
            forms = isbn_forms(chunk)
            issn = issn_form(chunk) if "-" in chunk else None
            if forms and not node.phrase:
                special.append(Query.term_set_query(self.schema, "isbn", forms))
            elif issn and not node.phrase:
                special.append(self._term("issn", issn))
            else:
                rest.append(chunk)
        parts = list(special)
        words = words_of(" ".join(rest))
        if words:
            parts.append(self._words(words, FIELD_MAP["any"], node))
        if not parts:
            return Query.empty_query()
        if node.any_word:
            return self._should(parts)
        return self._must(parts)

    def _words(self, words: list[str], fields: tuple[tuple[str, float], ...], node: Term) -> Query:
        folded = [fold(w) for w in words]
        if node.truncated:
            self.highlight.prefixes.add(folded[-1])
            self.highlight.words.update(folded[:-1])
        else:
            self.highlight.words.update(folded)
        if node.phrase and len(words) > 1:
            return self._phrase(words, folded, fields, node)
        clauses: list[Query] = []
        for i, (w, fw) in enumerate(zip(words, folded, strict=True)):
            prefix = node.truncated and i == len(words) - 1
            clauses.append(self._word(w, fw, fields, exact_only=node.exact, prefix=prefix))
        main = self._should(clauses) if node.any_word else self._must(clauses)
        if len(words) < 2 or node.any_word:
            return main
        return Query.boolean_query([(Occur.Must, main), *[(Occur.Should, q) for q in self._adjacency(folded, fields)]])

    def _word(self, w: str, fw: str, fields: tuple[tuple[str, float], ...], *, exact_only: bool, prefix: bool) -> Query:
        accented = has_accents(w)
        per_field: list[Query] = []
        for fname, boost in fields:
            if prefix and len(fields) > 1 and fname not in PREFIX_FIELDS:
                continue  # a prefix expands to many terms: only where autocomplete looks
            alts: list[Query] = []
            exact_field = fname if fname in HAS_EXACT else None
            if prefix:
                target = exact_field if (exact_only and exact_field) else fname + "_f"
                alts.append(self._prefix(target, w if target == exact_field else fw))
            elif exact_only and exact_field:
                alts.append(self._term(exact_field, w))
            else:
                alts.append(self._term(fname + "_f", fw))
                if accented and exact_field:
                    alts.append(Query.boost_query(self._term(exact_field, w), EXACT_BOOST))
                if fname in FUZZY_FIELDS and len(fw) >= FUZZY_MIN_LEN and not self._known(fname + "_f", fw):
                    alts.append(Query.boost_query(
                        Query.fuzzy_term_query(self.schema, fname + "_f", fw, distance=1), FUZZY_BOOST))
                    self.fuzzy_used.append(fw)
            q = self._should(alts)
            per_field.append(Query.boost_query(q, boost) if boost != 1.0 else q)
        if fields == FIELD_MAP["any"] and not prefix:
            per_field.append(self._term("cn", w))
        if len(per_field) == 1:
            return per_field[0]
        return Query.disjunction_max_query(per_field, tie_breaker=0.2)

    def _prefix(self, target: str, word: str) -> Query:
        """Words of `target` starting with `word`, scored as a constant. A short prefix of a folded field is
        one indexed term (the <field>_p twin holds every word's leading characters) instead of a regex
        expanding to thousands of words; the documents and the score are the same."""
        base = target.removesuffix("_f")
        if target.endswith("_f") and base in PREFIX_GRAM_FIELDS and 2 <= len(word) <= PREFIX_GRAMS:
            return Query.const_score_query(Query.term_query(self.schema, base + "_p", word), 1.0)
        return Query.regex_query(self.schema, target, re.escape(word) + ".*")

    def _phrase(self, words: list[str], folded: list[str], fields: tuple[tuple[str, float], ...], node: Term) -> Query:
        alts: list[Query] = []
        for fname, boost in fields:
            exact_field = fname if fname in HAS_EXACT else None
            if node.exact and exact_field:
                target, seq = exact_field, words
            else:
                target, seq = fname + "_f", folded
            if node.truncated:
                q = Query.phrase_prefix_query(self.schema, target, list(seq))
            else:
                q = Query.phrase_query(self.schema, target, list(seq))
            if not node.exact and exact_field and any(has_accents(w) for w in words):
                q = self._should([q, Query.boost_query(Query.phrase_query(self.schema, exact_field, list(words)),
                                                       EXACT_BOOST)])
            alts.append(Query.boost_query(q, boost) if boost != 1.0 else q)
        return alts[0] if len(alts) == 1 else Query.disjunction_max_query(alts, tie_breaker=0.2)

    def _adjacency(self, folded: list[str], fields: tuple[tuple[str, float], ...]) -> list[Query]:
        """Boosts for the whole query as a phrase and for each pair of neighbouring words."""
        names = [f for f, _ in fields if f in PHRASE_BOOST]
        out: list[Query] = []
        for fname in names:
            whole: list[str | tuple[int, str]] = list(folded)
            out.append(Query.boost_query(Query.phrase_query(self.schema, fname + "_f", whole), PHRASE_BOOST[fname]))
            if len(folded) > 2:
                for a, b in zip(folded, folded[1:], strict=False):
                    pair: list[str | tuple[int, str]] = [a, b]
                    out.append(Query.boost_query(Query.phrase_query(self.schema, fname + "_f", pair), PAIR_BOOST))
        return out
