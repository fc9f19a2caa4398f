"""The reader's search history for the session: the last 20 searches, kept in the session only
(never in the database), newest first, clearable. Only a visitor who already has a session (a logged-in
reader, or one who has used a form that needs one) gets a history: a search never creates a session,
so an anonymous search sets no cookie (statistics count searches without cookies, Law 91/2025)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

SESSION_KEY = "portal_search_history"
KEEP = 20


def remember_search(session: Any, *, q: str, url: str, total: int | None = None) -> None:
    """Put a search at the top of the session's history (a repeat moves up instead of doubling)."""
    q = (q or "").strip()[:200]
    if not q or session is None or session.session_key is None:
        return  # no session yet: do not start one (and set a cookie) just to remember a search
    entries = [e for e in session.get(SESSION_KEY, []) if e.get("url") != url]
    entries.insert(0, {"q": q, "url": url[:1000], "total": total, "at": timezone.now().isoformat()})
    session[SESSION_KEY] = entries[:KEEP]


def search_history(session: Any) -> list[dict[str, Any]]:
    return list(session.get(SESSION_KEY, [])) if session is not None else []


def clear_history(session: Any) -> None:
    session.pop(SESSION_KEY, None)
