"""Each SIP2 message through handlers.dispatch, without sockets: replies and what the desk services did."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thuvien.catalog.models import ItemStatus
from thuvien.circulation import services as circ
from thuvien.circulation.models import Fine, Hold, HoldState, Loan
from thuvien.core.models import AuditEntry
from thuvien.patrons.models import PatronBlock
from thuvien.patrons.tests.fixtures import make_patron
from thuvien.protocols.sip2 import messages as m
from thuvien.protocols.sip2.handlers import Session, dispatch, parse_amount
from thuvien.protocols.sip2.tests.fixtures import NOW


def call(session: Session, text: str) -> m.Reply:
    reply = dispatch(session, m.parse(text))
    assert reply is not None
    return reply


def first(reply: m.Reply) -> dict[str, str]:
    found: dict[str, str] = {}
    for code, value in reply.fields:
        found.setdefault(code, value)
    return found


def logged_in(kiosk) -> Session:  # type: ignore[no-untyped-def]
    session = Session()
    assert call(session, "9300CNkiosk1|COsecret1|CPK1|").fixed == "1"
    return session


def test_login_and_status(kiosk) -> None:  # type: ignore[no-untyped-def]
    session = Session()
    assert dispatch(session, m.parse("2300020261202    101500AOA|AAP001|")) is None  # 96 before login
    status = call(session, "9900302.00")
    assert status.fixed.startswith("NNNNNN")
    assert call(session, "9300CNkiosk1|COwrong|").fixed == "0"
    assert call(session, "9300CNnobody|COsecret1|").fixed == "0"
    session = logged_in(kiosk)
    status = call(session, "9900302.00")
    assert status.fixed[:6] == "YYYYNN" and status.fixed[6:12] == "030003" and status.fixed[-4:] == "2.00"
    assert first(status) == {"AO": "A", "BX": "YYYYYYYYYYYYYYYY", "AM": "Thư viện huyện A", "AN": "Sảnh tầng 1"}
    kiosk.terminal.refresh_from_db()
    assert kiosk.terminal.last_login_at is not None


def test_checkout_goes_through_the_desk_service_as_the_terminal(kiosk) -> None:  # type: ignore[no-untyped-def]
    session = logged_in(kiosk)
    reply = call(session, f"11NN{NOW}{' ' * 18}AOA|AAP001|ABVN0001|AD1234|")
    assert reply.code == "12" and reply.fixed[:4] == "1NNY"
    loan = Loan.objects.get(item=kiosk.book, returned_at__isnull=True)
    assert loan.patron == kiosk.reader and loan.staff == kiosk.terminal.account and loan.library == kiosk.terminal.library
    f = first(reply)
    assert f["AA"] == "P001" and f["AB"] == "VN0001" and f["AJ"] == "Truyện Kiều"
    assert f["AH"] == m.sip_date(loan.due_at.astimezone(m.dt.timezone(m.dt.timedelta(hours=7))))
    assert f["AF"].startswith("Hạn trả: ")
    entry = AuditEntry.objects.get(action="loan.checkout")
    assert entry.actor == kiosk.terminal.account and entry.actor_label == "sip2-kiosk1"
    kiosk.book.refresh_from_db()
    assert kiosk.book.status == ItemStatus.ON_LOAN
    # the kiosk retries the same checkout (timeout): the same loan, success again, no second loan
    again = call(session, f"11NN{NOW}{' ' * 18}AOA|AAP001|ABVN0001|AD1234|")
    assert again.fixed[:4] == "1NNY" and Loan.objects.filter(item=kiosk.book).count() == 1


def test_failed_checkout_is_0NUN_with_empty_due_date(kiosk, net) -> None:  # type: ignore[no-untyped-def]
    session = logged_in(kiosk)
    # wrong or missing PIN on a PIN terminal, unknown items: refused
    assert first(call(session, f"11NN{NOW}{' ' * 18}AOA|AAP001|ABVN0002|AD9999|"))["AF"] == "Mã PIN không đúng."
    assert call(session, f"11NN{NOW}{' ' * 18}AOA|AAP001|ABVN0002|").fixed[:4] == "0NUN"
    unknown = call(session, f"11NN{NOW}{' ' * 18}AOA|AAP001|ABNOPE|AD1234|")
    assert unknown.fixed[:4] == "0NUN" and first(unknown)["AJ"] == ""
    assert Loan.objects.count() == 0
    # a terminal without PINs; the item is on loan to someone else
    kiosk.terminal.patron_pin_required = False
    kiosk.terminal.save()
    session = logged_in(kiosk)
    make_patron("P002", net.a)
    circ.loan_checkout(actor=kiosk.terminal.account, item=kiosk.book, patron=kiosk.reader, desk=net.a)
    reply = call(session, f"11NN{NOW}{' ' * 18}AOA|AAP002|ABVN0001|")
    assert reply.fixed[:4] == "0NUN" and len(reply.fixed) == 22
    assert [code for code, _ in reply.fields] == ["AO", "AA", "AB", "AJ", "AH", "CK", "AF"]
    f = first(reply)
    assert f["AH"] == "" and f["AJ"] == "Truyện Kiều" and f["AF"] == "Tài liệu VN0001 đang được cho mượn."


def test_patron_information_known_unknown_and_summary(kiosk) -> None:  # type: ignore[no-untyped-def]
    session = logged_in(kiosk)
    unknown = call(session, f"63000{NOW}          AOA|AAZZZ|")
    assert unknown.fixed[:14] == "YYYY          " and unknown.fixed[-24:] == "0" * 24
    assert first(unknown)["BL"] == "N" and first(unknown)["AE"] == ""
    circ.loan_checkout(actor=kiosk.terminal.account, item=kiosk.book, patron=kiosk.reader, desk=kiosk.terminal.library)
    circ.fine_charge(actor=kiosk.terminal.account, patron=kiosk.reader, amount=Decimal(15000),
                     desk=kiosk.terminal.library, note="Làm bẩn sách")
    reply = call(session, f"63000{NOW}  Y       AOA|AAP001|AD1234|")
    assert reply.fixed[:14] == " " * 14
    assert reply.fixed[35:] == "0000" "0000" "0001" "0001" "0000" "0000"
    f = first(reply)
    assert f["AE"] == "Nguyễn Thị Lưu" and f["BL"] == "Y" and f["CQ"] == "Y"
    assert f["BH"] == "VND" and f["BV"] == "15000" and f["BF"] == "0912345678"
    assert [v for c, v in reply.fields if c == "AU"] == ["VN0001"]
    fines = call(session, f"63000{NOW}   Y      AOA|AAP001|AD1234|")
    assert [v for c, v in fines.fields if c == "AV"] == ["15000 VND Làm bẩn sách"]
    # no item lists without the PIN on a PIN terminal
    assert not [c for c, _ in call(session, f"63000{NOW}  Y       AOA|AAP001|").fields if c == "AU"]
    status = call(session, f"23000{NOW}AOA|AAP001|AD0000|")
    assert status.code == "24" and first(status)["CQ"] == "N"


def test_checkin_routes_to_a_hold_elsewhere_with_an_alert(kiosk, net, staff_factory) -> None:  # type: ignore[no-untyped-def]
    session = logged_in(kiosk)
    circ.loan_checkout(actor=kiosk.terminal.account, item=kiosk.book, patron=kiosk.reader, desk=net.a)
    waiting = make_patron("P003", net.b, full_name="Lê Văn Đức")
    desk_b = staff_factory("desk_b2", net.b, "circulation")
    circ.hold_place(actor=desk_b, patron=waiting, record=kiosk.book.record, pickup_library=net.b)
    reply = call(session, f"09N{NOW}{NOW}APA|AOA|ABVN0001|")
    assert reply.code == "10" and reply.fixed[:4] == "1YNY"
    f = first(reply)
    assert (f["CV"], f["CT"], f["CY"], f["DA"], f["AA"], f["AQ"]) == ("02", "B", "P003", "Lê Văn Đức", "P001", "A")
    assert Loan.objects.get(item=kiosk.book).returned_at is not None
    assert Hold.objects.get(patron=waiting).state == HoldState.IN_TRANSIT
    plain = call(session, f"09N{NOW}{NOW}APA|AOA|ABVN0002|")
    assert plain.fixed[:4] == "1YNN" and "CV" not in first(plain)
    unknown = call(session, f"09N{NOW}{NOW}APA|AOA|ABNOPE|")
    assert unknown.fixed[:4] == "0NUY"


def test_item_information_is_two_queries(kiosk) -> None:  # type: ignore[no-untyped-def]
    session = logged_in(kiosk)
    with CaptureQueriesContext(connection) as queries:
        reply = call(session, f"17{NOW}AOA|ABVN0001|")
    assert len(queries) == 1
    assert reply.fixed[:6] == "030001"
    assert first(reply) == {"AB": "VN0001", "AJ": "Truyện Kiều", "CK": "001", "AQ": "A", "AP": "A",
                            "CS": "895.9221 NG-D"}
    loan = circ.loan_checkout(actor=kiosk.terminal.account, item=kiosk.book, patron=kiosk.reader,
                              desk=kiosk.terminal.library)
    with CaptureQueriesContext(connection) as queries:
        on_loan = call(session, f"17{NOW}AOA|ABVN0001|")
    assert len(queries) == 2 and on_loan.fixed[:2] == "04"
    assert first(on_loan)["AH"] == m.sip_date(loan.due_at.astimezone(m.dt.timezone(m.dt.timedelta(hours=7))))
    # an RFID pad reads the tag's item id
    kiosk.other.rfid_tag = "E0040150A1B2C3D4"
    kiosk.other.save()
    assert first(call(session, f"17{NOW}AOA|ABE0040150A1B2C3D4|"))["AB"] == "VN0002"
    assert call(session, f"17{NOW}AOA|ABNOPE|").fixed[:2] == "01"
    assert call(session, f"19{NOW}AOA|ABVN0001|CHx|").fixed[:1] == "0"


def test_renew_and_renew_all(kiosk) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    session = logged_in(kiosk)
    two_weeks_ago = timezone.now() - dt.timedelta(days=13)  # due tomorrow: a renewal moves the due date
    for item in (kiosk.book, kiosk.other):
        circ.loan_checkout(actor=kiosk.terminal.account, item=item, patron=kiosk.reader, desk=kiosk.terminal.library,
                           now=two_weeks_ago)
    reply = call(session, f"29NN{NOW}{' ' * 18}AOA|AAP001|AD1234|ABVN0001|")
    assert reply.code == "30" and reply.fixed[:4] == "1YNY"
    assert Loan.objects.get(item=kiosk.book).renewals_count == 1
    every = call(session, f"65{NOW}AOA|AAP001|AD1234|")  # VN0001 was just renewed: its due date cannot move
    assert every.fixed[:9] == "100010001"
    assert [v for c, v in every.fields if c == "BM"] == ["VN0002"]
    assert [v for c, v in every.fields if c == "BN"] == ["VN0001"]
    not_mine = call(session, f"29NN{NOW}{' ' * 18}AOA|AAP001|AD1234|ABNOPE|")
    assert not_mine.fixed[:4] == "0NUN"


def test_fee_paid_in_dong(kiosk) -> None:  # type: ignore[no-untyped-def]
    session = logged_in(kiosk)
    circ.fine_charge(actor=kiosk.terminal.account, patron=kiosk.reader, amount=Decimal(20000),
                     desk=kiosk.terminal.library)
    reply = call(session, f"37{NOW}0100VNDBV5.000|AOA|AAP001|AD1234|BKT-1|")
    assert reply.fixed[:1] == "Y" and first(reply)["BK"] == "T-1"
    assert first(reply)["AF"] == "Đã nhận 5000 đ. Còn nợ 15000 đ."
    again = call(session, f"37{NOW}0100VNDBV5000|AOA|AAP001|AD1234|BKT-1|")  # a retried payment
    assert again.fixed[:1] == "Y" and Fine.objects.get().paid == 5000
    assert call(session, f"37{NOW}0100USDBV5|AOA|AAP001|AD1234|").fixed[:1] == "N"
    too_much = call(session, f"37{NOW}0100VNDBV900000|AOA|AAP001|AD1234|")
    assert too_much.fixed[:1] == "N" and "lớn hơn số còn nợ" in first(too_much)["AF"]
    assert parse_amount("50000.00") == 50000 and parse_amount("1,500,000") == 1500000 and parse_amount("x") is None


def test_hold_place_change_and_cancel(kiosk, net) -> None:  # type: ignore[no-untyped-def]
    session = logged_in(kiosk)
    other_reader = make_patron("P009", net.a)
    circ.loan_checkout(actor=kiosk.terminal.account, item=kiosk.book, patron=other_reader, desk=net.a)
    placed = call(session, f"15+{NOW}AOA|AAP001|AD1234|ABVN0001|BSA|")
    assert placed.fixed[:2] == "1N" and first(placed)["BS"] == "A" and first(placed)["BR"] == "1"
    hold = Hold.objects.get(patron=kiosk.reader)
    elsewhere = call(session, f"15*{NOW}AOA|AAP001|AD1234|ABVN0001|BSB|")  # B is not the kiosk's library
    assert elsewhere.fixed[:1] == "0" and first(elsewhere)["AF"].startswith("Bạn không có quyền")
    moved = call(session, f"15*{NOW}AOA|AAP001|AD1234|ABVN0001|BSC|")
    assert moved.fixed[:1] == "1" and first(moved)["BS"] == "C"
    cancelled = call(session, f"15-{NOW}AOA|AAP001|AD1234|ABVN0001|")
    assert cancelled.fixed[:1] == "1"
    hold.refresh_from_db()
    assert hold.state == HoldState.CANCELLED and hold.pickup_library == net.c


def test_block_and_enable_patron(kiosk) -> None:  # type: ignore[no-untyped-def]
    session = logged_in(kiosk)
    blocked = call(session, f"01Y{NOW}AOA|ALThẻ bị giữ lại|AAP001|")
    assert blocked.code == "24" and blocked.fixed[:4] == "YY Y"
    block = PatronBlock.objects.get(patron=kiosk.reader)
    assert block.reason == "lost_card" and block.created_by == kiosk.terminal.account
    enabled = call(session, f"25{NOW}AOA|AAP001|AD1234|")
    assert enabled.code == "26" and enabled.fixed[:14] == " " * 14
    block.refresh_from_db()
    assert block.lifted_at is not None
    end = call(session, f"35{NOW}AOA|AAP001|")
    assert end.fixed[:1] == "Y" and first(end)["AF"] == "Xin cảm ơn, hẹn gặp lại."


def test_a_tls_terminal_cannot_log_in_over_plain_tcp(kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk.terminal.tls_required = True
    kiosk.terminal.save()
    assert call(Session(tls=False), "9300CNkiosk1|COsecret1|").fixed == "0"
    assert call(Session(tls=True), "9300CNkiosk1|COsecret1|").fixed == "1"
    kiosk.terminal.is_active = False
    kiosk.terminal.save()
    assert call(Session(tls=True), "9300CNkiosk1|COsecret1|").fixed == "0"


def test_sip2_terminal_command(net) -> None:  # type: ignore[no-untyped-def]
    import io

    import pytest
    from django.core.management import CommandError, call_command

    from thuvien.protocols.models import Sip2Terminal

    call_command("sip2_terminal", "add", "drop1", "--library", "B", "--password", "hopTra123",
                 "--encoding", "ascii", "--line-end", "crlf", "--no-pin", stdout=io.StringIO())
    t = Sip2Terminal.objects.get(login="drop1")
    assert (t.library, t.encoding, t.line_end, t.patron_pin_required) == (net.b, "ascii", "crlf", False)
    assert call(Session(), "9300CNdrop1|COhopTra123|").fixed == "1"
    call_command("sip2_terminal", "set", "drop1", "--password", "moiMoi456", stdout=io.StringIO())
    assert call(Session(), "9300CNdrop1|COhopTra123|").fixed == "0"
    out = io.StringIO()
    call_command("sip2_terminal", "list", stdout=out)
    assert out.getvalue().startswith("drop1\tB\tascii\tcrlf\ton\t")
    with pytest.raises(CommandError, match="Không có thư viện"):
        call_command("sip2_terminal", "add", "x", "--library", "ZZ", "--password", "abcdef")
    with pytest.raises(CommandError, match="ít nhất 6"):
        call_command("sip2_terminal", "add", "y", "--library", "B", "--password", "abc")


def test_each_pin_is_checked_once_per_request_by_the_wrappable_check(kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A lockout helper wraps patrons.auth.patron_pin_check: the server's read-thread precheck and the
    handler together call it once per request, right or wrong, and never with the portal password path."""
    from thuvien.patrons import auth
    from thuvien.protocols.sip2.handlers import precheck

    calls: list[str] = []
    real = auth.patron_pin_check

    def counting(*, patron, pin):  # type: ignore[no-untyped-def]
        calls.append(pin)
        return real(patron=patron, pin=pin)

    monkeypatch.setattr(auth, "patron_pin_check", counting)
    session = logged_in(kiosk)
    for pin in ("9999", "9999", "1234", "1234"):
        req = m.parse(f"11NN{NOW}{' ' * 18}AOA|AAP001|ABNOPE|AD{pin}|")
        precheck(session, req)
        reply = dispatch(session, req)
        assert reply is not None
        assert first(reply)["AF"] == ("Mã PIN không đúng." if pin == "9999" else "Không tìm thấy tài liệu có mã vạch này.")
    assert calls == ["9999", "9999", "1234"]  # the right PIN is remembered for the connection
