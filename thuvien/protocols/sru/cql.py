"""A CQL 1.2 parser (Contextual Query Language, https://www.loc.gov/standards/sru/cql/).

Pure code: text in, a small syntax tree out, or CQLSyntaxError. Booleans (and, or, not, prox) are
left-associative with equal precedence, as the specification says; parentheses group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOOLEANS = frozenset({"and", "or", "not", "prox"})
SYMBOL_RELATIONS = ("==", "<>", "<=", ">=", "=", "<", ">")


class CQLSyntaxError(ValueError):
    """The query is not well-formed CQL (SRU diagnostic 10)."""


@dataclass(frozen=True)
class Modifier:
    name: str
    comparison: str = ""
    value: str = ""


@dataclass(frozen=True)
class SearchClause:
    index: str  # "" when the query gave a bare term (server choice)
    relation: str  # lower-cased: "=", "==", "all", "any", "adj", "<", ... ; "" for a bare term
    term: str
    modifiers: tuple[Modifier, ...] = ()
    quoted: bool = False


@dataclass(frozen=True)
class Boolean:
    op: str  # and | or | not | prox
    left: CQLNode
    right: CQLNode
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True)
class SortKey:
    index: str
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True)
class CQLQuery:
    root: CQLNode
    sort_keys: tuple[SortKey, ...] = field(default_factory=tuple)


CQLNode = SearchClause | Boolean


@dataclass(frozen=True)
class _Token:
    kind: str  # "word" | "string" | "symbol" | "(" | ")" | "/" | "eof"
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()/":
            tokens.append(_Token(ch, ch, i))
            i += 1
            continue
        if ch in "=<>":
            for sym in SYMBOL_RELATIONS:
                if text.startswith(sym, i):
                    tokens.append(_Token("symbol", sym, i))
                    i += len(sym)
                    break
            continue
        if ch == '"':
            start, i, buf = i, i + 1, []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    nxt = text[i + 1]
                    # \" and \\ are escapes; keep other backslashes (masking escapes like \*) as written
                    buf.append(nxt if nxt in '"\\' else "\\" + nxt)
                    i += 2
                    continue
                buf.append(text[i])
                i += 1
            if i >= n:
                raise CQLSyntaxError(f"unterminated quoted string at {start}")
            tokens.append(_Token("string", "".join(buf), start))
            i += 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in '()/=<>"':
            i += 1
        tokens.append(_Token("word", text[start:i], start))
    tokens.append(_Token("eof", "", n))
    return tokens


MAX_DEPTH = 50  # nested parentheses
MAX_CLAUSES = 200  # search clauses in one query (each boolean adds a level to the tree)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.clauses = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> _Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def take(self) -> _Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def is_word(self, *values: str) -> bool:
        return self.tok.kind == "word" and self.tok.text.lower() in values

    def parse(self) -> CQLQuery:
        if self.tok.kind == "eof":
            raise CQLSyntaxError("empty query")
        root = self.query()
        sort_keys: tuple[SortKey, ...] = ()
        if self.is_word("sortby"):
            self.take()
            sort_keys = self.sort_spec()
        if self.tok.kind != "eof":
            raise CQLSyntaxError(f"unexpected {self.tok.text!r} at {self.tok.pos}")
        return CQLQuery(root=root, sort_keys=sort_keys)

    def sort_spec(self) -> tuple[SortKey, ...]:
        keys = []
        while self.tok.kind in ("word", "string"):
            index = self.take().text
            keys.append(SortKey(index=index, modifiers=self.modifiers()))
        if not keys:
            raise CQLSyntaxError("sortBy without a key")
        return tuple(keys)

    def query(self) -> CQLNode:
        # prefix assignments (> dc = "info:...") are accepted and ignored: index names are fixed
        while self.tok.kind == "symbol" and self.tok.text == ">":
            self.take()
            if self.peek().kind == "symbol" and self.peek().text == "=":
                self.take()
                self.take()
            if self.tok.kind not in ("word", "string"):
                raise CQLSyntaxError("prefix assignment without a URI")
            self.take()
        left = self.search_clause()
        while self.tok.kind == "word" and self.tok.text.lower() in BOOLEANS:
            op = self.take().text.lower()
            mods = self.modifiers()
            right = self.search_clause()
            left = Boolean(op=op, left=left, right=right, modifiers=mods)
        return left

    def search_clause(self) -> CQLNode:
        tok = self.tok
        if tok.kind == "(":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CQLSyntaxError(f"parentheses nested deeper than {MAX_DEPTH}")
            inner = self.query()
            self.depth -= 1
            if self.tok.kind != ")":
                raise CQLSyntaxError(f"missing ')' at {self.tok.pos}")
            self.take()
            return inner
        if tok.kind not in ("word", "string"):
            raise CQLSyntaxError(f"expected a search term at {tok.pos}, found {tok.text!r}")
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise CQLSyntaxError(f"more than {MAX_CLAUSES} search clauses")
        nxt = self.peek()
        relation_follows = nxt.kind == "symbol" or (
            nxt.kind == "word" and tok.kind == "word" and self._named_relation(nxt.text)
            and self.peek(2).kind in ("word", "string", "/")
        )
        if relation_follows:
            index = self.take().text
            rel_tok = self.take()
            relation = rel_tok.text.lower()
            mods = self.modifiers()
            if self.tok.kind not in ("word", "string"):
                raise CQLSyntaxError(f"missing search term after {index} {relation}")
            term_tok = self.take()
            return SearchClause(index=index, relation=relation, term=term_tok.text, modifiers=mods,
                                quoted=term_tok.kind == "string")
        self.take()
        if tok.kind == "word" and tok.text.lower() in BOOLEANS | {"sortby"}:
            raise CQLSyntaxError(f"reserved word {tok.text!r} used as a term at {tok.pos}")
        return SearchClause(index="", relation="", term=tok.text, quoted=tok.kind == "string")

    @staticmethod
    def _named_relation(word: str) -> bool:
        w = word.lower()
        return w not in BOOLEANS and w != "sortby" and (
            w in {"all", "any", "adj", "within", "encloses", "exact", "scr"} or "." in w
        )

    def modifiers(self) -> tuple[Modifier, ...]:
        mods = []
        while self.tok.kind == "/":
            self.take()
            if self.tok.kind not in ("word", "string"):
                raise CQLSyntaxError(f"modifier name expected at {self.tok.pos}")
            name = self.take().text.lower()
            if self.tok.kind == "symbol":
                comp = self.take().text
                if self.tok.kind not in ("word", "string"):
                    raise CQLSyntaxError(f"modifier value expected at {self.tok.pos}")
                mods.append(Modifier(name=name, comparison=comp, value=self.take().text))
            else:
                mods.append(Modifier(name=name))
        return tuple(mods)


def parse_cql(text: str) -> CQLQuery:
    """Parse a CQL query string; raises CQLSyntaxError with a position when it is malformed."""
    return _Parser(text).parse()
