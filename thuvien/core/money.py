"""Amounts of money (Vietnamese đồng, no minor unit) as readers and librarians read them: grouped
the page language's way ("120.000 đ" in Vietnamese, "120,000 VND" in English)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import get_format
from django.utils.translation import gettext as _


def amount_text(value: Decimal | int | float | None) -> str:
    """The number alone, grouped in threes with the active language's separator, no decimals:
    120.000 / 120,000 (Django's Vietnamese formats set no grouping, so it is done here)."""
    number = round(Decimal(value or 0))
    return ("-" if number < 0 else "") + f"{abs(number):,}".replace(",", str(get_format("THOUSAND_SEPARATOR")))


def vnd(value: Decimal | int | float | None) -> str:
    """The amount with its currency for the active language: "120.000 đ" / "120,000 VND"."""
    return _("%(amount)s đ") % {"amount": amount_text(value)}
