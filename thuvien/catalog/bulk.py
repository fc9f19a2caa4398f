"""Fast multi-row inserts for the import path: rows go to the database with executemany, each
value adapted once per column type instead of through Model.__init__ and the SQL compiler per
object (Django's bulk_create spends most of an import's time there)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections, models, router
from django.utils import timezone


class RawJSON(str):
    """JSON text already serialised (e.g. in a worker process): inserted as is."""

    __slots__ = ()


def _converter(field: models.Field, connection: Any, now: Any) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda v: v if isinstance(v, RawJSON) else json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if isinstance(field, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return lambda v: v
        return lambda v: v.hex if isinstance(v, uuid.UUID) else v
    if isinstance(field, models.DateTimeField):
        if field.auto_now or field.auto_now_add:
            return lambda _v: now
        return lambda v: ops.adapt_datetimefield_value(v) if v is not None else None
    if isinstance(field, models.DateField):
        return lambda v: ops.adapt_datefield_value(v) if v is not None else None
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places) \
            if v is not None else None
    if isinstance(field, models.BinaryField):
        return lambda v: bytes(v) if v is not None else None
    return lambda v: v


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Insert dicts of {attname: value} (missing attnames take the field default); returns the count.
    The primary key is left to the database; look rows up by uuid afterwards if needed."""
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    convert = [(f.attname, f, _converter(f, connection, now)) for f in fields]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column or f.attname) for f in fields)
    params = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model; values are parameters.
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({params})"  # noqa: S608
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        values = []
        for attname, field, conv in convert:
            if attname in row:
                value = row[attname]
            elif field.has_default():
                value = field.get_default()
            else:
                value = None
            values.append(conv(value))
        batch.append(tuple(values))
    if batch:
        with connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    return len(batch)
