"""The one ISBN/ISSN module: validation and normalisation for cataloguing (ISBN-10 is matched
through its ISBN-13 form), and the lenient compact forms search matches on (a mistyped check digit
in a record must still be findable)."""

from __future__ import annotations

import re

_ISBN_CHARS = re.compile(r"[0-9][0-9Xx\- ]{8,20}[0-9Xx]|[0-9]{9}[0-9Xx]")
_ISSN = re.compile(r"\b([0-9]{4})-?([0-9]{3}[0-9Xx])\b")


def _isbn10_ok(d: str) -> bool:
    total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(d))
    return total % 11 == 0


def _isbn13_check(d12: str) -> str:
    total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(d12))
    return str((10 - total % 10) % 10)


def isbn_valid(s: str) -> bool:
    """True for a well-formed ISBN-10 or ISBN-13 with a correct check digit."""
    digits = s.replace("-", "").replace(" ", "").upper()
    if len(digits) == 10 and digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "X"):
        return _isbn10_ok(digits)
    if len(digits) == 13 and digits.isdigit() and digits[:3] in ("978", "979"):
        return _isbn13_check(digits[:12]) == digits[12]
    return False


def isbn_normalize(s: str) -> str | None:
    """The ISBN-13 (digits only) of the first valid ISBN found in `s` ("0-679-45004-1 (pbk.)"),
    or None when there is none."""
    if not s:
        return None
    for match in _ISBN_CHARS.finditer(s):
        digits = match.group().replace("-", "").replace(" ", "").upper()
        if len(digits) == 10 and isbn_valid(digits):
            return isbn10_to_13(digits)
        if len(digits) == 13 and isbn_valid(digits):
            return digits
    return None


def isbn13_to_10(isbn13: str) -> str | None:
    """The ISBN-10 form of a 978- ISBN-13, or None (979- ISBNs have no ISBN-10)."""
    if len(isbn13) != 13 or not isbn13.startswith("978"):
        return None
    core = isbn13[3:12]
    total = sum((10 - i) * int(c) for i, c in enumerate(core))
    check = (11 - total % 11) % 11
    return core + ("X" if check == 10 else str(check))


def isbn10_to_13(isbn10: str) -> str:
    """The ISBN-13 (978 prefix) of a 10-character ISBN, check digit recomputed."""
    core = "978" + isbn10[:9]
    return core + _isbn13_check(core)


def issn_normalize(s: str) -> str | None:
    """"NNNN-NNNC" for the first ISSN with a correct check digit in `s`, else None."""
    for match in _ISSN.finditer(s or ""):
        digits = (match.group(1) + match.group(2)).upper()
        total = sum((8 - i) * int(c) for i, c in enumerate(digits[:7]))
        check = (11 - total % 11) % 11
        if digits[7] == ("X" if check == 10 else str(check)):
            return f"{digits[:4]}-{digits[4:]}"
    return None


# -- lenient forms for matching (search): whatever the reader types, compare on canonical digits ----
_NOT_ISBN_CHAR = re.compile(r"[\s\-‐‑‒–—.]")
_ISBN10 = re.compile(r"^\d{9}[\dX]$")
_ISBN13 = re.compile(r"^97[89]\d{10}$")
_ISSN_COMPACT = re.compile(r"^\d{7}[\dX]$")


def _compact(text: str) -> str:
    return _NOT_ISBN_CHAR.sub("", text or "").upper()


def isbn_forms(text: str) -> list[str]:
    """Every compact form (ISBN-13 first, then ISBN-10) of an ISBN written in any way; [] if not one.
    Check digits are not enforced."""
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
    return compact if _ISSN_COMPACT.match(compact) else None
