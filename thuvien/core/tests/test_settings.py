import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from thuvien.config.env import DEFAULT_SECRET_KEY, read_env


def _load_production():
    sys.modules.pop("thuvien.config.production", None)
    return importlib.import_module("thuvien.config.production")


def test_production_refuses_default_secret_key(monkeypatch):
    monkeypatch.delenv("THUVIEN_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="THUVIEN_SECRET_KEY"):
        _load_production()
    monkeypatch.setenv("THUVIEN_SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured):
        _load_production()


def test_production_starts_with_real_secret_key(monkeypatch):
    monkeypatch.setenv("THUVIEN_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("THUVIEN_EMAIL_BACKEND", "console")  # production demands a deliberate mail choice
    monkeypatch.delenv("THUVIEN_DEBUG", raising=False)
    prod = _load_production()
    assert prod.DEBUG is False
    assert prod.SECRET_KEY == "x" * 50


def test_env_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("THUVIEN_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("THUVIEN_SECRET_KEY", raising=False)
    monkeypatch.setenv("THUVIEN_ALLOWED_HOSTS", "thuvien.caobang.gov.vn, 127.0.0.1")
    env = read_env(debug_default=True)
    assert env.home == tmp_path
    assert env.database_url is None
    assert env.secret_key == DEFAULT_SECRET_KEY
    assert env.allowed_hosts == ["thuvien.caobang.gov.vn", "127.0.0.1"]


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 10000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_staff_passwords_are_hashed_with_argon2(settings, net):
    from thuvien.config import base
    from thuvien.core.services import staff_create
    from thuvien.core.tests.fixtures import _root_actor

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    user = staff_create(actor=_root_actor(), username="argon", password="mật khẩu rất dài", home_unit=net.a)
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("mật khẩu rất dài")
