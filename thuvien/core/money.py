"""Amounts of money (Vietnamese đồng, no minor unit) as readers and librarians read them: grouped
the page language's way ("120.000 đ" in Vietnamese, "120,000 VND" in English)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def amount_text(value: Decimal | int | float | None) -> str:
    """The number alone, grouped for the active language, no decimals: 120.000 / 120,000 (the
    Vietnamese grouping comes from thuvien/formats/vi)."""
    return number_format(round(Decimal(value or 0)), decimal_pos=0, use_l10n=True, force_grouping=True)


def vnd(value: Decimal | int | float | None) -> str:
    """The amount with its currency for the active language: "120.000 đ" / "120,000 VND"."""
    return _("%(amount)s đ") % {"amount": amount_text(value)}
