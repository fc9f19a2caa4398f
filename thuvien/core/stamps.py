"""Last-changed timestamps for bulk writes: `QuerySet.update()` and `bulk_update()` skip `auto_now`,
so every bulk write to a model that has `updated_at` sets it explicitly (satellites sync on it; a
test scans the source for `.update(` and `bulk_update(` call sites that forget)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


def has_updated_at(model: type[models.Model]) -> bool:
    return any(f.name == "updated_at" for f in model._meta.concrete_fields)


def with_updated_at(model: type[models.Model], **values: Any) -> dict[str, Any]:
    """`values` for `model.objects....update(**...)`, plus `updated_at=now` when the model keeps one."""
    if has_updated_at(model):
        values.setdefault("updated_at", timezone.now())
    return values
