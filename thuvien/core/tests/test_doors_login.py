"""Doors and logging in (issue 12: V5, V8, V12-V14, V18)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from thuvien.core.middleware import LAST_SEEN
from thuvien.core.models import LoginEvent, Role, User
from thuvien.core.services import staff_create
from thuvien.core.tests.fixtures import make_staff
from thuvien.patrons import services as patrons
from thuvien.patrons.models import DataRequest, Patron, PatronCategory, PatronStatus
from thuvien.patrons.tests.fixtures import make_patron


@pytest.fixture
def reader(net) -> Patron:  # type: ignore[no-untyped-def]
    patron = make_patron("R100", net.a, email="lan@example.vn", status=PatronStatus.PENDING)
    patrons.patron_set_password(actor=None, patron=patron, password="mat-khau-dai-9")
    return Patron.objects.select_related("user").get(pk=patron.pk)


STAFF_PAGES = ["/staff/", "/staff/network/", "/staff/network/P/", "/staff/circ/", "/staff/interop/",
               "/staff/catalog/", "/staff/accounts/"]


def test_a_reader_cannot_log_in_at_the_staff_door(client, reader):
    response = client.post(reverse("staff:login"), {"username": "R100", "password": "mat-khau-dai-9"})
    assert response.status_code == 200
    assert "cửa đăng nhập của cán bộ" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.get().kind == LoginEvent.Kind.FAILED


def test_a_reader_logged_in_at_the_portal_is_refused_every_staff_page(client, reader):
    response = client.post(reverse("opac:account_login"), {"username": "R100", "password": "mat-khau-dai-9"})
    assert response.status_code == 302
    for url in STAFF_PAGES:
        page = client.get(url)
        assert page.status_code == 403, url
        assert "Chỉ cán bộ thư viện" in page.content.decode()
    event = LoginEvent.objects.get()
    assert (event.kind, event.door, event.username, event.user_id) == ("login", "portal", "r100", reader.user_id)


def test_staff_log_in_and_out_are_recorded(client, net):
    make_staff("thu", net.a, Role.CIRCULATION)
    response = client.post(reverse("staff:login"), {"username": "thu", "password": "pw-thu"})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    client.post(reverse("staff:logout"))
    assert list(LoginEvent.objects.order_by("pk").values_list("kind", "door")) == [("login", "staff"),
                                                                                  ("logout", "staff")]


def test_lockout_refuses_before_hashing_and_is_recorded(client, net, settings, django_assert_max_num_queries):
    settings.THUVIEN_LOGIN_MAX_FAILURES = 5
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_staff("thu", net.a, Role.CIRCULATION)
    user.password = make_password("pw-thu")
    user.save()
    for _ in range(5):
        assert client.post(reverse("staff:login"), {"username": "thu", "password": "wrong"}).status_code == 200
    assert LoginEvent.objects.filter(kind="failed", username="thu").count() == 5
    # locked now, even with the right password; no password check happens (see hashing below)
    from django.contrib.auth import hashers
    calls: list[str] = []
    original = hashers.Argon2PasswordHasher.verify

    def counting(self, password, encoded):  # type: ignore[no-untyped-def]
        calls.append(password)
        return original(self, password, encoded)
    hashers.Argon2PasswordHasher.verify = counting  # type: ignore[method-assign]
    try:
        response = client.post(reverse("staff:login"), {"username": "thu", "password": "pw-thu"})
    finally:
        hashers.Argon2PasswordHasher.verify = original  # type: ignore[method-assign]
    assert response.status_code == 200 and "tạm khoá" in response.content.decode()
    assert calls == []
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.filter(kind="locked", username="thu").count() == 1
    # the window passes: the right password works again
    LoginEvent.objects.update(at=LoginEvent.objects.first().at - dt.timedelta(minutes=16))  # type: ignore[union-attr]
    cache.clear()  # the process's memory of the lock expires with the window too (see LockedAddressMiddleware)
    assert client.post(reverse("staff:login"), {"username": "thu", "password": "pw-thu"}).status_code == 302


def test_lockout_per_address(client, net, settings):
    settings.THUVIEN_LOGIN_MAX_FAILURES_PER_IP = 3
    for n in range(3):
        client.post(reverse("opac:account_login"), {"username": f"nobody{n}", "password": "x"})
    make_staff("thu", net.a, Role.CIRCULATION)
    response = client.post(reverse("staff:login"), {"username": "thu", "password": "pw-thu"})
    assert "địa chỉ này" in response.content.decode()
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post(reverse("staff:login"), {"username": "thu", "password": "pw-thu"}).status_code == 302


def test_idle_staff_session_ends_after_30_minutes(client, net):
    user = make_staff("thu", net.a, Role.CIRCULATION)
    client.force_login(user)
    assert client.get("/staff/").status_code == 200
    session = client.session
    session[LAST_SEEN] = session[LAST_SEEN] - 31 * 60
    session.save()
    response = client.get("/staff/network/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("staff:login"))
    assert client.get("/staff/").status_code == 302
    assert LoginEvent.objects.get().kind == "timeout"


@pytest.mark.parametrize("password", ["12345678", "password1", "thu"])
def test_weak_passwords_refused_for_staff_creation(net, admin_user, password):
    with pytest.raises(ValidationError) as refused:
        staff_create(actor=admin_user, username="thu", password=password, home_unit=net.a)
    assert "password" in refused.value.message_dict
    assert not User.objects.filter(username="thu").exists()


def test_weak_password_refused_for_self_registration_and_reset(net):
    data = {"full_name": "Lò Thị Lan", "category": PatronCategory.objects.get(code="adult"), "email": "a@example.vn",
            "birth_date": dt.date(1990, 1, 1)}
    with pytest.raises(ValidationError) as refused:
        patrons.patron_self_register(home_library=net.a, data=data, consents=["service"], password="12345678")
    assert "password" in refused.value.message_dict
    assert not Patron.objects.exists()
    patron = patrons.patron_self_register(home_library=net.a, data=data, consents=["service"], password="Lan-1990-Ha-Noi")
    with pytest.raises(ValidationError):
        patrons.patron_set_password(actor=None, patron=patron, password="12345678")


def test_registration_cannot_take_over_an_email_in_use(net, reader):
    data = {"full_name": "Kẻ Khác", "category": PatronCategory.objects.get(code="adult"), "email": "LAN@example.vn",
            "birth_date": dt.date(1990, 1, 1)}
    with pytest.raises(ValidationError) as refused:
        patrons.patron_self_register(home_library=net.a, data=data, consents=["service"], password="Lan-1990-Ha-Noi")
    assert "email" in refused.value.message_dict
    assert Patron.objects.count() == 1


def test_changing_the_email_needs_the_current_password(net, reader):
    with pytest.raises(ValidationError) as refused:
        patrons.patron_update_self(patron=reader, data={"email": "evil@example.com"})
    assert "current_password" in refused.value.message_dict
    with pytest.raises(ValidationError):
        patrons.patron_update_self(patron=reader, data={"email": "evil@example.com"}, current_password="wrong")
    assert Patron.objects.get(pk=reader.pk).email == "lan@example.vn"
    patrons.patron_update_self(patron=reader, data={"email": "lan2@example.vn", "phone": "0912"},
                               current_password="mat-khau-dai-9")
    reader.refresh_from_db()
    assert (reader.email, reader.phone, User.objects.get(pk=reader.user_id).email) == (
        "lan2@example.vn", "0912", "lan2@example.vn")
    patrons.patron_update_self(patron=reader, data={"phone": "0913"})  # other fields need no password


def test_export_is_post_only(client, reader):
    client.force_login(reader.user)
    assert client.get(reverse("opac:account_export")).status_code == 405
    assert not DataRequest.objects.exists()
    response = client.post(reverse("opac:account_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert DataRequest.objects.count() == 1


def test_csp_and_no_inline_scripts(client, net):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    html = response.content.decode()
    assert " onchange=" not in html and " onclick=" not in html


def test_two_factor_required_for_managers_then_asked_at_every_login(client, net, settings):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.THUVIEN_REQUIRE_2FA = True
    make_staff("quanly", net.a, Role.LIBRARY_MANAGER)
    desk = make_staff("thu", net.a, Role.CIRCULATION)
    assert client.post(reverse("staff:login"), {"username": "quanly", "password": "pw-quanly"}).status_code == 302
    assert client.get("/staff/network/")["Location"] == "/staff/2fa/"  # must set up the app first
    page = client.get("/staff/2fa/").content.decode()
    device = TOTPDevice.objects.get(user__username="quanly")
    assert 'id="secret"' in page
    assert "Mã không đúng" in client.post("/staff/2fa/", {"code": "000000"}).content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a wrong code
    code = f"{totp(device.bin_key):06d}"
    page = client.post("/staff/2fa/", {"code": code}).content.decode()
    assert page.count("<li><code>") == 10
    recovery = page.split("<li><code>")[1].split("</code>")[0]
    assert client.get("/staff/network/").status_code == 200
    client.post(reverse("staff:logout"))
    # next login: password, then the code; a wrong code is a recorded failure
    response = client.post(reverse("staff:login"), {"username": "quanly", "password": "pw-quanly"})
    assert response["Location"] == reverse("staff:login_code")
    assert client.get("/staff/").status_code == 302  # not logged in yet
    assert "Mã không đúng" in client.post(reverse("staff:login_code"), {"code": "123456"}).content.decode()
    assert LoginEvent.objects.filter(kind="failed", username="quanly").count() == 1
    assert client.post(reverse("staff:login_code"), {"code": recovery})["Location"] == "/staff/"
    assert client.get("/staff/network/").status_code == 200
    client.post(reverse("staff:logout"))
    client.post(reverse("staff:login"), {"username": "quanly", "password": "pw-quanly"})
    assert client.post(reverse("staff:login_code"), {"code": recovery}).status_code == 200  # used once only
    # a circulation desk is not obliged to use it
    client.force_login(desk)
    assert client.get("/staff/network/").status_code == 200
