"""Template helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from thuvien.core.money import vnd

register = template.Library()


@register.filter(name="vnd")
def vnd_filter(value: Any) -> str:
    """An amount of money in the page's language: {{ fine.balance|vnd }} gives "120.000 đ" or
    "120,000 VND"."""
    return vnd(value) if value not in (None, "") else ""


@register.filter
def lname(obj: Any) -> str:
    """The name of a data-driven label (unit kind, item type, reader category) in the page's language:
    `name_en` on English pages when it is filled in, otherwise the Vietnamese `name`."""
    if obj is None:
        return ""
    if (get_language() or "vi").startswith("en"):
        english = getattr(obj, "name_en", "")
        if english:
            return str(english)
    return str(getattr(obj, "name", obj))
