"""The lifecycles of the online services, declared once and enforced by `online.services`: every change
of a question's, copy request's, postal loan's or suggestion's state goes through `transition()`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from thuvien.online.models import CopyState, PostalState, QuestionState, SuggestionState

Q_ = QuestionState
QUESTION_TRANSITIONS: dict[str, frozenset[str]] = {
    Q_.NEW: frozenset({Q_.ASSIGNED, Q_.ANSWERED}),
    Q_.ASSIGNED: frozenset({Q_.NEW, Q_.ANSWERED}),  # back to NEW when forwarded to another library
    Q_.ANSWERED: frozenset({Q_.PUBLISHED}),
    Q_.PUBLISHED: frozenset({Q_.ANSWERED}),  # withdrawn from the FAQ
}

C = CopyState
COPY_TRANSITIONS: dict[str, frozenset[str]] = {
    C.RECEIVED: frozenset({C.QUOTED, C.CANCELLED, C.REFUSED}),
    C.QUOTED: frozenset({C.ACCEPTED, C.CANCELLED, C.REFUSED}),
    C.ACCEPTED: frozenset({C.PAID, C.CANCELLED}),
    C.PAID: frozenset({C.DONE}),
    C.DONE: frozenset({C.DELIVERED}),
    C.DELIVERED: frozenset(),
    C.CANCELLED: frozenset(),
    C.REFUSED: frozenset(),
}

P = PostalState
POSTAL_TRANSITIONS: dict[str, frozenset[str]] = {
    P.REQUESTED: frozenset({P.PACKED, P.CANCELLED, P.REFUSED}),
    P.PACKED: frozenset({P.SHIPPED, P.CANCELLED, P.REFUSED}),  # SHIPPED: the loan starts (checkout)
    P.SHIPPED: frozenset({P.RETURN_SENT, P.RETURNED}),
    P.RETURN_SENT: frozenset({P.RETURNED}),  # RETURNED: a real check-in
    P.RETURNED: frozenset(),
    P.CANCELLED: frozenset(),
    P.REFUSED: frozenset(),
}

S = SuggestionState
SUGGESTION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset(),
    S.DECLINED: frozenset(),
}

TABLES: dict[str, tuple[dict[str, frozenset[str]], type[models.TextChoices]]] = {
    "question": (QUESTION_TRANSITIONS, QuestionState),
    "copy": (COPY_TRANSITIONS, CopyState),
    "postal": (POSTAL_TRANSITIONS, PostalState),
    "suggestion": (SUGGESTION_TRANSITIONS, SuggestionState),
}


class TransitionError(ValidationError, ValueError):
    """A change of state the table does not allow (nothing was changed)."""


def check_transition(table: str, current: str, new: str) -> None:
    transitions, labels = TABLES[table]
    if new not in transitions[current]:
        raise TransitionError(_("Không thể chuyển từ “%(a)s” sang “%(b)s”.")
                              % {"a": labels(current).label, "b": labels(new).label})


def transition(obj: models.Model, table: str, new: str) -> str:
    """Set `obj.state` to `new` if the table allows it (the caller saves); returns the old state."""
    before: str = obj.state  # type: ignore[attr-defined]
    check_transition(table, before, new)
    obj.state = new  # type: ignore[attr-defined]
    return before


def allowed(table: str, current: str) -> frozenset[str]:
    return TABLES[table][0][current]
