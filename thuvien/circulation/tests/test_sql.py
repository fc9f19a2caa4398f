"""The desk hot path's statements (thuvien.circulation.sql) against the real database (SQLite or
PostgreSQL): rows load as the ORM loads them, inserts store what the ORM stores, a batch runs in
order and fails as a whole inside its transaction."""

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from thuvien.catalog.models import Item, ItemStatus
from thuvien.circulation import sql
from thuvien.circulation.models import DeskOperation, Loan, LoanState
from thuvien.circulation.services import loan_checkin, loan_checkout
from thuvien.core.models import ActivityEvent, AuditEntry

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=VN)


def _values(obj, model):  # type: ignore[no-untyped-def]
    return {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}


def test_rows_load_like_the_orm(net, patron_factory, item_factory):
    item = item_factory("S1", net.a, price=Decimal(125000), acquired_on=dt.date(2025, 12, 31))
    loan = Loan.objects.create(item=item, patron=patron_factory("R1", net.a), library=net.a, checked_out_at=NOW,
                               due_at=NOW + dt.timedelta(days=14), fine_per_day=Decimal(1000), in_house=True)
    batch = sql.Batch()
    cols = sql.columns(Loan, "l")
    at = batch.add(f"SELECT {cols.sql} FROM {sql.table(Loan)} AS l WHERE l.id = %s", [loan.pk])  # noqa: S608
    i_cols = sql.columns(Item, "i")
    at_item = batch.add(f"SELECT {i_cols.sql} FROM {sql.table(Item)} AS i WHERE i.id = %s", [item.pk])  # noqa: S608
    found = batch.run()
    loaded = cols.load(found.first(at))
    assert _values(loaded, Loan) == _values(Loan.objects.get(pk=loan.pk), Loan)
    assert loaded.uuid == loan.uuid and loaded.in_house is True and loaded.due_at == NOW + dt.timedelta(days=14)
    assert _values(i_cols.load(found.first(at_item)), Item) == _values(Item.objects.get(pk=item.pk), Item)
    assert not loaded._state.adding


def test_inserts_store_what_the_orm_stores(net, desk_a):
    rid = uuid.uuid4()
    op = DeskOperation(request_id=str(rid), kind="checkout", object_id=7, result={"route": "shelve", "n": [1, None]})
    entry = AuditEntry(actor=desk_a, actor_label="desk_a", unit=net.a, action="loan.checkout",
                       object_type="circulation.loan", object_id="7", object_repr="A → B", changes={"due": [None, "x"]})
    event = ActivityEvent(kind="loan", unit=net.a, attributes={"category": "adult"})
    batch = sql.Batch()
    for obj in (op, entry, event):
        batch.add(*sql.insert(obj))
    assert batch.run().results == [1, 1, 1]
    stored = DeskOperation.objects.get(request_id=rid)
    assert (stored.kind, stored.object_id, stored.result) == ("checkout", 7, {"route": "shelve", "n": [1, None]})
    assert stored.created_at == op.created_at  # auto_now_add filled in on the instance, as save() does
    e = AuditEntry.objects.get(action="loan.checkout")
    assert (e.actor, e.unit, e.object_repr, e.changes) == (desk_a, net.a, "A → B", {"due": [None, "x"]})
    assert ActivityEvent.objects.get(kind="loan").attributes == {"category": "adult"}


def test_insert_now_takes_the_new_key_and_update_prepares_values(net, item_factory):
    item = item_factory("S2", net.a)
    loan = Loan(item=item, library=net.a, checked_out_at=NOW, due_at=NOW)
    next_id = sql.next_id_sql(Loan)
    if next_id is None:
        sql.insert_now(loan)
    else:
        batch = sql.Batch()
        batch.add(next_id)
        loan.pk = batch.run().rows(0)[0][0]
        batch.add(*sql.insert(loan))
        batch.run()
    assert Loan.objects.get(pk=loan.pk).item == item
    batch = sql.Batch()
    batch.add(*sql.update(Loan, loan.pk, {"state": LoanState.RETURNED, "returned_at": NOW, "return_library": net.b.pk}))
    assert batch.run().rowcount(0) == 1
    stored = Loan.objects.get(pk=loan.pk)
    assert (stored.state, stored.returned_at, stored.return_library) == ("returned", NOW, net.b)


def test_a_failing_statement_fails_the_batch_and_its_transaction(net, item_factory):
    item = item_factory("S3", net.a)
    Loan.objects.create(item=item, library=net.a, checked_out_at=NOW, due_at=NOW)
    batch = sql.Batch()
    batch.add(*sql.update(Item, item.pk, {"status": ItemStatus.ON_LOAN}))
    batch.add(*sql.insert(Loan(item=item, library=net.a, checked_out_at=NOW, due_at=NOW)))  # a second open loan
    with pytest.raises(IntegrityError), transaction.atomic():
        batch.run()
    assert Item.objects.get(pk=item.pk).status == ItemStatus.AVAILABLE
    assert Loan.objects.filter(item=item).count() == 1


def test_for_update_only_where_rows_are_locked():
    clause = sql.for_update("i")
    assert clause == (' FOR UPDATE OF "i"' if connection.vendor == "postgresql" else "")


def test_checkout_and_checkin_write_exact_audit_event_and_replay(net, desk_a, base_rule, patron_factory, item_factory):
    reader = patron_factory("R9", net.a)
    item = item_factory("S4", net.a)
    rid = uuid.uuid4()
    loan = loan_checkout(actor=desk_a, item=item, patron=reader, desk=net.a, request_id=rid, now=NOW)
    e = AuditEntry.objects.get(action="loan.checkout")
    assert (e.actor, e.actor_label, e.unit, e.object_type, e.object_id, e.object_repr) == (
        desk_a, "desk_a", net.a, "circulation.loan", str(loan.pk), "S4 → R9")
    assert e.changes == {"item": [None, "S4"], "patron": [None, "R9"], "due": [None, "2026-03-16"]}
    stored = Loan.objects.get(pk=loan.pk)
    assert (stored.uuid, stored.due_at, stored.staff, stored.patron_category) == (
        loan.uuid, dt.datetime(2026, 3, 16, 23, 59, 59, tzinfo=VN), desk_a, "adult")
    assert DeskOperation.objects.get(request_id=rid).object_id == loan.pk
    assert loan_checkout(actor=desk_a, item=item, patron=reader, desk=net.a, request_id=rid, now=NOW).pk == loan.pk
    back = uuid.uuid4()
    result = loan_checkin(actor=desk_a, item=item, desk=net.a, request_id=back, now=NOW)
    e = AuditEntry.objects.get(action="loan.checkin")
    assert (e.object_id, e.object_repr, e.changes) == (str(loan.pk), "S4", {
        "item": ["S4", "S4"], "status": ["on_loan", "available"], "route": [None, "shelve"], "fine": [None, None]})
    assert list(ActivityEvent.objects.order_by("pk").values_list("kind", "unit", "attributes")) == [
        ("loan", net.a.pk, {"category": "adult", "item_type": "book"}),
        ("return", net.a.pk, {"category": "adult", "item_type": "book", "days_late": 0})]
    assert DeskOperation.objects.get(request_id=back).result == result.as_dict()
    again = loan_checkin(actor=desk_a, item=item, desk=net.a, request_id=back, now=NOW)
    assert (again.route, again.loan.pk) == ("shelve", loan.pk)  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(action="loan.checkin").count() == 1
