"""Template tags of the online services (the staff home block, the registration card fees)."""

from __future__ import annotations

from typing import Any

from django import template

from thuvien.core.permissions import Perm, has_perm_somewhere

register = template.Library()


@register.inclusion_tag("online/staff/_home_block.html", takes_context=True)
def online_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    """Open online requests in the librarian's subtree (nothing for staff without the desk permission)."""
    from thuvien.online.selectors import queue_counts

    request = context.get("request")
    user = getattr(request, "user", None)
    if not has_perm_somewhere(user, Perm.CIRC_DESK):  # type: ignore[arg-type]
        return {"counts": None}
    return {"counts": queue_counts(user=user)}  # type: ignore[arg-type]
