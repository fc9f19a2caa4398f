"""Index documents built from the database (the source of truth): records plus their items."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import tantivy
from django.db import connections

from thuvien.catalog.marc.isbn import isbn_forms, issn_form
from thuvien.catalog.models import BibRecord, Item, ItemStatus
from thuvien.core.text import collation_key, fold, fold_key, folded_text, normalize, strict_text

RECORD_COLUMNS = (
    "id", "control_number", "title", "responsibility", "main_author", "authors", "subjects", "ddc",
    "call_number", "isbns", "issns", "language", "languages", "year", "publisher", "place", "series",
    "notes", "material_type",
)
JSON_COLUMNS = frozenset({"authors", "subjects", "isbns", "issns", "languages", "series", "notes"})
NO_YEAR_NEWEST = 0
NO_YEAR_OLDEST = 99_999
# Folded words' leading 2..PREFIX_GRAMS characters go in <field>_p, so a short prefix is one term, not thousands.
PREFIX_GRAM_FIELDS = ("title", "author", "subject")
PREFIX_GRAMS = 4  # prefixes of 2..4 characters are indexed; longer ones expand to few terms anyway
SET_SEPARATOR = "\x1f"
_WORDS = re.compile(r"[^\W_]+")  # joins library codes / ids in the single-valued "libset" / "availset" fields

# Exactly the "default" tokenizer of the text fields, so indexed prefixes are prefixes of indexed words.
_ANALYZER = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
             .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase()).build())


@lru_cache(maxsize=65536)
def _word_key(word: str) -> tuple[str, str]:
    primary, _, secondary = collation_key(word).partition("\x1f")
    return primary, secondary


def fast_collation_key(text: str) -> str:
    """collation_key(text), computed word by word with a cache (the key is built character by character,
    spaces kept in the primary part and skipped in the secondary one, so the pieces join exactly)."""
    words = normalize(text).split(" ")
    keys = [_word_key(w) for w in words]
    return " ".join(p for p, _ in keys) + "\x1f" + "".join(s for _, s in keys)


@lru_cache(maxsize=65536)
def _word_prefixes(token: str) -> tuple[str, ...]:
    return tuple(token[:n] for n in range(2, min(len(token), PREFIX_GRAMS) + 1))


def prefix_grams(folded: str) -> str:
    """The 2..PREFIX_GRAMS-character prefixes of every word of a folded text, space-separated."""
    out: dict[str, None] = {}
    for token in _ANALYZER.analyze(folded):
        for gram in _word_prefixes(token):
            out[gram] = None
    return " ".join(out)


def _texts(value: Any) -> list[str]:
    """Strings from a JSON column that may hold strings or {"name"/"heading"/"a": ...} objects."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        for key in ("name", "heading", "title", "text", "value", "a"):
            if isinstance(value.get(key), str):
                return _texts(value[key])
        return [" ".join(str(v) for v in value.values() if isinstance(v, str | int))]
    if isinstance(value, list | tuple):
        out: list[str] = []
        for v in value:
            out.extend(_texts(v))
        return out
    return [str(value)]


def author_heading(value: str) -> str:
    """An author as shown in the author facet: trailing ISBD punctuation and dates' commas trimmed."""
    return normalize(value).strip(" ,.;:/")


def heading_key(value: str) -> str:
    """An author heading as one matchable term: its folded words, punctuation dropped
    ("Nguyễn, Du." -> "nguyen du"); a query equal to it is a search for that author."""
    return " ".join(fold_key(w) for w in _WORDS.findall(normalize(value)))


def heading_keys(value: str) -> list[str]:
    """heading_key of the heading as written and, for an inverted one ("Austen, Jane, 1775-1817"),
    of the name in direct order without dates ("jane austen"), as readers type it."""
    keys = [heading_key(value)]
    parts = [p.strip() for p in normalize(value).split(",")]
    if len(parts) >= 2 and parts[1] and not any(ch.isdigit() for ch in parts[1]):
        keys.append(heading_key(f"{parts[1]} {parts[0]}"))
    return [k for k in keys if k]


def _subject_heading(value: str) -> str:
    """The top of a subject string ("Văn học Việt Nam -- Tiểu thuyết" -> "Văn học Việt Nam")."""
    for sep in (" -- ", "--", " — "):
        if sep in value:
            return value.split(sep)[0].strip()
    return value.strip().rstrip(".")


