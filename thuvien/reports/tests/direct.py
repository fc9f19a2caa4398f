"""Figures counted the other way: straight from the events and the catalogue in Python, with no
roll-up and no report code, for the tests to compare against."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from thuvien.catalog.models import Item
from thuvien.core.models import ActivityEvent, OrgUnit
from thuvien.reports.facts import HCM


def subtree(unit: OrgUnit) -> set[int]:
    return {u.pk for u in OrgUnit.objects.all() if u.path.startswith(unit.path)}


def events(units: set[int], first: dt.date, last: dt.date) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for at, unit_id, kind, attrs in ActivityEvent.objects.values_list("at", "unit_id", "kind", "attributes"):
        if unit_id in units and first <= at.astimezone(HCM).date() <= last:
            out.append((kind, attrs))
    return out


def count_by_kind(units: set[int], first: dt.date, last: dt.date) -> Counter[str]:
    c: Counter[str] = Counter()
    for kind, attrs in events(units, first, last):
        c[kind] += int(attrs.get("count", 1))
    return c


def count_by_tag(units: set[int], first: dt.date, last: dt.date, kind: str, tag: str) -> Counter[str]:
    c: Counter[str] = Counter()
    for k, attrs in events(units, first, last):
        if k == kind:
            c[attrs.get(tag, "")] += int(attrs.get("count", 1))
    return c


def copies_by_ddc(units: set[int], as_of: dt.date) -> Counter[str]:
    c: Counter[str] = Counter()
    for item in Item.objects.select_related("record"):
        gone = item.status in ("withdrawn", "lost", "missing")
        held = item.acquired_on is not None and item.acquired_on <= as_of
        if item.library_id in units and not gone and held:
            ddc = item.record.ddc.strip()
            c[ddc[0] if ddc[:1].isdigit() else ""] += 1
    return c
