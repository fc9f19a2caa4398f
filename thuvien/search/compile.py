"""Turn the shared query tree into a tantivy query, following the Vietnamese matching rules
(docs/search.md).

Every text field is indexed twice: "strict" (each word as core.text.syllable_key: lower case, tone
placement and lone final i/y unified) and folded (core.text.fold_key: no diacritics at all). A query
typed with any diacritic is taken literally: each of its words must match the strict field, so
"Nguyễn Du" does not find "Dự", "Đu", "Dữ" or "Duy", and an unmarked word means the unmarked
syllable. A query typed without diacritics matches the folded field, so it finds every accented form.
When the strict query finds nothing, the selector runs the folded one and says so. Words of the
query that stand next to each other score when they stand next to each other in the record, the
whole query matching an author heading scores most, and a word of five letters or more that is in
no field of the index is matched within one edit (a "similar spelling").
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import tantivy
from tantivy import Occur, Query

from thuvien.catalog.marc.isbn import isbn_forms, issn_form
from thuvien.core.text import fold, fold_key, normalize, syllable_key
from thuvien.search.documents import PREFIX_GRAM_FIELDS, PREFIX_GRAMS, heading_key
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
    "fulltext": (("fulltext", 1.0),),
    "any": (("title", 3.0), ("author", 2.5), ("subject", 1.5), ("series", 1.2), ("publisher", 0.8),
            ("notes", 0.5), ("callno", 0.8), ("fulltext", 0.4)),
}
HAS_EXACT = {"title", "author", "subject", "series", "publisher", "notes", "fulltext"}
# The OCR text of digital copies is full of misread words: a word found only there is still "unknown"
# to the catalogue (and may be matched as a similar spelling).
VOCABULARY_FIELDS = tuple(f for f, _ in FIELD_MAP["any"] if f != "fulltext")
FUZZY_FIELDS = {"title", "author", "subject", "series"}
PREFIX_FIELDS = {"title", "author", "subject"}
TEXT_QUERY_FIELDS = frozenset(FIELD_MAP)
HEADING_SCORE = 1000.0  # the whole query is an author's heading: that author's works come first, as a tier
PHRASE_BOOST = {"title": 4.0, "author": 3.5, "subject": 2.0, "series": 1.5}
PAIR_BOOST = 1.5
FUZZY_BOOST = 0.4
FUZZY_MIN_LEN = 5
NOTES_MIN_LEN = 4  # shorter words (one syllable, folded) match free-text notes by chance: not there
# An unaccented word also scores (a fixed amount, so it orders before the finer scores) where it stands
# in its commonest accented form in titles and authors: "nguyen" is far more often "Nguyễn" than
# "nguyện", so records holding the likeliest reading of more of the words rank first.
LIKELY_SCORE = 30.0
LIKELY_FIELDS = ("title", "author")
_MARKED = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}
MAX_FORMS = 300
LIKELY_CACHE = 50_000
LANGUAGE_NAMES = {
    "tieng viet": "vie", "viet": "vie", "vietnamese": "vie", "tieng anh": "eng", "anh": "eng",
    "english": "eng", "tieng phap": "fre", "phap": "fre", "french": "fre", "tieng trung": "chi",
    "trung": "chi", "chinese": "chi", "tieng nga": "rus", "nga": "rus", "russian": "rus",
}


def words_of(text: str) -> list[str]:
    """The words of a text as the index tokenizer sees them: NFC, lower case, accents kept."""
    return [w.lower() for w in _WORD.findall(normalize(text))][:32]


def has_accents(word: str) -> bool:
    return fold(word) != word.lower()


def has_marks(node: Node) -> bool:
    """Whether the reader typed any diacritic in a text word of the query (then it is taken literally)."""
    if isinstance(node, Term):
        return node.field in TEXT_QUERY_FIELDS and any(has_accents(w) for w in words_of(node.text))
    if isinstance(node, And | Or):
        return any(has_marks(c) for c in node.children)
    if isinstance(node, Not):
        return has_marks(node.positive) or has_marks(node.negative)
    return False


@dataclass
class Highlight:
    """What the query matched, for marking up titles and authors."""

    words: set[str] = field(default_factory=set)  # fold_key, or syllable_key when strict
    prefixes: set[str] = field(default_factory=set)  # folded
    strict: bool = False


ScopeLookup = Callable[[str], list[int]]  # library code -> ids of its subtree


class Compiler:
    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher, scopes: ScopeLookup, *,
                 strict: bool = False, fuzzy: bool = True, likely: dict[str, str | None] | None = None,
                 narrow: bool = True) -> None:
        self.schema = schema
        self.likely = likely if likely is not None else {}  # folded word -> likely_form, for this index state
        self.searcher = searcher
        self.scopes = scopes
        self.strict = strict  # words match the strict (accented) fields
        self.allow_fuzzy = fuzzy
        self.highlight = Highlight(strict=strict)
        self.fuzzy_used: list[str] = []
        self.allow_narrow = narrow  # an unaccented name keeps only records holding it within one field
        self.narrowed = False  # ... and this query was so narrowed (the selector widens it if it finds nothing)

    # ---- helpers -------------------------------------------------------------------------------
    def _term(self, fname: str, value: object) -> Query:
        return Query.term_query(self.schema, fname, value)

    def _unknown(self, folded: str) -> bool:
        """The word is in no text field of the index (then, and only then, a similar spelling is tried)."""
        return all(self.searcher.doc_freq(f + "_f", folded) == 0 for f in VOCABULARY_FIELDS)

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
            self.highlight = Highlight(strict=self.strict)
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
        strict = self.strict or node.exact
        keys = [syllable_key(w) for w in words] if strict else [fold_key(w) for w in words]
        folded = [fold_key(w) for w in words]
        marked = keys if self.highlight.strict else folded  # as _mark will compare them
        if node.truncated:
            self.highlight.prefixes.add(fold(words[-1]))
            self.highlight.words.update(marked[:-1])
        else:
            self.highlight.words.update(marked)
        if node.phrase and len(words) > 1:
            return self._phrase(words, keys, fields, node, strict=strict)
        clauses: list[Query] = []
        for i, w in enumerate(words):
            prefix = node.truncated and i == len(words) - 1
            clauses.append(self._word(w, fields, strict=strict, prefix=prefix))
        main = self._should(clauses) if node.any_word else self._must(clauses)
        if node.any_word:
            return main
        if not strict and not node.truncated:
            main = self._narrow_to_name(main, words, fields)
        extras: list[Query] = []
        if not strict:
            extras.extend(self._likely(words, fields, node))
        if len(words) >= 2:
            extras.extend(self._adjacency(keys, fields, strict=strict))
        if not node.truncated and any(f == "author" for f, _ in fields):
            heading = heading_key(" ".join(folded))
            extras.append(Query.const_score_query(self._term("author_h", heading), HEADING_SCORE))
        if not extras:
            return main
        return Query.boolean_query([(Occur.Must, main), *[(Occur.Should, q) for q in extras]])

    def _narrow_to_name(self, main: Query, words: list[str], fields: tuple[tuple[str, float], ...]) -> Query:
        """An unaccented query of several words that is an author's heading ("nguyen du", "doan gioi")
        keeps only the records holding all its words within one field (the author, a title about
        them...): its syllables scattered over different fields ("Nguyễn" in an author, "Đu" in a
        title, "Giới" in a publisher) are other words that merely fold the same."""
        if not self.allow_narrow or len(words) < 2 or not any(f == "author" for f, _ in fields):
            return main
        folded = [fold_key(w) for w in words]
        if self.searcher.doc_freq("author_h", heading_key(" ".join(folded))) == 0:
            return main
        together = [self._must([self._term(fname + "_f", fk) for fk in folded])
                    for fname, _ in fields if fname in HAS_EXACT]
        self.narrowed = True
        return Query.boolean_query([(Occur.Must, main),
                                    (Occur.Must, Query.const_score_query(self._should(together), 0.0))])

    def _word(self, w: str, fields: tuple[tuple[str, float], ...], *, strict: bool, prefix: bool) -> Query:
        fk = fold_key(w)
        fuzzy = (not strict and self.allow_fuzzy and not prefix and len(fk) >= FUZZY_MIN_LEN
                 and not fk.isdigit() and self._unknown(fk))
        if fuzzy:
            self.fuzzy_used.append(fk)
        per_field: list[Query] = []
        for fname, boost in fields:
            if prefix and len(fields) > 1 and fname not in PREFIX_FIELDS:
                continue  # a prefix expands to many terms: only where autocomplete looks
            if fname == "notes" and len(fk) < NOTES_MIN_LEN and len(fields) > 1:
                continue
            exact_field = fname if fname in HAS_EXACT else None
            if strict and exact_field:
                q = self._strict_prefix(exact_field, w) if prefix else self._term(exact_field, syllable_key(w))
            elif prefix:
                forms = {fold(w), fk}
                q = self._should([self._prefix(fname + "_f", f) for f in sorted(forms)])
            else:
                q = self._term(fname + "_f", fk)
                if fuzzy and fname in FUZZY_FIELDS:
                    q = self._should([q, Query.boost_query(
                        Query.fuzzy_term_query(self.schema, fname + "_f", fk, distance=1), FUZZY_BOOST)])
            per_field.append(Query.boost_query(q, boost) if boost != 1.0 else q)
        if fields == FIELD_MAP["any"] and not prefix:
            per_field.append(self._term("cn", w))
        if len(per_field) == 1:
            return per_field[0]
        return Query.disjunction_max_query(per_field, tie_breaker=0.2)

    def _likely(self, words: list[str], fields: tuple[tuple[str, float], ...], node: Term) -> list[Query]:
        """For each unaccented word, its commonest accented form in titles and authors, as a bonus."""
        out: list[Query] = []
        names = [f for f, _ in fields if f in LIKELY_FIELDS]
        if not names:
            return out
        for i, w in enumerate(words):
            if node.truncated and i == len(words) - 1:
                continue
            form = self.likely_form(fold_key(w))
            if form is None:
                continue
            out.append(Query.const_score_query(self._should([self._term(f, form) for f in names]), LIKELY_SCORE))
        return out

    def likely_form(self, folded: str) -> str | None:
        """The strict form (core.text.syllable_key) of `folded` most frequent in titles and authors."""
        if folded in self.likely:
            return self.likely.get(folded)
        form = self._likeliest(folded)
        if len(self.likely) >= LIKELY_CACHE:
            self.likely.clear()
        self.likely[folded] = form
        return form

    def _likeliest(self, folded: str) -> str | None:
        if not folded.isalpha() or len(folded) > 8:
            return None
        options = [_MARKED.get(ch, ch) for ch in folded]
        if math.prod(len(o) for o in options) * 6 > MAX_FORMS:
            return None
        best: tuple[int, str] | None = None
        for letters in itertools.product(*options):
            base = "".join(letters)
            for tone in ("", "1", "2", "3", "4", "5"):
                key = base + tone
                freq = sum(self.searcher.doc_freq(f, key) for f in LIKELY_FIELDS)
                if freq and (best is None or freq > best[0]):
                    best = (freq, key)
        return best[1] if best else None

    def _strict_prefix(self, target: str, word: str) -> Query:
        """Strict words starting with `word`: its letters, then any letters, then the tone it was typed with."""
        key = syllable_key(word)
        base = key.rstrip("0123456789")
        tones = key[len(base):]
        bases = {base}
        if base.endswith("i"):
            bases.add(base[:-1] + "y")  # "ky" was unified to "ki"; "kyo..." still starts with "ky"
        pattern = "|".join(re.escape(b) for b in sorted(bases))
        return Query.regex_query(self.schema, target, f"({pattern})[^0-9]*{tones}" + ("" if tones else "[0-9]*"))

    def _prefix(self, target: str, word: str) -> Query:
        """Words of `target` starting with `word`, scored as a constant. A short prefix of a folded field is
        one indexed term (the <field>_p twin holds every word's leading characters) instead of a regex
        expanding to thousands of words; the documents and the score are the same."""
        base = target.removesuffix("_f")
        if target.endswith("_f") and base in PREFIX_GRAM_FIELDS and 2 <= len(word) <= PREFIX_GRAMS:
            return Query.const_score_query(Query.term_query(self.schema, base + "_p", word), 1.0)
        return Query.regex_query(self.schema, target, re.escape(word) + ".*")

    def _phrase(self, words: list[str], keys: list[str], fields: tuple[tuple[str, float], ...], node: Term, *,
                strict: bool) -> Query:
        alts: list[Query] = []
        for fname, boost in fields:
            exact_field = fname if fname in HAS_EXACT else None
            if strict and exact_field:
                target, seq = exact_field, keys
            else:
                target, seq = fname + "_f", [fold_key(w) for w in words]
            if node.truncated:
                q = Query.phrase_prefix_query(self.schema, target, list(seq))
            else:
                q = Query.phrase_query(self.schema, target, list(seq))
            alts.append(Query.boost_query(q, boost) if boost != 1.0 else q)
        return alts[0] if len(alts) == 1 else Query.disjunction_max_query(alts, tie_breaker=0.2)

    def _adjacency(self, keys: list[str], fields: tuple[tuple[str, float], ...], *, strict: bool) -> list[Query]:
        """Boosts for the whole query as a phrase and for each pair of neighbouring words."""
        names = [f for f, _ in fields if f in PHRASE_BOOST]
        out: list[Query] = []
        for fname in names:
            target = fname if strict else fname + "_f"
            whole: list[str | tuple[int, str]] = list(keys)
            out.append(Query.boost_query(Query.phrase_query(self.schema, target, whole), PHRASE_BOOST[fname]))
            if len(keys) > 2:
                for a, b in zip(keys, keys[1:], strict=False):
                    pair: list[str | tuple[int, str]] = [a, b]
                    out.append(Query.boost_query(Query.phrase_query(self.schema, target, pair), PAIR_BOOST))
        return out
