"""Fixtures for search tests (registered in the root conftest.py).

`vn_catalogue`: a small Vietnamese catalogue on the `net` tree (P > A, B; A > C):

    key        title                               author            items
    kieu       Truyện Kiều                          Nguyễn Du         A available, B on loan
    datrung    Đất rừng phương Nam                  Đoàn Giỏi         C available
    matbiec    Mắt biếc                             Nguyễn Nhật Ánh   B available
    mattroi    Mặt trời mọc                         Lê Minh Khuê      A in processing
    chipheo    Chí Phèo                             Nam Cao           A on loan
    laohac     Lão Hạc                              Nam Cao           (none)
    caonguyen  Cao nguyên miền Nam                  Trần Văn Thọ      B available
    vetuoitho  Cho tôi xin một vé đi tuổi thơ       Nguyễn Nhật Ánh   A available
    talekieu   The tale of Kieu (English)           Nguyễn Du         B available
    deleted    Truyện Kiều (bản cũ), deleted        Nguyễn Du         -
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pymarc
import pytest

from thuvien.catalog.models import BibRecord, Item, ItemStatus, ItemType
from thuvien.catalog.services import bib_create, bib_delete, item_create
from thuvien.circulation.states import CATALOGUE_STATUSES
from thuvien.search.engine import reset_index

CATALOGUE: list[dict[str, Any]] = [
    dict(key="kieu", title="Truyện Kiều", author="Nguyễn Du", year=1990, isbn="9786041085251",
         subjects=["Văn học Việt Nam -- Truyện thơ"], ddc="895.9221", publisher="Văn học", lang="vie",
         items=[("A", ItemStatus.AVAILABLE), ("B", ItemStatus.ON_LOAN)]),
    dict(key="datrung", title="Đất rừng phương Nam", author="Đoàn Giỏi", year=1997, isbn="0306406152",
         subjects=["Văn học thiếu nhi -- Việt Nam"], ddc="895.9223", publisher="Kim Đồng", lang="vie",
         items=[("C", ItemStatus.AVAILABLE)]),
    dict(key="matbiec", title="Mắt biếc", author="Nguyễn Nhật Ánh", year=1990, isbn="9786041123458",
         subjects=["Văn học Việt Nam -- Tiểu thuyết"], ddc="895.9223", publisher="Trẻ", lang="vie",
         items=[("B", ItemStatus.AVAILABLE)]),
    dict(key="mattroi", title="Mặt trời mọc", author="Lê Minh Khuê", year=2005, isbn="",
         subjects=["Thiên văn học"], ddc="520", publisher="Khoa học và Kỹ thuật", lang="vie",
         items=[("A", ItemStatus.IN_PROCESSING)]),
    dict(key="chipheo", title="Chí Phèo", author="Nam Cao", year=1941, isbn="",
         subjects=["Văn học Việt Nam -- Truyện ngắn"], ddc="895.9223", publisher="Đời mới", lang="vie",
         items=[("A", ItemStatus.ON_LOAN)]),
    dict(key="laohac", title="Lão Hạc", author="Nam Cao", year=1943, isbn="",
         subjects=["Văn học Việt Nam -- Truyện ngắn"], ddc="895.9223", publisher="Văn học", lang="vie",
         items=[]),
    dict(key="caonguyen", title="Cao nguyên miền Nam", author="Trần Văn Thọ", year=2010, isbn="",
         subjects=["Địa lý -- Tây Nguyên"], ddc="915.97", publisher="Thế giới", lang="vie",
         items=[("B", ItemStatus.AVAILABLE)]),
    dict(key="vetuoitho", title="Cho tôi xin một vé đi tuổi thơ", author="Nguyễn Nhật Ánh", year=2008,
         isbn="978-604-1-00000-1", subjects=["Văn học Việt Nam -- Truyện dài"], ddc="895.9223",
         publisher="Trẻ", lang="vie", items=[("A", ItemStatus.AVAILABLE)]),
    dict(key="talekieu", title="The tale of Kieu", author="Nguyễn Du", year=1983, isbn="",
         subjects=["Vietnamese poetry -- Translations into English"], ddc="895.9221", publisher="Yale",
         lang="eng", items=[("B", ItemStatus.AVAILABLE)]),
    dict(key="deleted", title="Truyện Kiều (bản cũ)", author="Nguyễn Du", year=1960, isbn="", subjects=[],
         ddc="895.9221", publisher="Sống mới", lang="vie", items=[], deleted=True),
]


def marc_for(spec: dict[str, Any], control_number: str) -> pymarc.Record:
    rec = pymarc.Record(force_utf8=True)
    rec.leader = pymarc.Leader("00000nam a2200000 a 4500")
    rec.add_field(pymarc.Field(tag="001", data=control_number))
    rec.add_field(pymarc.Field(tag="008", data=f"000101s{spec['year']}    vm " + " " * 17 + f"{spec['lang']} d"))
    if spec["isbn"]:
        rec.add_field(pymarc.Field(tag="020", indicators=[" ", " "], subfields=[pymarc.Subfield("a", spec["isbn"])]))
    rec.add_field(pymarc.Field(tag="082", indicators=["0", "4"], subfields=[pymarc.Subfield("a", spec["ddc"])]))
    rec.add_field(pymarc.Field(tag="100", indicators=["0", " "], subfields=[pymarc.Subfield("a", spec["author"])]))
    rec.add_field(pymarc.Field(tag="245", indicators=["1", "0"], subfields=[pymarc.Subfield("a", spec["title"])]))
    rec.add_field(pymarc.Field(tag="264", indicators=[" ", "1"], subfields=[
        pymarc.Subfield("b", spec["publisher"]), pymarc.Subfield("c", str(spec["year"]))]))
    for s in spec["subjects"]:
        parts = s.split(" -- ")
        subs = [pymarc.Subfield("a", parts[0])] + [pymarc.Subfield("x", p) for p in parts[1:]]
        rec.add_field(pymarc.Field(tag="650", indicators=[" ", "7"], subfields=subs))
    return rec


@dataclass
class VnCatalogue:
    records: dict[str, BibRecord]
    net: Any

    def __getitem__(self, key: str) -> BibRecord:
        return self.records[key]

    def key_of(self, record_id: int) -> str:
        return next(k for k, r in self.records.items() if r.pk == record_id)

    def keys(self, ids: list[int]) -> list[str]:
        return [self.key_of(i) for i in ids]


@pytest.fixture(autouse=True)
def _fresh_search_index():  # type: ignore[no-untyped-def]
    """Each test starts with no index in this process (the database is rolled back between tests)."""
    reset_index()
    yield
    reset_index()


@pytest.fixture
def vn_catalogue(net, admin_user) -> VnCatalogue:  # type: ignore[no-untyped-def]
    """The catalogue above, written through the catalog services (so through the outbox)."""
    units = {"A": net.a, "B": net.b, "C": net.c, "P": net.province}
    book, _ = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách"})
    records: dict[str, BibRecord] = {}
    n = 0
    for i, spec in enumerate(CATALOGUE, 1):
        rec = bib_create(actor=admin_user, record=marc_for(spec, f"VN{i:05d}"), owner=net.province)
        records[spec["key"]] = rec
        for code, status in spec["items"]:
            n += 1
            shelf = status in CATALOGUE_STATUSES  # a copy on loan is set as the desk leaves it (no readers here)
            item = item_create(actor=admin_user, record=rec, library=units[code], barcode=f"TV{n:06d}",
                               item_type=book, status=status if shelf else ItemStatus.AVAILABLE)
            if not shelf:
                Item.objects.filter(pk=item.pk).update(status=status)
        if spec.get("deleted"):
            bib_delete(actor=admin_user, bib=rec)
    return VnCatalogue(records=records, net=net)
