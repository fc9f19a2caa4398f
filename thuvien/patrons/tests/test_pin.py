"""The self-check PIN: 4-6 digits, hashed, separate from the portal password; set by the reader in the
portal (confirmed with the password) and by staff at the desk (audited, never shown); checked by one
function (`patron_pin_check`) that SIP2 and the kiosk API both use."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from thuvien.api.devices import token_create
from thuvien.circulation.models import Loan
from thuvien.core.models import AuditEntry
from thuvien.patrons.auth import patron_pin_check
from thuvien.patrons.models import Patron
from thuvien.patrons.services import patron_clear_pin, patron_erase, patron_set_password, patron_set_pin

PORTAL_PASSWORD = "Sach-hay-cho-ban-2026"


@pytest.fixture
def reader(net, patron_factory) -> Patron:  # type: ignore[no-untyped-def]
    patron = patron_factory("K1", net.a)
    patron_set_password(actor=None, patron=patron, password=PORTAL_PASSWORD)
    patron.refresh_from_db()
    return patron


def test_pin_is_hashed_checked_and_separate_from_the_portal_password(reader, desk_a) -> None:  # type: ignore[no-untyped-def]
    assert not patron_pin_check(patron=reader, pin="4821")  # no PIN yet
    assert not patron_pin_check(patron=reader, pin=PORTAL_PASSWORD)
    patron_set_pin(actor=desk_a, patron=reader, pin=" 4821 ")
    reader.refresh_from_db()
    assert reader.pin_hash.startswith("md5$") and "4821" not in reader.pin_hash  # the test hasher; Argon2 in production
    assert patron_pin_check(patron=reader, pin="4821")
    assert not patron_pin_check(patron=reader, pin="4822")
    assert not patron_pin_check(patron=reader, pin=PORTAL_PASSWORD)  # the portal password is not a PIN
    assert not patron_pin_check(patron=reader, pin=None)
    assert reader.user.check_password(PORTAL_PASSWORD)  # and the PIN did not touch the password
    entry = AuditEntry.objects.get(action="patron.set_pin")
    assert (entry.actor, entry.unit, entry.object_repr) == (desk_a, reader.home_library, "K1")
    assert "4821" not in json.dumps(entry.changes, default=str)
    patron_clear_pin(actor=desk_a, patron=reader)
    reader.refresh_from_db()
    assert reader.pin_hash == "" and not patron_pin_check(patron=reader, pin="4821")
    assert AuditEntry.objects.filter(action="patron.clear_pin").count() == 1


@pytest.mark.parametrize(("pin", "message"), [
    ("123", "Mã PIN gồm 4 đến 6 chữ số."), ("1234567", "Mã PIN gồm 4 đến 6 chữ số."),
    ("12a4", "Mã PIN gồm 4 đến 6 chữ số."), ("١٢٣٤", "Mã PIN gồm 4 đến 6 chữ số."), ("", "Mã PIN gồm 4 đến 6 chữ số."),
    ("0000", "Mã PIN không được gồm một chữ số lặp lại."),
])
def test_bad_pins_are_refused_with_a_reason(reader, desk_a, pin, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        patron_set_pin(actor=desk_a, patron=reader, pin=pin)
    assert exc.value.message_dict == {"pin": [message]}
    assert Patron.objects.get(pk=reader.pk).pin_hash == ""


def test_pin_permission_is_at_the_readers_home_library(net, reader, staff_factory) -> None:  # type: ignore[no-untyped-def]
    desk_b = staff_factory("desk_b", net.b, "circulation")
    with pytest.raises(PermissionDenied):
        patron_set_pin(actor=desk_b, patron=reader, pin="4821")
    patron_set_pin(actor=reader.user, patron=reader, pin="4821")  # the reader may set their own
    other = Patron.objects.create(card_number="K2", full_name="Người khác", category=reader.category,
                                  home_library=net.a, expires_on=reader.expires_on)
    with pytest.raises(PermissionDenied):
        patron_set_pin(actor=reader.user, patron=other, pin="4821")  # but nobody else's


def test_an_erased_reader_has_no_pin(reader, admin_user) -> None:  # type: ignore[no-untyped-def]
    patron_set_pin(actor=admin_user, patron=reader, pin="4821")
    patron_erase(actor=admin_user, patron=reader)
    reader.refresh_from_db()
    assert reader.pin_hash == "" and not patron_pin_check(patron=reader, pin="4821")


def test_reader_sets_the_pin_in_the_portal_with_every_error_shown(reader) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(reader.user)
    page = client.get("/account/?tab=data").content.decode()
    assert "Bạn chưa đặt mã PIN." in page and 'id="pin-form"' in page
    bad = client.post("/account/", {"action": "pin", "current_password": "wrong", "pin": "4821", "pin2": "4812"})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Có 2 lỗi cần sửa" in page
    assert "Mật khẩu hiện tại</a>: Mật khẩu hiện tại không đúng." in page
    assert "Nhập lại mã PIN</a>: Hai lần nhập mã PIN không giống nhau." in page
    short = client.post("/account/", {"action": "pin", "current_password": PORTAL_PASSWORD, "pin": "12", "pin2": "12"})
    assert short.status_code == 400 and "Mã PIN mới (4–6 chữ số)</a>: Mã PIN gồm 4 đến 6 chữ số." in short.content.decode()
    assert Patron.objects.get(pk=reader.pk).pin_hash == ""
    ok = client.post("/account/", {"action": "pin", "current_password": PORTAL_PASSWORD, "pin": "4821",
                                   "pin2": "4821"})
    assert ok.status_code == 302 and ok.url == "/account/?tab=data"
    reader.refresh_from_db()
    assert patron_pin_check(patron=reader, pin="4821")
    page = client.get("/account/?tab=data").content.decode()
    assert "Bạn đã đặt mã PIN." in page and "4821" not in page
    assert AuditEntry.objects.get(action="patron.set_pin").actor == reader.user


def test_staff_set_and_clear_the_pin_at_the_desk(reader, desk_a) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(desk_a)
    page = client.get("/staff/circ/patrons/K1/").content.decode()
    assert ">Đặt mã PIN</button>" in page and "Xoá mã PIN" not in page
    r = client.post("/staff/circ/patrons/K1/", {"action": "set_pin", "pin": "12"}, follow=True)
    assert "Mã PIN gồm 4 đến 6 chữ số." in r.content.decode()
    r = client.post("/staff/circ/patrons/K1/", {"action": "set_pin", "pin": "4821"}, follow=True)
    page = r.content.decode()
    assert "Đã đặt mã PIN cho bạn đọc." in page and ">Đổi mã PIN</button>" in page and "4821" not in page
    reader.refresh_from_db()
    assert patron_pin_check(patron=reader, pin="4821")
    client.post("/staff/circ/patrons/K1/", {"action": "clear_pin"})
    assert Patron.objects.get(pk=reader.pk).pin_hash == ""
    assert list(AuditEntry.objects.filter(action__in=["patron.set_pin", "patron.clear_pin"])
                .order_by("pk").values_list("action", "actor__username")) == [
        ("patron.set_pin", "desk_a"), ("patron.clear_pin", "desk_a")]


def _post(client: Client, key: str, path: str, body: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = client.post(path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    return r.status_code, r.json()


def test_http_kiosk_needs_the_pin(net, reader, admin_user, base_rule, item_factory) -> None:  # type: ignore[no-untyped-def]
    _, key = token_create(actor=admin_user, name="Kiosk HTTP", library=net.a, scopes=["circulation"])
    item_factory("VN-H1", net.a)
    patron_set_pin(actor=admin_user, patron=reader, pin="4821")
    client = Client()
    body = {"item_barcode": "VN-H1", "card_number": "K1", "desk": "A"}
    assert _post(client, key, "/api/v1/circ/checkout", body) == (403, {"detail": "Mã PIN không đúng.", "reasons": []})
    assert _post(client, key, "/api/v1/circ/checkout", {**body, "pin": PORTAL_PASSWORD})[0] == 403
    assert _post(client, key, "/api/v1/circ/checkout", {**body, "pin": "4822"})[0] == 403
    assert not Loan.objects.exists()
    status, out = _post(client, key, "/api/v1/circ/checkout", {**body, "pin": "4821"})
    assert status == 200 and out["card_number"] == "K1"
    loan = Loan.objects.get()
    assert _post(client, key, "/api/v1/circ/renew", {"loan": str(loan.uuid)})[0] == 403
