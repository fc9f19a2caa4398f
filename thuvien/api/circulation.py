"""API endpoints for circulation desks (scanners, self-check machines, the satellites' sync).

Session authentication with CSRF (staff log in first). Every write takes a client `request_id`
(UUID) so a retried request replays the first result instead of acting twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from thuvien.api.devices import DeviceAuth
from thuvien.api.models import DeviceToken
from thuvien.catalog.models import Item
from thuvien.circulation import selectors
from thuvien.circulation.models import Loan
from thuvien.circulation.services import (
    BlockedError,
    CirculationError,
    loan_checkin,
    loan_checkout,
    loan_renew,
)
from thuvien.patrons import auth as patron_auth
from thuvien.patrons.models import Patron
from thuvien.patrons.services import require_patron_view

T = TypeVar("T")

# Staff sessions, or a device token with the "circulation" scope (a kiosk that prefers HTTP to SIP2).
router = Router(tags=["circulation"], auth=[DeviceAuth(DeviceToken.Scope.CIRCULATION), django_auth])


class CheckoutIn(Schema):
    item_barcode: str
    card_number: str
    desk: str
    request_id: uuid.UUID | None = None
    override: bool = False
    pin: str | None = None  # the reader's self-check PIN: required from kiosks (device tokens)


class CheckinIn(Schema):
    item_barcode: str
    desk: str
    request_id: uuid.UUID | None = None


class RenewIn(Schema):
    loan: uuid.UUID
    request_id: uuid.UUID | None = None
    override: bool = False
    pin: str | None = None  # the reader's self-check PIN: required from kiosks (device tokens)


class LoanOut(Schema):
    uuid: uuid.UUID
    item_barcode: str
    card_number: str | None
    library: str
    checked_out_at: dt.datetime
    due_at: dt.datetime
    renewals_count: int
    state: str


class CheckinOut(Schema):
    item_barcode: str
    route: str
    message: str
    days_late: int
    fine: int | None
    to_library: str | None
    hold_card_number: str | None


class ErrorOut(Schema):
    detail: str
    reasons: list[str] = []


def _loan_out(loan: Loan, item: Item | None = None, patron: Patron | None = None) -> LoanOut:
    return LoanOut(uuid=loan.uuid, item_barcode=(item or loan.item).barcode,
                   card_number=(patron or loan.patron).card_number if (patron or loan.patron) else None,  # type: ignore[union-attr]
                   library=loan.library.code, checked_out_at=localtime(loan.checked_out_at), due_at=localtime(loan.due_at),
                   renewals_count=loan.renewals_count, state=loan.state)


def _pin_refusal(request: HttpRequest, patron: Patron | None, pin: str | None) -> Status[ErrorOut] | None:
    """A kiosk (device token) must send the reader's PIN; staff at a desk may send one, and then it must match."""
    is_kiosk = getattr(request, "device", None) is not None
    if patron is None or (pin is None and not is_kiosk):
        return None
    if not patron_auth.patron_pin_check(patron=patron, pin=pin):
        return Status(403, ErrorOut(detail=_("Mã PIN không đúng.")))
    return None


def _found(obj: T | None) -> T:
    """The desk, item or reader a request names, or 404 (as get_object_or_404)."""
    if obj is None:
        raise Http404
    return obj


def _refusal(exc: Exception) -> Status[ErrorOut]:
    if isinstance(exc, PermissionDenied):
        return Status(403, ErrorOut(detail=str(exc)))
    if isinstance(exc, BlockedError):
        return Status(409, ErrorOut(detail=str(exc), reasons=exc.reasons))
    return Status(409, ErrorOut(detail=" ".join(getattr(exc, "messages", [str(exc)]))))


@router.post("/circ/checkout", response={200: LoanOut, 403: ErrorOut, 409: ErrorOut})
def checkout(request: HttpRequest, payload: CheckoutIn):  # type: ignore[no-untyped-def]
    """Lend an item (by barcode) to a reader (by card number) at a desk (unit code)."""
    found = selectors.desk_targets(desk_code=payload.desk, item_barcode=payload.item_barcode,
                                   card_number=payload.card_number)
    desk, item, patron = _found(found.desk), _found(found.item), _found(found.patron)
    if (refused := _pin_refusal(request, patron, payload.pin)) is not None:
        return refused
    try:
        loan = loan_checkout(actor=request.user, item=item, patron=patron, desk=desk,  # type: ignore[arg-type]
                             request_id=payload.request_id, override=payload.override)
    except (CirculationError, PermissionDenied) as exc:
        return _refusal(exc)
    loan.library = desk
    return _loan_out(loan, item, patron)


@router.post("/circ/checkin", response={200: CheckinOut, 403: ErrorOut, 409: ErrorOut})
def checkin(request: HttpRequest, payload: CheckinIn):  # type: ignore[no-untyped-def]
    """Return an item at a desk; the answer says where it goes next."""
    found = selectors.desk_targets(desk_code=payload.desk, item_barcode=payload.item_barcode)
    desk, item = _found(found.desk), _found(found.item)
    try:
        r = loan_checkin(actor=request.user, item=item, desk=desk, request_id=payload.request_id)  # type: ignore[arg-type]
    except (CirculationError, PermissionDenied) as exc:
        return _refusal(exc)
    return CheckinOut(item_barcode=item.barcode, route=r.route, message=r.message, days_late=r.days_late,
                           fine=int(r.fine.amount) if r.fine else None,
                           to_library=r.transit.to_library.code if r.transit else None,
                           hold_card_number=r.hold.patron.card_number if r.hold else None)


@router.post("/circ/renew", response={200: LoanOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def renew(request: HttpRequest, payload: RenewIn):  # type: ignore[no-untyped-def]
    """Renew a loan (by its UUID)."""
    loan = get_object_or_404(Loan.objects.select_related("item", "patron", "library"), uuid=payload.loan)
    if (refused := _pin_refusal(request, loan.patron, payload.pin)) is not None:
        return refused
    try:
        loan = loan_renew(actor=request.user, loan=loan, request_id=payload.request_id,  # type: ignore[arg-type]
                          override=payload.override)
    except (CirculationError, PermissionDenied) as exc:
        return _refusal(exc)
    return _loan_out(loan)


@router.get("/circ/patrons/{card_number}/loans", response={200: list[LoanOut], 403: ErrorOut})
def patron_loans(request: HttpRequest, card_number: str):  # type: ignore[no-untyped-def]
    """A reader's current loans (staff who may see the reader)."""
    patron = get_object_or_404(Patron, card_number__iexact=card_number)
    try:
        require_patron_view(request.user, patron)  # type: ignore[arg-type]
    except PermissionDenied as exc:
        return _refusal(exc)
    return [_loan_out(ln, patron=patron) for ln in selectors.loan_list_current(patron=patron)]
