"""Desk operations: checkout, check-in with routing, renewal, holds and transits, fines and payments,
lost/damaged/claimed-returned, the policy matrix. Each service checks permission, owns its
transaction, writes its audit entry, an anonymised ActivityEvent and the search outbox, and is
idempotent for a retried request (`request_id`, a client-supplied UUID).

Constant work per operation: the number of queries does not grow with the reader's loans.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.catalog.models import BibRecord, Item, ItemStatus, ItemType
from thuvien.circulation import sql, statements
from thuvien.circulation.calendar import CALENDAR_KEYS, calendar_from_settings, end_of_day, local_date
from thuvien.circulation.conf import settings_from_rows, settings_many
from thuvien.circulation.models import (
    ACTIVE_HOLD_STATES,
    CirculationRule,
    DeskOperation,
    Fine,
    FineKind,
    Hold,
    HoldState,
    Loan,
    LoanState,
    Notice,
    NoticeKind,
    Payment,
    PaymentMethod,
    Transit,
)
from thuvien.circulation.notices import notice_queue, notices_hand_to_worker, receipt_text
from thuvien.circulation.policy import rule_pick, rule_resolve
from thuvien.circulation.states import hold_transition, item_transition, loan_transition
from thuvien.core.audit import audit, diff, snapshot
from thuvien.core.models import ActivityEvent, AuditEntry, OrgUnit, OrgUnitSetting, User
from thuvien.core.money import amount_text
from thuvien.core.permissions import Perm, has_perm, require_perm, scope_q
from thuvien.patrons.models import Patron, PatronCategory, PatronStatus
from thuvien.reports.facts import reader_tags, title_tags
from thuvien.search.outbox import outbox_enqueue

DESK_KEYS = [*CALENDAR_KEYS, "circ.max_fines", "circ.max_overdue", "circ.hold_pickup_days"]


class CirculationError(ValidationError):
    """A desk operation refused for a reason the librarian can read (and nothing was changed)."""


class BlockedError(CirculationError):
    """Refused for reasons staff with the override permission may override (`override=True`)."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


# -- helpers -------------------------------------------------------------------------------------

def _request_uuid(request_id: uuid.UUID | str) -> uuid.UUID:
    """The retry key as a UUID; a malformed one is the caller's mistake, not a server error."""
    try:
        return request_id if isinstance(request_id, uuid.UUID) else uuid.UUID(str(request_id))
    except ValueError as exc:
        raise CirculationError(_("Mã yêu cầu (request_id) không hợp lệ.")) from exc


def _replay(request_id: uuid.UUID | str | None, kind: str) -> DeskOperation | None:
    if request_id is None:
        return None
    op = DeskOperation.objects.filter(request_id=_request_uuid(request_id)).first()
    if op is not None and op.kind != kind:
        raise CirculationError(_("Mã yêu cầu này đã được dùng cho một thao tác khác."))
    return op


def _remember(request_id: uuid.UUID | str | None, kind: str, object_id: int | None,
              result: dict[str, Any] | None = None) -> None:
    if request_id is not None:
        DeskOperation.objects.create(request_id=request_id, kind=kind, object_id=object_id, result=result or {})


def _event(kind: str, unit: OrgUnit, **attributes: Any) -> None:
    ActivityEvent.objects.create(kind=kind, unit=unit, attributes=attributes)


def _lock_item(item: Item) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("item_type", "library").get(pk=item.pk)


def _lock_patron(patron: Patron) -> Patron:
    return Patron.objects.select_for_update(of=("self",)).select_related("category", "home_library").get(
        pk=patron.pk)


def _tree_distance(a: OrgUnit, b: OrgUnit) -> int:
    pa, pb = a.ancestor_ids, b.ancestor_ids
    common = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        common += 1
    return len(pa) + len(pb) - 2 * common


def fine_for(*, due_at: dt.datetime, returned_at: dt.datetime, fine_per_day: Decimal, fine_cap: Decimal,
             grace_days: int) -> tuple[int, Decimal]:
    """(days late, fine) for a return: nothing within the grace period, else every late day, capped."""
    days = (local_date(returned_at) - local_date(due_at)).days
    if days <= grace_days or fine_per_day <= 0:
        return max(days, 0), Decimal(0)
    amount = Decimal(days) * fine_per_day
    if fine_cap > 0:
        amount = min(amount, fine_cap)
    return days, amount


@dataclass
class PatronStanding:
    open_loans: int
    overdue_loans: int
    fines_due: Decimal
    manual_blocks: int
    reasons: list[str] = field(default_factory=list)


def _standing_params(patron_id: int, now: dt.datetime) -> list[Any]:
    return [patron_id, patron_id, LoanState.ON_LOAN, sql.param(Loan, "due_at", now), patron_id, patron_id]


def patron_standing(*, patron: Patron, values: dict[str, Any], now: dt.datetime,
                    max_loans: int | None = None) -> PatronStanding:
    """Counts and block reasons of a reader in one aggregate query, whatever the number of loans."""
    batch = sql.Batch()
    batch.add(statements.standing(), _standing_params(patron.pk, now))
    return _standing(patron, batch.run().rows(0)[0], values, now, max_loans)


def _standing(patron: Patron, counts: tuple[Any, ...], values: dict[str, Any], now: dt.datetime,
              max_loans: int | None) -> PatronStanding:
    open_loans, overdue, fines_due, blocks = counts
    standing = PatronStanding(int(open_loans), int(overdue), Decimal(str(fines_due or 0)), int(blocks))
    reasons = standing.reasons
    if patron.status == PatronStatus.PENDING:
        reasons.append(_("Thẻ bạn đọc đang chờ duyệt."))
    elif patron.status != PatronStatus.ACTIVE:
        reasons.append(_("Thẻ bạn đọc không hoạt động (%(s)s).") % {"s": patron.get_status_display()})
    if patron.expires_on < local_date(now):
        reasons.append(_("Thẻ đã hết hạn ngày %(d)s.") % {"d": patron.expires_on.strftime("%d/%m/%Y")})
    if blocks:
        reasons.append(_("Bạn đọc đang bị khoá (%(n)s lệnh khoá).") % {"n": blocks})
    max_overdue = int(values["circ.max_overdue"])
    if max_overdue and standing.overdue_loans >= max_overdue:
        reasons.append(_("Có %(n)s tài liệu quá hạn.") % {"n": standing.overdue_loans})
    max_fines = Decimal(values["circ.max_fines"])
    if standing.fines_due > max_fines:
        reasons.append(_("Tiền phạt chưa nộp %(due)s đ vượt mức %(max)s đ.") % {
            "due": amount_text(standing.fines_due), "max": amount_text(max_fines)})
    if max_loans is not None and standing.open_loans >= max_loans:
        reasons.append(_("Đã mượn tối đa %(n)s tài liệu.") % {"n": max_loans})
    return standing