@dataclass
class HoldingRow:
    library_id: int
    library_code: str
    status: str
    call_number: str


@dataclass
class IndexDoc:
    """Everything one record contributes to the index, as plain Python values."""

    id: int
    title: str
    authors: list[str]
    main_author: str
    headings: list[str]
    subjects: list[str]
    series: list[str]
    publisher: list[str]
    notes: list[str]
    call_numbers: list[str]
    isbn: list[str]
    issn: list[str]
    control_number: str
    year: int | None
    languages: list[str]
    material_type: str
    ddc: str
    libraries: list[int] = field(default_factory=list)
    library_codes: list[str] = field(default_factory=list)
    available_libraries: list[int] = field(default_factory=list)
    fulltext: list[str] = field(default_factory=list)  # OCR/transcribed text of public digital copies
    digital: bool = False  # has a digital copy (a "digital" material-type facet value)

    def to_fields(self) -> dict[str, Any]:
        """The tantivy document as field -> list of values (text fields twice: exact and folded)."""
        d: dict[str, list[Any]] = defaultdict(list)
        d["id"].append(self.id)
        texts = {
            "title": [self.title],
            "author": self.authors,
            "subject": self.subjects,
            "series": self.series,
            "publisher": self.publisher,
            "notes": self.notes,
            "fulltext": self.fulltext,
        }
        for name, values in texts.items():
            for v in values:
                v = normalize(v)
                if v:
                    fv = folded_text(v)
                    d[name].append(strict_text(v))
                    d[name + "_f"].append(fv)
                    if name in PREFIX_GRAM_FIELDS:
                        grams = prefix_grams(fv)
                        if grams:
                            d[name + "_p"].append(grams)
        for v in self.call_numbers:
            if v.strip():
                d["callno_f"].append(fold(v))
        for h in self.headings:
            shown = author_heading(h)
            if shown and shown not in d["auth"]:
                d["auth"].append(shown)
            for key in heading_keys(h):
                if key not in d["author_h"]:
                    d["author_h"].append(key)
        d["title_s"].append(self.title)
        if self.main_author:
            d["author_s"].append(self.main_author)
        d["isbn"].extend(self.isbn)
        d["issn"].extend(self.issn)
        if self.control_number:
            d["cn"].append(self.control_number.strip().lower())
        if self.year is not None:
            d["year"].append(self.year)
        d["lang"].extend(self.languages)
        if self.material_type:
            d["mtype"].append(self.material_type)
        if self.digital:
            d["mtype"].append("digital")
        for s in self.subjects:
            heading = _subject_heading(normalize(s))
            if heading and heading not in d["subj"]:
                d["subj"].append(heading)
        ddc = self.ddc.strip()
        if ddc:
            d["ddc"].append(ddc.lower())
            digits = "".join(ch for ch in ddc[:3] if ch.isdigit())
            if len(digits) == 3:
                d["ddc_h"].append(digits[0] + "00")
                d["ddc_t"].append(digits[:2] + "0")
        d["lib"].extend(self.libraries)
        d["lib_code"].extend(self.library_codes)
        if self.library_codes:
            d["libset"].append(SET_SEPARATOR.join(self.library_codes))
        d["avail"].extend(self.available_libraries)
        if self.available_libraries:
            d["avail_any"].append("y")
            d["availset"].append(SET_SEPARATOR.join(str(i) for i in self.available_libraries))
        d["title_key"].append(fast_collation_key(self.title) or "\x7f")
        d["author_key"].append(fast_collation_key(self.main_author) if self.main_author else "\x7f")
        year_new = self.year if self.year is not None else NO_YEAR_NEWEST
        year_old = self.year if self.year is not None else NO_YEAR_OLDEST
        d["newest"].append((year_new << 32) | (self.id & 0xFFFFFFFF))
        d["oldest"].append((year_old << 32) | (self.id & 0xFFFFFFFF))
        return dict(d)


_UNAVAILABLE = frozenset({ItemStatus.WITHDRAWN, ItemStatus.LOST})


