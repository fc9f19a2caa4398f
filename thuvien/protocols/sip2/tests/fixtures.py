"""Fixtures for SIP2 tests: a terminal at library A, a reader with a PIN, two items."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import make_password

from thuvien.catalog.models import Item
from thuvien.circulation.tests.fixtures import make_item, make_record
from thuvien.core.tests.fixtures import _root_actor
from thuvien.patrons.models import Patron
from thuvien.patrons.tests.fixtures import make_patron
from thuvien.protocols.models import Sip2Terminal
from thuvien.protocols.sip2.services import terminal_create

NOW = "20261202    101500"


_PIN_HASHES: dict[str, str] = {}


def give_pin(patron: Patron, pin: str) -> None:
    """The reader's self-check PIN, hashed once per PIN value (the seed gives thousands of readers the same one)."""
    if pin not in _PIN_HASHES:
        _PIN_HASHES[pin] = make_password(pin)
    patron.pin_hash = _PIN_HASHES[pin]
    patron.save(update_fields=["pin_hash", "updated_at"])


@dataclass
class Kiosk:
    terminal: Sip2Terminal
    reader: Patron
    book: Item
    other: Item


@pytest.fixture
def kiosk(net, base_rule) -> Kiosk:  # type: ignore[no-untyped-def]
    terminal = terminal_create(actor=_root_actor(), login="kiosk1", library=net.a, password="secret1",
                               location="Sảnh tầng 1")
    reader = make_patron("P001", net.a, full_name="Nguyễn Thị Lưu", phone="0912345678")
    give_pin(reader, "1234")
    reader.refresh_from_db()
    book = make_item("VN0001", net.a, make_record("Truyện Kiều"), call_number="895.9221 NG-D")
    other = make_item("VN0002", net.a, make_record("Đất rừng phương Nam"))
    return Kiosk(terminal=terminal, reader=reader, book=book, other=other)
