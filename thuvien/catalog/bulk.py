"""Fast multi-row inserts for the import path: rows go to the database with executemany, each
value adapted once per column type instead of through Model.__init__ and the SQL compiler per
object (Django's bulk_create spends most of an import's time there)."""

from __future__ import annotations

import json
import operator
import os
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from django.db import connections, models, router
from django.utils import timezone

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


def _converter(field: models.Field, connection: Any) -> Callable[[Any], Any] | None:
    """How a value of `field` is adapted for the database; None when it goes in as is."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return json_text
    if isinstance(field, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return None
        return lambda v: v.hex if isinstance(v, uuid.UUID) else v
    if isinstance(field, models.DateTimeField):
        return lambda v: ops.adapt_datetimefield_value(v) if v is not None else None
    if isinstance(field, models.DateField):
        return lambda v: ops.adapt_datefield_value(v) if v is not None else None
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places) \
            if v is not None else None
    if isinstance(field, models.BinaryField):
        return lambda v: bytes(v) if v is not None else None
    return None


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


class _Plan:
    """The INSERT statement of a model and how to turn {attname: value} rows into its parameters."""

    def __init__(self, model: type[models.Model], connection: Any) -> None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column or f.attname) for f in fields)
        params = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model; values are parameters.
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({params})"  # noqa: S608
        self.table = model._meta.db_table
        self.pk_column = model._meta.pk.column  # type: ignore[union-attr]
        self.getter = operator.itemgetter(*[f.attname for f in fields])
        self.adapters = [(i, conv) for i, f in enumerate(fields) if (conv := _converter(f, connection)) is not None
                         and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)]
        self.auto_now = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        self.static_defaults = {f.attname: (f.get_default() if f.has_default() else None)
                                for f in fields if not (f.has_default() and callable(f.default))}
        self.callable_defaults = [(f.attname, f.get_default) for f in fields if f.has_default() and callable(f.default)]


_PLANS: dict[tuple[type[models.Model], str], _Plan] = {}


def _plan(model: type[models.Model]) -> tuple[Any, _Plan]:
    alias = router.db_for_write(model)
    connection = connections[alias]
    key = (model, alias)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _Plan(model, connection)
    return connection, plan


def _params(connection: Any, plan: _Plan, rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    forced = dict.fromkeys(plan.auto_now, now)
    base = plan.static_defaults
    getter, adapters, callables = plan.getter, plan.adapters, plan.callable_defaults
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        row.update(forced)  # the rows are the caller's throw-away dicts
        try:
            values = list(getter(row))  # a complete row: no merging with the defaults
        except KeyError:
            full = {**base, **row}
            for attname, default in callables:
                if attname not in row:
                    full[attname] = default()
            values = list(getter(full))
        for i, conv in adapters:
            values[i] = conv(values[i])
        batch.append(tuple(values))
    return batch


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Insert dicts of {attname: value} (missing attnames take the field default; auto_now fields
    are set in the dicts themselves); returns the count.
    The primary key is left to the database (see insert_rows_returning_ids)."""
    connection, plan = _plan(model)
    batch = _params(connection, plan, rows)
    if batch:
        with connection.cursor() as cursor:
            cursor.executemany(plan.sql, batch)
    return len(batch)


def insert_rows_returning_ids(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    """insert_rows for rows that each carry a unique "uuid": returns their primary keys in order.

    On SQLite (transactions take the write lock at BEGIN, and an AUTOINCREMENT key gives the rows
    of one statement consecutive ids) the ids follow from last_insert_rowid(), checked against the
    uuids of the first and last row; elsewhere, or if that check fails, they are looked up by uuid.
    """
    connection, plan = _plan(model)
    batch = _params(connection, plan, rows)
    if not batch:
        return []
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(plan.sql, batch)
        if connection.vendor == "sqlite":
            cursor.execute("SELECT last_insert_rowid()")
            last = int(cursor.fetchone()[0])
            first = last - len(batch) + 1
            cursor.execute(f"SELECT {qn(plan.pk_column)}, uuid FROM {qn(plan.table)} "  # noqa: S608
                           f"WHERE {qn(plan.pk_column)} IN (%s, %s)", [first, last])
            found = {pk: _uuid_hex(value) for pk, value in cursor.fetchall()}
            if found.get(first) == _uuid_hex(rows[0]["uuid"]) and found.get(last) == _uuid_hex(rows[-1]["uuid"]):
                return list(range(first, last + 1))
    by_uuid: dict[str, int] = {}
    uuids = [row["uuid"] for row in rows]
    for start in range(0, len(uuids), 500):
        by_uuid.update((value.hex, pk) for pk, value in model._default_manager.filter(  # type: ignore[attr-defined]
            uuid__in=uuids[start:start + 500]).values_list("pk", "uuid"))
    return [by_uuid[_uuid_hex(value)] for value in uuids]
