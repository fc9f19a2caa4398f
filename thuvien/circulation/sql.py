"""Statements for the desk hot path (checkout, check-in), compiled once and sent in batches.

A desk operation needs a dozen small reads and writes. Through the ORM each costs its compile
time (Python CPU) and, on PostgreSQL, one round trip to the server. Here the SQL is written once
from the models' metadata (tables, columns, converters and parameter preparation stay Django's),
and a `Batch` sends several statements in ONE round trip on PostgreSQL (psycopg client-side
binding, which Django uses by default) or one after the other on SQLite, where a statement costs
no round trip. Statements run in the order given, inside the caller's transaction.

Only identifiers (from model metadata, quoted by the backend) are put into SQL text; every value
is a parameter. That is why the statements built with f-strings here and in services.py carry
`noqa: S608`.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, cast

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql import InsertQuery

Row = tuple[Any, ...]
P = ParamSpec("P")


def connection_for(using: str | None = None) -> BaseDatabaseWrapper:
    return connections[using or DEFAULT_DB_ALIAS]


def _multi_statement(connection: BaseDatabaseWrapper) -> bool:
    """True when one execute() may carry several statements (psycopg 3 client-side binding)."""
    if connection.vendor != "postgresql":
        return False
    import psycopg

    connection.ensure_connection()
    return issubclass(connection.connection.cursor_factory, psycopg.ClientCursor)


class Batch:
    """Statements run in order in one round trip where the backend allows it.

    `add()` returns the statement's index; `run()` runs them, empties the batch for further use
    and returns the `Results` (rows or row count of each statement, by index).
    """

    def __init__(self, connection: BaseDatabaseWrapper | None = None) -> None:
        self.connection = connection or connection_for()
        self.statements: list[tuple[str, Sequence[Any]]] = []

    def add(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.statements.append((sql, params))
        return len(self.statements) - 1

    def run(self) -> Results:
        statements, self.statements = self.statements, []
        results: list[list[Row] | int] = []
        if not statements:
            return Results(results)
        with self.connection.cursor() as cursor:
            if len(statements) > 1 and _multi_statement(self.connection):
                cursor.execute(";\n".join(s for s, _ in statements), [p for _, ps in statements for p in ps])
                raw = cursor.cursor
                while True:
                    results.append(raw.fetchall() if raw.description is not None else raw.rowcount)
                    if not raw.nextset():
                        break
            else:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    results.append(cursor.fetchall() if cursor.description is not None else cursor.rowcount)
        return Results(results)


@dataclass(frozen=True)
class Results:
    """What each statement of a batch gave, by the index `Batch.add()` returned."""

    results: list[list[Row] | int]

    def rows(self, index: int) -> list[Row]:
        found = self.results[index]
        if isinstance(found, int):
            raise TypeError(f"statement {index} returned no rows")
        return found

    def first(self, index: int) -> Row | None:
        rows = self.rows(index)
        return rows[0] if rows else None

    def rowcount(self, index: int) -> int:
        found = self.results[index]
        if not isinstance(found, int):
            raise TypeError(f"statement {index} returned rows")
        return found


# -- reading rows into model instances ----------------------------------------------------------

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


@dataclass(frozen=True, eq=False)
class Columns:
    """The select list of a model's columns under an alias, and how to turn a row back into values."""

    connection: BaseDatabaseWrapper
    model: type[models.Model]
    attnames: tuple[str, ...]
    sql: str
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]

    def values(self, row: Row, offset: int = 0) -> list[Any]:
        values = list(row[offset:offset + len(self.attnames)])
        for i, funcs, expression in self.converters:
            value = values[i]
            for func in funcs:
                value = func(value, expression, self.connection)
            values[i] = value
        return values

    def load(self, row: Row, offset: int = 0) -> Any:
        """A model instance from the row's columns starting at `offset` (as the ORM would build it)."""
        return self.model.from_db(self.connection.alias, list(self.attnames), self.values(row, offset))

    def __len__(self) -> int:
        return len(self.attnames)


_cache: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[tuple[Any, ...], Columns]] = weakref.WeakKeyDictionary()


def columns(model: type[models.Model], alias: str, names: Sequence[str] | None = None,
            connection: BaseDatabaseWrapper | None = None) -> Columns:
    """The columns of `model` (all concrete fields, or `names`) selected from `alias` (cached)."""
    connection = connection or connection_for()
    per_connection = _cache.setdefault(connection, {})
    key = (model, alias, tuple(names) if names else None)
    found = per_connection.get(key)
    if found is not None:
        return found
    meta = model._meta
    fields = [_field(model, n) for n in names] if names else list(meta.concrete_fields)
    qn = connection.ops.quote_name
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(alias)
        funcs = tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        if funcs:
            converters.append((i, funcs, col))
    found = Columns(
        connection=connection, model=model, attnames=tuple(f.attname for f in fields),
        sql=", ".join(f"{qn(alias)}.{qn(str(f.column))}" for f in fields),
        converters=tuple(converters),
    )
    per_connection[key] = found
    return found


