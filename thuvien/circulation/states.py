"""The loan and hold lifecycles, declared in one place and enforced by the services."""

from __future__ import annotations

from django.utils.translation import gettext as _

from thuvien.circulation.models import HoldState, LoanState

LOAN_TRANSITIONS: dict[str, frozenset[str]] = {
    LoanState.ON_LOAN: frozenset({LoanState.RETURNED, LoanState.LOST, LoanState.CLAIMED_RETURNED}),
    LoanState.LOST: frozenset({LoanState.RETURNED}),
    LoanState.CLAIMED_RETURNED: frozenset({LoanState.RETURNED}),
    LoanState.RETURNED: frozenset(),
}

HOLD_TRANSITIONS: dict[str, frozenset[str]] = {
    HoldState.WAITING: frozenset({HoldState.TARGETED, HoldState.IN_TRANSIT, HoldState.READY, HoldState.FULFILLED,
                                  HoldState.CANCELLED, HoldState.EXPIRED}),
    HoldState.TARGETED: frozenset({HoldState.WAITING, HoldState.IN_TRANSIT, HoldState.READY, HoldState.FULFILLED,
                                   HoldState.CANCELLED}),
    HoldState.IN_TRANSIT: frozenset({HoldState.READY, HoldState.FULFILLED, HoldState.CANCELLED, HoldState.WAITING}),
    HoldState.READY: frozenset({HoldState.FULFILLED, HoldState.EXPIRED, HoldState.CANCELLED}),
    HoldState.FULFILLED: frozenset(),
    HoldState.CANCELLED: frozenset(),
    HoldState.EXPIRED: frozenset(),
}


class TransitionError(ValueError):
    pass


def check_loan_transition(current: str, new: str) -> None:
    if new not in LOAN_TRANSITIONS[current]:
        raise TransitionError(_("Không thể chuyển lượt mượn từ “%(a)s” sang “%(b)s”.")
                              % {"a": LoanState(current).label, "b": LoanState(new).label})


def check_hold_transition(current: str, new: str) -> None:
    if new not in HOLD_TRANSITIONS[current]:
        raise TransitionError(_("Không thể chuyển yêu cầu đặt mượn từ “%(a)s” sang “%(b)s”.")
                              % {"a": HoldState(current).label, "b": HoldState(new).label})
