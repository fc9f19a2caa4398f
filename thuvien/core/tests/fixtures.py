"""Fixtures for the network tree and staff, used by every app's tests.

The `net` tree:            P (province network)
                         /          \
                   A (district)   B (district)
                      |
                   C (commune reading room under A)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from thuvien.core.models import OrgUnit, Role, UnitKind, User
from thuvien.core.services import role_grant, unit_create

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


@dataclass
class Net:
    province: OrgUnit
    a: OrgUnit
    b: OrgUnit
    c: OrgUnit


def make_staff(username: str, unit: OrgUnit, *roles: str) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, home_unit=unit,
                                    display_name=username.title())
    for role in roles:
        role_grant(actor=_root_actor(), user=user, unit=unit, role=role)
    return user


def _root_actor() -> User:
    actor, _ = User.objects.get_or_create(username="__fixture_root__", defaults={"is_superuser": True})
    return actor


# Rows that data migrations create. Transactional tests (live servers, real concurrency) flush the
# database after each test, so they are put back before every such test.
SEED_FUNCTIONS = [
    ("thuvien.core.migrations.0002_default_unit_kinds", "add_kinds"),
    ("thuvien.catalog.migrations.0003_default_item_types", "create_types"),
    ("thuvien.patrons.migrations.0002_default_categories", "add_categories"),
    ("thuvien.catalog.migrations.0008_label_layouts_and_logos", "add_presets"),
]


def reseed_data_migrations() -> None:
    from importlib import import_module

    from django.apps import apps

    for module, function in SEED_FUNCTIONS:
        getattr(import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _reseed_after_flush(request):  # type: ignore[no-untyped-def]
    """For transactional tests, restore the data-migration rows a previous flush removed."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))) \
        or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if transactional:
        request.getfixturevalue("transactional_db")
        reseed_data_migrations()


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty process cache: a lockout, a rate limit or a cached page of one test
    (kept per process, as in a web worker) must not reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


@pytest.fixture
def net(db) -> Net:  # type: ignore[no-untyped-def]
    root = _root_actor()
    network = UnitKind.objects.get(code="network")
    district = UnitKind.objects.get(code="district_library")
    commune = UnitKind.objects.get(code="commune_reading_room")
    p = unit_create(actor=root, code="P", name="Mạng lưới thư viện tỉnh P", kind=network, parent=None)
    a = unit_create(actor=root, code="A", name="Thư viện huyện A", kind=district, parent=p)
    b = unit_create(actor=root, code="B", name="Thư viện huyện B", kind=district, parent=p)
    c = unit_create(actor=root, code="C", name="Phòng đọc xã C", kind=commune, parent=a)
    return Net(province=p, a=a, b=b, c=c)


@pytest.fixture
def staff_factory(net):  # type: ignore[no-untyped-def]
    """make(username, unit, *roles) -> User with those roles granted at unit."""
    return make_staff


@pytest.fixture
def admin_user(net) -> User:  # type: ignore[no-untyped-def]
    return make_staff("admin", net.province, Role.NETWORK_ADMIN)


@pytest.fixture
def cataloguer_a(net) -> User:  # type: ignore[no-untyped-def]
    return make_staff("cat_a", net.a, Role.CATALOGUER)


@pytest.fixture
def desk_a(net) -> User:  # type: ignore[no-untyped-def]
    return make_staff("desk_a", net.a, Role.CIRCULATION)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (Playwright cannot download its own browser here)."""
    import os

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser page (Vietnamese locale); `page.base_url` is the live server."""
    context = chromium.new_context(locale="vi-VN", base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def page_width(page) -> int:  # type: ignore[no-untyped-def]
    """The page's whole scroll width in CSS px, read once the page has loaded.

    A click that navigates returns before the next document exists; reading the width then finds no
    `document.scrollingElement` (a flaky TypeError in CI). Waiting for a non-zero width reads the new page.
    """
    page.wait_for_load_state("load")
    handle = page.wait_for_function("() => document.scrollingElement ? document.scrollingElement.scrollWidth : 0")
    return int(handle.json_value())


def login_staff(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/")


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting the password hashes the server performs (real checks and
    dummy ones); tests select it with `settings.PASSWORD_HASHERS = ["thuvien.core.tests.fixtures.CountingHasher"]`."""

    checks = 0

    def salt(self) -> str:  # taken once by each hash of a new password (a dummy check's too)
        CountingHasher.checks += 1
        return super().salt()

    def verify(self, password: str, encoded: str) -> bool:
        CountingHasher.checks += 1
        return super().verify(password, encoded)
