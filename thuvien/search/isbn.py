"""ISBN/ISSN forms for matching: whatever the reader types, compare on canonical digits."""

from __future__ import annotations

import re

_NOT_ISBN_CHAR = re.compile(r"[\s\-‐‑‒–—.]")
_ISBN10 = re.compile(r"^\d{9}[\dX]$")
_ISBN13 = re.compile(r"^97[89]\d{10}$")
_ISSN = re.compile(r"^\d{7}[\dX]$")


def _compact(text: str) -> str:
    return _NOT_ISBN_CHAR.sub("", text or "").upper()


def isbn10_to_13(isbn10: str) -> str:
    """The ISBN-13 (978 prefix) of a 10-character ISBN, check digit recomputed."""
    core = "978" + isbn10[:9]
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core))
    return core + str((10 - total % 10) % 10)


def isbn13_to_10(isbn13: str) -> str | None:
    """The ISBN-10 of a 978-prefixed ISBN-13, or None (979 has no ISBN-10)."""
    if not isbn13.startswith("978"):
        return None
    core = isbn13[3:12]
    total = sum(int(d) * (10 - i) for i, d in enumerate(core))
    check = (11 - total % 11) % 11
    return core + ("X" if check == 10 else str(check))


def isbn_forms(text: str) -> list[str]:
    """Every compact form (ISBN-13 first, then ISBN-10) of an ISBN written in any way; [] if not one.

    Check digits are not enforced: a mistyped check digit in a record must still be findable.
    """
    compact = _compact(text)
    if _ISBN13.match(compact):
        ten = isbn13_to_10(compact)
        return [compact] + ([ten] if ten else [])
    if _ISBN10.match(compact):
        return [isbn10_to_13(compact), compact]
    return []


def looks_like_isbn(text: str) -> bool:
    return bool(isbn_forms(text))


def issn_form(text: str) -> str | None:
    """An ISSN as 8 compact characters ("0028-0836" -> "00280836"), or None."""
    compact = _compact(text)
    return compact if _ISSN.match(compact) else None
