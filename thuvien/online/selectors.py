"""Reads of the online services: staff queues scoped to the user's subtree, a reader's own requests,
the public FAQ and the response-time figures."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from thuvien.core.permissions import Perm, scope_q
from thuvien.core.text import fold_key
from thuvien.online.models import (
    CopyRequest,
    CopyState,
    PostalLoan,
    PostalState,
    Question,
    QuestionState,
    Suggestion,
    SuggestionState,
)

if TYPE_CHECKING:
    from thuvien.core.models import OrgUnit, User
    from thuvien.patrons.models import Patron

OPEN = {
    "questions": [QuestionState.NEW, QuestionState.ASSIGNED],
    "copies": [CopyState.RECEIVED, CopyState.QUOTED, CopyState.ACCEPTED, CopyState.PAID, CopyState.DONE],
    "postal": [PostalState.REQUESTED, PostalState.PACKED, PostalState.SHIPPED, PostalState.RETURN_SENT],
    "suggestions": [SuggestionState.NEW],
}
MODELS: dict[str, Any] = {"questions": Question, "copies": CopyRequest, "postal": PostalLoan,
                          "suggestions": Suggestion}
RELATED: dict[str, list[str]] = {
    "questions": ["library", "assigned_to", "patron"],
    "copies": ["library", "record", "patron"],
    "postal": ["library", "record", "patron", "item", "culture_point", "loan"],
    "suggestions": ["library", "patron"],
}


def queue(*, user: User, kind: str, state: str = "open", unit: OrgUnit | None = None) -> QuerySet[Any]:
    """The requests of one service at the units where `user` works the desk (optionally one subtree)."""
    qs = MODELS[kind].objects.filter(scope_q(user, Perm.CIRC_DESK, "library__")).select_related(*RELATED[kind])
    if unit is not None:
        qs = qs.filter(library__path__startswith=unit.path)
    if state == "open":
        qs = qs.filter(state__in=OPEN[kind])
    elif state:
        qs = qs.filter(state=state)
    return qs.order_by("created_at", "pk") if state == "open" else qs.order_by("-updated_at", "-pk")


def queue_counts(*, user: User) -> dict[str, int]:
    """Open requests of each service in the user's subtree (for the staff home page)."""
    return {kind: queue(user=user, kind=kind).count() for kind in MODELS}


def for_patron(*, patron: Patron) -> dict[str, list[Any]]:
    """The reader's own questions, copy requests, postal loans and suggestions (newest first, 50 each)."""
    return {
        "questions": list(Question.objects.filter(patron=patron).select_related("library")[:50]),
        "copies": list(CopyRequest.objects.filter(patron=patron).select_related("library", "record")[:50]),
        "postal": list(PostalLoan.objects.filter(patron=patron)
                       .select_related("library", "record", "item", "culture_point", "loan")[:50]),
        "suggestions": list(Suggestion.objects.filter(patron=patron).select_related("library")[:50]),
    }


def faq(*, q: str = "", library: OrgUnit | None = None) -> QuerySet[Question]:
    """Published questions (anonymised texts only), filtered by words (diacritics optional) and library."""
    qs = Question.objects.filter(state=QuestionState.PUBLISHED).select_related("library").order_by(
        "-published_at", "-pk")
    if library is not None:
        qs = qs.filter(library__path__startswith=library.path)
    words = [w for w in q.split() if w][:8]
    if not words:
        return qs
    rows = list(qs.values_list("pk", "public_question", "public_answer")[:2000])
    folded = [fold_key(w) for w in words]
    keep = [pk for pk, a, b in rows if all(w in fold_key(f"{a} {b}") for w in folded)]
    return qs.filter(pk__in=keep)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def response_times(*, unit: OrgUnit, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Median and 90th-percentile hours from question to answer, per library of `unit`'s subtree, for the
    answers given in [start, end) — read from the anonymous `question_answered` facts."""
    from thuvien.core.models import ActivityEvent, OrgUnit

    rows = ActivityEvent.objects.filter(kind="question_answered", unit__path__startswith=unit.path,
                                        at__gte=start, at__lt=end).values_list("unit_id",
                                                                                                 "attributes")
    by_unit: dict[int, list[float]] = {}
    for uid, attrs in rows:
        by_unit.setdefault(uid, []).append(float((attrs or {}).get("hours", 0)))
    names = dict(OrgUnit.objects.filter(pk__in=by_unit).values_list("pk", "name"))
    return [{"unit": names[uid], "answered": len(v), "median_hours": round(_percentile(v, 0.5), 1),
             "p90_hours": round(_percentile(v, 0.9), 1)}
            for uid, v in sorted(by_unit.items(), key=lambda kv: names[kv[0]])]


def service_counts(*, unit: OrgUnit, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """How many requests of each online service were made in `unit`'s subtree in [start, end)."""
    from django.db.models import Count

    from thuvien.core.models import ActivityEvent

    kinds = ["question", "question_answered", "copy_request", "postal_request", "suggestion"]
    rows = (ActivityEvent.objects.filter(kind__in=kinds, unit__path__startswith=unit.path, at__gte=start,
                                         at__lt=end).values("kind").annotate(n=Count("id")))
    out = dict.fromkeys(kinds, 0)
    out.update({r["kind"]: r["n"] for r in rows})
    return out


