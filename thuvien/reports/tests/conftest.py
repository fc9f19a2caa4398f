"""A generated year (2025) of activity in the demo network, with a small catalogue and readers."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.db import transaction

from thuvien.catalog.models import BibRecord, Item, ItemStatus, ItemType
from thuvien.core import demo as core_demo
from thuvien.core.models import OrgUnit
from thuvien.patrons.models import Patron, PatronCategory
from thuvien.reports.generate import activity_generate
from thuvien.reports.models import UnitYearData
from thuvien.reports.rollup import rollup_rebuild

YEAR = 2025


@dataclass
class Year:
    root: OrgUnit
    units: dict[str, OrgUnit]


BOOKS = [("Truyện Kiều", "Nguyễn Du", "895.9221", "vie"), ("Số đỏ", "Vũ Trọng Phụng", "895.9223", "vie"),
         ("Lịch sử Việt Nam", "Trần Trọng Kim", "959.7", "vie"), ("Kinh tế học", "Paul Samuelson", "330", "eng"),
         ("Toán cao cấp", "Nguyễn Đình Trí", "515", "vie"), ("Le Petit Prince", "Saint-Exupéry", "843.912", "fre"),
         ("Không số", "", "", "")]


def make_collection(units: dict[str, OrgUnit]) -> None:
    """Copies of the books spread over libraries, with acquisition dates and sources, some withdrawn."""
    book_type = ItemType.objects.order_by("pk").first()
    assert book_type is not None
    records = [BibRecord.objects.create(marc={"leader": "", "fields": []}, leader="00000nam a2200000 a 4500",
                                        title=t, main_author=a, ddc=d, language=lang, material_type="book")
               for t, a, d, lang in BOOKS]
    holders = ["CB-TVT", "CB-HA", "CB-HA-DC", "CB-TK", "CB-XE"]
    n = 0
    for i, record in enumerate(records):
        for j, code in enumerate(holders):
            for k in range(1 + (i + j) % 3):
                n += 1
                Item.objects.create(
                    record=record, library=units[code], barcode=f"T{n:05d}", item_type=book_type,
                    acquired_on=dt.date(2023 + (n % 3), 1 + n % 12, 1 + n % 27),
                    acquisition_source=["Mua", "Tặng", "Nộp lưu chiểu"][n % 3],
                    status=ItemStatus.WITHDRAWN if n % 11 == 0 else ItemStatus.AVAILABLE)
                del k


def make_readers(units: dict[str, OrgUnit]) -> None:
    cats = {c.code: c for c in PatronCategory.objects.all()}
    spec = [("CB-TVT", "adult", 1990, "f", "Tày"), ("CB-TVT", "adult", 1985, "m", "Tày"),
            ("CB-TVT", "adult", 1970, "f", "Nùng"), ("CB-TVT", "child", 2016, "m", "Tày"),
            ("CB-HA", "pupil", 2010, "f", "Kinh"), ("CB-HA", "pupil", 2011, "m", "Kinh"),
            ("CB-HA", "pupil", 2010, "f", "Kinh"), ("CB-HA-DC", "elderly", 1950, "f", "Dao"),
            ("CB-TK", "adult", 1980, "m", "H'Mông")]
    for n, (code, cat, year, gender, eth) in enumerate(spec, start=1):
        p = Patron.objects.create(card_number=f"R{n:04d}", full_name=f"Bạn đọc {n}", birth_date=dt.date(year, 6, 1),
                                  gender=gender, ethnicity=eth, category=cats[cat], home_library=units[code],
                                  expires_on=dt.date(2026, 6, 30) if n % 4 else dt.date(2025, 8, 31))
        Patron.objects.filter(pk=p.pk).update(created_at=dt.datetime(2025, 1 + n, 10, tzinfo=dt.UTC))


def _build() -> Year:
    root = core_demo.load(stdout=io.StringIO())
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=root.path)}
    make_collection(units)
    make_readers(units)
    for code, population in [("CB-TVT", 75000), ("CB-HA", 72000), ("CB-TK", 70000)]:
        UnitYearData.objects.create(unit=units[code], year=YEAR, population=population, expenditure=1_000_000_000,
                                    staff=5)
    # the whole year and the first days of the next, so periods have neighbours
    activity_generate(network=root, first=dt.date(YEAR - 1, 12, 1), last=dt.date(YEAR + 1, 1, 10), scale=0.05)
    rollup_rebuild()
    return Year(root=root, units=units)


@pytest.fixture(scope="module")
def _demo_year_module(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Built once per test module inside a transaction that is rolled back after the module; each
    test runs in its own savepoint inside it (pytest-django's `db`), so tests stay independent."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture
def demo_year(_demo_year_module, db) -> Year:  # type: ignore[no-untyped-def]
    return _demo_year_module  # type: ignore[no-any-return]