def _authorise_override(actor: User, desk: OrgUnit, reasons: list[str], obj: Any, action: str) -> None:
    if not has_perm(actor, Perm.CIRC_OVERRIDE, desk):
        raise BlockedError(reasons)
    audit(actor=actor, action=f"{action}.override", obj=obj, unit=desk, changes={"reasons": [None, reasons]})


# -- checkout ------------------------------------------------------------------------------------

def loan_checkout(*, actor: User, item: Item, patron: Patron, desk: OrgUnit, request_id: uuid.UUID | str | None = None,
                  override: bool = False, now: dt.datetime | None = None) -> Loan:
    """Lend `item` to `patron` at `desk`. At most one open loan per item is guaranteed by the database;
    a desk that loses a race gets a CirculationError. A retried request returns the first loan."""
    try:
        return _checkout(actor=actor, item=item, patron=patron, desk=desk, request_id=request_id,
                         override=override, now=now or timezone.now())
    except IntegrityError as exc:
        if request_id is not None:
            op = DeskOperation.objects.filter(request_id=request_id).first()
            if op is not None and op.kind == "checkout":
                return Loan.objects.get(pk=op.object_id)  # type: ignore[misc]
        raise CirculationError(_("Tài liệu %(b)s vừa được cho mượn ở nơi khác.") % {"b": item.barcode}) from exc


def _audit_entry(*, actor: User, action: str, obj: Any, unit: OrgUnit, changes: dict[str, list[str | None]],
                 object_repr: str) -> AuditEntry:
    """The row `thuvien.core.audit.audit()` writes (same fields), built to go out in the desk's batch."""
    return AuditEntry(actor=actor if actor.pk else None, actor_label=actor.get_username() if actor.pk else "system",
                      unit=unit, action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk),
                      object_repr=object_repr[:500], changes=changes)


def _item_load(row: sql.Row | None) -> tuple[Item, dict[str, str]]:
    """The item (with its type) of a `statements.item_lock()` row, and its title's event tags."""
    if row is None:
        raise Item.DoesNotExist
    i, t = sql.columns(Item, "i"), sql.columns(ItemType, "t")
    item: Item = i.load(row)
    item.item_type = t.load(row, len(i))
    ddc, language = sql.columns(BibRecord, "b", statements.RECORD_TAG_COLUMNS).values(row, len(i) + len(t))
    return item, title_tags(ddc, language)


def _add_replay(batch: sql.Batch, request_id: uuid.UUID | str | None) -> int | None:
    if request_id is None:
        return None
    return batch.add(statements.desk_operation(), [sql.param(DeskOperation, "request_id", _request_uuid(request_id))])


def _replay_load(row: sql.Row | None, kind: str) -> DeskOperation | None:
    if row is None:
        return None
    op: DeskOperation = sql.columns(DeskOperation, "d").load(row)
    if op.kind != kind:
        raise CirculationError(_("Mã yêu cầu này đã được dùng cho một thao tác khác."))
    return op


