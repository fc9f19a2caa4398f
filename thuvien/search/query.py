"""The search query tree shared by the OPAC box, the API, SRU (CQL) and Z39.50.

Front ends parse their own syntax into these nodes; thuvien.search executes them.
Fields: "any", "title", "author", "subject", "series", "publisher", "isbn", "issn",
"call_number", "control_number", "year", "language", "material_type", "library".
"""

from __future__ import annotations

from dataclasses import dataclass, field

FIELDS = frozenset(
    {"any", "title", "author", "subject", "series", "publisher", "isbn", "issn", "call_number",
     "control_number", "year", "language", "material_type", "library", "ddc"}
)


@dataclass(frozen=True)
class Term:
    """Words to match in a field. phrase=True wants them adjacent and in order; exact=True wants
    the stored (unfolded) form; truncated=True treats the last word as a prefix."""

    field: str
    text: str
    phrase: bool = False
    exact: bool = False
    truncated: bool = False
    any_word: bool = False  # match any of the words instead of all


@dataclass(frozen=True)
class Range:
    """A numeric range on a field (years): bounds inclusive, None for open."""

    field: str
    lower: int | None = None
    upper: int | None = None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Not:
    """`positive` without `negative` (CQL "a not b")."""

    positive: Node
    negative: Node


@dataclass(frozen=True)
class MatchAll:
    pass


Node = Term | Range | And | Or | Not | MatchAll
