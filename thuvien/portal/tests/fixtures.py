"""Fixtures for portal tests (registered in the root conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thuvien.core.models import Role, UnitKind
from thuvien.core.services import unit_create
from thuvien.core.tests.fixtures import _root_actor, make_staff
from thuvien.patrons.models import PatronCategory
from thuvien.patrons.services import patron_create
from thuvien.portal import services
from thuvien.portal.models import Event

READER_PASSWORD = "mật-khẩu-bạn-đọc-2026"  # noqa: S105 - a test password


@pytest.fixture
def manager_a(net):  # type: ignore[no-untyped-def]
    return make_staff("manager_a", net.a, Role.LIBRARY_MANAGER)


@pytest.fixture
def manager_b(net):  # type: ignore[no-untyped-def]
    return make_staff("manager_b", net.b, Role.LIBRARY_MANAGER)


@pytest.fixture
def van_unit(net):  # type: ignore[no-untyped-def]
    return unit_create(actor=_root_actor(), code="A-XE", name="Xe thư viện lưu động A",
                       kind=UnitKind.objects.get(code="mobile_library"), parent=net.a)


@pytest.fixture
def reader(net, desk_a):  # type: ignore[no-untyped-def]
    """A reader of library A who can log in to the portal (card A000900)."""
    return patron_create(actor=desk_a, home_library=net.a, consents=["service"], password=READER_PASSWORD,
                         data={"full_name": "Lò Văn Đọc", "card_number": "A000900", "email": "doc@example.vn",
                               "category": PatronCategory.objects.get(code="adult")})


@pytest.fixture
def event_factory(net, manager_a):  # type: ignore[no-untyped-def]
    def make(title: str = "Giờ kể chuyện", *, days: float = 3, seats: int | None = 2, library=None,  # type: ignore[no-untyped-def]
             published: bool = True) -> Event:
        start = timezone.now() + dt.timedelta(days=days)
        return services.event_save(actor=manager_a, library=library or net.a, data={
            "kind": "reading", "title": title, "place": "Phòng đọc thiếu nhi", "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2), "seats": seats, "body": "<p>Cho thiếu nhi</p>",
            "registration_open": True, "is_published": published})
    return make