@transaction.atomic
def _checkout(*, actor: User, item: Item, patron: Patron, desk: OrgUnit, request_id: uuid.UUID | str | None,
              override: bool, now: dt.datetime) -> Loan:
    require_perm(actor, Perm.CIRC_DESK, desk)
    # One batch of reads (one round trip on PostgreSQL), in this order: lock the item row (serialises
    # desks and retries working on this item), read the idempotency log, lock the reader's row (always
    # item, then reader), then the rules, settings, standing and holds that decide the loan.
    reads = sql.Batch()
    at_item = reads.add(statements.item_lock(), [item.pk])
    at_op = _add_replay(reads, request_id)
    at_patron = reads.add(statements.patron_lock(), [patron.pk])
    ids = desk.ancestor_ids
    at_rules = reads.add(statements.rules(len(ids)), [*ids, patron.pk, item.pk])
    at_settings = reads.add(statements.unit_settings(len(ids), len(DESK_KEYS)), [*ids, *DESK_KEYS])
    at_standing = reads.add(statements.standing(), _standing_params(patron.pk, now))
    at_holds = reads.add(statements.checkout_holds(len(ACTIVE_HOLD_STATES)),
                         [*ACTIVE_HOLD_STATES, item.pk, patron.pk, item.pk])
    next_id = sql.next_id_sql(Loan)
    at_next_id = reads.add(next_id) if next_id is not None else None
    found = reads.run()

    item, titled = _item_load(found.first(at_item))
    op = _replay_load(found.first(at_op), "checkout") if at_op is not None else None
    if op is not None:
        return Loan.objects.get(pk=op.object_id)  # type: ignore[misc]
    row = found.first(at_patron)
    if row is None:
        raise Patron.DoesNotExist
    p_cols = sql.columns(Patron, "p")
    patron = p_cols.load(row)
    patron.category = sql.columns(PatronCategory, "c").load(row, len(p_cols))
    if item.status == ItemStatus.ON_LOAN:
        holder = Loan.objects.filter(item=item, returned_at__isnull=True).values_list("patron_id", flat=True).first()
        if holder == patron.pk:
            raise CirculationError(_("Bạn đọc đang mượn tài liệu %(b)s; hãy gia hạn nếu cần.") % {"b": item.barcode})
        raise CirculationError(_("Tài liệu %(b)s đang được cho mượn.") % {"b": item.barcode})
    if item.status == ItemStatus.WITHDRAWN:
        raise CirculationError(_("Tài liệu %(b)s đã thanh lý.") % {"b": item.barcode})
    require_item_lendable_at(actor, item, patron=patron, desk=desk)
    r_cols, s_cols = sql.columns(CirculationRule, "r"), sql.columns(OrgUnitSetting, "s", statements.SETTING_COLUMNS)
    resolution = rule_pick(unit=desk, candidates=[r_cols.load(r) for r in found.rows(at_rules)])
    rule = resolution.rule
    values = settings_from_rows(desk, DESK_KEYS, [tuple(s_cols.values(r)) for r in found.rows(at_settings)])
    standing = _standing(patron, found.rows(at_standing)[0], values, now, rule.max_loans)
    reasons = list(standing.reasons)
    if not item.item_type.loanable:
        reasons.append(_("Loại tài liệu “%(t)s” không cho mượn về nhà.") % {"t": item.item_type.name})
    if item.status not in (ItemStatus.AVAILABLE, ItemStatus.ON_HOLD_SHELF):
        reasons.append(_("Tài liệu đang ở trạng thái “%(s)s”.") % {"s": item.get_status_display()})
    hold_ids = [r[0] for r in found.rows(at_holds)]
    holds = list(Hold.objects.filter(pk__in=hold_ids).select_related("patron")) if hold_ids else []
    own = next((h for h in holds if h.patron_id == patron.pk), None)
    others = [h for h in holds if h.patron_id != patron.pk and h.target_item_id == item.pk]
    for h in others:
        if h.state in (HoldState.READY, HoldState.IN_TRANSIT):
            reasons.append(_("Tài liệu đang được giữ cho bạn đọc %(c)s.") % {"c": h.patron.card_number})
    if reasons:
        if not override:
            raise BlockedError(reasons)
        for h in others:  # on the shelf for someone else: a ready hold cannot go back to waiting (states.py)
            if h.state == HoldState.READY:
                raise CirculationError(_("Tài liệu %(b)s đang nằm trên giá chờ bạn đọc %(c)s nhận. Muốn cho người "
                                         "khác mượn, hãy huỷ yêu cầu đặt mượn đó trước.")
                                       % {"b": item.barcode, "c": h.patron.card_number})
        _authorise_override(actor, desk, reasons, patron, "loan")
    for h in others:  # another reader's copy went to this reader: their hold goes back to the queue
        hold_transition(h, HoldState.WAITING)
        h.target_item = None
        h.save(update_fields=["state", "target_item", "updated_at"])
    if own is not None:
        hold_transition(own, HoldState.FULFILLED)
        own.closed_at, own.target_item = now, item
        own.save(update_fields=["state", "closed_at", "target_item", "updated_at"])
    due = calendar_from_settings(values).due_date(local_date(now), rule.loan_days)

    # One batch of writes: close a transit in progress, the loan, the item, the event, the audit
    # entry and the idempotency log (the outbox goes through the search app's own call).
    writes = sql.Batch()
    writes.add(statements.open_transit_cancel(),
               [sql.param(Transit, "cancelled_at", now), sql.param(Transit, "updated_at", now), item.pk])
    loan = Loan(
        item=item, patron=patron, library=desk, checked_out_at=now, due_at=end_of_day(due),
        rule=None if resolution.is_default else rule, fine_per_day=rule.fine_per_day, fine_cap=rule.fine_cap,
        grace_days=rule.grace_days, patron_category=patron.category.code, item_type=item.item_type.code, staff=actor,
    )
    if at_next_id is not None:
        loan.pk = found.rows(at_next_id)[0][0]
        writes.add(*sql.insert(loan))
    else:
        sql.insert_now(loan)
    item_transition(item, ItemStatus.ON_LOAN)
    item.updated_at = timezone.now()
    writes.add(*sql.update(Item, item.pk, {"status": item.status, "updated_at": item.updated_at}))
    writes.add(*sql.insert(ActivityEvent(kind="loan", unit=desk, attributes={
        **reader_tags(patron), **titled, "item_type": item.item_type.code})))
    writes.add(*sql.insert(_audit_entry(
        actor=actor, action="loan.checkout", obj=loan, unit=desk,
        changes={"item": [None, item.barcode], "patron": [None, patron.card_number], "due": [None, due.isoformat()]},
        object_repr=f"{item.barcode} → {patron.card_number}")))
    if request_id is not None:
        writes.add(*sql.insert(DeskOperation(request_id=request_id, kind="checkout", object_id=loan.pk, result={})))
    writes.run()
    for h in others:  # try another copy for the readers who lost this one
        target = _target(h)
        if target is not None:
            hold_transition(h, HoldState.TARGETED)
            h.target_item = target
            h.save(update_fields=["state", "target_item", "updated_at"])
    outbox_enqueue([item.record_id])
    return loan


# -- check-in and routing ------------------------------------------------------------------------

@dataclass
class CheckinResult:
    item: Item
    route: str  # "shelve" | "hold_here" | "transit_hold" | "transit_home"
    loan: Loan | None = None
    fine: Fine | None = None
    hold: Hold | None = None
    transit: Transit | None = None
    days_late: int = 0

    @property
    def message(self) -> str:
        if self.route == "hold_here" and self.hold is not None:
            return _("Giữ cho bạn đọc %(name)s (%(card)s): đặt lên giá chờ nhận.") % {
                "name": self.hold.patron.full_name, "card": self.hold.patron.card_number}
        if self.route == "transit_hold" and self.transit is not None:
            return _("Chuyển đến %(lib)s cho yêu cầu đặt mượn.") % {"lib": self.transit.to_library.name}
        if self.route == "transit_home" and self.transit is not None:
            return _("Chuyển về %(lib)s.") % {"lib": self.transit.to_library.name}
        return _("Xếp lên giá.")

    def as_dict(self) -> dict[str, Any]:
        return {"route": self.route, "item": self.item.pk, "loan": self.loan.pk if self.loan else None,
                "fine": self.fine.pk if self.fine else None, "hold": self.hold.pk if self.hold else None,
                "transit": self.transit.pk if self.transit else None, "days_late": self.days_late}


def _checkin_replay(op: DeskOperation) -> CheckinResult:
    r = op.result
    return CheckinResult(
        item=Item.objects.select_related("library").get(pk=r["item"]), route=r["route"],
        loan=Loan.objects.filter(pk=r["loan"]).first() if r["loan"] else None,
        fine=Fine.objects.filter(pk=r["fine"]).first() if r["fine"] else None,
        hold=Hold.objects.select_related("patron").filter(pk=r["hold"]).first() if r["hold"] else None,
        transit=Transit.objects.select_related("to_library").filter(pk=r["transit"]).first() if r["transit"] else None,
        days_late=r["days_late"],
    )


def _send(item: Item, from_lib: OrgUnit, to_lib: OrgUnit, now: dt.datetime, hold: Hold | None) -> Transit:
    item_transition(item, ItemStatus.IN_TRANSIT)
    return Transit.objects.create(item=item, from_library=from_lib, to_library=to_lib, hold=hold, sent_at=now)


