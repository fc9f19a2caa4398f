"""Fast multi-row inserts for the import path: rows are tuples of database-ready values, in a
fixed column order checked against the model once, sent with one executemany per table, instead
of going through Model.__init__ and the SQL compiler per object (Django's bulk_create spends most
of an import's time there)."""

from __future__ import annotations

import functools
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from django.db import connections, models, router

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class RawJSON(str):
    """JSON text already serialised (e.g. in a worker process): inserted as is."""

    __slots__ = ()


def json_text(value: Any) -> str:
    """Compact JSON text of `value` as stored in a JSONField (non-ASCII kept as is): the same text
    as json.dumps(value, ensure_ascii=False, separators=(",", ":")), made by orjson when it can."""
    if value.__class__ is RawJSON:
        return value  # type: ignore[no-any-return]
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (lone surrogates, huge integers...) the json module writes
        return _ENCODE(value)


def new_uuids(model: type[models.Model], n: int) -> list[Any]:
    """`n` new UUIDs for rows of `model`, in the form its database takes them (UUID objects where
    it has a uuid type, 32-digit hex text on SQLite).

    They are time-ordered version 7 UUIDs (RFC 9562: millisecond timestamp, then a random
    74-bit value counted up through the batch), so the unique index on `uuid` grows at its end
    instead of taking each batch's rows at random places: a large import dirties, and writes,
    a few index pages per batch instead of most of them.
    """
    ms = time.time_ns() // 1_000_000
    base = int.from_bytes(os.urandom(10), "big") >> 7  # 73 random bits: +n never overflows 74
    ints = [ms << 80 | 0x7 << 76 | (r >> 62) << 64 | 0x2 << 62 | (r & _LOW62) for r in range(base, base + n)]
    if connections[router.db_for_write(model)].features.has_native_uuid_field:
        return [uuid.UUID(int=v) for v in ints]
    return [f"{v:032x}" for v in ints]


_LOW62 = (1 << 62) - 1


def _uuid_hex(value: Any) -> str:
    return value.hex if isinstance(value, uuid.UUID) else uuid.UUID(str(value)).hex


def select_in(sql: str, values: Iterable[Any], *, model: type[models.Model], params: tuple[Any, ...] = (),
              chunk: int = 500) -> list[tuple[Any, ...]]:
    """Rows of `sql` (whose last placeholder is "IN ({})") for `values`, queried `chunk` at a time:
    the import's existence checks, without the ORM's per-value lookup preparation."""
    values = list(values)
    connection = connections[router.db_for_write(model)]
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            cursor.execute(sql.format(", ".join(["%s"] * len(part))), [*params, *part])
            out.extend(cursor.fetchall())
    return out


class _TuplePlan:
    """The INSERT statement of a model for rows given as tuples in a fixed column order."""

    def __init__(self, model: type[models.Model], connection: Any, attnames: tuple[str, ...]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        if sorted(attnames) != sorted(fields):  # every column given, each once: no defaults to fill in
            raise ValueError(f"{model.__name__}: columns {attnames} are not exactly {tuple(fields)}")
        qn = connection.ops.quote_name
        columns = ", ".join(qn(fields[name].column) for name in attnames)
        # Table and column names come from the model; values are parameters.
        self.sql = (f"INSERT INTO {qn(model._meta.db_table)} ({columns}) "  # noqa: S608
                    f"VALUES ({', '.join(['%s'] * len(attnames))})")


_TUPLE_PLANS: dict[tuple[type[models.Model], str, tuple[str, ...]], _TuplePlan] = {}


def insert_tuples(model: type[models.Model], attnames: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
    """Insert rows given as tuples of database-ready values (already adapted: see `adapter`) for
    exactly the model's columns `attnames`, in that order; the primary key is left to the database.
    The import's hot path: no per-value work in Python at all."""
    if not rows:
        return 0
    alias = router.db_for_write(model)
    connection = connections[alias]
    key = (model, alias, attnames)
    plan = _TUPLE_PLANS.get(key)
    if plan is None:
        plan = _TUPLE_PLANS[key] = _TuplePlan(model, connection, attnames)
    with connection.cursor() as cursor:
        cursor.executemany(plan.sql, rows)
    return len(rows)


def insert_tuples_returning_ids(model: type[models.Model], attnames: tuple[str, ...],
                                rows: list[tuple[Any, ...]]) -> list[int]:
    """insert_tuples for rows of a model with a unique "uuid" column: their primary keys in order."""
    if not insert_tuples(model, attnames, rows):
        return []
    at = attnames.index("uuid")
    return _returning_ids(model, connections[router.db_for_write(model)], [row[at] for row in rows])


def adapter(model: type[models.Model], attname: str) -> Callable[[Any], Any]:
    """How a value of the column `attname` is made database-ready for insert_tuples: the field's
    own get_db_prep_value (as the ORM adapts it), bound to the connection once."""
    connection = connections[router.db_for_write(model)]
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return functools.partial(field.get_db_prep_value, connection=connection, prepared=True)


def _returning_ids(model: type[models.Model], connection: Any, uuids: list[Any]) -> list[int]:
    """The primary keys of the rows with `uuids` that the last statement inserted, in order.

    On SQLite (transactions take the write lock at BEGIN, and an AUTOINCREMENT key gives the rows
    of one statement consecutive ids) the ids follow from last_insert_rowid(), checked against the
    uuids of the first and last row; elsewhere, or if that check fails, they are looked up by uuid.
    """
    qn = connection.ops.quote_name
    table, pk_column = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_insert_rowid()")
            last = int(cursor.fetchone()[0])
            first = last - len(uuids) + 1
            cursor.execute(f"SELECT {qn(pk_column)}, uuid FROM {qn(table)} "  # noqa: S608
                           f"WHERE {qn(pk_column)} IN (%s, %s)", [first, last])
            found = {pk: _uuid_hex(value) for pk, value in cursor.fetchall()}
        if found.get(first) == _uuid_hex(uuids[0]) and found.get(last) == _uuid_hex(uuids[-1]):
            return list(range(first, last + 1))
    by_uuid: dict[str, int] = {}
    for start in range(0, len(uuids), 500):
        by_uuid.update((value.hex, pk) for pk, value in model._default_manager.filter(  # type: ignore[attr-defined]
            uuid__in=uuids[start:start + 500]).values_list("pk", "uuid"))
    return [by_uuid[_uuid_hex(value)] for value in uuids]
