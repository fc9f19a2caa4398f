"""Fixtures for circulation tests (registered in the root conftest.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from thuvien.catalog.models import BibRecord, Item, ItemType
from thuvien.circulation.models import CirculationRule
from thuvien.core.models import Role

LEADER = "00000nam a2200000 a 4500"


def make_record(title: str = "Dế Mèn phiêu lưu ký") -> BibRecord:
    return BibRecord.objects.create(marc={"leader": LEADER, "fields": []}, leader=LEADER, title=title)


def item_type(code: str = "book", loanable: bool = True) -> ItemType:
    return ItemType.objects.get_or_create(code=code, defaults={"name": code, "loanable": loanable})[0]


def make_item(barcode: str, library, record: BibRecord | None = None, type_code: str = "book", **fields) -> Item:  # type: ignore[no-untyped-def]
    return Item.objects.create(barcode=barcode, library=library, record=record or make_record(),
                               item_type=item_type(type_code), **fields)


@pytest.fixture
def item_factory(net):  # type: ignore[no-untyped-def]
    """make(barcode, library, record=None, type_code="book", **fields) -> Item."""
    return make_item


@pytest.fixture
def record_factory(db):  # type: ignore[no-untyped-def]
    return make_record


@pytest.fixture
def base_rule(net) -> CirculationRule:  # type: ignore[no-untyped-def]
    """The network-wide default: 14 days, 2 renewals, 5 loans, 3 holds, 1 000 đ/day capped at 20 000 đ."""
    return CirculationRule.objects.create(unit=net.province, loan_days=14, renewals=2, max_loans=5, max_holds=3,
                                          fine_per_day=Decimal(1000), fine_cap=Decimal(20000), grace_days=0)


@pytest.fixture
def manager_a(net, staff_factory):  # type: ignore[no-untyped-def]
    return staff_factory("manager_a", net.a, Role.LIBRARY_MANAGER)


@pytest.fixture
def desk_b(net, staff_factory):  # type: ignore[no-untyped-def]
    return staff_factory("desk_b", net.b, Role.CIRCULATION)


@pytest.fixture
def desk_p(net, staff_factory):  # type: ignore[no-untyped-def]
    return staff_factory("desk_p", net.province, Role.CIRCULATION)