def _make_ready(hold: Hold, item: Item, at: OrgUnit, now: dt.datetime, values: dict[str, Any] | None = None) -> None:
    values = values or settings_many(at, DESK_KEYS)
    hold_transition(hold, HoldState.READY)
    hold.target_item, hold.ready_at = item, now
    hold.expires_at = end_of_day(calendar_from_settings(values).due_date(local_date(now),
                                                                      int(values["circ.hold_pickup_days"])))
    hold.save(update_fields=["state", "target_item", "ready_at", "expires_at", "updated_at"])
    item_transition(item, ItemStatus.ON_HOLD_SHELF)
    patron = hold.patron
    notice_queue(
        patron=patron, kind=NoticeKind.HOLD_READY,
        subject=_("Tài liệu bạn đặt mượn đã sẵn sàng"),
        body=_("Kính gửi %(name)s,\n\nTài liệu “%(title)s” (mã %(barcode)s) đã sẵn sàng tại %(lib)s. "
               "Vui lòng đến nhận trước ngày %(until)s.\n\n%(lib)s") % {
            "name": patron.full_name, "title": item.record.title, "barcode": item.barcode, "lib": at.name,
            "until": local_date(hold.expires_at).strftime("%d/%m/%Y")},
    )


def _route(item: Item, at: OrgUnit, now: dt.datetime, values: dict[str, Any] | None = None,
           skip_hold: Hold | None = None) -> tuple[str, Hold | None, Transit | None]:
    """Decide where an item that is at `at` goes next: a hold (here or elsewhere), home, or the shelf."""
    hold = (Hold.objects.select_related("patron", "pickup_library")
            .filter(target_item=item, state__in=(HoldState.TARGETED, HoldState.IN_TRANSIT)).first())
    if hold is None and item.item_type.loanable:
        queue = (Hold.objects.select_related("patron", "pickup_library")
                 .filter(Q(item=item) | Q(record_id=item.record_id, item__isnull=True), state=HoldState.WAITING))
        if skip_hold is not None:
            queue = queue.exclude(pk=skip_hold.pk)
        hold = queue.order_by("placed_at", "pk").first()
    if hold is not None:
        if hold.pickup_library_id == at.pk:
            _make_ready(hold, item, at, now, values)
            return "hold_here", hold, None
        hold_transition(hold, HoldState.IN_TRANSIT)
        hold.target_item = item
        hold.save(update_fields=["state", "target_item", "updated_at"])
        return "transit_hold", hold, _send(item, at, hold.pickup_library, now, hold)
    if item.library_id != at.pk:
        return "transit_home", None, _send(item, at, item.library, now, None)
    item_transition(item, ItemStatus.AVAILABLE)
    return "shelve", None, None


def loan_checkin(*, actor: User, item: Item, desk: OrgUnit, request_id: uuid.UUID | str | None = None,
                 now: dt.datetime | None = None) -> CheckinResult:
    """Return an item at `desk`: close its open loan (charging any overdue fine), receive a transit, and
    route the item: "hold for reader X" here, "send to library Y", or back to the shelf."""
    try:
        return _checkin(actor=actor, item=item, desk=desk, request_id=request_id, now=now or timezone.now())
    except IntegrityError as exc:
        if request_id is not None:
            op = DeskOperation.objects.filter(request_id=request_id).first()
            if op is not None:
                return _checkin_replay(op)
        raise CirculationError(_("Tài liệu %(b)s đang được xử lý ở nơi khác; hãy thử lại.") % {"b": item.barcode}) from exc


@transaction.atomic
def _checkin(*, actor: User, item: Item, desk: OrgUnit, request_id: uuid.UUID | str | None,
             now: dt.datetime) -> CheckinResult:
    require_perm(actor, Perm.CIRC_DESK, desk)
    # One batch of reads: lock the item row, read the idempotency log, lock the open loan and the
    # open transit, and count the holds that could claim this copy (routing needs them rarely).
    reads = sql.Batch()
    at_item = reads.add(statements.item_lock(), [item.pk])
    at_op = _add_replay(reads, request_id)
    at_loan = reads.add(statements.open_loan_lock(), [item.pk])
    at_transit = reads.add(statements.open_transit_lock(), [item.pk])
    at_holds = reads.add(statements.checkin_holds(),
                         [item.pk, HoldState.TARGETED, HoldState.IN_TRANSIT, HoldState.WAITING, item.pk, item.pk])
    found = reads.run()

    item, titled = _item_load(found.first(at_item))
    op = _replay_load(found.first(at_op), "checkin") if at_op is not None else None
    if op is not None:
        return _checkin_replay(op)
    if item.status == ItemStatus.WITHDRAWN:
        raise CirculationError(_("Tài liệu %(b)s đã thanh lý.") % {"b": item.barcode})
    before_status = item.status
    row = found.first(at_loan)
    loan: Loan | None = sql.columns(Loan, "l").load(row) if row is not None else None
    writes = sql.Batch()
    fine = None
    days_late = 0
    if loan is not None:
        was = loan_transition(loan, LoanState.RETURNED)
        if was == LoanState.ON_LOAN and not loan.in_house:
            days_late, amount = fine_for(due_at=loan.due_at, returned_at=now, fine_per_day=loan.fine_per_day,
                                         fine_cap=loan.fine_cap, grace_days=loan.grace_days)
            if amount > 0 and loan.patron_id:
                fine = Fine.objects.create(patron_id=loan.patron_id, loan=loan, library=desk, kind=FineKind.OVERDUE,
                                           amount=amount, note=_("Trả muộn %(n)s ngày") % {"n": days_late})
        loan.returned_at, loan.return_library = now, desk
        loan.updated_at = timezone.now()
        writes.add(*sql.update(Loan, loan.pk, {"state": loan.state, "returned_at": now, "return_library": desk.pk,
                                               "updated_at": loan.updated_at}))
        writes.add(*sql.insert(ActivityEvent(kind="return", unit=desk, attributes={
            "category": loan.patron_category, **titled, "item_type": loan.item_type,
            "days_late": max(days_late, 0)})))
    row = found.first(at_transit)
    if row is not None:
        transit: Transit = sql.columns(Transit, "x").load(row)
        end = "received_at" if transit.to_library_id == desk.pk else "cancelled_at"
        setattr(transit, end, now)
        transit.updated_at = timezone.now()
        writes.add(*sql.update(Transit, transit.pk, {end: now, "updated_at": transit.updated_at}))
    if found.rows(at_holds)[0][0]:
        writes.run()  # a hold may claim this copy: the full routing (an open transit is closed first)
        route, hold, new_transit = _route(item, desk, now)
    elif item.library_id != desk.pk:
        writes.run()
        route, hold, new_transit = "transit_home", None, _send(item, desk, item.library, now, None)
    else:
        route, hold, new_transit = "shelve", None, None
        item_transition(item, ItemStatus.AVAILABLE)
    item.updated_at = timezone.now()
    writes.add(*sql.update(Item, item.pk, {"status": item.status, "updated_at": item.updated_at}))
    writes.add(*sql.insert(_audit_entry(
        actor=actor, action="loan.checkin", obj=loan or item, unit=desk,
        changes={"item": [item.barcode, item.barcode], "status": [before_status, item.status], "route": [None, route],
                 "fine": [None, str(fine.amount) if fine else None]},
        object_repr=item.barcode)))
    result = CheckinResult(item=item, route=route, loan=loan, fine=fine, hold=hold, transit=new_transit,
                           days_late=max(days_late, 0))
    if request_id is not None:
        writes.add(*sql.insert(DeskOperation(request_id=request_id, kind="checkin",
                                             object_id=loan.pk if loan else None, result=result.as_dict())))
    writes.run()
    if item.status != before_status:
        outbox_enqueue([item.record_id])
    return result


