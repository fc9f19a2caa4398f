"""Services: permission, audit, outbox, soft delete, items in the subtree, single-record import."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuvien.catalog import selectors, services
from thuvien.catalog.models import BibIdentifier, BibRecord, Item, ItemStatus, ItemType
from thuvien.catalog.tests.fixtures import make_book
from thuvien.core.models import AuditEntry, Role
from thuvien.search.models import OutboxEntry


def test_default_item_types_exist(db):
    types = dict(ItemType.objects.values_list("code", "loanable"))
    assert {"book", "periodical", "reference", "audiovisual", "child_book"} <= set(types)
    assert types["reference"] is False and types["book"] is True


def test_bib_create_extracts_audits_and_enqueues(net, cataloguer_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    assert bib.title == "Dế Mèn phiêu lưu ký"
    assert bib.main_author == "Tô Hoài"
    assert bib.isbns == ["9786042082051"]
    assert bib.language == "vie" and bib.year == 2019 and bib.ddc == "895.9223"
    assert bib.call_number == "895.9223 To"
    assert bib.control_number == str(bib.pk) and bib.control_number_source == "P"
    assert list(BibIdentifier.objects.filter(record=bib).values_list("kind", "value")) == [("isbn", "9786042082051")]
    assert AuditEntry.objects.filter(action="catalog.bib_create", object_id=str(bib.pk), actor=cataloguer_a).count() == 1
    assert list(OutboxEntry.objects.values_list("record_id", flat=True)) == [bib.pk]
    record = selectors.bib_to_pymarc(bib)
    assert record["001"].data == str(bib.pk) and record["245"]["a"] == "Dế Mèn phiêu lưu ký /"


def test_only_the_owners_subtree_or_the_network_edits_a_record_audit_shows_who(net, cataloguer_a, staff_factory):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    cat_b = staff_factory("cat_b", net.b, Role.CATALOGUER)
    cat_p = staff_factory("cat_p", net.province, Role.CATALOGUER)
    record = selectors.bib_to_pymarc(bib)
    record["245"]["a"] = "Dế Mèn phiêu lưu ký :"
    record["245"].add_subfield("b", "truyện dài", pos=1)
    with pytest.raises(PermissionDenied):  # another district library sends a change request instead
        services.bib_update(actor=cat_b, bib=bib, record=record)
    services.bib_update(actor=cat_p, bib=bib, record=record)
    bib.refresh_from_db()
    assert bib.title == "Dế Mèn phiêu lưu ký : truyện dài"
    entry = AuditEntry.objects.get(action="catalog.bib_update", object_id=str(bib.pk))
    assert entry.actor == cat_p
    assert entry.unit == net.a  # filed under the owner, so A's manager sees it
    assert entry.changes["title"] == ["Dế Mèn phiêu lưu ký", "Dế Mèn phiêu lưu ký : truyện dài"]


def test_items_only_in_own_subtree_and_refusal_changes_nothing(net, cataloguer_a, staff_factory):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    item = services.item_create(actor=cataloguer_a, record=bib, library=net.c, barcode="C0001", item_type="book")
    assert item.call_number == "895.9223 To" and item.status == ItemStatus.AVAILABLE
    cat_b = staff_factory("cat_b", net.b, Role.CATALOGUER)
    before = (Item.objects.count(), AuditEntry.objects.count(), OutboxEntry.objects.count())
    with pytest.raises(PermissionDenied):
        services.item_create(actor=cataloguer_a, record=bib, library=net.b, barcode="B0001", item_type="book")
    with pytest.raises(PermissionDenied):
        services.item_update(actor=cat_b, item=item, shelving_location="Kho mở")
    with pytest.raises(PermissionDenied):  # moving an item out of one's subtree
        services.item_update(actor=cataloguer_a, item=item, library=net.b)
    assert (Item.objects.count(), AuditEntry.objects.count(), OutboxEntry.objects.count()) == before
    item.refresh_from_db()
    assert item.library == net.c and item.shelving_location == ""


def test_barcode_is_network_unique(net, cataloguer_a, admin_user):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    services.item_create(actor=cataloguer_a, record=bib, library=net.a, barcode="X1", item_type="book")
    with pytest.raises(ValidationError, match="X1"):
        services.item_create(actor=admin_user, record=bib, library=net.b, barcode="X1", item_type="book")


def test_desk_staff_cannot_catalogue(net, desk_a):
    with pytest.raises(PermissionDenied):
        services.bib_create(actor=desk_a, record=make_book(), owner=net.a)
    assert BibRecord.objects.count() == 0 and AuditEntry.objects.filter(action__startswith="catalog").count() == 0


def test_soft_delete_keeps_record_and_reports_change(net, cataloguer_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    item = services.item_create(actor=cataloguer_a, record=bib, library=net.a, barcode="A1", item_type="book")
    with pytest.raises(ValidationError):
        services.bib_delete(actor=cataloguer_a, bib=bib)
    services.item_delete(actor=cataloguer_a, item=item)
    services.bib_delete(actor=cataloguer_a, bib=bib)
    bib.refresh_from_db()
    assert bib.is_deleted and bib.deleted_at is not None
    changed = list(selectors.records_changed_since(since=bib.created_at))
    assert changed == [bib]
    with pytest.raises(BibRecord.DoesNotExist):
        selectors.bib_get(pk=bib.pk)


def test_marc_import_record_matches_on_001(net, admin_user):
    record = make_book()
    record.add_ordered_field(__import__("pymarc").Field(tag="001", data="VN123"))
    first = services.marc_import_record(actor=admin_user, record=record, library=net.a)
    again = services.marc_import_record(actor=admin_user, record=record, library=net.a)
    assert (first.action, again.action) == ("imported", "skipped")
    assert again.bib.pk == first.bib.pk
    record["245"]["a"] = "Dế Mèn phiêu lưu ký (tái bản) /"
    over = services.marc_import_record(actor=admin_user, record=record, library=net.a, on_match="overlay",
                                       provenance="oai:test")
    assert over.action == "updated" and over.bib.pk == first.bib.pk
    bib = BibRecord.objects.get()
    assert bib.title == "Dế Mèn phiêu lưu ký (tái bản)" and bib.provenance == "oai:test"


def test_import_creates_items_from_952(net, admin_user):
    from pymarc import Field, Indicators, Subfield
    record = make_book()
    record.add_field(Field(tag="952", indicators=Indicators(" ", " "), subfields=[
        Subfield("a", "C"), Subfield("p", "C-0001"), Subfield("o", "895.9223 TH"), Subfield("y", "CHILD_BOOK"),
        Subfield("g", "45000"), Subfield("d", "2024-03-01")]))
    record.add_field(Field(tag="852", indicators=Indicators(" ", " "), subfields=[Subfield("b", "ZZ"), Subfield("p", "A-9")]))
    outcome = services.marc_import_record(actor=admin_user, record=record, library=net.a)
    items = {i.barcode: i for i in Item.objects.select_related("library", "item_type")}
    assert outcome.items == 2
    assert items["C-0001"].library == net.c and items["C-0001"].item_type.code == "child_book"
    assert str(items["C-0001"].price) == "45000" and str(items["C-0001"].acquired_on) == "2024-03-01"
    assert items["A-9"].library == net.a
    assert any("ZZ" in w for w in outcome.warnings)
    summary = selectors.holdings_summary(bib=outcome.bib)
    assert [(r["library"].code, r["total"], r["available"]) for r in summary] == [("A", 1, 1), ("C", 1, 1)]


def test_duplicates_by_isbn_and_by_title_author_year(net, cataloguer_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    assert selectors.bib_duplicates(isbns=["9786042082051"], title="") == [bib]
    assert selectors.bib_duplicates(isbns=[], title="Dế mèn phiêu lưu ký", main_author="Tô Hoài", year=2019) == [bib]
    assert selectors.bib_duplicates(isbns=[], title="Dế Mèn phiêu lưu ký", main_author="Tô Hoài", year=2000) == []
