"""One function per SIP2 request: parse the fields, call the desk's services and selectors as the
terminal's account, and build the reply. No sockets here (server.py), no wire format (messages.py).

Every operation goes through the same services as the circulation desk (rules, blocks, holds,
audit, idempotency), attributed to the terminal's account and done at the terminal's library.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.catalog.models import Item, ItemStatus
from thuvien.catalog.selectors import item_brief_for_scan, item_for_scan
from thuvien.circulation import services as circ
from thuvien.circulation.conf import settings_many
from thuvien.circulation.models import ACTIVE_HOLD_STATES, Fine, Hold, HoldState, Loan, PaymentMethod
from thuvien.circulation.selectors import hold_list_for_patron
from thuvien.core.authn import door_locked, login_record
from thuvien.core.models import LoginEvent, OrgUnit, User
from thuvien.patrons import auth as patron_auth
from thuvien.patrons.models import Patron, PatronBlock, PatronStatus
from thuvien.patrons.services import patron_block, patron_unblock
from thuvien.protocols.models import Sip2Terminal
from thuvien.protocols.sip2 import messages as m
from thuvien.protocols.sip2.services import ACCOUNT_PREFIX, terminal_authenticate

log = logging.getLogger(__name__)

# Item status -> SIP2 circulation status (18).
CIRCULATION_STATUS = {
    ItemStatus.AVAILABLE: "03", ItemStatus.ON_LOAN: "04", ItemStatus.IN_TRANSIT: "10",
    ItemStatus.ON_HOLD_SHELF: "08", ItemStatus.IN_PROCESSING: "06", ItemStatus.LOST: "12",
    ItemStatus.DAMAGED: "01", ItemStatus.MISSING: "13", ItemStatus.CLAIMED_RETURNED: "11",
    ItemStatus.WITHDRAWN: "01", ItemStatus.IN_HOUSE: "03",
}
SECURITY_RFID = "00"  # security marker "other": the tag's AFI / EAS bit
FEE_OTHER = "01"
MEDIA_BOOK = "001"
ROUTE_ALERT = {"hold_here": "01", "transit_hold": "02", "transit_home": "04"}


@dataclass
class Session:
    """What one connection knows: the terminal once logged in, and readers whose PIN it has checked."""

    terminal: Sip2Terminal | None = None
    tls: bool = False
    peer: str | None = None  # the terminal's IP address (what the lockout counts per address)
    checked_pins: dict[str, str] = field(default_factory=dict)
    wrong_pins: dict[str, str] = field(default_factory=dict)  # counted once, not again by the write thread

    @property
    def encoding(self) -> str:
        return self.terminal.encoding if self.terminal else "utf-8"

    @property
    def line_end(self) -> bytes:
        return b"\r\n" if self.terminal and self.terminal.line_end == Sip2Terminal.LineEnd.CRLF else b"\r"

    @property
    def error_detection(self) -> bool:
        return self.terminal.error_detection if self.terminal else True


# -- helpers ---------------------------------------------------------------------------------------

def _now_text() -> str:
    return m.sip_date(timezone.localtime())


def _date(moment: dt.datetime | None) -> str:
    return m.sip_date(timezone.localtime(moment) if moment is not None else None)


def _day(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(x) for x in exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("Máy tự phục vụ không có quyền thực hiện thao tác này.")
    return _("Không tìm thấy dữ liệu.")


def _institution(session: Session, req: m.Request) -> str:
    assert session.terminal is not None
    return req.get("AO") or session.terminal.library.code


def _patron(card: str) -> Patron | None:
    if not card:
        return None
    found = list(Patron.objects.select_related("category", "home_library").filter(card_number=card).order_by()[:1])
    return found[0] if found else None  # card_number is unique: no ORDER BY to compile or run


def _item(code: str) -> Item | None:
    """An item by barcode, or by the id an RFID reader read from its tag."""
    return item_for_scan(code)


def _pin_state(session: Session, patron: Patron, pin: str | None) -> bool | None:
    """True/False when a PIN was given and checked against the reader's self-check PIN; None if none given."""
    if pin is None:
        return None
    card = patron.card_number
    if session.checked_pins.get(card) == pin:
        return True
    if session.wrong_pins.get(card) == pin:
        return False
    where = _terminal_label(session)
    if door_locked(door="sip2", username=card, ip=session.peer, agent=where, user=patron.user):
        session.wrong_pins[card] = pin
        return False  # locked out like the portal login (the same account: the card number)
    ok = patron_auth.patron_pin_check(patron=patron, pin=pin)
    if ok:
        session.checked_pins[card] = pin
        session.wrong_pins.pop(card, None)
    else:
        session.wrong_pins[card] = pin
        login_record(kind=LoginEvent.Kind.FAILED, door="sip2", username=card, ip=session.peer, agent=where,
                     user=patron.user)
    return ok


