"""Template tags that let other apps' pages show digital objects with one include."""

from __future__ import annotations

from typing import Any

from django import template

from thuvien.digital.selectors import objects_for_record, records_inside

register = template.Library()


@register.simple_tag
def digital_objects_for(bib: Any) -> list[Any]:
    """The record's ready digital objects, each with `thumb` (its first page, 120 px high)."""
    objs = objects_for_record(record_id=bib.pk)
    firsts = dict(_first_pages([o.pk for o in objs]))
    for o in objs:
        page = firsts.get(o.pk)
        o.thumb = f"/iiif/3/{page}/full/,120/0/default.jpg" if page else ""  # type: ignore[attr-defined]
    return objs


def _first_pages(obj_ids: list[int]) -> list[tuple[int, str]]:
    from thuvien.digital.models import Page

    rows = Page.objects.filter(obj_id__in=obj_ids, order=1).values_list("obj_id", "uuid")
    return [(pk, str(u)) for pk, u in rows]


@register.simple_tag(takes_context=True)
def digital_inside(context: template.Context, record: Any) -> dict[str, Any] | None:
    """For a result row: {"uuid", "order", "snippet"} of the first page of the record's public digital
    copy holding the searched phrase, {"uuid"} when it only has a digital copy, or None. Worked out
    once for the whole result page (two queries), then read from the render context."""
    cache = context.render_context.get("digital_inside")
    if cache is None:
        request = context.get("request")
        q = request.GET.get("q", "") if request is not None else ""
        rows = context.get("results") or []
        ids = [row["record"].pk for row in rows if isinstance(row, dict) and "record" in row]
        cache = context.render_context["digital_inside"] = records_inside(record_ids=ids, q=q)
    return cache.get(record.pk)
