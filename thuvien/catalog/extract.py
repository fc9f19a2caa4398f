"""Columns of a BibRecord extracted from its MARC21 record (for display, sorting and indexing).

Pure code over MARC-in-JSON (a pymarc Record is converted first): one pass over the fields, no
database access.
"""

from __future__ import annotations

import re
from typing import Any

from pymarc import Field, Record

from thuvien.catalog.marc.crosswalk import (
    NAME_TAGS,
    SERIES_TAGS,
    SUBJECT_CODES,
    SUBJECT_TAGS,
    clean,
    is_description_note,
    name_codes,
    note_codes,
    series_codes,
)
from thuvien.catalog.marc.isbn import isbn_normalize, issn_normalize
from thuvien.catalog.marc.marcjson import to_json
from thuvien.core.text import collation_key, fold, normalize

__all__ = ["extract", "extract_marc", "isbn_normalize", "material_type", "MAX_LENGTHS"]

# Column widths of BibRecord's CharFields: extracted values are cut to fit (the MARC keeps all).
MAX_LENGTHS = {"control_number": 64, "control_number_source": 64, "main_author": 500, "ddc": 64,
               "call_number": 128, "language": 3, "publisher": 500, "place": 255, "edition": 255,
               "physical": 500, "material_type": 32}
_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")
_LANG = re.compile(r"^[a-z]{3}$")


def _join(subfields: list[dict[str, str]], codes: str) -> str:
    return clean(" ".join([v.strip() for s in subfields for c, v in s.items() if c in codes and v.strip()]))


def _first(subfields: list[dict[str, str]], code: str) -> str | None:
    """The first value of subfield `code` (pymarc's Field.get)."""
    for s in subfields:
        if code in s:
            return s[code]
    return None


def _all(subfields: list[dict[str, str]], code: str) -> list[str]:
    """Every value of subfield `code` in order (pymarc's Field.get_subfields)."""
    return [s[code] for s in subfields if code in s]


def material_type(leader: str, f008: str) -> str:
    """A coarse material type from leader/06-07 and 008 (book, ebook, serial, score, map, video...)."""
    kind, level = leader[6:7], leader[7:8]
    form = f008[23:24] if len(f008) > 23 else ""
    if kind in ("a", "t"):
        if level in ("b", "i", "s"):
            return "serial"
        if form in ("o", "q", "s"):
            return "ebook"
        return "manuscript" if kind == "t" else "book"
    return {"c": "score", "d": "score", "e": "map", "f": "map", "g": "video", "i": "audiobook", "j": "music",
            "k": "image", "m": "computer_file", "o": "kit", "p": "mixed", "r": "object"}.get(kind, "other")


def _ddc(value: str) -> str:
    return value.replace("/", "").replace("'", "").strip()


def extract(record: Record) -> dict[str, Any]:
    """The BibRecord column values of `record` (title, authors, subjects, ISBNs, language...)."""
    return extract_marc(to_json(record))