# -- statement texts, parameters, locks, writes ---------------------------------------------------

def statement(build: Callable[P, str]) -> Callable[P, str]:
    """Cache the SQL text `build(*args)` per database vendor: build it from identifiers only."""
    texts: dict[tuple[Any, ...], str] = {}

    @functools.wraps(build)
    def text(*args: P.args, **kwargs: P.kwargs) -> str:
        key = (connection_for().vendor, args, tuple(sorted(kwargs.items())))
        found = texts.get(key)
        if found is None:
            found = texts[key] = build(*args, **kwargs)
        return found

    return text


def table(model: type[models.Model], connection: BaseDatabaseWrapper | None = None) -> str:
    return (connection or connection_for()).ops.quote_name(model._meta.db_table)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def col(model: type[models.Model], name: str, connection: BaseDatabaseWrapper | None = None) -> str:
    return (connection or connection_for()).ops.quote_name(str(_field(model, name).column))


def param(model: type[models.Model], name: str, value: Any, connection: BaseDatabaseWrapper | None = None) -> Any:
    """`value` prepared for the database as the ORM prepares it for the field `name`."""
    return _field(model, name).get_db_prep_value(value, connection or connection_for(), prepared=False)


def placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def for_update(alias: str, connection: BaseDatabaseWrapper | None = None) -> str:
    """` FOR UPDATE OF alias` where the database locks rows (SQLite locks the whole database instead)."""
    connection = connection or connection_for()
    if not connection.features.has_select_for_update:
        return ""
    if connection.features.has_select_for_update_of:
        return f" FOR UPDATE OF {connection.ops.quote_name(alias)}"
    return " FOR UPDATE"


_inserts: dict[tuple[Any, ...], tuple[str, list[models.Field[Any, Any]]]] = {}


def insert(obj: models.Model, connection: BaseDatabaseWrapper | None = None) -> tuple[str, Sequence[Any]]:
    """The INSERT statement Django would run for a new `obj` (defaults and auto_now applied to `obj`);
    the primary key is included when it is already set. No RETURNING: the caller knows what it needs.
    The text comes from Django's insert compiler once per model; the values are prepared per field
    as that compiler prepares them."""
    connection = connection or connection_for()
    key = (connection.vendor, type(obj), obj.pk is not None)
    cached = _inserts.get(key)
    if cached is not None:
        text, fields = cached
        params: Sequence[Any] = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    else:
        meta = obj._meta
        fields = [f for f in meta.local_concrete_fields if not getattr(f, "generated", False)]
        if obj.pk is None and meta.auto_field is not None:
            fields = [f for f in fields if f is not meta.auto_field]
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj], raw=False)
        [(text, params)] = query.get_compiler(connection=connection).as_sql()
        if text.count("%s") == len(fields) and not any(hasattr(f, "get_placeholder") for f in fields):
            _inserts[key] = (text, fields)  # plain placeholders: the text does not depend on the values
    obj._state.adding = False
    obj._state.db = connection.alias
    return text, params


@statement
def _update_text(model: type[models.Model], names: tuple[str, ...]) -> str:
    sets = ", ".join(f"{col(model, k)} = %s" for k in names)
    return f"UPDATE {table(model)} SET {sets} WHERE {col(model, str(model._meta.pk.name))} = %s"  # type: ignore[union-attr]  # noqa: S608


def update(model: type[models.Model], pk: Any, values: dict[str, Any],
           connection: BaseDatabaseWrapper | None = None) -> tuple[str, list[Any]]:
    """UPDATE of one row by primary key, each value prepared as its field wants."""
    connection = connection or connection_for()
    params = [param(model, k, v, connection) for k, v in values.items()]
    params.append(param(model, model._meta.pk.name, pk, connection))  # type: ignore[union-attr]
    return _update_text(model, tuple(values)), params


def next_id_sql(model: type[models.Model], connection: BaseDatabaseWrapper | None = None) -> str | None:
    """SQL that allocates the next primary key of `model` before inserting it (PostgreSQL), else None."""
    connection = connection or connection_for()
    if connection.vendor != "postgresql":
        return None
    return f"SELECT nextval(pg_get_serial_sequence('{model._meta.db_table}', '{model._meta.pk.column}'))"  # type: ignore[union-attr]


def insert_now(obj: models.Model, connection: BaseDatabaseWrapper | None = None) -> None:
    """Run the INSERT of `obj` at once and take its new primary key (where `next_id_sql` gives none)."""
    connection = connection or connection_for()
    statement, params = insert(obj, connection)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        obj.pk = cursor.lastrowid