def _terminal_label(session: Session) -> str:
    return f"SIP2 {session.terminal.login}" if session.terminal is not None else "SIP2"


def _pin_refused(session: Session, patron: Patron, req: m.Request) -> bool:
    assert session.terminal is not None
    pin = req.fields.get("AD", [None])[0]
    state = _pin_state(session, patron, pin)
    return state is False or (state is None and session.terminal.patron_pin_required)


def _request_id(session: Session, req: m.Request) -> uuid.UUID | None:
    """The idempotency key of a request carrying a transaction id (BK)."""
    assert session.terminal is not None
    bk = req.get("BK")
    return uuid.uuid5(uuid.NAMESPACE_URL, f"sip2:{session.terminal.login}:{bk}") if bk else None


def _blocks(patron: Patron) -> tuple[str, circ.PatronStanding]:
    """The 14-character patron status and the reader's standing (counts, block reasons)."""
    values = settings_many(patron.home_library, circ.DESK_KEYS)
    standing = circ.patron_standing(patron=patron, values=values, now=timezone.now())
    denied = bool(standing.reasons)
    flags = [" "] * 14
    if denied:
        flags[0] = flags[1] = flags[3] = "Y"  # charge, renewal, hold privileges denied
    if patron.status != PatronStatus.ACTIVE:
        flags[4] = "Y"  # card not usable (lost, suspended, pending)
    if standing.overdue_loans and int(values["circ.max_overdue"] or 0) and \
            standing.overdue_loans >= int(values["circ.max_overdue"]):
        flags[6] = "Y"  # too many items overdue
    if standing.fines_due > Decimal(values["circ.max_fines"]):
        flags[10] = "Y"  # excessive outstanding fines
    return "".join(flags), standing


def _unknown_patron(req: m.Request, reply: m.Reply, session: Session) -> m.Reply:
    reply.add("AO", _institution(session, req)).add("AA", req.get("AA")).add("AE", "")
    reply.add("BL", "N")
    reply.add("AF", _("Không tìm thấy bạn đọc có số thẻ này."))
    return reply


# -- 93 / 99 ---------------------------------------------------------------------------------------

def login(session: Session, req: m.Request) -> m.Reply:
    """93: the terminal's login, behind the same lockout as the web doors (per terminal login name and
    per address, counted before the password is hashed); every outcome is a LoginEvent."""
    name = req.get("CN")
    username = f"{ACCOUNT_PREFIX}{name}"
    account = User.objects.filter(username=username).first()
    session.terminal = None
    session.checked_pins.clear()
    session.wrong_pins.clear()
    if door_locked(door="sip2", username=username, ip=session.peer, agent="SIP2 93", user=account):
        return m.Reply("94", "0")
    terminal = terminal_authenticate(login=name, password=req.get("CO"))
    if terminal is not None and terminal.tls_required and not session.tls:
        log.warning("SIP2 terminal %s refused: TLS required", terminal.login)
        terminal = None
    login_record(kind=LoginEvent.Kind.LOGIN if terminal is not None else LoginEvent.Kind.FAILED, door="sip2",
                 username=username, ip=session.peer, agent="SIP2 93", user=account)
    session.terminal = terminal
    return m.Reply("94", "1" if terminal is not None else "0")


def sc_status(session: Session, req: m.Request) -> m.Reply:
    online = session.terminal is not None
    reply = m.Reply("98", m.yn(online) * 4 + "N" + "N" + "030" + "003" + _now_text() + "2.00")
    if session.terminal is None:
        return reply.add("AO", "").add("BX", m.SUPPORTED).add("AF", _("Máy chưa đăng nhập."))
    library = session.terminal.library
    reply.add("AO", library.code).add("BX", m.SUPPORTED).add("AM", library.name)
    reply.add("AN", session.terminal.location or session.terminal.login, optional=True)
    return reply