def extract_marc(marc: dict[str, Any]) -> dict[str, Any]:
    """The BibRecord column values of a record in MARC-in-JSON (as `to_json` gives it): the one
    extraction every import path and service uses."""
    leader = marc["leader"]
    title = responsibility = main_author = ddc = call_090 = call_050 = ddc_b = ""
    publisher = place = edition = physical = f008 = control = control_src = ""
    pub_fallback = place_fallback = year_text = ""
    nonfiling = 0
    authors: list[str] = []
    subjects: list[str] = []
    isbns: list[str] = []
    issns: list[str] = []
    langs_041: list[str] = []
    series: list[str] = []
    notes: list[str] = []
    links: list[dict[str, str]] = []
    for entry in marc["fields"]:
        for tag, value in entry.items():
            if value.__class__ is not dict:  # a control field
                if tag == "001":
                    control = (value or "").strip()
                elif tag == "003":
                    control_src = (value or "").strip()
                elif tag == "008":
                    f008 = value or ""
                continue
            subs: list[dict[str, str]] = value["subfields"]
            first = tag[0]
            if tag == "245":
                if not title:
                    title = _join(subs, "abnp")
                    responsibility = _join(subs, "c")
                    ind2 = value["ind2"]
                    if ind2.isdigit():
                        nonfiling = int(ind2)
            elif tag in NAME_TAGS:
                name = _join(subs, name_codes(tag))
                if name:
                    if first == "1" and not main_author:
                        main_author = name
                    if name not in authors:
                        authors.append(name)
            elif tag in SUBJECT_TAGS:
                heading = " -- ".join([clean(v) for s in subs for c, v in s.items()
                                       if c in SUBJECT_CODES and v.strip()])
                if heading and heading not in subjects:
                    subjects.append(heading)
            elif tag == "020":
                for text in _all(subs, "a"):
                    isbn = isbn_normalize(text)
                    if isbn and isbn not in isbns:
                        isbns.append(isbn)
            elif tag == "022":
                for text in _all(subs, "a"):
                    issn = issn_normalize(text)
                    if issn and issn not in issns:
                        issns.append(issn)
            elif tag == "041":
                for s in subs:
                    for c, v in s.items():
                        if c in "ad":
                            code = v.strip().lower()
                            langs_041.extend(code[i:i + 3] for i in range(0, len(code) - 2, 3))
            elif tag == "082":
                if not ddc:
                    ddcs = _all(subs, "a")
                    if ddcs:
                        ddc = _ddc(ddcs[0])
                        ddc_b = (_first(subs, "b") or "").strip()
            elif tag == "090":
                if not call_090:
                    call_090 = _join(subs, "ab")
            elif tag == "050":
                if not call_050:
                    call_050 = _join(subs, "ab")
            elif tag in ("260", "264"):
                sub_b, sub_a, sub_c = _first(subs, "b"), _first(subs, "a"), _first(subs, "c")
                if tag == "260" or value["ind2"] == "1":
                    publisher = publisher or clean(sub_b or "")
                    place = place or clean(sub_a or "")
                    year_text = year_text or (sub_c or "")
                else:
                    pub_fallback = pub_fallback or clean(sub_b or "")
                    place_fallback = place_fallback or clean(sub_a or "")
                    year_text = year_text or (sub_c or "")
            elif tag == "250":
                if not edition:
                    edition = _join(subs, "ab")
            elif tag == "300":
                if not physical:
                    physical = _join(subs, "abce")
            elif tag in SERIES_TAGS:
                name = _join(subs, series_codes(tag))
                if name and name not in series:
                    series.append(name)
            elif is_description_note(tag):
                note = _join(subs, note_codes(tag))
                if note:
                    notes.append(note)
            elif tag == "856":
                for url in _all(subs, "u"):
                    links.append({"url": url.strip(),
                                  "text": clean(_first(subs, "y") or _first(subs, "3") or _first(subs, "z") or "")})
    language = ""
    if len(f008) >= 38 and _LANG.match(f008[35:38]):
        language = f008[35:38]
    languages = [language] if language else []
    for code in langs_041:
        if _LANG.match(code) and code not in languages:
            languages.append(code)
    if not language and languages:
        language = languages[0]
    year: int | None = None
    if len(f008) >= 11 and f008[7:11].isdigit() and f008[6:7] not in ("b", "n", "|"):
        year = int(f008[7:11])
    if year is None:
        match = _YEAR.search(year_text)
        if match:
            year = int(match.group(1))
    if year is not None and not (500 <= year <= 2200):
        year = None
    title = normalize(title)
    sort_title = title[nonfiling:] if 0 < nonfiling < len(title) else title
    values: dict[str, Any] = {
        "leader": leader,
        "control_number": control,
        "control_number_source": control_src,
        "title": title,
        "title_sort": collation_key(sort_title),
        "responsibility": responsibility,
        "main_author": main_author,
        "authors": authors,
        "subjects": subjects,
        "ddc": ddc,
        "call_number": call_090 or call_050 or (f"{ddc} {ddc_b}".strip() if ddc else ""),
        "isbns": isbns,
        "issns": issns,
        "language": language,
        "languages": languages,
        "year": year,
        "publisher": publisher or pub_fallback,
        "place": place or place_fallback,
        "edition": edition,
        "series": series,
        "physical": physical,
        "notes": notes,
        "material_type": material_type(leader, f008),
        "links": links,
    }
    for name, limit in MAX_LENGTHS.items():
        if len(values[name]) > limit:
            values[name] = values[name][:limit]
    return values


_AUTH_SUBDIVISION = "vxyz"


def _heading(field: Field) -> str:
    main = " ".join(s.value.strip() for s in field.subfields
                    if s.code not in _AUTH_SUBDIVISION and s.code.isalpha() and s.value.strip())
    parts = [clean(main)] + [clean(s.value) for s in field.subfields
                             if s.code in _AUTH_SUBDIVISION and s.value.strip()]
    return " -- ".join(p for p in parts if p)


def extract_authority(record: Record) -> dict[str, Any]:
    """AuthorityRecord column values: the 1XX heading, 4XX see-from variants, 5XX see-also."""
    heading_tag = heading = control = control_src = ""
    variants: list[str] = []
    see_also: list[dict[str, str]] = []
    for field in record.fields:
        tag = field.tag
        if tag == "001":
            control = (field.data or "").strip()
        elif tag == "003":
            control_src = (field.data or "").strip()
        elif field.control_field:
            continue
        elif tag[0] == "1" and not heading:
            heading_tag, heading = tag, _heading(field)
        elif tag[0] == "4":
            text = _heading(field)
            if text and text not in variants:
                variants.append(text)
        elif tag[0] == "5":
            text = _heading(field)
            if text:
                see_also.append({"tag": tag, "heading": text, "relation": clean(field.get("i") or field.get("w") or "")})
    return {"control_number": control[:64], "control_number_source": control_src[:64], "heading_tag": heading_tag,
            "heading": normalize(heading), "heading_folded": fold(heading), "variants": variants,
            "see_also": see_also}


def is_authority(record: Record) -> bool:
    """Leader/06 'z' marks a MARC21 authority record."""
    return str(record.leader)[6:7] == "z"
