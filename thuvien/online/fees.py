"""The fees table: resolution down the organisation tree and the quotes the services show.

A unit's lines for a service replace its ancestors' lines for that service; a unit with none uses the
nearest ancestor that has some. Exemptions are inherited the same way, per service. The free services
of the Library Law (Art. 42) always cost nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from thuvien.core.models import OrgUnit
from thuvien.online.models import FREE_SERVICES, CopyFormat, DeliveryFormat, Fee, FeeExemption, FeeService
from thuvien.patrons.models import PatronCategory

PAGE_WEIGHT_G = 5  # one printed A4 page, for the postage band of a posted copy
PARCEL_BASE_G = 100  # envelope and packing


@dataclass(frozen=True)
class Quote:
    amount: Decimal
    lines: list[tuple[str, Decimal]]
    source: OrgUnit | None  # the unit whose table gave the price (None: no table anywhere)
    exempt: bool = False


def _ancestors_nearest_first(unit: OrgUnit) -> list[int]:
    return list(reversed(unit.ancestor_ids))


def fee_lines(*, unit: OrgUnit, service: str) -> tuple[list[Fee], OrgUnit | None]:
    """The lines for `service` that apply at `unit` (its own, else its nearest ancestor's) and their unit."""
    ids = _ancestors_nearest_first(unit)
    rows = list(Fee.objects.filter(unit_id__in=ids, service=service).select_related("unit", "category"))
    for uid in ids:
        mine = [r for r in rows if r.unit_id == uid]
        if mine:
            return mine, mine[0].unit
    return [], None


def is_exempt(*, unit: OrgUnit, service: str, category: PatronCategory | None) -> bool:
    """True when readers of `category` pay nothing for `service` at `unit` (nearest unit with exemptions wins)."""
    if category is None:
        return False
    ids = _ancestors_nearest_first(unit)
    rows = list(FeeExemption.objects.filter(unit_id__in=ids, service=service).values_list("unit_id", "category_id"))
    for uid in ids:
        mine = {cat for u, cat in rows if u == uid}
        if mine:
            return category.pk in mine
    return False


def card_fee(*, unit: OrgUnit, category: PatronCategory | None) -> Decimal | None:
    """The card fee at `unit` for `category` (a line for the category, else the general line); None if unset."""
    if category is not None and is_exempt(unit=unit, service=FeeService.CARD, category=category):
        return Decimal(0)
    lines, _src = fee_lines(unit=unit, service=FeeService.CARD)
    specific = [f for f in lines if category is not None and f.category_id == category.pk]
    general = [f for f in lines if f.category_id is None]
    pick = specific or general
    return pick[0].amount if pick else None


def card_fees(*, unit: OrgUnit) -> list[tuple[PatronCategory, Decimal | None]]:
    """The card fee of every reader category at `unit` (for the registration page)."""
    return [(cat, card_fee(unit=unit, category=cat)) for cat in PatronCategory.objects.all()]


def postage_for(*, unit: OrgUnit, zone: str, weight_g: int) -> Decimal | None:
    """The postage for a parcel of `weight_g` grams to `zone`: the smallest weight band that holds it."""
    lines, _src = fee_lines(unit=unit, service=FeeService.POSTAGE)
    bands = sorted((f for f in lines if f.zone in ("", zone)),
                   key=lambda f: (f.zone != zone, f.weight_max_g is None, f.weight_max_g or 0))
    for f in bands:
        if f.weight_max_g is None or weight_g <= f.weight_max_g:
            return f.amount
    return bands[-1].amount if bands else None


def copy_quote(*, unit: OrgUnit, page_count: int, delivery: str, copy_format: str, zone: str,
               category: PatronCategory | None) -> Quote:
    """The price of a remote copy: pages × the per-page rate, plus postage for a posted copy."""
    service = FeeService.SCAN_PAGE if delivery == DeliveryFormat.PDF_EMAIL else FeeService.COPY_PAGE
    fmt = CopyFormat.PDF if delivery == DeliveryFormat.PDF_EMAIL else copy_format
    if is_exempt(unit=unit, service=service, category=category):
        return Quote(Decimal(0), [(_("Miễn phí cho đối tượng của bạn"), Decimal(0))], None, exempt=True)
    lines, source = fee_lines(unit=unit, service=service)
    rate_line = next((f for f in lines if f.copy_format == fmt), None) or next(
        (f for f in lines if not f.copy_format), None)
    rate = rate_line.amount if rate_line else Decimal(0)
    out = [(_("%(n)s trang × %(rate)s đ") % {"n": page_count, "rate": f"{rate:,.0f}".replace(",", ".")},
            rate * page_count)]
    if delivery == DeliveryFormat.POST:
        postage = postage_for(unit=unit, zone=zone or "in_province",
                              weight_g=PARCEL_BASE_G + PAGE_WEIGHT_G * page_count) or Decimal(0)
        out.append((_("Cước bưu chính"), postage))
    return Quote(sum((a for _l, a in out), Decimal(0)), out, source)


def fee_validate(*, service: str, amount: Decimal) -> None:
    """Refuse a fee on a free service (Library Law Art. 42) or a negative amount."""
    from django.core.exceptions import ValidationError

    if service not in FeeService.values:
        raise ValidationError(_("Dịch vụ không hợp lệ."))
    if amount < 0:
        raise ValidationError(_("Mức thu không được âm."))
    if service in FREE_SERVICES and amount != 0:
        raise ValidationError(_("“%(s)s” là dịch vụ miễn phí theo Điều 42 Luật Thư viện, không được thu phí.")
                              % {"s": FeeService(service).label})


_PAGES = re.compile(r"(\d+)\s*(?:tr\b|tr\.|trang|p\b|p\.|pages?)", re.IGNORECASE)


def extent_pages(physical: str) -> int | None:
    """The number of pages in a record's extent ("245 tr. ; 21 cm" → 245), None when not stated."""
    m = _PAGES.search(physical or "")
    return int(m.group(1)) if m else None


_RANGE = re.compile(r"^\s*(\d+)\s*(?:[-–]\s*(\d+))?\s*$")


def count_pages(pages: str) -> int | None:
    """Pages in "12-30, 45, 50-52" (None when it is not a list of page numbers, e.g. a chapter)."""
    total = 0
    for part in (pages or "").split(","):
        m = _RANGE.match(part)
        if not m:
            return None
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if b < a or a < 1:
            return None
        total += b - a + 1
    return total or None
