"""`{% load scheduler_tags %}{% if user|may_see_schedule %}`: the staff menu's check."""

from __future__ import annotations

from typing import Any

from django import template

from thuvien.core.permissions import Perm, has_perm

register = template.Library()


@register.filter
def may_see_schedule(user: Any) -> bool:
    """Network administrators (a grant covering the whole network) see the periodic table."""
    return has_perm(user, Perm.ORG_RESTRUCTURE, None)


@register.filter
def run_summary(text: str) -> str:
    """A run's summary in words (see `thuvien.scheduler.summary`)."""
    from thuvien.scheduler.summary import summary_text

    return summary_text(text or "")
