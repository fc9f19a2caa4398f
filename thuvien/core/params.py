"""Reading ids typed into URLs and forms: a posted key that is not a plain number finds nothing (a 404 or
a form error), never a 500."""

from __future__ import annotations

from collections.abc import Iterable

_MAX = 2**63 - 1  # the largest primary key any database here stores


def int_param(value: str | int | None) -> int | None:
    """`value` as a primary key: a plain non-negative decimal within range, else None."""
    if isinstance(value, int):
        return value if 0 <= value <= _MAX else None
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if number <= _MAX else None


def int_params(values: Iterable[str]) -> list[int]:
    """The values that are valid primary keys (the others are dropped)."""
    return [n for n in (int_param(v) for v in values) if n is not None]