# -- renewal --------------------------------------------------------------------------------------

@transaction.atomic
def loan_renew(*, actor: User, loan: Loan, request_id: uuid.UUID | str | None = None, override: bool = False,
               now: dt.datetime | None = None) -> Loan:
    """Renew a loan from today for the rule's loan period (staff at the desk, or the reader in the
    portal); refused when renewals are used up, another reader waits for it, or the reader is blocked."""
    now = now or timezone.now()
    loan = (Loan.objects.select_for_update(of=("self",)).select_related("library", "item__item_type")
            .annotate(title_ddc=F("item__record__ddc"), title_language=F("item__record__language")).get(pk=loan.pk))
    op = _replay(request_id, "renew")
    if op is not None:
        return Loan.objects.get(pk=op.object_id)  # type: ignore[misc]
    if loan.patron_id is None or loan.returned_at is not None or loan.state != LoanState.ON_LOAN:
        raise CirculationError(_("Lượt mượn này không còn mở."))
    patron = _lock_patron(loan.patron)  # type: ignore[arg-type]
    is_reader = patron.user_id is not None and actor.pk == patron.user_id
    if not is_reader:
        require_perm(actor, Perm.CIRC_DESK, loan.library)
    rule = rule_resolve(unit=loan.library, category=patron.category, item_type=loan.item.item_type).rule
    values = settings_many(loan.library, DESK_KEYS)
    standing = patron_standing(patron=patron, values=values, now=now)
    reasons = list(standing.reasons)
    if loan.renewals_count >= rule.renewals:
        reasons.append(_("Đã hết số lần gia hạn (%(n)s).") % {"n": rule.renewals})
    waiting = Hold.objects.filter(Q(item_id=loan.item_id) | Q(record_id=loan.item.record_id, item__isnull=True),
                                  state=HoldState.WAITING).exclude(patron=patron).exists()
    if waiting:
        reasons.append(_("Có bạn đọc khác đang chờ tài liệu này."))
    due_day = local_date(loan.due_at)
    if rule.no_renewal_before is not None and (due_day - local_date(now)).days > rule.no_renewal_before:
        reasons.append(_("Chỉ được gia hạn trong %(n)s ngày trước hạn trả, tức là từ ngày %(d)s.") % {
            "n": rule.no_renewal_before,
            "d": (due_day - dt.timedelta(days=rule.no_renewal_before)).strftime("%d/%m/%Y")})
    new_due = end_of_day(calendar_from_settings(values).due_date(local_date(now), rule.loan_days))
    if new_due <= loan.due_at:  # renewing now would not move the due date: refuse rather than use a renewal
        raise CirculationError(_("Gia hạn hôm nay không lùi được hạn trả (vẫn là %(d)s); hãy gia hạn gần "
                                 "ngày hết hạn hơn.") % {"d": due_day.strftime("%d/%m/%Y")})
    if reasons:
        if not override or is_reader:
            raise BlockedError(reasons)
        _authorise_override(actor, loan.library, reasons, loan, "loan.renew")
    before = loan.due_at
    loan.due_at, loan.renewals_count = new_due, loan.renewals_count + 1
    loan.save(update_fields=["due_at", "renewals_count", "updated_at"])
    _event("renewal", loan.library, category=loan.patron_category, item_type=loan.item_type,
           channel="portal" if is_reader else "desk",
           **title_tags(loan.title_ddc, loan.title_language))  # type: ignore[attr-defined]
    audit(actor=actor, action="loan.renew", obj=loan, unit=loan.library, changes={"due_at": [before, new_due]},
          object_repr=loan.item.barcode)
    _remember(request_id, "renew", loan.pk)
    return loan


@transaction.atomic
def item_in_house_use(*, actor: User, item: Item, desk: OrgUnit) -> None:
    """Count one in-house use of an item (reading room), for statistics only."""
    require_perm(actor, Perm.CIRC_DESK, desk)
    item = (Item.objects.select_related("item_type")
            .annotate(title_ddc=F("record__ddc"), title_language=F("record__language")).get(pk=item.pk))
    _event("in_house", desk, item_type=item.item_type.code,
           **title_tags(item.title_ddc, item.title_language))  # type: ignore[attr-defined]
    audit(actor=actor, action="item.in_house_use", obj=item, unit=desk, object_repr=item.barcode)


# -- lost, damaged, claimed returned --------------------------------------------------------------

