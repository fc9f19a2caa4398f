"""Fixtures for protocols tests (registered in the root conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from thuvien.catalog.models import BibRecord, Item, ItemType
from thuvien.core.models import OrgUnit
from thuvien.core.text import collation_key
from thuvien.search.outbox import outbox_enqueue


def marc_json(*, control: str, title: str, author: str = "", year: int | None = None, isbn: str = "",
              subjects: tuple[str, ...] = (), publisher: str = "", source: str = "VN-TEST") -> dict[str, Any]:
    fixed = f"260101s{year or '    '}    vm            000 0 vie d"
    fields: list[dict[str, Any]] = [{"001": control}, {"003": source}, {"008": fixed}]
    if isbn:
        fields.append({"020": {"ind1": " ", "ind2": " ", "subfields": [{"a": isbn}]}})
    if author:
        fields.append({"100": {"ind1": "0", "ind2": " ", "subfields": [{"a": author}]}})
    fields.append({"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}]}})
    if publisher or year:
        fields.append({"260": {"ind1": " ", "ind2": " ", "subfields": [
            {"a": "Hà Nội :"}, {"b": f"{publisher},"}, {"c": str(year or "")}]}})
    for s in subjects:
        fields.append({"650": {"ind1": " ", "ind2": "7", "subfields": [{"a": s}]}})
    return {"leader": "00000nam a2200000 a 4500", "fields": fields}


def make_bib(*, library: OrgUnit | None, control: str, title: str, author: str = "", year: int | None = None,
             isbn: str = "", subjects: tuple[str, ...] = (), publisher: str = "", material_type: str = "book",
             deleted: bool = False) -> BibRecord:
    """A record written straight to the table (the catalogue services are tested in catalog/)."""
    bib = BibRecord.objects.create(
        control_number=control, control_number_source="VN-TEST",
        marc=marc_json(control=control, title=title, author=author, year=year, isbn=isbn, subjects=subjects,
                       publisher=publisher),
        leader="00000nam a2200000 a 4500", title=title, title_sort=collation_key(title),
        main_author=author, authors=[author] if author else [], subjects=list(subjects),
        isbns=[isbn] if isbn else [], year=year, publisher=publisher, material_type=material_type,
        owner=library, is_deleted=deleted, deleted_at=timezone.now() if deleted else None,
    )
    if library is not None:
        book, _ = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách"})
        Item.objects.create(record=bib, library=library, barcode=f"{library.code}-{control}", item_type=book)
    outbox_enqueue([bib.pk])
    return bib


SAMPLE = [
    # control, title, author, year, isbn, subjects, publisher
    ("TV0001", "Truyện Kiều", "Nguyễn Du", 1995, "9786041234567", ("Văn học Việt Nam", "Thơ"), "Văn học"),
    ("TV0002", "Đất rừng phương Nam", "Đoàn Giỏi", 2008, "9786042000018", ("Văn học thiếu nhi",), "Kim Đồng"),
    ("TV0003", "Số đỏ", "Vũ Trọng Phụng", 1936, "", ("Tiểu thuyết",), "Văn học"),
    ("TV0004", "Dế Mèn phiêu lưu ký", "Tô Hoài", 1941, "9786042000025", ("Văn học thiếu nhi",), "Kim Đồng"),
    ("TV0005", "Truyện ngắn Nam Cao", "Nam Cao", 2001, "", ("Truyện ngắn",), "Văn học"),
    ("TV0006", "Lịch sử Cao Bằng", "Nhiều tác giả", 2010, "", ("Lịch sử", "Cao Bằng"), "Chính trị Quốc gia"),
]


@pytest.fixture
def sample_records(net) -> Callable[..., list[BibRecord]]:  # type: ignore[no-untyped-def]
    """make(library=net.a) -> the six SAMPLE records owned by `library`."""

    def make(library: OrgUnit | None = None, prefix: str = "") -> list[BibRecord]:
        lib = library or net.a
        return [make_bib(library=lib, control=prefix + c, title=t, author=a, year=y, isbn=i, subjects=s,
                         publisher=p) for c, t, a, y, i, s, p in SAMPLE]

    return make

