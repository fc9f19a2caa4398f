"""Citations of a record for reference managers: RIS and BibTeX (pure functions of the columns)."""

from __future__ import annotations

import re
from typing import Any

from thuvien.core.text import fold

_RIS_TYPES = {"book": "BOOK", "serial": "JOUR", "map": "MAP", "video": "VIDEO", "music": "MUSIC",
              "score": "MUSIC", "computer_file": "COMP", "manuscript": "MANSCPT"}
_BIB_TYPES = {"book": "book", "serial": "periodical", "manuscript": "unpublished"}


def _names(values: list[Any], main: str) -> list[str]:
    out: list[str] = [main] if main else []
    for v in values or []:
        name = v if isinstance(v, str) else (v.get("name") if isinstance(v, dict) else None)
        if name and name not in out:
            out.append(name)
    return out


def _strings(values: list[Any]) -> list[str]:
    return [v if isinstance(v, str) else str(v.get("name") or v.get("heading") or "") for v in values or []
            if v]


def to_ris(bib: Any) -> str:
    """A RIS record (UTF-8, CRLF line ends as the format requires)."""
    lines = [f"TY  - {_RIS_TYPES.get(bib.material_type, 'GEN')}", f"TI  - {bib.title}"]
    lines += [f"AU  - {a}" for a in _names(bib.authors, bib.main_author)]
    if bib.year:
        lines.append(f"PY  - {bib.year}")
    if bib.publisher:
        lines.append(f"PB  - {bib.publisher}")
    if bib.place:
        lines.append(f"CY  - {bib.place}")
    if bib.edition:
        lines.append(f"ET  - {bib.edition}")
    lines += [f"SN  - {i}" for i in _strings(bib.isbns) + _strings(bib.issns)]
    lines += [f"KW  - {s}" for s in _strings(bib.subjects)]
    if bib.call_number:
        lines.append(f"CN  - {bib.call_number}")
    if bib.language:
        lines.append(f"LA  - {bib.language}")
    if bib.control_number:
        lines.append(f"ID  - {bib.control_number}")
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([{}%&$#_])", r"\\\1", text)


def to_bibtex(bib: Any) -> str:
    """A BibTeX entry; the key is the first author's last word plus the year, folded to ASCII."""
    authors = _names(bib.authors, bib.main_author)
    stem = fold(authors[0]).split()[-1] if authors and fold(authors[0]).split() else "record"
    key = re.sub(r"[^a-z0-9]", "", stem) + str(bib.year or "") + f"_{bib.pk}"
    fields = [("title", bib.title), ("author", " and ".join(authors)), ("year", str(bib.year or "")),
              ("publisher", bib.publisher), ("address", bib.place), ("edition", bib.edition),
              ("isbn", ", ".join(_strings(bib.isbns))), ("language", bib.language)]
    body = ",\n".join(f"  {k} = {{{_bibtex_escape(v)}}}" for k, v in fields if v)
    return f"@{_BIB_TYPES.get(bib.material_type, 'misc')}{{{key},\n{body}\n}}\n"