@transaction.atomic
def loan_mark_lost(*, actor: User, loan: Loan, charge: Decimal | None = None) -> Loan:
    """The reader lost the item: the loan stays open (state lost), no overdue fine accrues, and the
    replacement cost (the item's price unless given) is charged."""
    loan = Loan.objects.select_for_update(of=("self",)).select_related("item", "library", "patron").get(pk=loan.pk)
    require_perm(actor, Perm.CIRC_DESK, loan.library)
    loan_transition(loan, LoanState.LOST)
    loan.save(update_fields=["state", "updated_at"])
    item = _lock_item(loan.item)
    item_transition(item, ItemStatus.LOST)
    item.save(update_fields=["status", "updated_at"])
    amount = charge if charge is not None else (item.price or Decimal(0))
    if amount > 0 and loan.patron_id:
        Fine.objects.create(patron_id=loan.patron_id, loan=loan, library=loan.library, kind=FineKind.LOST,
                            amount=amount, note=item.barcode)
    outbox_enqueue([item.record_id])
    _event("lost", loan.library, category=loan.patron_category, item_type=loan.item_type)
    audit(actor=actor, action="loan.lost", obj=loan, unit=loan.library, changes={"state": ["on_loan", "lost"],
          "charge": [None, str(amount)]}, object_repr=item.barcode)
    return loan


@transaction.atomic
def loan_claim_returned(*, actor: User, loan: Loan) -> Loan:
    """The reader says they returned it: stop fines and notices while staff search the shelves."""
    loan = Loan.objects.select_for_update(of=("self",)).select_related("item", "library").get(pk=loan.pk)
    require_perm(actor, Perm.CIRC_DESK, loan.library)
    loan_transition(loan, LoanState.CLAIMED_RETURNED)
    loan.save(update_fields=["state", "updated_at"])
    item = _lock_item(loan.item)
    item_transition(item, ItemStatus.CLAIMED_RETURNED)
    item.save(update_fields=["status", "updated_at"])
    outbox_enqueue([item.record_id])
    audit(actor=actor, action="loan.claimed_returned", obj=loan, unit=loan.library,
          changes={"state": ["on_loan", "claimed_returned"]}, object_repr=item.barcode)
    return loan


@transaction.atomic
def item_mark_damaged(*, actor: User, item: Item, desk: OrgUnit, charge: Decimal | None = None,
                      patron: Patron | None = None, note: str = "") -> Item:
    """Take a damaged item out of circulation, optionally charging a reader for it."""
    require_perm(actor, Perm.CIRC_DESK, desk)
    item = _lock_item(item)
    before = item_transition(item, ItemStatus.DAMAGED)
    item.save(update_fields=["status", "updated_at"])
    if charge and charge > 0 and patron is not None:
        Fine.objects.create(patron=patron, library=desk, kind=FineKind.DAMAGED, amount=charge,
                            note=(note or item.barcode)[:255])
    outbox_enqueue([item.record_id])
    audit(actor=actor, action="item.damaged", obj=item, unit=desk, changes={"status": [before, item.status],
          "charge": [None, str(charge) if charge else None]}, object_repr=item.barcode)
    return item


# -- fines and payments ---------------------------------------------------------------------------

def require_item_lendable_at(actor: User, item: Item, *, patron: Patron, desk: OrgUnit) -> None:
    """Raise CirculationError unless the item may be lent at `desk`: a desk lends its own library's
    copies (the actor works the desk at the item's library or an ancestor of it), or a copy another
    library sent here for a hold (the hold rules then decide whose). No query for the desk's own copies."""
    if item.library_id == desk.pk:
        return
    library = OrgUnit.objects.only("path", "name").get(pk=item.library_id)
    if has_perm(actor, Perm.CIRC_DESK, library):
        return
    if Hold.objects.filter(target_item_id=item.pk, pickup_library_id=desk.pk,
                           state__in=ACTIVE_HOLD_STATES).exists():
        return
    raise CirculationError(_("Tài liệu %(b)s thuộc %(lib)s: chỉ quầy của thư viện đó được cho mượn.")
                           % {"b": item.barcode, "lib": library.name})


@transaction.atomic
def fine_charge(*, actor: User, patron: Patron, amount: Decimal, desk: OrgUnit, note: str = "",
                kind: str = FineKind.MANUAL) -> Fine:
    """Charge a reader an amount (a manual fee)."""
    require_perm(actor, Perm.CIRC_DESK, desk)
    if amount <= 0:
        raise CirculationError(_("Số tiền phải lớn hơn 0."))
    fine = Fine.objects.create(patron=patron, library=desk, kind=kind, amount=amount, note=note[:255])
    audit(actor=actor, action="fine.charge", obj=fine, unit=desk, changes={"amount": [None, str(amount)]},
          object_repr=patron.card_number)
    return fine


@transaction.atomic
def fine_pay(*, actor: User, patron: Patron, amount: Decimal, desk: OrgUnit, method: str = PaymentMethod.CASH,
             request_id: uuid.UUID | str | None = None) -> list[Payment]:
    """Take a payment, applied to the oldest open fines first; refuses more than is owed."""
    require_perm(actor, Perm.CIRC_DESK, desk)
    if method == PaymentMethod.WAIVE:
        require_perm(actor, Perm.CIRC_OVERRIDE, desk)
    if not amount.is_finite() or amount <= 0:
        raise CirculationError(_("Số tiền phải lớn hơn 0."))
    _lock_patron(patron)
    op = _replay(request_id, "pay")
    if op is not None:
        return list(Payment.objects.filter(pk__in=op.result.get("payments", [])))
    # Only the fines of libraries where the actor works the desk (a fine belongs to its library).
    perm = Perm.CIRC_OVERRIDE if method == PaymentMethod.WAIVE else Perm.CIRC_DESK
    fines = list(Fine.objects.select_for_update().filter(scope_q(actor, perm, "library__"), patron=patron,
                                                         paid__lt=F("amount")).order_by("created_at", "pk"))
    owed = sum((f.amount - f.paid for f in fines), Decimal(0))
    if amount > owed:
        raise CirculationError(_("Số tiền %(a)s đ lớn hơn số còn nợ %(o)s đ.") % {"a": amount_text(amount),
                                                                               "o": amount_text(owed)})
    payments = []
    left = amount
    for fine in fines:
        if left <= 0:
            break
        part = min(left, fine.amount - fine.paid)
        fine.paid += part
        fine.save(update_fields=["paid", "updated_at"])
        payments.append(Payment.objects.create(fine=fine, amount=part, method=method, staff=actor, library=desk))
        left -= part
    audit(actor=actor, action="fine.waive" if method == PaymentMethod.WAIVE else "fine.pay", obj=patron, unit=desk,
          changes={"amount": [None, str(amount)], "method": [None, method]}, object_repr=patron.card_number)
    _remember(request_id, "pay", patron.pk, {"payments": [p.pk for p in payments]})
    return payments


