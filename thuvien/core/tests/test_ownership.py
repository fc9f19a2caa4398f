"""The ownership permission matrix (issue 12: V1, V3, V15): object (record, item, fine, reader) x role x
relation to the owning library. Every object here belongs to district library A; the actors sit at A
itself, at C (a commune reading room under A), at B (a sibling district) or at P (the network root).
An allowed write succeeds; a refused one raises and leaves the database exactly as it was."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from pymarc import Field

from thuvien.catalog import services as catalog
from thuvien.catalog.models import BibRecord, Item
from thuvien.catalog.tests.fixtures import make_book
from thuvien.circulation import services as circ
from thuvien.circulation.models import Fine, Loan, Payment
from thuvien.core.models import AuditEntry, Role
from thuvien.core.tests.fixtures import make_staff
from thuvien.patrons import services as patrons
from thuvien.patrons.models import Patron
from thuvien.patrons.tests.fixtures import make_patron

ROLES = {"cat": Role.CATALOGUER, "desk": Role.CIRCULATION, "mgr": Role.LIBRARY_MANAGER, "admin": Role.NETWORK_ADMIN}


def _db_state() -> tuple[Any, ...]:
    """Everything these writes could touch, as comparable values."""
    return (
        list(BibRecord.objects.order_by("pk").values_list("pk", "title", "marc", "is_deleted", "owner_id")),
        list(Item.objects.order_by("pk").values_list("pk", "barcode", "status", "library_id", "call_number")),
        list(Fine.objects.order_by("pk").values_list("pk", "amount", "paid")),
        Payment.objects.count(), Loan.objects.count(),
        list(Patron.objects.order_by("pk").values_list("pk", "full_name", "phone", "home_library_id")),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def world(net, base_rule):  # type: ignore[no-untyped-def]
    owner_cat = make_staff("owner_cat", net.a, Role.CATALOGUER)
    bib = catalog.bib_create(actor=owner_cat, record=make_book("Sách của thư viện A"), owner=net.a)
    item = catalog.item_create(actor=owner_cat, record=bib, library=net.a, barcode="A0001", item_type="book")
    reader = make_patron("R-A-1", net.a, phone="0901234567")
    other = make_patron("R-B-1", net.b)
    fine = Fine.objects.create(patron=reader, library=net.a, kind="manual", amount=Decimal(5000))
    return {"net": net, "bib": bib, "item": item, "reader": reader, "other": other, "fine": fine}


def _actor(world: dict[str, Any], who: str) -> tuple[Any, Any]:
    """'cat@A' -> (user with that role at unit A, the unit)."""
    role, at = who.split("@")
    unit = {"A": world["net"].a, "B": world["net"].b, "C": world["net"].c, "P": world["net"].province}[at]
    return make_staff(f"{role}_{at}".lower(), unit, ROLES[role]), unit


def _edit_record(w: dict[str, Any], actor: Any, unit: Any) -> None:
    catalog.bib_update(actor=actor, bib=w["bib"], record=make_book("Tên mới thay thế"))


def _delete_record(w: dict[str, Any], actor: Any, unit: Any) -> None:
    catalog.bib_delete(actor=actor, bib=w["bib"])


def _edit_item(w: dict[str, Any], actor: Any, unit: Any) -> None:
    catalog.item_update(actor=actor, item=w["item"], call_number="XYZ 1")


def _lend_item(w: dict[str, Any], actor: Any, unit: Any) -> None:
    circ.loan_checkout(actor=actor, item=w["item"], patron=w["other"], desk=unit, request_id=uuid.uuid4())


def _waive_fine(w: dict[str, Any], actor: Any, unit: Any) -> None:
    circ.fine_waive(actor=actor, fine=w["fine"], desk=unit)


def _pay_fine(w: dict[str, Any], actor: Any, unit: Any) -> None:
    circ.fine_pay(actor=actor, patron=w["reader"], amount=Decimal(5000), desk=unit)


def _edit_reader(w: dict[str, Any], actor: Any, unit: Any) -> None:
    patrons.patron_update(actor=actor, patron=w["reader"], data={"phone": "0999999999"})


WRITES: dict[str, Callable[[dict[str, Any], Any, Any], None]] = {
    "record.edit": _edit_record, "record.delete": _delete_record, "item.edit": _edit_item, "item.lend": _lend_item,
    "fine.waive": _waive_fine, "fine.pay": _pay_fine, "reader.edit": _edit_reader,
}

# (write, actor role@unit, allowed). A = the owner, C = below it, B = a sibling, P = the network root.
MATRIX = [
    ("record.edit", "cat@A", True), ("record.edit", "cat@P", True), ("record.edit", "admin@P", True),
    ("record.edit", "cat@C", False), ("record.edit", "cat@B", False), ("record.edit", "desk@A", False),
    ("record.edit", "mgr@B", False),
    ("record.delete", "cat@B", False), ("record.delete", "cat@C", False),
    ("item.edit", "cat@A", True), ("item.edit", "cat@B", False), ("item.edit", "cat@C", False),
    ("item.edit", "desk@A", False),
    ("item.lend", "desk@A", True), ("item.lend", "desk@P", True), ("item.lend", "desk@B", False),
    ("item.lend", "desk@C", False), ("item.lend", "mgr@B", False), ("item.lend", "cat@A", False),
    ("fine.waive", "mgr@A", True), ("fine.waive", "admin@P", True), ("fine.waive", "mgr@B", False),
    ("fine.waive", "mgr@C", False), ("fine.waive", "desk@A", False),
    ("fine.pay", "desk@A", True), ("fine.pay", "desk@B", False), ("fine.pay", "desk@C", False),
    ("reader.edit", "desk@A", True), ("reader.edit", "mgr@A", True), ("reader.edit", "desk@B", False),
    ("reader.edit", "desk@C", False), ("reader.edit", "cat@A", False),
]


@pytest.mark.parametrize(("write", "who", "allowed"), MATRIX, ids=[f"{w}-{a}-{'ok' if ok else 'refused'}"
                                                                   for w, a, ok in MATRIX])
def test_ownership_matrix(world, write, who, allowed):
    actor, unit = _actor(world, who)
    before = _db_state()
    if allowed:
        WRITES[write](world, actor, unit)
        assert _db_state() != before
    else:
        expected = (PermissionDenied, circ.CirculationError) if write in ("item.lend", "fine.pay") else PermissionDenied
        with pytest.raises(expected):
            WRITES[write](world, actor, unit)
        assert _db_state() == before


def test_record_edit_audit_is_filed_under_the_owner(world):
    net = world["net"]
    actor = make_staff("netcat", net.province, Role.CATALOGUER)
    catalog.bib_update(actor=actor, bib=world["bib"], record=make_book("Sửa ở cấp mạng lưới"))
    entry = AuditEntry.objects.filter(action="catalog.bib_update").get()
    assert entry.unit_id == net.a.pk
    assert entry.actor_id == actor.pk


def test_import_overlay_of_a_record_owned_elsewhere_is_skipped_and_reported(world):
    net = world["net"]
    bib = world["bib"]
    record = make_book("Bản ghi đè từ thư viện B")
    record.remove_fields("001", "003")
    record.fields[0:0] = [Field(tag="001", data=bib.control_number), Field(tag="003", data=bib.control_number_source)]
    cat_b = make_staff("cat_b2", net.b, Role.CATALOGUER)
    before = _db_state()
    outcome = catalog.marc_import_record(actor=cat_b, record=record, library=net.b, on_match="overlay")
    assert outcome.action == "skipped"
    assert outcome.warnings == [f"record {bib.control_number} is owned by A; not overlaid (send the owner a change request)"]
    assert _db_state() == before
    cat_a = make_staff("cat_a2", net.a, Role.CATALOGUER)
    assert catalog.marc_import_record(actor=cat_a, record=record, library=net.a, on_match="overlay").action == "updated"
    assert BibRecord.objects.get(pk=bib.pk).title == "Bản ghi đè từ thư viện B"


def test_fine_pay_takes_only_the_desks_own_fines(world):
    net = world["net"]
    Fine.objects.create(patron=world["reader"], library=net.b, kind="manual", amount=Decimal(3000))
    desk_b = make_staff("desk_b2", net.b, Role.CIRCULATION)
    payments = circ.fine_pay(actor=desk_b, patron=world["reader"], amount=Decimal(3000), desk=net.b)
    assert [(p.fine.library_id, p.amount) for p in payments] == [(net.b.pk, Decimal(3000))]
    assert Fine.objects.get(pk=world["fine"].pk).paid == 0


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_fine_pay_refuses_non_numbers(world, amount):
    desk = make_staff("desk_a3", world["net"].a, Role.CIRCULATION)
    with pytest.raises(circ.CirculationError):
        circ.fine_pay(actor=desk, patron=world["reader"], amount=Decimal(amount), desk=world["net"].a)


def test_malformed_request_id_is_a_desk_error(world):
    desk = make_staff("desk_a4", world["net"].a, Role.CIRCULATION)
    before = _db_state()
    with pytest.raises(circ.CirculationError, match="request_id"):
        circ.loan_checkout(actor=desk, item=world["item"], patron=world["other"], desk=world["net"].a,
                           request_id="not-a-uuid")
    assert _db_state() == before


def test_a_non_owner_sends_a_change_request_the_owner_resolves_it(client, world):
    net = world["net"]
    cat_b = make_staff("cat_b3", net.b, Role.CATALOGUER)
    client.force_login(cat_b)
    page = client.get(f"/staff/catalog/record/{world['bib'].pk}/").content.decode()
    assert 'id="change-request"' in page and 'id="edit-marc"' not in page
    editor = client.get(f"/staff/catalog/record/{world['bib'].pk}/edit/").content.decode()
    assert "chỉ cán bộ biên mục của đơn vị đó được sửa" in editor
    client.post(f"/staff/catalog/record/{world['bib'].pk}/", {"message": "Sai năm xuất bản: 2019"})
    request = world["bib"].change_requests.get()
    assert (request.owner, request.requested_by, request.status) == (net.a, cat_b, "open")
    assert AuditEntry.objects.filter(action="catalog.change_request", unit=net.a).exists()
    assert client.post("/staff/catalog/change-requests/", {"request": request.pk, "status": "done"}).status_code == 403
    request.refresh_from_db()
    assert request.status == "open"  # B may not close A's request
    owner = make_staff("cat_a5", net.a, Role.CATALOGUER)
    client.force_login(owner)
    assert "Sai năm xuất bản" in client.get("/staff/catalog/change-requests/").content.decode()
    client.post("/staff/catalog/change-requests/", {"request": request.pk, "status": "done", "answer": "Đã sửa"})
    request.refresh_from_db()
    assert (request.status, request.answer) == ("done", "Đã sửa")
