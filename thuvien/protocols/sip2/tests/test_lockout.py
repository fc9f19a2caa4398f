"""SIP2 doors behind the login lockout: the terminal login (93) and reader PIN checks (AD) count failures
per account and per terminal address, refuse before hashing once locked, and are recorded as LoginEvents."""

from __future__ import annotations

from unittest import mock

from django.test import override_settings

from thuvien.core.models import LoginEvent
from thuvien.protocols.sip2 import messages as m
from thuvien.protocols.sip2.handlers import Session, dispatch
from thuvien.protocols.sip2.tests.fixtures import NOW


def call(session: Session, text: str) -> m.Reply:
    reply = dispatch(session, m.parse(text))
    assert reply is not None
    return reply


@override_settings(THUVIEN_LOGIN_MAX_FAILURES=3, THUVIEN_LOGIN_MAX_FAILURES_PER_IP=100)
def test_terminal_login_locks_out_per_terminal(kiosk) -> None:  # type: ignore[no-untyped-def]
    session = Session(peer="10.1.2.3")
    for _ in range(3):
        assert call(session, "9300CNkiosk1|COwrong|").fixed == "0"
    failed = LoginEvent.objects.filter(kind="failed", door="sip2")
    assert failed.count() == 3 and set(failed.values_list("username", "ip")) == {("sip2-kiosk1", "10.1.2.3")}
    assert failed.first().user == kiosk.terminal.account  # type: ignore[union-attr]  # its library's managers see it
    with mock.patch("thuvien.protocols.sip2.handlers.terminal_authenticate") as check:
        assert call(Session(peer="10.9.9.9"), "9300CNkiosk1|COsecret1|").fixed == "0"  # right password, locked
        check.assert_not_called()  # refused before the password is hashed
    assert LoginEvent.objects.filter(kind="locked", door="sip2", username="sip2-kiosk1").count() == 1
    # another terminal is not affected
    assert call(Session(peer="10.1.2.3"), "9300CNnobody|COx|").fixed == "0"
    assert LoginEvent.objects.filter(kind="failed", username="sip2-nobody").count() == 1


@override_settings(THUVIEN_LOGIN_MAX_FAILURES=100, THUVIEN_LOGIN_MAX_FAILURES_PER_IP=4)
def test_terminal_login_locks_out_per_address(kiosk) -> None:  # type: ignore[no-untyped-def]
    for n in range(4):
        assert call(Session(peer="10.7.7.7"), f"9300CNguess{n}|COx|").fixed == "0"
    assert call(Session(peer="10.7.7.7"), "9300CNkiosk1|COsecret1|").fixed == "0"
    assert LoginEvent.objects.filter(kind="locked", ip="10.7.7.7").count() == 1
    ok = Session(peer="10.1.1.1")
    assert call(ok, "9300CNkiosk1|COsecret1|").fixed == "1"
    assert LoginEvent.objects.filter(kind="login", door="sip2", username="sip2-kiosk1", ip="10.1.1.1").count() == 1


@override_settings(THUVIEN_LOGIN_MAX_FAILURES=3, THUVIEN_LOGIN_MAX_FAILURES_PER_IP=100)
def test_patron_pin_checks_count_and_lock_the_reader(kiosk) -> None:  # type: ignore[no-untyped-def]
    session = Session(peer="10.1.2.3")
    assert call(session, "9300CNkiosk1|COsecret1|").fixed == "1"
    status = f"2300{NOW}AOA|AAP001|AD"
    for pin in ("0000", "1111", "2222"):
        reply = call(session, status + pin + "|")
        assert ("CQ", "N") in reply.fields
    # the same wrong PIN repeated (precheck + write thread, or a kiosk retry) is counted once
    call(session, status + "2222|")
    failed = LoginEvent.objects.filter(kind="failed", door="sip2", username="p001")
    assert failed.count() == 3 and failed.first().user == kiosk.reader.user  # type: ignore[union-attr]
    assert set(failed.values_list("user_agent", flat=True)) == {"SIP2 kiosk1"}
    # now locked: even the right PIN is refused, on another terminal too, and a checkout with it fails
    other = Session(peer="10.4.4.4")
    assert call(other, "9300CNkiosk1|COsecret1|").fixed == "1"
    assert ("CQ", "N") in call(other, status + "1234|").fields
    checkout = call(other, f"11NN{NOW}{' ' * 18}AOA|AAP001|ABVN0001|AD1234|")
    assert checkout.fixed[:1] == "0"
    assert LoginEvent.objects.filter(kind="locked", door="sip2", username="p001").count() >= 1
    # the portal login of the same reader (by card number) is locked too: one account, one count
    from thuvien.core.authn import login_refusal
    assert login_refusal(username="P001", ip=None)


def test_right_pin_is_not_recorded_as_failure(kiosk) -> None:  # type: ignore[no-untyped-def]
    session = Session(peer="10.1.2.3")
    call(session, "9300CNkiosk1|COsecret1|")
    assert ("CQ", "Y") in call(session, f"2300{NOW}AOA|AAP001|AD1234|").fields
    assert not LoginEvent.objects.filter(kind="failed").exists()
