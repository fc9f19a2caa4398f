"""The staff page for SIP2 terminals and device tokens."""

from __future__ import annotations

from django.test import Client

from thuvien.api.models import DeviceToken
from thuvien.protocols.models import Sip2Terminal


def test_manager_adds_a_terminal_and_a_token_then_revokes_it(net, manager_a, desk_a) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(desk_a)
    assert client.get("/staff/devices/").status_code == 403  # circulation staff do not manage devices
    client.force_login(manager_a)
    page = client.get("/staff/devices/").content.decode()
    assert "Thêm máy SIP2" in page and "Chưa có máy SIP2 nào." in page
    r = client.post("/staff/devices/terminals/add/", {
        "login": "kiosk-a", "password": "secret1", "library": net.a.pk, "location": "Phòng đọc thiếu nhi",
        "encoding": "cp850", "line_end": "crlf", "error_detection": "on", "patron_pin_required": "on"})
    assert r.status_code == 302
    terminal = Sip2Terminal.objects.get(login="kiosk-a")
    assert (terminal.library, terminal.encoding, terminal.line_end, terminal.tls_required) == (net.a, "cp850", "crlf", False)
    assert not terminal.account.has_usable_password()
    bad = client.post("/staff/devices/terminals/add/", {"login": "kiosk-a", "password": "secret1", "library": net.a.pk,
                                                        "encoding": "utf-8", "line_end": "cr"})
    assert bad.status_code == 200 and "Đã có máy tự phục vụ tên “kiosk-a”." in bad.content.decode()
    r = client.post("/staff/devices/tokens/add/", {"name": "Cổng tầng 1", "library": net.a.pk, "scopes": ["visits"]},
                    follow=True)
    token = DeviceToken.objects.get()
    text = r.content.decode()
    assert "Khoá của Cổng tầng 1" in text and f"tvd_{token.prefix}_" in text
    client.post(f"/staff/devices/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.post(f"/staff/devices/terminals/{terminal.pk}/toggle/")
    terminal.refresh_from_db()
    assert not terminal.is_active and not terminal.account.is_active
    page = client.get("/staff/devices/").content.decode()
    assert "kiosk-a" in page and "Đã thu hồi" in page
