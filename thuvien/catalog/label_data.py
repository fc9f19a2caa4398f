"""What goes on labels and cards: items or readers of a library's subtree, by a list of codes (with
`FROM-TO` ranges), or the items added since a date (a new-items batch)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q
from django.utils import timezone

from thuvien.catalog import labels as L
from thuvien.catalog.logos import logo_bytes
from thuvien.catalog.models import Item
from thuvien.core.models import OrgUnit
from thuvien.patrons.models import Patron

MAX_LABELS = 2000
_RANGE = re.compile(r"^(.*?)(\d+)\s*-\s*(.*?)(\d+)$")


def expand_codes(text: str, limit: int = MAX_LABELS) -> list[str]:
    """One code per line; `VV.000100-VV.000150` (same prefix, same width) is every code between."""
    codes: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        m = _RANGE.match(line)
        if m and m.group(1) == m.group(3) and len(m.group(2)) == len(m.group(4)) and int(m.group(2)) <= int(m.group(4)):
            width = len(m.group(2))
            first, last = int(m.group(2)), min(int(m.group(4)), int(m.group(2)) + limit - 1)
            codes += [f"{m.group(1)}{n:0{width}d}" for n in range(first, last + 1)]
        elif line:
            codes.append(line)
        if len(codes) >= limit:
            break
    return list(dict.fromkeys(codes))[:limit]


def new_item_codes(library: OrgUnit, since: dt.date, limit: int = MAX_LABELS) -> list[str]:
    """Barcodes of the items added to `library`'s subtree since `since`, oldest first."""
    start = dt.datetime.combine(since, dt.time(0), tzinfo=timezone.get_current_timezone())
    return list(Item.objects.filter(library__path__startswith=library.path, created_at__gte=start)
                .order_by("created_at", "pk").values_list("barcode", flat=True)[:limit])


def build(kind: str, library: OrgUnit, codes: list[str]) -> tuple[list[Any], list[str]]:
    """The labels for `codes` held in `library`'s subtree, in order, and the codes not found there."""
    name = library.short_name or library.name
    in_tree = Q(library__path__startswith=library.path)
    found: list[Any] = []
    missing: list[str] = []
    if kind == "card":
        logo = logo_bytes(library)
        patrons = {p.card_number: p for p in Patron.objects.filter(card_number__in=codes,
                                                                   home_library__path__startswith=library.path)}
        for code in codes:
            p = patrons.get(code)
            if p is None or not L.code128_ok(p.card_number):
                missing.append(code)
                continue
            photo = None
            if p.photo:
                with p.photo.open("rb") as f:
                    photo = f.read()
            found.append(L.ReaderCard(library=name, name=p.full_name, card_number=p.card_number,
                                      expires=p.expires_on.strftime("%d/%m/%Y"), photo=photo, logo=logo))
        return found, missing
    items = {i.barcode: i for i in Item.objects.filter(in_tree, barcode__in=codes).select_related("record")}
    for code in codes:
        item = items.get(code)
        if item is None or (kind == "item" and not L.code128_ok(item.barcode)):
            missing.append(code)
        elif kind == "spine":
            found.append(L.SpineLabel(call_number=item.call_number or "",
                                      year=str(item.record.year) if item.record.year else ""))
        else:
            found.append(L.ItemLabel(library=name, barcode=item.barcode))
    return found, missing


