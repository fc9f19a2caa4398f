"""Phone first: every public page and the reader account fit a 360 px screen without sideways scrolling, the
header is one row with the reader's name, the hold "Huỷ" button is on screen; registration with a phone only."""

import pytest

from thuvien.catalog.models import ItemStatus
from thuvien.circulation.services import hold_place, loan_checkout
from thuvien.core.tests.fixtures import page_width
from thuvien.patrons.models import Patron, PatronCategory
from thuvien.patrons.services import patron_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def _phone_page(chromium, live_server):  # type: ignore[no-untyped-def]
    context = chromium.new_context(locale="vi-VN", base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _assert_fits(page, path: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert page_width(page) <= 360, f"{path} is {page_width(page)} px wide"
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] < 60, f"{path}: header is {header} (more than one row)"


def test_public_pages_and_account_fit_360_px(vn_catalogue, base_rule, desk_a, net, chromium, live_server):
    kieu, matbiec = vn_catalogue["kieu"], vn_catalogue["matbiec"]
    reader = patron_create(actor=desk_a, home_library=net.a, consents=["service", "reading_history"],
                           password="mật-khẩu-bạn-đọc-2026",
                           data={"full_name": "Hoàng Thị Phương Thảo Nguyên", "card_number": "A000777",
                                 "email": "thao@example.vn", "category": PatronCategory.objects.get(code="adult")})
    item = kieu.items.get(status=ItemStatus.AVAILABLE)
    loan_checkout(actor=desk_a, item=item, patron=reader, desk=net.a)
    hold_place(actor=desk_a, patron=reader, record=matbiec, pickup_library=net.a)
    context, page = _phone_page(chromium, live_server)
    try:
        for path in ("/", "/search/?q=truyen+kieu", "/search/?q=nguyen", "/search/?q=khongcotutrongmucluc",
                     "/search/advanced/", f"/record/{kieu.pk}/", f"/record/{kieu.pk}/marc/", "/account/login/",
                     "/account/register/", "/account/password/reset/"):
            _assert_fits(page, path)

        page.goto("/account/login/")
        page.fill("#id_username", "A000777")
        page.fill("#id_password", "mật-khẩu-bạn-đọc-2026")
        page.click("main button[type=submit]")
        page.wait_for_url("**/account/")
        assert page.locator("#reader-name").inner_text() == "Hoàng Thị Phương Thảo Nguyên"
        for tab in ("loans", "holds", "history", "fines", "data"):
            _assert_fits(page, f"/account/?tab={tab}")
        _assert_fits(page, f"/account/hold/{kieu.pk}/")

        page.goto("/account/?tab=holds")
        cancel = page.locator("#holds button.cancel-hold")
        box = cancel.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.locator("#holds .t strong").all_inner_texts() == ["Mắt biếc"]
        cancel.click()
        page.wait_for_selector("text=Đã huỷ yêu cầu đặt mượn.")
        page.goto("/account/")
        assert page.locator("#loans .t strong").all_inner_texts() == ["Truyện Kiều"]
    finally:
        context.close()


def test_register_with_a_phone_only(net, chromium, live_server):
    context, page = _phone_page(chromium, live_server)
    try:
        page.goto("/account/register/")
        assert page_width(page) <= 360
        page.click("button[type=submit]")  # everything empty: every error at once, with a summary on top
        summary = page.locator("#error-summary")
        assert summary.locator("h2").inner_text() == "Có 6 lỗi cần sửa"
        assert page_width(page) <= 360
        page.fill("#id_full_name", "Lò Thị Mai")
        page.fill("#id_birth_date", "1950-02-03")
        page.select_option("#id_category", label="Người cao tuổi")
        page.select_option("#id_home_library", label="Phòng đọc xã C")
        page.fill("#id_phone", "0912 555 010")
        page.fill("#id_password", "Doc-sach-moi-ngay-2026")
        page.check("input[name=consents][value=service]")
        page.click("button[type=submit]")
        page.wait_for_url("**/account/")
        assert page.locator("#reader-name").inner_text() == "Lò Thị Mai"
        patron = Patron.objects.get(full_name="Lò Thị Mai")
        assert (patron.phone, patron.email, patron.home_library, patron.card_number) == (
            "0912555010", "", net.c, "P000001")
        assert "Số thẻ của bạn: P000001" in page.locator(".messages").inner_text()
    finally:
        context.close()
