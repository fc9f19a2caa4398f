"""Reads for the desk and the reader account: loans, holds with queue positions, fines, pull lists,
transits, the data export. Each prefetches what it shows (no N+1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from thuvien.catalog.models import Item
from thuvien.circulation.models import ACTIVE_HOLD_STATES, Fine, Hold, HoldState, Loan, LoanState, Transit
from thuvien.circulation.services import fine_for
from thuvien.core.permissions import Perm, scope_q
from thuvien.patrons.models import Patron

if TYPE_CHECKING:
    from thuvien.core.models import OrgUnit, User


def loan_list_current(*, patron: Patron) -> QuerySet[Loan]:
    """The reader's open loans, soonest due first, with item and record."""
    return (Loan.objects.filter(patron=patron, returned_at__isnull=True)
            .select_related("item__record", "item__library", "library").order_by("due_at", "pk"))


def loan_list_history(*, patron: Patron) -> QuerySet[Loan]:
    """Returned loans still linked to the reader (only kept if they opted in, or recent ones)."""
    return (Loan.objects.filter(patron=patron, returned_at__isnull=False)
            .select_related("item__record", "library").order_by("-returned_at"))


def loan_list_overdue(*, library: OrgUnit, now: dt.datetime | None = None) -> QuerySet[Loan]:
    """Overdue loans made in the library's subtree."""
    return (Loan.objects.filter(returned_at__isnull=True, state=LoanState.ON_LOAN, due_at__lt=now or timezone.now(),
                                library__path__startswith=library.path)
            .select_related("item__record", "patron", "library").order_by("due_at"))


def accrued_fine(loan: Loan, now: dt.datetime | None = None) -> Decimal:
    """The overdue fine a still-open loan would be charged if returned now."""
    if loan.state != LoanState.ON_LOAN or loan.returned_at is not None:
        return Decimal(0)
    return fine_for(due_at=loan.due_at, returned_at=now or timezone.now(), fine_per_day=loan.fine_per_day,
                    fine_cap=loan.fine_cap, grace_days=loan.grace_days)[1]


def hold_list_for_patron(*, patron: Patron, active_only: bool = True) -> list[Hold]:
    """The reader's holds with `queue_position` set (1 = next) for those still waiting; two queries."""
    qs = Hold.objects.filter(patron=patron).select_related("record", "pickup_library", "target_item__library")
    if active_only:
        qs = qs.filter(state__in=ACTIVE_HOLD_STATES)
    holds = list(qs.order_by("placed_at"))
    waiting = [h for h in holds if h.state in (HoldState.WAITING, HoldState.TARGETED)]
    if waiting:
        queue = (Hold.objects.filter(record_id__in={h.record_id for h in waiting},
                                     state__in=(HoldState.WAITING, HoldState.TARGETED))
                 .order_by("placed_at", "pk").values_list("pk", "record_id"))
        positions: dict[int, int] = {}
        counters: dict[int, int] = {}
        for pk, record_id in queue:
            counters[record_id] = counters.get(record_id, 0) + 1
            positions[pk] = counters[record_id]
        for h in waiting:
            h.queue_position = positions.get(h.pk)  # type: ignore[attr-defined]
    return holds


def hold_queue(*, record_id: int) -> QuerySet[Hold]:
    """Active holds on a record in queue order."""
    return (Hold.objects.filter(record_id=record_id, state__in=ACTIVE_HOLD_STATES)
            .select_related("patron", "pickup_library").order_by("placed_at", "pk"))


def hold_pull_list(*, staff: User, library: OrgUnit) -> QuerySet[Hold]:
    """Copies targeted for holds that sit on the shelves of `library`'s subtree: fetch them and check them in."""
    return (Hold.objects.filter(state=HoldState.TARGETED, target_item__library__path__startswith=library.path)
            .filter(scope_q(staff, Perm.CIRC_DESK, "target_item__library__"))
            .select_related("record", "target_item__library", "pickup_library", "patron").order_by("placed_at"))


def hold_shelf(*, library: OrgUnit) -> QuerySet[Hold]:
    """Holds ready for pickup at `library`."""
    return (Hold.objects.filter(state=HoldState.READY, pickup_library=library)
            .select_related("record", "target_item", "patron").order_by("expires_at"))


def transit_list(*, library: OrgUnit, incoming: bool = True) -> QuerySet[Transit]:
    """Open transits arriving at (or leaving) `library`."""
    qs = Transit.objects.filter(received_at__isnull=True, cancelled_at__isnull=True)
    qs = qs.filter(to_library=library) if incoming else qs.filter(from_library=library)
    return qs.select_related("item__record", "from_library", "to_library", "hold__patron").order_by("sent_at")


def fine_list_open(*, patron: Patron) -> QuerySet[Fine]:
    return Fine.objects.filter(patron=patron, paid__lt=F("amount")).select_related("loan__item").order_by("created_at")


def fines_total(*, patron: Patron) -> Decimal:
    return Fine.objects.filter(patron=patron, paid__lt=F("amount")).aggregate(
        due=Sum(F("amount") - F("paid")))["due"] or Decimal(0)