# -- patrons ---------------------------------------------------------------------------------------

def _patron_fields(reply: m.Reply, session: Session, req: m.Request, patron: Patron,
                   standing: circ.PatronStanding, pin_ok: bool | None) -> None:
    reply.add("AO", _institution(session, req)).add("AA", patron.card_number).add("AE", patron.full_name)
    reply.add("BL", "Y")
    if pin_ok is not None:
        reply.add("CQ", m.yn(pin_ok))
    reply.add("BH", "VND").add("BV", m.amount(standing.fines_due))
    if standing.reasons:
        reply.add("AF", " ".join(standing.reasons))


def patron_status(session: Session, req: m.Request) -> m.Reply:
    patron = _patron(req.get("AA"))
    reply = m.Reply("24", "")
    if patron is None:
        reply.fixed = "YYYY" + " " * 10 + "000" + _now_text()
        return _unknown_patron(req, reply, session)
    flags, standing = _blocks(patron)
    reply.fixed = flags + "000" + _now_text()
    _patron_fields(reply, session, req, patron, standing, _pin_state(session, patron, req.fields.get("AD", [None])[0]))
    return reply


def _summary_lines(patron: Patron, which: int, now: dt.datetime) -> list[str]:
    """The item lines the 63 summary asks for: 0 holds available, 1 overdue, 2 charged, 3 fines, 5 unavailable holds."""
    if which in (1, 2):
        loans = Loan.objects.filter(patron=patron, returned_at__isnull=True).select_related("item__record")
        if which == 1:
            loans = loans.filter(due_at__lt=now)
        return [loan.item.barcode for loan in loans.order_by("due_at", "pk")]
    if which == 3:
        fines = Fine.objects.filter(patron=patron, paid__lt=F("amount")).order_by("created_at", "pk")
        return [f"{m.amount(f.amount - f.paid)} VND {f.note or f.get_kind_display()}" for f in fines]
    if which in (0, 5):
        holds = hold_list_for_patron(patron=patron)
        wanted = [h for h in holds if (h.state == HoldState.READY) == (which == 0)]
        return [h.target_item.barcode if which == 0 and h.target_item else h.record.title for h in wanted]
    return []


