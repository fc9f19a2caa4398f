"""A storm of wrong logins from one address: once the address is locked, further login POSTs from it are
answered 429 before the session, the form or the database are touched (a cache lookup each), until the
window ends; other addresses and other pages are not affected."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thuvien.core.authn import LOCKED_IP_KEY
from thuvien.core.models import LoginEvent

pytestmark = pytest.mark.django_db


def test_a_locked_address_is_refused_at_once_without_database_work(client, settings):
    settings.THUVIEN_LOGIN_MAX_FAILURES_PER_IP = 3
    settings.THUVIEN_LOGIN_MAX_FAILURES = 100
    for n in range(3):  # three wrong passwords, each a real check, each recorded
        r = client.post("/account/login/", {"username": f"nobody{n}", "password": "sai-mat-khau"},
                        REMOTE_ADDR="172.16.0.9")
        assert r.status_code == 200
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.FAILED, ip="172.16.0.9").count() == 3
    r = client.post("/account/login/", {"username": "nobody9", "password": "sai"}, REMOTE_ADDR="172.16.0.9")
    assert r.status_code == 200 and "Quá nhiều lần đăng nhập sai từ địa chỉ này" in r.content.decode()
    assert cache.get(LOCKED_IP_KEY.format(ip="172.16.0.9")) == 1  # the database said so once: remembered
    events = LoginEvent.objects.count()
    for path in ("/account/login/", "/staff/login/"):
        with CaptureQueriesContext(connection) as queries:
            r = client.post(path, {"username": "nobody9", "password": "sai"}, REMOTE_ADDR="172.16.0.9")
        assert r.status_code == 429 and r["Retry-After"] == str(settings.THUVIEN_LOGIN_WINDOW_MINUTES * 60)
        assert "Quá nhiều lần đăng nhập sai từ địa chỉ này" in r.content.decode()
        assert len(queries) == 0 and "sessionid" not in r.cookies
    assert LoginEvent.objects.count() == events
    # another address still gets the login page and its real check; pages other than logins are served
    r = client.post("/account/login/", {"username": "nobody9", "password": "sai"}, REMOTE_ADDR="172.16.0.10")
    assert r.status_code == 200
    assert client.get("/account/login/", REMOTE_ADDR="172.16.0.9").status_code == 429  # not even the form
    assert client.get("/", REMOTE_ADDR="172.16.0.9").status_code == 200  # the rest of the portal is served
    cache.delete(LOCKED_IP_KEY.format(ip="172.16.0.9"))  # the window's end: the database decides again
    r = client.post("/account/login/", {"username": "nobody9", "password": "sai"}, REMOTE_ADDR="172.16.0.9")
    assert r.status_code == 200 and "Quá nhiều lần đăng nhập sai từ địa chỉ này" in r.content.decode()


def test_a_locked_account_is_refused_at_once_from_any_address(client, settings):
    settings.THUVIEN_LOGIN_MAX_FAILURES = 3
    settings.THUVIEN_LOGIN_MAX_FAILURES_PER_IP = 100
    for n in range(3):
        client.post("/account/login/", {"username": "Nguoi-Doc", "password": "sai"}, REMOTE_ADDR=f"10.0.0.{n}")
    r = client.post("/account/login/", {"username": "nguoi-doc", "password": "sai"}, REMOTE_ADDR="10.0.0.7")
    assert r.status_code == 200 and "Tài khoản tạm khoá" in r.content.decode()  # the database's refusal
    with CaptureQueriesContext(connection) as queries:
        r = client.post("/staff/login/", {"username": " NGUOI-DOC ", "password": "sai"}, REMOTE_ADDR="10.0.0.8")
    assert r.status_code == 429 and "Tài khoản tạm khoá" in r.content.decode() and len(queries) == 0
    r = client.post("/account/login/", {"username": "nguoi-khac", "password": "sai"}, REMOTE_ADDR="10.0.0.8")
    assert r.status_code == 200  # another account from the same address is checked as usual


def test_an_address_that_keeps_trying_a_locked_account_is_locked_itself(client, settings):
    settings.THUVIEN_LOGIN_MAX_FAILURES = 2
    settings.THUVIEN_LOGIN_MAX_FAILURES_PER_IP = 3
    statuses = [client.post("/account/login/", {"username": "ke-do-mat-khau", "password": "sai"},
                            REMOTE_ADDR="172.16.1.1").status_code for _ in range(6)]
    # 2 failures, the database's refusal of the locked account, then 3 refused at once: the address is locked
    assert statuses == [200, 200, 200, 429, 429, 429]
    r = client.get("/account/login/", REMOTE_ADDR="172.16.1.1")
    assert r.status_code == 429 and "Quá nhiều lần đăng nhập sai từ địa chỉ này" in r.content.decode()
    assert client.get("/account/login/", REMOTE_ADDR="172.16.1.2").status_code == 200
