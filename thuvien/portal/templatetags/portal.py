"""Covers on the record page and in results (one query for a whole results page)."""

from __future__ import annotations

from typing import Any

from django import template

from thuvien.portal.models import RecordCover

register = template.Library()


@register.simple_tag
def record_cover(record: Any) -> RecordCover | None:
    return RecordCover.objects.filter(record_id=record.pk).first()


@register.simple_tag(takes_context=True)
def result_cover(context: Any, record: Any) -> RecordCover | None:
    """The cover of a hit; the first call loads the covers of every hit in `results` at once."""
    request = context.get("request")
    cache = getattr(request, "_portal_covers", None)
    if cache is None:
        ids = [h["record"].pk for h in context.get("results") or [] if isinstance(h, dict) and "record" in h]
        cache = {c.record_id: c for c in RecordCover.objects.filter(record_id__in=ids + [record.pk])}
        if request is not None:
            request._portal_covers = cache
    return cache.get(record.pk)


@register.simple_tag
def portal_upcoming(n: int = 3) -> dict[str, Any]:
    """The next published events and the latest news, for the home page section."""
    from thuvien.portal.selectors import events_upcoming, news_published

    return {"events": list(events_upcoming()[:n]), "news": list(news_published()[:n])}
