"""A desk librarian checks out three items by typing barcodes, checks one in, and sees it routed to a hold."""

import pytest

from thuvien.catalog.models import ItemStatus
from thuvien.circulation.models import Loan
from thuvien.circulation.services import hold_place
from thuvien.core.tests.fixtures import login_staff


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_desk_checkout_three_then_checkin_routes_to_hold(page, net, desk_a, base_rule, patron_factory,
                                                         item_factory, record_factory):
    reader = patron_factory("BR1", net.a, full_name="Hoàng Thị Nga")
    waiting = patron_factory("BR2", net.c, full_name="Bế Văn Tùng")
    record = record_factory("Truyện cổ Tày Nùng")
    item_factory("BAR-1", net.a, record=record)
    item_factory("BAR-2", net.a)
    item_factory("BAR-3", net.a)
    login_staff(page, "desk_a", "pw-desk_a")
    page.goto("/staff/circ/")
    page.fill("#card", "BR1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/circ/patrons/BR1/")
    for barcode in ("BAR-1", "BAR-2", "BAR-3"):
        page.fill("#barcode", barcode)
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#loans >> text={barcode}")
    assert page.locator("#loans tbody tr").count() == 3
    assert Loan.objects.filter(patron=reader, returned_at__isnull=True).count() == 3
    hold_place(actor=desk_a, patron=waiting, record=record, pickup_library=net.a)
    page.goto("/staff/circ/checkin/")
    page.fill("#barcode", "BAR-1")
    page.keyboard.press("Enter")
    row = page.locator("#checkins tbody tr").first
    row.wait_for()
    assert "Giữ cho bạn đọc Bế Văn Tùng (BR2)" in row.inner_text()
    assert Loan.objects.filter(patron=reader, returned_at__isnull=True).count() == 2
    assert reader.loans.get(item__barcode="BAR-1").returned_at is not None
    from thuvien.catalog.models import Item
    assert Item.objects.get(barcode="BAR-1").status == ItemStatus.ON_HOLD_SHELF
