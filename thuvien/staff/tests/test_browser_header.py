"""The staff header on a phone: one row with the logged-in name, the menu behind a "Menu" button
(keyboard: Enter opens it and focuses the first entry, Escape closes it), no sideways scrolling;
on a desktop the menu is in the header without a button."""

import pytest

from thuvien.core.models import Role
from thuvien.core.tests.fixtures import make_staff, page_width
from thuvien.opac.tests.a11y import assert_no_serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def _login(chromium, live_server, viewport):  # type: ignore[no-untyped-def]
    context = chromium.new_context(locale="vi-VN", base_url=live_server.url, viewport=viewport,
                                   bypass_csp=True)  # lets axe-core in
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/staff/login/")
    page.fill("#id_username", "quanly_tinh")
    page.fill("#id_password", "pw-quanly_tinh")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/")
    return context, page


def test_staff_header_is_one_row_on_a_phone(net, chromium, live_server):
    make_staff("quanly_tinh", net.province, Role.NETWORK_ADMIN, Role.LIBRARY_MANAGER, Role.CATALOGUER,
               Role.CIRCULATION, Role.DIGITISATION, Role.REPORT_VIEWER)
    context, page = _login(chromium, live_server, {"width": 360, "height": 740})
    try:
        for path in ("/staff/", "/staff/catalog/", "/staff/audit/"):
            page.goto(path)
            header = page.locator("header.top").bounding_box()
            assert header is not None and header["height"] < 60, f"{path}: header {header}"
            assert page_width(page) <= 360, f"{path} is {page_width(page)} px wide"
            name = page.locator("#staff-name")
            assert name.is_visible() and name.inner_text() == "Quanly_Tinh"
            assert not page.locator("#staff-menu").is_visible()
        toggle = page.locator("button.menu-toggle")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        links = page.locator("#staff-menu a")
        assert links.count() >= 8 and links.first.evaluate("el => el === document.activeElement")
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.locator(".staff-panel button[type=submit]").is_visible()  # logging out, in the panel
        assert page_width(page) <= 360
        assert_no_serious_violations(page, where="staff menu open at 360 px")
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false" and not links.first.is_visible()
        assert toggle.evaluate("el => el === document.activeElement")
        toggle.click()
        page.locator("#staff-menu a", has_text="Nhật ký").click()
        page.wait_for_url("**/staff/audit/**")
        assert not page.locator("#staff-menu").is_visible()
    finally:
        context.close()


def test_staff_header_on_a_desktop_shows_the_menu(net, chromium, live_server):
    make_staff("quanly_tinh", net.province, Role.NETWORK_ADMIN)
    context, page = _login(chromium, live_server, {"width": 1366, "height": 800})
    try:
        assert not page.locator("button.menu-toggle").is_visible()
        assert page.locator("#staff-menu a").first.is_visible()
        assert page.locator("#staff-name").inner_text() == "Quanly_Tinh"
        assert page.locator("header.top .who button[type=submit]").is_visible()
        assert_no_serious_violations(page, where="staff home on a desktop")
    finally:
        context.close()
