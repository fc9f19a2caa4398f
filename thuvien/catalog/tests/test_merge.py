"""Merging two duplicate records: copies, holds, identifiers and provenance move to the survivor, the
duplicate is marked deleted, and the merge is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from thuvien.catalog import services
from thuvien.catalog.merge import bib_merge
from thuvien.catalog.models import BibIdentifier, BibRecord, ItemType
from thuvien.catalog.tests.fixtures import make_book
from thuvien.circulation.models import Hold
from thuvien.circulation.services import hold_place
from thuvien.core.models import AuditEntry, Role
from thuvien.search.models import OutboxEntry


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def pair(net, cataloguer_a):
    book, _ = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách"})
    survivor = services.bib_create(actor=cataloguer_a, record=make_book("Truyện Kiều", isbn="9786041085251"),
                                   owner=net.a)
    duplicate = services.bib_create(actor=cataloguer_a, record=make_book("Truyện Kiều.", isbn="9786041085251",
                                                                         authors=["Nguyễn, Du"]), owner=net.a)
    services.item_create(actor=cataloguer_a, record=survivor, library=net.a, barcode="S1", item_type=book)
    for code in ("D1", "D2"):
        services.item_create(actor=cataloguer_a, record=duplicate, library=net.c, barcode=code, item_type=book)
    return survivor, duplicate


def test_merge_moves_items_holds_identifiers_and_audits(net, cataloguer_a, desk_a, patron_factory, pair):
    survivor, duplicate = pair
    BibIdentifier.objects.create(record=duplicate, kind="035", value="(VN-HN)000123")
    reader = patron_factory("R1", net.a)
    hold_place(actor=desk_a, patron=reader, record=duplicate, pickup_library=net.a)
    before = OutboxEntry.objects.count()
    moved = bib_merge(actor=cataloguer_a, survivor=survivor, duplicate=duplicate)
    assert moved == {"catalog.Item": 2, "circulation.Hold": 1, "catalog.BibIdentifier": 1}
    assert sorted(survivor.items.values_list("barcode", flat=True)) == ["D1", "D2", "S1"]
    assert Hold.objects.get(patron=reader).record_id == survivor.pk
    assert sorted(survivor.identifiers.values_list("kind", "value")) == [
        ("035", "(VN-HN)000123"), ("isbn", "9786041085251")]
    duplicate.refresh_from_db()
    assert duplicate.is_deleted and duplicate.deleted_at is not None and not duplicate.identifiers.exists()
    entry = AuditEntry.objects.get(action="catalog.bib_merge")
    assert entry.object_id == str(survivor.pk) and entry.changes["merged_record"] == [duplicate.pk, survivor.pk]
    assert entry.changes["moved"][1] == moved
    assert AuditEntry.objects.filter(action="catalog.bib_delete", object_id=str(duplicate.pk)).count() == 1
    assert set(OutboxEntry.objects.order_by("pk")[before:].values_list("record_id", flat=True)) >= {
        survivor.pk, duplicate.pk}


def test_merge_refuses_itself_a_deleted_record_and_other_libraries(net, cataloguer_a, staff_factory, pair):
    survivor, duplicate = pair
    with pytest.raises(ValidationError, match="chính nó"):
        bib_merge(actor=cataloguer_a, survivor=survivor, duplicate=survivor)
    cat_b = staff_factory("cat_b", net.b, Role.CATALOGUER)
    with pytest.raises(PermissionDenied):
        bib_merge(actor=cat_b, survivor=survivor, duplicate=duplicate)
    assert not BibRecord.objects.get(pk=duplicate.pk).is_deleted and duplicate.items.count() == 2


def test_merge_page_compares_then_merges(client, net, cataloguer_a, pair):
    survivor, duplicate = pair
    client.force_login(cataloguer_a)
    page = client.get(f"/staff/catalog/record/{survivor.pk}/").content.decode()
    assert f'/staff/catalog/record/{survivor.pk}/merge/?other={duplicate.pk}' in page
    page = client.get(f"/staff/catalog/record/{survivor.pk}/merge/", {"other": duplicate.pk}).content.decode()
    assert "Biểu ghi trùng (sẽ xoá)" in page and page.count("<td>Truyện Kiều</td>") == 2
    assert client.get(f"/staff/catalog/record/{survivor.pk}/merge/", {"other": "99999999999999999"}).status_code == 400
    r = client.post(f"/staff/catalog/record/{survivor.pk}/merge/", {"other": duplicate.pk})  # not confirmed
    assert r.status_code == 200 and not BibRecord.objects.get(pk=duplicate.pk).is_deleted
    r = client.post(f"/staff/catalog/record/{survivor.pk}/merge/", {"other": duplicate.pk, "confirm": "1"},
                    follow=True)
    assert (f"Đã gộp biểu ghi #{duplicate.pk} vào biểu ghi này: chuyển 2 bản tài liệu, 0 yêu cầu đặt mượn."
            in r.content.decode())
    assert BibRecord.objects.get(pk=duplicate.pk).is_deleted and survivor.items.count() == 3
