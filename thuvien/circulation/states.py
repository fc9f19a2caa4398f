"""The item, loan and hold lifecycles, declared in one place and enforced by the services.

Every change of an item's status, a loan's state or a hold's state, in every app, goes through
`item_transition`, `loan_transition` or `hold_transition` below (a test scans the source for
writes that do not). Circulation moves items between the circulating statuses (on loan, in
transit, on the hold shelf, claimed returned); a catalogue edit may only move an item between
the shelf statuses of `CATALOGUE_STATUSES` (`item_transition(..., by_catalogue=True)`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from thuvien.catalog.models import ItemStatus
from thuvien.circulation.models import HoldState, LoanState

if TYPE_CHECKING:
    from thuvien.catalog.models import Item
    from thuvien.circulation.models import Hold, Loan

S = ItemStatus
# Where a check-in can send any copy it receives (the shelf, a transit, the hold shelf).
_ROUTED = frozenset({S.AVAILABLE, S.IN_TRANSIT, S.ON_HOLD_SHELF})
# Statuses a cataloguer sets and clears by hand (the copy is in the library, no reader involved).
CATALOGUE_STATUSES: frozenset[str] = frozenset({S.AVAILABLE, S.IN_PROCESSING, S.DAMAGED, S.MISSING, S.LOST,
                                                S.WITHDRAWN, S.IN_HOUSE})

ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    S.AVAILABLE: _ROUTED | CATALOGUE_STATUSES | {S.ON_LOAN},
    # only a check-in (or the loan's lost / claimed-returned) ends a loan
    S.ON_LOAN: _ROUTED | {S.LOST, S.CLAIMED_RETURNED},
    S.IN_TRANSIT: _ROUTED | {S.ON_LOAN, S.DAMAGED, S.MISSING, S.LOST},
    S.ON_HOLD_SHELF: _ROUTED | {S.ON_LOAN, S.DAMAGED, S.MISSING, S.LOST},
    S.IN_PROCESSING: _ROUTED | CATALOGUE_STATUSES | {S.ON_LOAN},
    S.LOST: _ROUTED | CATALOGUE_STATUSES | {S.ON_LOAN},
    S.DAMAGED: _ROUTED | CATALOGUE_STATUSES | {S.ON_LOAN},
    S.MISSING: _ROUTED | CATALOGUE_STATUSES | {S.ON_LOAN},
    S.IN_HOUSE: _ROUTED | CATALOGUE_STATUSES | {S.ON_LOAN},
    # the reader says it came back: found at a check-in, or declared lost/missing by the library
    S.CLAIMED_RETURNED: _ROUTED | {S.LOST, S.MISSING},
    # a withdrawn copy can only come back through processing (a withdrawal made by mistake)
    S.WITHDRAWN: frozenset({S.IN_PROCESSING}),
}

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


class TransitionError(ValidationError, ValueError):
    """A change of state the lifecycle table does not allow (nothing was changed)."""


def check_item_transition(current: str, new: str, *, by_catalogue: bool = False) -> None:
    """Raise TransitionError (a sentence for the librarian) unless an item may go from `current` to `new`;
    staying put is always allowed."""
    if new == current:
        return
    if by_catalogue and current not in CATALOGUE_STATUSES:
        raise TransitionError(_("Bản tài liệu đang ở trạng thái “%(a)s”: trạng thái này chỉ thay đổi qua mượn trả "
                                "(trả tài liệu tại quầy), không sửa được ở đây.") % {"a": ItemStatus(current).label})
    if by_catalogue and new not in CATALOGUE_STATUSES:
        raise TransitionError(_("Trạng thái “%(b)s” chỉ do mượn trả đặt ra, không chọn được ở đây.")
                              % {"b": ItemStatus(new).label})
    if new not in ITEM_TRANSITIONS[current]:
        raise TransitionError(_("Không thể chuyển bản tài liệu từ “%(a)s” sang “%(b)s”.")
                              % {"a": ItemStatus(current).label, "b": ItemStatus(new).label})


def check_loan_transition(current: str, new: str) -> None:
    if new not in LOAN_TRANSITIONS[current]:
        raise TransitionError(_("Không thể chuyển lượt mượn từ “%(a)s” sang “%(b)s”.")
                              % {"a": LoanState(current).label, "b": LoanState(new).label})


def check_hold_transition(current: str, new: str) -> None:
    if new not in HOLD_TRANSITIONS[current]:
        raise TransitionError(_("Không thể chuyển yêu cầu đặt mượn từ “%(a)s” sang “%(b)s”.")
                              % {"a": HoldState(current).label, "b": HoldState(new).label})


def catalogue_status_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The statuses a catalogue form may offer for a copy now in `current` (None: a new copy): the
    current one, then the shelf statuses the table allows from it; a copy in circulation keeps its own."""
    if current is not None and current not in CATALOGUE_STATUSES:
        allowed = {current}
    else:
        allowed = set(CATALOGUE_STATUSES) if current is None else \
            {current} | (ITEM_TRANSITIONS[current] & CATALOGUE_STATUSES)
    return [(str(value), str(label)) for value, label in ItemStatus.choices if value in allowed]


def item_transition(item: Item, new: str, *, by_catalogue: bool = False) -> str:
    """Set `item.status` to `new` if the table allows it (the caller saves); returns the old status."""
    before = item.status
    check_item_transition(before, new, by_catalogue=by_catalogue)
    item.status = new
    return before


def loan_transition(loan: Loan, new: str) -> str:
    """Set `loan.state` to `new` if the table allows it (the caller saves); returns the old state."""
    before = loan.state
    check_loan_transition(before, new)
    loan.state = new
    return before


def hold_transition(hold: Hold, new: str) -> str:
    """Set `hold.state` to `new` if the table allows it (the caller saves); returns the old state."""
    before = hold.state
    check_hold_transition(before, new)
    hold.state = new
    return before
