"""The item, loan and hold lifecycles cannot be bypassed: the three breaches found in review, and the
tables themselves (every state reachable only through a declared transition)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from thuvien.catalog import services as catalog_services
from thuvien.catalog.models import ItemStatus
from thuvien.circulation.models import Hold, HoldState, Loan, LoanState
from thuvien.circulation.services import CirculationError, hold_place, loan_checkin, loan_checkout
from thuvien.circulation.states import (
    CATALOGUE_STATUSES,
    HOLD_TRANSITIONS,
    ITEM_TRANSITIONS,
    LOAN_TRANSITIONS,
    TransitionError,
    check_item_transition,
)
from thuvien.core.models import AuditEntry
from thuvien.patrons.services import patron_erase

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)


def test_tables_cover_every_state_and_name_only_known_ones():
    for table, choices in ((ITEM_TRANSITIONS, ItemStatus), (LOAN_TRANSITIONS, LoanState),
                           (HOLD_TRANSITIONS, HoldState)):
        assert set(table) == set(choices.values)
        assert set().union(*table.values()) <= set(choices.values)
    assert ItemStatus.AVAILABLE not in ITEM_TRANSITIONS[ItemStatus.WITHDRAWN]
    assert HoldState.WAITING not in HOLD_TRANSITIONS[HoldState.READY]


def test_catalogue_moves_only_between_shelf_statuses():
    check_item_transition("available", "damaged", by_catalogue=True)
    check_item_transition("damaged", "withdrawn", by_catalogue=True)
    with pytest.raises(TransitionError, match="chỉ thay đổi qua mượn trả"):
        check_item_transition("on_loan", "available", by_catalogue=True)
    with pytest.raises(TransitionError, match="chỉ do mượn trả đặt ra"):
        check_item_transition("available", "on_hold_shelf", by_catalogue=True)
    with pytest.raises(TransitionError, match="từ “Thanh lý” sang “Sẵn sàng”"):
        check_item_transition("withdrawn", "available")
    assert "on_loan" not in CATALOGUE_STATUSES


@pytest.fixture
def ready_hold(net, desk_a, base_rule, patron_factory, item_factory, record_factory):
    """Reader H1's hold at A is READY: the only copy waits on A's hold shelf."""
    record = record_factory("Truyện Kiều")
    copy = item_factory("A1", net.a, record=record)
    holder = patron_factory("H1", net.a)
    hold = hold_place(actor=desk_a, patron=holder, record=record, pickup_library=net.a, now=NOW)
    result = loan_checkin(actor=desk_a, item=copy, desk=net.a, now=NOW)
    assert result.route == "hold_here"
    hold.refresh_from_db()
    copy.refresh_from_db()
    assert (hold.state, copy.status) == (HoldState.READY, ItemStatus.ON_HOLD_SHELF)
    return hold, copy


def test_override_checkout_leaves_another_readers_ready_hold_ready(net, manager_a, ready_hold, patron_factory):
    hold, copy = ready_hold
    other = patron_factory("O1", net.a)
    with pytest.raises(CirculationError, match="đang nằm trên giá chờ bạn đọc H1 nhận"):
        loan_checkout(actor=manager_a, item=copy, patron=other, desk=net.a, override=True, now=NOW)
    hold.refresh_from_db()
    copy.refresh_from_db()
    assert (hold.state, hold.target_item_id, copy.status) == (HoldState.READY, copy.pk, ItemStatus.ON_HOLD_SHELF)
    assert not Loan.objects.exists()
    assert not AuditEntry.objects.filter(action="loan.override").exists()


def test_override_checkout_sends_an_in_transit_hold_back_to_the_queue(net, desk_a, desk_b, manager_a, base_rule,
                                                                      patron_factory, item_factory, record_factory):
    record = record_factory("Số đỏ")
    copy = item_factory("B1", net.b, record=record)
    holder = patron_factory("H2", net.a)
    hold = hold_place(actor=desk_a, patron=holder, record=record, pickup_library=net.a, now=NOW)
    assert loan_checkin(actor=desk_b, item=copy, desk=net.b, now=NOW).route == "transit_hold"
    loan = loan_checkout(actor=manager_a, item=copy, patron=patron_factory("O2", net.a), desk=net.a,
                         override=True, now=NOW)
    hold.refresh_from_db()
    assert (hold.state, hold.target_item_id, loan.item.status) == (HoldState.WAITING, None, ItemStatus.ON_LOAN)


def test_erasure_cancels_holds_through_circulation_and_routes_the_shelf_copy(net, desk_a, ready_hold,
                                                                              patron_factory):
    hold, copy = ready_hold
    erased = patron_erase(actor=desk_a, patron=hold.patron)
    hold.refresh_from_db()
    copy.refresh_from_db()
    assert (erased.status, hold.state, hold.closed_at is not None) == ("erased", HoldState.CANCELLED, True)
    assert copy.status == ItemStatus.AVAILABLE  # no copy left on the hold shelf without a hold
    entry = AuditEntry.objects.filter(action="hold.cancel").get()
    assert entry.changes == {"state": ["ready", "cancelled"]}


def test_erasure_passes_the_shelf_copy_to_the_next_reader(net, desk_a, ready_hold, patron_factory):
    hold, copy = ready_hold
    second = patron_factory("H3", net.a)
    queued = hold_place(actor=desk_a, patron=second, record=copy.record, pickup_library=net.a, now=NOW)
    assert queued.state == HoldState.WAITING
    patron_erase(actor=desk_a, patron=hold.patron)
    queued.refresh_from_db()
    copy.refresh_from_db()
    assert (queued.state, queued.target_item_id, copy.status) == (HoldState.READY, copy.pk, ItemStatus.ON_HOLD_SHELF)
    assert Hold.objects.filter(patron=hold.patron, state__in=["waiting", "targeted", "in_transit", "ready"]).count() == 0


def test_catalogue_cannot_set_an_on_loan_item_available(net, desk_a, cataloguer_a, base_rule, patron_factory,
                                                        item_factory):
    copy = item_factory("A9", net.a)
    loan_checkout(actor=desk_a, item=copy, patron=patron_factory("R1", net.a), desk=net.a, now=NOW)
    copy.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        catalog_services.item_update(actor=cataloguer_a, item=copy, status=ItemStatus.AVAILABLE)
    assert caught.value.message_dict == {"status": [
        "Bản tài liệu đang ở trạng thái “Đang cho mượn”: trạng thái này chỉ thay đổi qua mượn trả "
        "(trả tài liệu tại quầy), không sửa được ở đây."]}
    copy.refresh_from_db()
    assert copy.status == ItemStatus.ON_LOAN
    # a shelf status can be changed, and an item cannot be created straight onto the hold shelf
    shelf = item_factory("A10", net.a)
    assert catalog_services.item_update(actor=cataloguer_a, item=shelf, status="damaged").status == "damaged"
    with pytest.raises(ValidationError, match="chỉ do mượn trả đặt ra"):
        catalog_services.item_create(actor=cataloguer_a, record=shelf.record, library=net.a, barcode="A11",
                                     item_type="book", status=ItemStatus.ON_HOLD_SHELF)


def test_catalogue_cannot_clear_a_lost_copy_whose_loan_is_open(net, desk_a, cataloguer_a, base_rule,
                                                               patron_factory, item_factory):
    from thuvien.circulation.services import loan_mark_lost
    copy = item_factory("A12", net.a)
    loan = loan_checkout(actor=desk_a, item=copy, patron=patron_factory("R2", net.a), desk=net.a, now=NOW)
    loan_mark_lost(actor=desk_a, loan=loan, charge=None)
    copy.refresh_from_db()
    with pytest.raises(ValidationError, match="còn một lượt mượn chưa đóng"):
        catalog_services.item_update(actor=cataloguer_a, item=copy, status=ItemStatus.AVAILABLE)


def test_item_form_shows_the_refusal(client, net, desk_a, cataloguer_a, base_rule, patron_factory, item_factory):
    copy = item_factory("A13", net.a)
    loan_checkout(actor=desk_a, item=copy, patron=patron_factory("R3", net.a), desk=net.a, now=NOW)
    client.force_login(cataloguer_a)
    page = client.get(f"/staff/catalog/item/{copy.pk}/edit/").content.decode()
    offered = re.findall(r'<option value="([a-z_]+)"[^>]*>[^<]*</option>', page.split('name="status"')[1].split("</select>")[0])
    assert offered == ["on_loan"]  # a copy in circulation keeps its status in the form
    shelf = item_factory("A14", net.a, status=ItemStatus.DAMAGED)
    page = client.get(f"/staff/catalog/item/{shelf.pk}/edit/").content.decode()
    offered = re.findall(r'<option value="([a-z_]+)"[^>]*>[^<]*</option>', page.split('name="status"')[1].split("</select>")[0])
    assert offered == ["available", "in_processing", "lost", "damaged", "missing", "withdrawn", "in_house"]
    response = client.post(f"/staff/catalog/item/{copy.pk}/edit/", {
        "library": net.a.pk, "barcode": "A13", "item_type": "book", "status": "available", "call_number": "",
        "shelving_location": "", "price": "", "acquired_on": "", "acquisition_source": "", "rfid_tag": "",
        "notes": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    copy.refresh_from_db()
    assert copy.status == ItemStatus.ON_LOAN


def _direct_state_writes() -> list[str]:
    """Source lines (outside states.py and tests) that write an item status, loan state or hold state
    themselves: `x.status = ItemStatus.X`, `h.state, ... = HoldState.X, ...`, `.update(state=...)`."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    enums = {"ItemStatus": ItemStatus, "LoanState": LoanState, "HoldState": HoldState}
    codes = {"status": set(ItemStatus.values), "state": set(LoanState.values) | set(HoldState.values)}

    def is_state_value(attr: str, value: ast.expr) -> bool:
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id in enums:
            return True
        return isinstance(value, ast.Constant) and value.value in codes.get(attr, set())

    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).as_posix()
        if "/tests/" in rel or "/migrations/" in rel or rel == "thuvien/circulation/states.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        pairs.extend(zip(target.elts, node.value.elts, strict=False))
                    else:
                        pairs.append((target, node.value))
            if any(isinstance(t, ast.Attribute) and t.attr in codes and is_state_value(t.attr, v) for t, v in pairs):
                found.append(f"{rel}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "update" and any(
                    kw.arg in codes and (kw.arg == "state" or is_state_value(kw.arg, kw.value))
                    for kw in node.keywords):
                found.append(f"{rel}:{node.lineno}")
    return found


def test_no_state_is_written_outside_the_transition_table():
    assert _direct_state_writes() == []