def patron_information(session: Session, req: m.Request) -> m.Reply:
    patron = _patron(req.get("AA"))
    reply = m.Reply("64", "")
    if patron is None:
        reply.fixed = "YYYY" + " " * 10 + "000" + _now_text() + "0000" * 6
        return _unknown_patron(req, reply, session)
    now = timezone.now()
    flags, standing = _blocks(patron)
    holds = dict(Hold.objects.filter(patron=patron, state__in=ACTIVE_HOLD_STATES)
                 .values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    ready = holds.get(HoldState.READY, 0)
    unavailable = sum(holds.values()) - ready
    fine_count = Fine.objects.filter(patron=patron, paid__lt=F("amount")).count()
    counts = [ready, standing.overdue_loans, standing.open_loans, fine_count, 0, unavailable]
    reply.fixed = flags + "000" + _now_text() + "".join(f"{min(n, 9999):04d}" for n in counts)
    pin_ok = _pin_state(session, patron, req.fields.get("AD", [None])[0])
    _patron_fields(reply, session, req, patron, standing, pin_ok)
    reply.add("BD", patron.address, optional=True).add("BE", patron.email, optional=True)
    reply.add("BF", patron.phone, optional=True)
    reply.add("PA", patron.expires_on.strftime("%Y%m%d"))  # card expiry (an extension Koha also sends)
    summary = req.fixed[21:31]
    which = summary.find("Y")
    if which in (0, 1, 2, 3, 5) and not (pin_ok is False or (pin_ok is None and session.terminal
                                                              and session.terminal.patron_pin_required)):
        lines = _summary_lines(patron, which, now)
        start, end = req.get("BP"), req.get("BQ")
        if start.isdigit() and end.isdigit():
            lines = lines[max(int(start) - 1, 0):int(end)]
        code = {0: "AS", 1: "AT", 2: "AU", 3: "AV", 5: "CD"}[which]
        for line in lines:
            reply.add(code, line)
    return reply


def patron_enable(session: Session, req: m.Request) -> m.Reply:
    """Lift the blocks this terminal itself put (card retained); staff blocks stay."""
    assert session.terminal is not None
    patron = _patron(req.get("AA"))
    reply = m.Reply("26", "")
    if patron is None:
        reply.fixed = "YYYY" + " " * 10 + "000" + _now_text()
        return _unknown_patron(req, reply, session)
    if not _pin_refused(session, patron, req):
        for block in PatronBlock.objects.filter(patron=patron, lifted_at__isnull=True,
                                                created_by=session.terminal.account).select_related("patron"):
            patron_unblock(actor=session.terminal.account, block=block)
    flags, standing = _blocks(patron)
    reply.fixed = flags + "000" + _now_text()
    reply.add("AO", _institution(session, req)).add("AA", patron.card_number).add("AE", patron.full_name)
    reply.add("BL", "Y")
    if standing.reasons:
        reply.add("AF", " ".join(standing.reasons))
    return reply


def block_patron(session: Session, req: m.Request) -> m.Reply:
    """01: the kiosk blocks a card (e.g. one it retained); answered with a 24."""
    assert session.terminal is not None
    patron = _patron(req.get("AA"))
    if patron is not None:
        retained = req.fixed[:1] == "Y"
        note = req.get("AL") or _("Khoá tại máy tự phục vụ %(t)s") % {"t": session.terminal.login}
        try:
            patron_block(actor=session.terminal.account, patron=patron,
                         reason="lost_card" if retained else "manual", note=note[:500])
        except PermissionDenied:
            log.warning("SIP2 terminal %s may not block %s", session.terminal.login, patron.card_number)
    return patron_status(session, req)


def end_session(session: Session, req: m.Request) -> m.Reply:
    session.checked_pins.pop(req.get("AA"), None)
    reply = m.Reply("36", "Y" + _now_text())
    return reply.add("AO", _institution(session, req)).add("AA", req.get("AA")).add("AF", _("Xin cảm ơn, hẹn gặp lại."))


# -- items -----------------------------------------------------------------------------------------

def _circulation_reply(code: str, session: Session, req: m.Request, *, ok: bool, renewal: bool,
                       item: Item | None, loan: Loan | None, message: str) -> m.Reply:
    """12 and 30: a failure is `0NUN` with AO AA AB AJ and an empty AH; desensitize Y only on success."""
    fixed = ("1" + m.yn(renewal) + "N" + "Y") if ok else "0NUN"
    reply = m.Reply(code, fixed + _now_text())
    reply.add("AO", _institution(session, req)).add("AA", req.get("AA")).add("AB", req.get("AB"))
    reply.add("AJ", item.record.title if item is not None else "")
    reply.add("AH", _date(loan.due_at) if ok and loan is not None else "")
    if item is not None:
        reply.add("CK", MEDIA_BOOK)
    reply.add("AF", message)
    return reply


def checkout(session: Session, req: m.Request) -> m.Reply:
    assert session.terminal is not None
    terminal = session.terminal
    item, patron = _item(req.get("AB")), _patron(req.get("AA"))

    def refuse(message: str) -> m.Reply:
        return _circulation_reply("12", session, req, ok=False, renewal=False, item=item, loan=None, message=message)

    if patron is None:
        return refuse(_("Không tìm thấy bạn đọc có số thẻ này."))
    if _pin_refused(session, patron, req):
        return refuse(_("Mã PIN không đúng."))
    if item is None:
        return refuse(_("Không tìm thấy tài liệu có mã vạch này."))
    current = next(iter(Loan.objects.filter(item=item, returned_at__isnull=True).order_by()[:1]), None)
    if current is not None and current.patron_id == patron.pk:
        if req.fixed[:1] == "Y":  # the kiosk may renew an item the reader already has
            return _renew_one(session, req, current, item, code="12")
        recent = timezone.now() - current.checked_out_at < dt.timedelta(minutes=5)
        if recent and current.staff_id == terminal.account_id:  # a retried checkout: same answer again
            return _circulation_reply("12", session, req, ok=True, renewal=False, item=item, loan=current,
                                      message=_("Hạn trả: %(d)s") % {"d": _day(current.due_at)})
    try:
        loan = circ.loan_checkout(actor=terminal.account, item=item, patron=patron, desk=terminal.library,
                                  request_id=_request_id(session, req))
    except (ValidationError, PermissionDenied, ObjectDoesNotExist) as exc:
        return refuse(_why(exc))
    return _circulation_reply("12", session, req, ok=True, renewal=False, item=item, loan=loan,
                              message=_("Hạn trả: %(d)s") % {"d": _day(loan.due_at)})


def _renew_one(session: Session, req: m.Request, loan: Loan, item: Item, *, code: str) -> m.Reply:
    assert session.terminal is not None
    try:
        loan = circ.loan_renew(actor=session.terminal.account, loan=loan, request_id=_request_id(session, req))
    except (ValidationError, PermissionDenied, ObjectDoesNotExist) as exc:
        return _circulation_reply(code, session, req, ok=False, renewal=False, item=item, loan=None, message=_why(exc))
    return _circulation_reply(code, session, req, ok=True, renewal=True, item=item, loan=loan,
                              message=_("Đã gia hạn đến %(d)s") % {"d": _day(loan.due_at)})


def renew(session: Session, req: m.Request) -> m.Reply:
    item, patron = _item(req.get("AB")), _patron(req.get("AA"))
    if patron is None or item is None or _pin_refused(session, patron, req):
        message = (_("Không tìm thấy bạn đọc có số thẻ này.") if patron is None else
                   _("Không tìm thấy tài liệu có mã vạch này.") if item is None else _("Mã PIN không đúng."))
        return _circulation_reply("30", session, req, ok=False, renewal=False, item=item, loan=None, message=message)
    loan = Loan.objects.filter(item=item, patron=patron, returned_at__isnull=True).first()
    if loan is None:
        return _circulation_reply("30", session, req, ok=False, renewal=False, item=item, loan=None,
                                  message=_("Bạn đọc không mượn tài liệu này."))
    return _renew_one(session, req, loan, item, code="30")


def renew_all(session: Session, req: m.Request) -> m.Reply:
    assert session.terminal is not None
    patron = _patron(req.get("AA"))
    renewed: list[str] = []
    refused: list[str] = []
    message = ""
    if patron is None:
        message = _("Không tìm thấy bạn đọc có số thẻ này.")
    elif _pin_refused(session, patron, req):
        message = _("Mã PIN không đúng.")
    else:
        for loan in Loan.objects.filter(patron=patron, returned_at__isnull=True).select_related("item"):
            try:
                circ.loan_renew(actor=session.terminal.account, loan=loan)
                renewed.append(loan.item.barcode)
            except (ValidationError, PermissionDenied) as exc:
                refused.append(loan.item.barcode)
                message = _why(exc)
    ok = (patron is not None and not message) or bool(renewed)
    reply = m.Reply("66", ("1" if ok else "0") + f"{len(renewed):04d}{len(refused):04d}" + _now_text())
    reply.add("AO", _institution(session, req))
    for barcode in renewed:
        reply.add("BM", barcode)
    for barcode in refused:
        reply.add("BN", barcode)
    reply.add("AF", message or _("Đã gia hạn %(n)s tài liệu.") % {"n": len(renewed)})
    return reply


def checkin(session: Session, req: m.Request) -> m.Reply:
    """10: resensitize Y on success; alert Y with CV/CT when the item must not go back to the shelf."""
    assert session.terminal is not None
    terminal = session.terminal
    item = _item(req.get("AB"))
    institution = _institution(session, req)
    if item is None:
        reply = m.Reply("10", "0NUY" + _now_text())
        reply.add("AO", institution).add("AB", req.get("AB")).add("AQ", "")
        return reply.add("CV", "99").add("AF", _("Không tìm thấy tài liệu có mã vạch này."))
    try:
        result = circ.loan_checkin(actor=terminal.account, item=item, desk=terminal.library,
                                   request_id=_request_id(session, req))
    except (ValidationError, PermissionDenied, ObjectDoesNotExist) as exc:
        reply = m.Reply("10", "0NNY" + _now_text())
        reply.add("AO", institution).add("AB", item.barcode).add("AQ", item.library.code)
        return reply.add("AJ", item.record.title).add("CV", "99").add("AF", _why(exc))
    alert = result.route in ROUTE_ALERT
    reply = m.Reply("10", "1Y" + "N" + m.yn(alert) + _now_text())
    reply.add("AO", institution).add("AB", item.barcode).add("AQ", item.library.code)
    reply.add("AJ", item.record.title)
    if result.loan is not None and result.loan.patron_id:
        card = Patron.objects.filter(pk=result.loan.patron_id).values_list("card_number", flat=True).first()
        reply.add("AA", card or "", optional=True)
    reply.add("CK", MEDIA_BOOK)
    if alert:
        reply.add("CV", ROUTE_ALERT[result.route])
        if result.transit is not None:
            reply.add("CT", result.transit.to_library.code)
        if result.hold is not None:
            reply.add("CY", result.hold.patron.card_number).add("DA", result.hold.patron.full_name)
    reply.add("CS", item.call_number, optional=True)
    message = result.message
    if result.fine is not None:
        message += " " + _("Phí trả muộn: %(a)s đ.") % {"a": m.amount(result.fine.amount)}
    return reply.add("AF", message)


def item_information(session: Session, req: m.Request) -> m.Reply:
    """18, asked by gates for every tag that passes: one narrow query (two when the copy is on loan)."""
    item = item_brief_for_scan(req.get("AB"))
    if item is None:
        reply = m.Reply("18", "01" + SECURITY_RFID + FEE_OTHER + _now_text())
        return reply.add("AB", req.get("AB")).add("AJ", "").add("AF", _("Không tìm thấy tài liệu có mã vạch này."))
    reply = m.Reply("18", CIRCULATION_STATUS.get(ItemStatus(item.status), "01") + SECURITY_RFID + FEE_OTHER
                    + _now_text())
    reply.add("AB", item.barcode).add("AJ", item.title)
    if item.status == ItemStatus.ON_LOAN:
        due = next(iter(Loan.objects.filter(item_id=item.pk, returned_at__isnull=True).order_by()
                        .values_list("due_at", flat=True)[:1]), None)
        reply.add("AH", _date(due) if due else "", optional=True)
    reply.add("CK", MEDIA_BOOK).add("AQ", item.library_code).add("AP", item.library_code)
    reply.add("CS", item.call_number, optional=True)
    return reply


def item_status_update(session: Session, req: m.Request) -> m.Reply:
    """19: thuvien keeps no free-form item properties, so the update is refused (ok 0), as Koha does."""
    item = _item(req.get("AB"))
    reply = m.Reply("20", "0" + _now_text()).add("AB", req.get("AB"))
    reply.add("AJ", item.record.title if item else "", optional=True)
    return reply.add("AF", _("Không hỗ trợ cập nhật thuộc tính tài liệu."))


# -- fees and holds --------------------------------------------------------------------------------

_PLAIN_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")
_GROUPED_AMOUNT = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def parse_amount(text: str) -> Decimal | None:
    """A fee amount as kiosks send it: `50000`, `50000.00` or grouped `50.000`; None if unreadable."""
    text = text.strip()
    if _PLAIN_AMOUNT.match(text):
        return Decimal(text)
    if _GROUPED_AMOUNT.match(text):
        return Decimal(re.sub(r"[.,]", "", text))
    return None


def fee_paid(session: Session, req: m.Request) -> m.Reply:
    assert session.terminal is not None
    patron = _patron(req.get("AA"))
    value = parse_amount(req.get("BV"))
    reply = m.Reply("38", "N" + _now_text())
    reply.add("AO", _institution(session, req)).add("AA", req.get("AA"))
    reply.add("BK", req.get("BK"), optional=True)
    if patron is None:
        return reply.add("AF", _("Không tìm thấy bạn đọc có số thẻ này."))
    if value is None or value != value.to_integral_value():
        return reply.add("AF", _("Số tiền không hợp lệ (đồng, không có phần lẻ)."))
    currency = req.fixed[22:25]
    if currency.strip() and currency != "VND":
        return reply.add("AF", _("Chỉ nhận tiền đồng (VND)."))
    method = PaymentMethod.CASH if req.fixed[20:22] == "00" else PaymentMethod.TRANSFER
    try:
        circ.fine_pay(actor=session.terminal.account, patron=patron, amount=value, desk=session.terminal.library,
                      method=method, request_id=_request_id(session, req))
    except (ValidationError, PermissionDenied) as exc:
        return reply.add("AF", _why(exc))
    reply.fixed = "Y" + reply.fixed[1:]
    left = Fine.objects.filter(patron=patron).aggregate(due=Sum(F("amount") - F("paid")))["due"] or 0
    return reply.add("AF", _("Đã nhận %(a)s đ. Còn nợ %(l)s đ.") % {"a": m.amount(value), "l": m.amount(left)})


def hold(session: Session, req: m.Request) -> m.Reply:
    """15: `+` place a hold on the item's title (BY 3: this copy), `-` cancel it, `*` change the pickup library."""
    assert session.terminal is not None
    terminal = session.terminal
    patron, item = _patron(req.get("AA")), _item(req.get("AB"))
    mode = req.fixed[:1]
    reply = m.Reply("16", "0N" + _now_text())
    reply.add("AO", _institution(session, req)).add("AA", req.get("AA"))

    def refuse(message: str) -> m.Reply:
        return reply.add("AB", req.get("AB"), optional=True).add("AF", message)

    if patron is None:
        return refuse(_("Không tìm thấy bạn đọc có số thẻ này."))
    if _pin_refused(session, patron, req):
        return refuse(_("Mã PIN không đúng."))
    if item is None:
        return refuse(_("Không tìm thấy tài liệu có mã vạch này."))
    pickup = OrgUnit.objects.filter(code=req.get("BS")).first() if req.get("BS") else terminal.library
    if pickup is None:
        return refuse(_("Không có thư viện mã %(c)s.") % {"c": req.get("BS")})
    existing = Hold.objects.filter(patron=patron, record=item.record, state__in=ACTIVE_HOLD_STATES).first()
    try:
        if mode == "+":
            placed = circ.hold_place(actor=terminal.account, patron=patron, record=item.record, pickup_library=pickup,
                                     item=item if req.get("BY") == "3" else None, request_id=_request_id(session, req))
        elif existing is None:
            return refuse(_("Bạn đọc không đặt mượn tài liệu này."))
        elif mode == "-":
            placed = circ.hold_cancel(actor=terminal.account, hold=existing)
        elif mode == "*":
            placed = circ.hold_change_pickup(actor=terminal.account, hold=existing, pickup_library=pickup)
        else:
            return refuse(_("Thao tác đặt mượn không hợp lệ."))
    except (ValidationError, PermissionDenied) as exc:
        return refuse(_why(exc))
    available = item.status == ItemStatus.AVAILABLE
    reply.fixed = "1" + m.yn(available) + reply.fixed[2:]
    if placed.expires_at:
        reply.add("BW", _date(placed.expires_at))
    if mode != "-":
        position = next((h.queue_position for h in hold_list_for_patron(patron=patron)  # type: ignore[attr-defined]
                         if h.pk == placed.pk and getattr(h, "queue_position", None)), None)
        reply.add("BR", position or "", optional=True)
    reply.add("BS", placed.pickup_library.code).add("AB", item.barcode).add("AJ", item.record.title)
    done = {"+": _("Đã đặt mượn."), "-": _("Đã huỷ đặt mượn."), "*": _("Đã đổi nơi nhận.")}[mode]
    return reply.add("AF", done)


def precheck(session: Session, req: m.Request) -> None:
    """Check the reader's PIN ahead of a write (Argon2 is slow CPU work), so the write thread only writes."""
    card, pin = req.get("AA"), req.fields.get("AD", [None])[0]
    if session.terminal is not None and card and pin and session.checked_pins.get(card) != pin:
        patron = _patron(card)
        if patron is not None:
            _pin_state(session, patron, pin)  # a wrong PIN is remembered: the handler does not count it again


HANDLERS: dict[str, Callable[[Session, m.Request], m.Reply]] = {
    "93": login, "99": sc_status, "63": patron_information, "23": patron_status, "11": checkout, "09": checkin,
    "17": item_information, "19": item_status_update, "29": renew, "65": renew_all, "35": end_session,
    "37": fee_paid, "15": hold, "25": patron_enable, "01": block_patron,
}
OPEN = {"93", "99"}  # answered before a terminal logs in


def dispatch(session: Session, req: m.Request) -> m.Reply | None:
    """The reply to one request, or None (answer 96) when the terminal has not logged in."""
    if req.code not in OPEN and session.terminal is None:
        return None
    try:
        return HANDLERS[req.code](session, req)
    finally:  # a wrong PIN is remembered for this request only (precheck, then the handler): the next counts
        session.wrong_pins.clear()