def _doc_from_row(row: dict[str, Any], holdings: list[HoldingRow]) -> IndexDoc:
    authors: list[str] = []
    for a in [row["main_author"], *_texts(row["authors"])]:
        if a and a not in authors:
            authors.append(a)
    headings = list(authors)
    if row["responsibility"]:
        authors.append(row["responsibility"])
    isbns: list[str] = []
    for raw in _texts(row["isbns"]):
        for form in isbn_forms(raw) or [raw.replace("-", "").strip().upper()]:
            if form and form not in isbns:
                isbns.append(form)
    issns = [f for f in (issn_form(v) for v in _texts(row["issns"])) if f]
    languages = [str(x).lower() for x in _texts(row["languages"])] or ([row["language"].lower()] if row["language"] else [])
    visible = [h for h in holdings if h.status not in _UNAVAILABLE]
    libraries = sorted({h.library_id for h in visible})
    codes = sorted({h.library_code for h in visible})
    available = sorted({h.library_id for h in visible if h.status == ItemStatus.AVAILABLE})
    call_numbers = [row["call_number"], *{h.call_number for h in holdings if h.call_number}]
    return IndexDoc(
        id=row["id"],
        title=row["title"] or "",
        authors=authors,
        main_author=row["main_author"] or (authors[0] if authors else ""),
        headings=headings,
        subjects=_texts(row["subjects"]),
        series=_texts(row["series"]),
        publisher=[p for p in (row["publisher"], row["place"]) if p],
        notes=_texts(row["notes"]),
        call_numbers=[c for c in call_numbers if c],
        isbn=isbns,
        issn=issns,
        control_number=row["control_number"] or "",
        year=row["year"],
        languages=languages,
        material_type=row["material_type"] or "",
        ddc=row["ddc"] or "",
        libraries=libraries,
        library_codes=codes,
        available_libraries=available,
    )


def _holdings(record_ids: list[int]) -> dict[int, list[HoldingRow]]:
    out: dict[int, list[HoldingRow]] = defaultdict(list)
    rows = Item.objects.filter(record_id__in=record_ids).values_list(
        "record_id", "library_id", "library__code", "status", "call_number"
    )
    for record_id, library_id, code, status, call_number in rows:
        out[record_id].append(HoldingRow(library_id, code, status, call_number))
    return out


def documents_for(record_ids: Iterable[int]) -> dict[int, IndexDoc | None]:
    """Documents for these records (None for a record that is deleted or gone); two queries."""
    ids = sorted(set(record_ids))
    found: dict[int, IndexDoc | None] = dict.fromkeys(ids)
    if not ids:
        return found
    rows = BibRecord.objects.filter(id__in=ids, is_deleted=False).values(*RECORD_COLUMNS)
    rows = list(rows)
    holdings = _holdings([r["id"] for r in rows])
    for row in rows:
        found[row["id"]] = _doc_from_row(row, holdings.get(row["id"], []))
    _add_digital([d for d in found.values() if d is not None])
    return found


def _add_digital(docs: list[IndexDoc]) -> list[IndexDoc]:
    """Mark records with a digital copy and add the copies' text (one query per batch)."""
    from thuvien.digital.selectors import records_digital_text

    extras = records_digital_text(record_ids=[d.id for d in docs])
    for doc in docs:
        if doc.id in extras:
            doc.digital, doc.fulltext = True, extras[doc.id]
    return docs


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        return [] if value == "[]" else json.loads(value)
    return value


def _rows_after(last: int, batch: int) -> list[dict[str, Any]]:
    """Record rows as .values() would give them, through the cursor (no per-value ORM converters)."""
    qs = BibRecord.objects.filter(is_deleted=False, id__gt=last).order_by("id").values(*RECORD_COLUMNS)[:batch]
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cur:
        cur.execute(sql, params)
        raw = cur.fetchall()
    json_at = [i for i, name in enumerate(RECORD_COLUMNS) if name in JSON_COLUMNS]
    rows: list[dict[str, Any]] = []
    for values in raw:
        values = list(values)
        for i in json_at:
            values[i] = _decode(values[i])
        rows.append(dict(zip(RECORD_COLUMNS, values, strict=True)))
    return rows


def iter_all_documents(batch: int = 2000) -> Iterator[list[IndexDoc]]:
    """Every live record, in id order, in batches (keyset pagination: constant memory)."""
    last = 0
    while True:
        rows = _rows_after(last, batch)
        if not rows:
            return
        holdings = _holdings([r["id"] for r in rows])
        yield _add_digital([_doc_from_row(r, holdings.get(r["id"], [])) for r in rows])
        last = rows[-1]["id"]
