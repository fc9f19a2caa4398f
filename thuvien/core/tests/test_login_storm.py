"""A storm of wrong logins from one address: once the address is locked, further login POSTs from it are
answered 429 before the session, the form or the database are touched (a cache lookup each), until the
window ends; other addresses and other pages are not affected."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thuvien.core import authn
from thuvien.core.authn import LOCKED_IP_KEY
from thuvien.core.models import LoginEvent, User
from thuvien.core.tests.fixtures import CountingHasher

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


@pytest.fixture
def budget(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """One password check a second for suspect attempts (the production default), a counting hasher and a
    clock that stands still at second 1000 until the test moves it."""
    settings.THUVIEN_LOGIN_SUSPECT_CHECKS_PER_S = 1
    settings.PASSWORD_HASHERS = ["thuvien.core.tests.fixtures.CountingHasher"]
    CountingHasher.checks = 0
    clock = SimpleNamespace(time=lambda: 1000.5)
    monkeypatch.setattr(authn, "time", clock)
    return clock


def test_a_suspect_address_gets_one_password_check_a_second_and_others_are_served(client, budget):
    r = client.post("/account/login/", {"username": "nobody1", "password": "sai"}, REMOTE_ADDR="172.16.5.1")
    assert r.status_code == 200 and CountingHasher.checks == 1  # the first failure: a real check (dummy hash)
    statuses, queries_seen = [], []
    for _ in range(30):
        with CaptureQueriesContext(connection) as queries:
            r = client.post("/account/login/", {"username": "nobody1", "password": "sai"}, REMOTE_ADDR="172.16.5.1")
        statuses.append(r.status_code)
        queries_seen.append(len(queries))
        if r.status_code == 429:
            assert r.content.decode() == "Có quá nhiều lần đăng nhập sai; hãy thử lại sau ít giây."
            assert r["Retry-After"] == "2" and "sessionid" not in r.cookies
    # this second's one check went to the first attempt; the other 29 never reached the session or the form
    assert statuses == [200] + [429] * 29
    assert queries_seen[1:] == [0] * 29
    assert CountingHasher.checks == 2
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.FAILED, ip="172.16.5.1").count() == 2
    # meanwhile an address with no failure logs in as usual, and searches and pages are served
    r = client.post("/account/login/", {"username": "nobody2", "password": "sai"}, REMOTE_ADDR="172.16.5.2")
    assert r.status_code == 200 and CountingHasher.checks == 3
    assert client.get("/search/?q=lịch sử", REMOTE_ADDR="172.16.5.3").status_code == 200
    assert client.get("/", REMOTE_ADDR="172.16.5.1").status_code == 200
    budget.time = lambda: 1001.2  # the next second: one more check
    r = client.post("/account/login/", {"username": "nobody1", "password": "sai"}, REMOTE_ADDR="172.16.5.1")
    assert r.status_code == 200 and CountingHasher.checks == 4


def test_an_account_that_failed_is_suspect_from_any_address(client, budget):
    client.post("/account/login/", {"username": "Ban-Doc", "password": "sai"}, REMOTE_ADDR="10.1.0.1")
    r = client.post("/account/login/", {"username": "Ban-Doc", "password": "sai"}, REMOTE_ADDR="10.1.0.1")
    assert r.status_code == 200  # suspect, and takes this second's one check
    r = client.post("/account/login/", {"username": " ban-doc ", "password": "sai"}, REMOTE_ADDR="10.1.0.2")
    assert r.status_code == 429 and CountingHasher.checks == 2
    r = client.post("/account/login/", {"username": "nguoi-khac", "password": "sai"}, REMOTE_ADDR="10.1.0.3")
    assert r.status_code == 200 and CountingHasher.checks == 3  # another account from a clean address


def test_a_right_password_clears_the_account_not_the_address(client, budget, net):
    User.objects.create_user(username="thu-thu", password="dung-mat-khau", home_unit=net.a)
    client.post("/account/login/", {"username": "thu-thu", "password": "sai"}, REMOTE_ADDR="10.2.0.1")
    budget.time = lambda: 1001.5
    r = client.post("/account/login/", {"username": "thu-thu", "password": "dung-mat-khau"}, REMOTE_ADDR="10.2.0.2")
    assert r.status_code == 302 and LoginEvent.objects.filter(kind=LoginEvent.Kind.LOGIN).count() == 1
    assert not authn.login_suspect(username="thu-thu", ip="10.2.0.2")
    assert authn.login_suspect(username="someone", ip="10.2.0.1")  # the address that failed stays suspect


def test_an_address_that_goes_on_past_the_budget_is_locked(client, budget, settings, caplog):
    settings.THUVIEN_LOGIN_MAX_FAILURES_PER_IP = 5
    statuses = [client.post("/account/login/", {"username": "nobody", "password": "sai"},
                            REMOTE_ADDR="172.16.6.1").status_code for _ in range(8)]
    assert statuses == [200, 200, 429, 429, 429, 429, 429, 429] and CountingHasher.checks == 2
    r = client.get("/account/login/", REMOTE_ADDR="172.16.6.1")  # 5 refusals: the address itself is locked
    assert r.status_code == 429 and "Quá nhiều lần đăng nhập sai từ địa chỉ này" in r.content.decode()
    assert cache.get(LOCKED_IP_KEY.format(ip="172.16.6.1")) == 1
    # 7 refusals, none written to the log (a storm would write thousands of WARNING lines a minute)
    assert [rec for rec in caplog.records if rec.name == "django.request"] == []
    assert client.get("/account/nowhere/", REMOTE_ADDR="172.16.6.2").status_code == 404
    assert [rec.levelname for rec in caplog.records if rec.name == "django.request"] == ["WARNING"]  # others still are


def test_no_budget_when_turned_off(client, budget, settings):
    settings.THUVIEN_LOGIN_SUSPECT_CHECKS_PER_S = 0
    statuses = [client.post("/account/login/", {"username": "nobody", "password": "sai"},
                            REMOTE_ADDR="172.16.7.1").status_code for _ in range(4)]
    assert statuses == [200] * 4 and CountingHasher.checks == 4