@transaction.atomic
def fine_waive(*, actor: User, fine: Fine, desk: OrgUnit, note: str = "") -> Payment:
    """Waive what remains of one fine (needs the override permission; audited)."""
    require_perm(actor, Perm.CIRC_OVERRIDE, desk)
    fine = Fine.objects.select_for_update().select_related("library").get(pk=fine.pk)
    require_perm(actor, Perm.CIRC_OVERRIDE, fine.library)  # checked at the fine's library, not only the desk
    left = fine.amount - fine.paid
    if left <= 0:
        raise CirculationError(_("Khoản phạt này đã được thanh toán."))
    fine.paid = fine.amount
    fine.save(update_fields=["paid", "updated_at"])
    payment = Payment.objects.create(fine=fine, amount=left, method=PaymentMethod.WAIVE, staff=actor, library=desk,
                                     note=note[:255])
    audit(actor=actor, action="fine.waive", obj=fine, unit=fine.library, changes={"waived": [None, str(left)], "note": [None, note]})
    return payment


# -- holds -----------------------------------------------------------------------------------------

def _target(hold: Hold) -> Item | None:
    """Pick an available copy for a hold: at the pickup library if possible, else the nearest in the tree."""
    items = Item.objects.filter(status=ItemStatus.AVAILABLE, item_type__loanable=True).select_related("library")
    items = items.filter(pk=hold.item_id) if hold.item_id else items.filter(record_id=hold.record_id)
    taken = Hold.objects.filter(state__in=(HoldState.TARGETED, HoldState.IN_TRANSIT, HoldState.READY),
                                target_item__isnull=False).values("target_item_id")
    candidates = list(items.exclude(pk__in=taken)[:200])
    if not candidates:
        return None
    pickup = hold.pickup_library
    return min(candidates, key=lambda i: (_tree_distance(i.library, pickup), i.pk))


def _require_reader_or_desk(actor: User, patron: Patron, unit: OrgUnit) -> bool:
    """True when the actor is the reader; otherwise the actor needs the desk permission at `unit`."""
    if patron.user_id is not None and actor.pk == patron.user_id:
        return True
    require_perm(actor, Perm.CIRC_DESK, unit)
    return False


@transaction.atomic
def hold_place(*, actor: User, patron: Patron, record: BibRecord, pickup_library: OrgUnit, item: Item | None = None,
               request_id: uuid.UUID | str | None = None, now: dt.datetime | None = None) -> Hold:
    """Place a hold on a record (any copy) or one item, to be picked up at `pickup_library`; a copy is
    targeted at once when one is available (the pickup library's own first, then the nearest)."""
    now = now or timezone.now()
    is_reader = _require_reader_or_desk(actor, patron, pickup_library)
    patron = _lock_patron(patron)
    op = _replay(request_id, "hold")
    if op is not None:
        return Hold.objects.get(pk=op.object_id)  # type: ignore[misc]
    if not pickup_library.is_active or not pickup_library.kind.circulates:
        raise CirculationError(_("%(lib)s không nhận trả tài liệu đặt mượn.") % {"lib": pickup_library.name})
    if item is not None and item.record_id != record.pk:
        raise CirculationError(_("Bản tài liệu không thuộc biểu ghi này."))
    item_type: ItemType | None = item.item_type if item is not None else None
    rule = rule_resolve(unit=pickup_library, category=patron.category, item_type=item_type).rule
    values = settings_many(pickup_library, DESK_KEYS)
    reasons = list(patron_standing(patron=patron, values=values, now=now).reasons)
    active = Hold.objects.filter(patron=patron, state__in=ACTIVE_HOLD_STATES)
    if rule.max_holds == 0:
        reasons.append(_("Đối tượng bạn đọc này không được đặt mượn."))
    elif active.count() >= rule.max_holds:
        reasons.append(_("Đã đặt mượn tối đa %(n)s tài liệu.") % {"n": rule.max_holds})
    if active.filter(record=record).exists():
        reasons.append(_("Bạn đọc đã đặt mượn tài liệu này."))
    if Loan.objects.filter(patron=patron, item__record=record, returned_at__isnull=True).exists():
        reasons.append(_("Bạn đọc đang mượn tài liệu này."))
    if not Item.objects.filter(record=record, item_type__loanable=True).exclude(
            status=ItemStatus.WITHDRAWN).exists():
        reasons.append(_("Không có bản nào cho mượn."))
    if reasons:
        raise BlockedError(reasons)
    hold = Hold.objects.create(patron=patron, record=record, item=item, pickup_library=pickup_library,
                               placed_at=now, patron_category=patron.category.code)
    target = _target(hold)
    if target is not None:
        hold_transition(hold, HoldState.TARGETED)
        hold.target_item = target
        hold.save(update_fields=["state", "target_item", "updated_at"])
    _event("hold", pickup_library, category=patron.category.code, channel="portal" if is_reader else "desk")
    audit(actor=actor, action="hold.place", obj=hold, unit=pickup_library,
          changes={"record": [None, record.pk], "pickup": [None, pickup_library.code],
                   "target": [None, target.barcode if target else None]}, object_repr=patron.card_number)
    _remember(request_id, "hold", hold.pk)
    return hold


@transaction.atomic
def hold_cancel(*, actor: User, hold: Hold, now: dt.datetime | None = None) -> Hold:
    """Cancel a hold (reader or staff); a copy already on the hold shelf is routed on at once."""
    now = now or timezone.now()
    hold = Hold.objects.select_for_update(of=("self",)).select_related("patron", "pickup_library").get(pk=hold.pk)
    _require_reader_or_desk(actor, hold.patron, hold.pickup_library)
    before = hold_transition(hold, HoldState.CANCELLED)
    hold.closed_at = now
    hold.save(update_fields=["state", "closed_at", "updated_at"])
    if before == HoldState.READY and hold.target_item_id:
        _reroute_from_shelf(hold, now)
    audit(actor=actor, action="hold.cancel", obj=hold, unit=hold.pickup_library, changes={"state": [before, "cancelled"]},
          object_repr=hold.patron.card_number)
    return hold


def _reroute_from_shelf(hold: Hold, now: dt.datetime) -> None:
    item = Item.objects.select_for_update(of=("self",)).select_related("item_type", "library", "record").get(
        pk=hold.target_item_id)  # type: ignore[misc]
    _route(item, hold.pickup_library, now, skip_hold=hold)
    item.save(update_fields=["status", "updated_at"])
    outbox_enqueue([item.record_id])