def patron_export_data(*, patron: Patron) -> dict[str, Any]:
    """Everything the library holds about a reader, as JSON-ready data (the right of access/portability)."""
    def d(v: Any) -> Any:
        return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v
    data: dict[str, Any] = {
        "card_number": patron.card_number, "full_name": patron.full_name, "birth_date": d(patron.birth_date),
        "gender": patron.gender, "ethnicity": patron.ethnicity, "id_number_last4": patron.id_last4,
        "id_verified": patron.id_verified, "address": patron.address, "phone": patron.phone,
        "email": patron.email, "category": patron.category.code, "home_library": patron.home_library.name,
        "expires_on": d(patron.expires_on), "status": patron.status, "guardian_name": patron.guardian_name,
        "created_at": d(patron.created_at),
        "consents": [{"purpose": c.purpose, "wording": c.wording, "version": c.wording_version,
                      "given_by": c.given_by, "given_at": d(c.given_at), "withdrawn_at": d(c.withdrawn_at)}
                     for c in patron.consents.order_by("given_at")],
        "current_loans": [{"barcode": ln.item.barcode, "title": ln.item.record.title, "checked_out_at": d(ln.checked_out_at),
                           "due_at": d(ln.due_at)} for ln in loan_list_current(patron=patron)],
        "holds": [{"title": h.record.title, "state": h.state, "placed_at": d(h.placed_at),
                   "pickup": h.pickup_library.name} for h in hold_list_for_patron(patron=patron, active_only=False)],
        "fines": [{"kind": f.kind, "amount": str(f.amount), "paid": str(f.paid), "created_at": d(f.created_at)}
                  for f in patron.fines.order_by("created_at")],
        "requests": [{"kind": r.kind, "status": r.status, "created_at": d(r.created_at)}
                     for r in patron.data_requests.all()],
    }
    data["reading_history"] = [
        {"title": ln.item.record.title, "checked_out_at": d(ln.checked_out_at), "returned_at": d(ln.returned_at)}
        for ln in loan_list_history(patron=patron)
    ]
    return data


def overdue_filter(now: dt.datetime) -> Q:
    return Q(returned_at__isnull=True, state=LoanState.ON_LOAN, due_at__lt=now)


def desk_today(*, library: OrgUnit, now: dt.datetime | None = None) -> dict[str, int]:
    """What a desk at `library` (and the units under it) acts on today: loans and returns since local
    midnight, copies to pull for holds, copies in transit to it, holds waiting on its shelf, overdue loans."""
    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    here = Q(library__path__startswith=library.path)
    return {
        "loans_today": Loan.objects.filter(here, checked_out_at__gte=midnight).count(),
        "returns_today": Loan.objects.filter(return_library__path__startswith=library.path,
                                             returned_at__gte=midnight).count(),
        "holds_to_pull": Hold.objects.filter(state=HoldState.TARGETED,
                                             target_item__library__path__startswith=library.path).count(),
        "in_transit": Transit.objects.filter(received_at__isnull=True, cancelled_at__isnull=True,
                                             to_library__path__startswith=library.path).count(),
        "holds_ready": Hold.objects.filter(state=HoldState.READY, pickup_library__path__startswith=library.path).count(),
        "overdue": Loan.objects.filter(here, overdue_filter(now)).count(),
    }


def subtree_counts(*, unit: OrgUnit, now: dt.datetime | None = None) -> dict[str, int]:
    """Counts a manager watches for `unit`'s subtree: libraries, copies, readers, open and overdue loans."""
    from thuvien.catalog.models import Item
    from thuvien.core.models import OrgUnit as Unit

    now = now or timezone.now()
    return {
        "units": Unit.objects.filter(path__startswith=unit.path, is_active=True).count(),
        "items": Item.objects.filter(library__path__startswith=unit.path).count(),
        "readers": Patron.objects.filter(home_library__path__startswith=unit.path).count(),
        "open_loans": Loan.objects.filter(library__path__startswith=unit.path, returned_at__isnull=True).count(),
        "overdue": Loan.objects.filter(overdue_filter(now), library__path__startswith=unit.path).count(),
    }


@dataclass(frozen=True)
class DeskTargets:
    desk: OrgUnit | None
    item: Item | None
    patron: Patron | None


def desk_targets(*, desk_code: str, item_barcode: str, card_number: str | None = None) -> DeskTargets:
    """The desk (unit code), item (barcode) and reader (card number, any letter case) a desk request
    names, None for each not found: one batch of indexed reads (one round trip on PostgreSQL). The
    caller checks permissions (the services do, at the owning unit)."""
    from thuvien.circulation import sql, statements
    from thuvien.core.models import OrgUnit

    batch = sql.Batch()
    at_desk = batch.add(statements.unit_by_code(), [desk_code.strip().upper()])
    at_item = batch.add(statements.item_by_barcode(), [item_barcode.strip()])
    card = (card_number or "").strip()
    spellings = sorted({card, card.upper(), card.lower()})
    at_patron = batch.add(statements.patron_by_cards(len(spellings)), spellings) if card else None
    found = batch.run()
    row = found.first(at_desk)
    desk = sql.columns(OrgUnit, "u").load(row) if row is not None else None
    row = found.first(at_item)
    item = sql.columns(Item, "i").load(row) if row is not None else None
    patron = None
    if at_patron is not None:
        rows = found.rows(at_patron)
        if rows:  # the card as typed first (two cards may differ only in case)
            readers = [sql.columns(Patron, "p").load(r) for r in rows]
            patron = next((p for p in readers if p.card_number == card), readers[0])
        else:  # mixed case typed by hand: the slower case-insensitive match
            patron = Patron.objects.filter(card_number__iexact=card).first()
    return DeskTargets(desk=desk, item=item, patron=patron)