@transaction.atomic
def hold_change_pickup(*, actor: User, hold: Hold, pickup_library: OrgUnit) -> Hold:
    """Change where a hold is picked up, while no copy is on its way yet."""
    hold = Hold.objects.select_for_update(of=("self",)).select_related("patron", "pickup_library").get(pk=hold.pk)
    _require_reader_or_desk(actor, hold.patron, pickup_library)
    if hold.state not in (HoldState.WAITING, HoldState.TARGETED):
        raise CirculationError(_("Tài liệu đã được chuyển đi; không thể đổi nơi nhận."))
    if not pickup_library.is_active or not pickup_library.kind.circulates:
        raise CirculationError(_("%(lib)s không nhận trả tài liệu đặt mượn.") % {"lib": pickup_library.name})
    before = hold.pickup_library.code
    hold.pickup_library = pickup_library
    if hold.state != HoldState.WAITING:
        hold_transition(hold, HoldState.WAITING)
    hold.target_item = None
    hold.save(update_fields=["pickup_library", "state", "target_item", "updated_at"])
    target = _target(hold)
    if target is not None:
        hold_transition(hold, HoldState.TARGETED)
        hold.target_item = target
        hold.save(update_fields=["state", "target_item", "updated_at"])
    audit(actor=actor, action="hold.change_pickup", obj=hold, unit=pickup_library,
          changes={"pickup": [before, pickup_library.code]}, object_repr=hold.patron.card_number)
    return hold


@transaction.atomic
def holds_expire(*, now: dt.datetime | None = None, actor: User | None = None) -> int:
    """Expire holds not collected by their deadline and route their copies on (daily job)."""
    now = now or timezone.now()
    count = 0
    for hold in (Hold.objects.select_for_update(of=("self",)).select_related("patron", "pickup_library")
                 .filter(state=HoldState.READY, expires_at__lt=now)[:1000]):
        hold_transition(hold, HoldState.EXPIRED)
        hold.closed_at = now
        hold.save(update_fields=["state", "closed_at", "updated_at"])
        if hold.target_item_id:
            _reroute_from_shelf(hold, now)
        audit(actor=actor, action="hold.expire", obj=hold, unit=hold.pickup_library, object_repr=hold.patron.card_number)
        count += 1
    return count


# -- a reader's data erased (patrons.signals.patron_erasing) --------------------------------------

def patron_circulation_erase(*, patron: Patron, actor: User | None = None, now: dt.datetime | None = None) -> int:
    """Circulation's part of erasing a reader, inside the erasure's transaction: their active holds are
    cancelled through the lifecycle table (a copy waiting on the hold shelf is routed on, as for any
    cancelled hold) and their loans anonymised. Returns the number of holds cancelled."""
    now = now or timezone.now()
    holds = list(Hold.objects.select_for_update(of=("self",)).select_related("pickup_library")
                 .filter(patron=patron, state__in=ACTIVE_HOLD_STATES).order_by("pk"))
    for hold in holds:
        before = hold_transition(hold, HoldState.CANCELLED)
        hold.closed_at = now
        hold.save(update_fields=["state", "closed_at", "updated_at"])
        if before == HoldState.READY and hold.target_item_id:
            _reroute_from_shelf(hold, now)
        audit(actor=actor, action="hold.cancel", obj=hold, unit=hold.pickup_library,
              changes={"state": [before, HoldState.CANCELLED]}, object_repr=patron.card_number)
    Loan.objects.filter(patron=patron).update(patron=None, anonymised=True, updated_at=timezone.now())
    return len(holds)


def _on_patron_erasing(sender: type, patron: Patron, actor: User | None = None, **kwargs: object) -> None:
    patron_circulation_erase(patron=patron, actor=actor)


# -- the policy matrix -----------------------------------------------------------------------------

RULE_FIELDS = ("loan_days", "renewals", "max_loans", "max_holds", "fine_per_day", "fine_cap", "grace_days",
               "no_renewal_before")


@transaction.atomic
def rule_save(*, actor: User, unit: OrgUnit, patron_category: PatronCategory | None, item_type: ItemType | None,
              terms: dict[str, Any]) -> CirculationRule:
    """Create or update the matrix cell (unit, category, item type)."""
    require_perm(actor, Perm.CIRC_POLICY, unit)
    unknown = set(terms) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))})
    rule = (CirculationRule.objects.select_for_update()
            .filter(unit=unit, patron_category=patron_category, item_type=item_type).first())
    before = snapshot(rule, list(RULE_FIELDS)) if rule else {}
    if rule is None:
        rule = CirculationRule(unit=unit, patron_category=patron_category, item_type=item_type)
    for k, v in terms.items():
        setattr(rule, k, v)
    rule.full_clean()
    rule.save()
    audit(actor=actor, action="circ.rule_save", obj=rule, unit=unit, changes=diff(before, snapshot(rule, list(RULE_FIELDS))))
    return rule


@transaction.atomic
def rule_delete(*, actor: User, rule: CirculationRule) -> None:
    """Remove a matrix cell; loans keep the terms they were made under."""
    require_perm(actor, Perm.CIRC_POLICY, rule.unit)
    audit(actor=actor, action="circ.rule_delete", obj=rule, unit=rule.unit, changes=diff(snapshot(rule, list(RULE_FIELDS)), {}))
    rule.delete()


@transaction.atomic
def receipt_email(*, actor: User, desk: OrgUnit, patron: Patron, loans: list[Loan]) -> Notice:
    """E-mail the reader a receipt for `loans` (asked for at the desk); sent after commit."""
    require_desk(actor, desk)
    if not patron.email:
        raise ValidationError(_("Bạn đọc chưa có địa chỉ thư điện tử."))
    subject, body = receipt_text(desk_name=desk.name, patron=patron, loans=loans)
    notice = Notice.objects.create(patron=patron, kind=NoticeKind.RECEIPT, channel="email", to=patron.email,
                                   subject=subject, body=body)
    audit(actor=actor, action="circ.receipt_email", obj=patron, unit=desk,
          changes={"loans": [None, [ln.pk for ln in loans]]})
    transaction.on_commit(notices_hand_to_worker)
    return notice


def require_desk(actor: User, desk: OrgUnit) -> None:
    """Raise PermissionDenied unless the actor works the desk at `desk`."""
    if not has_perm(actor, Perm.CIRC_DESK, desk):
        raise PermissionDenied(_("Bạn không có quyền mượn trả tại %(u)s.") % {"u": desk.name})
