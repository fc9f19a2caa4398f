"""WCAG 2.1 AA on the reader portal, checked by axe-core in Chromium at 390 px and on a desktop:
no serious or critical violation on the home, results (with and without hits), record, login,
registration and account pages, and the portal's services (directory, news, events, ask a
librarian, copies, postal loans, suggestions, lists); plus the keyboard: the skip link is the first stop and moves focus
to the main content, and focus is visible."""

import pytest

from thuvien.catalog.models import ItemStatus
from thuvien.circulation.services import hold_place, loan_checkout
from thuvien.opac.tests.a11y import VIEWPORTS, a11y_context, assert_no_serious_violations, axe_violations
from thuvien.patrons.models import PatronCategory
from thuvien.patrons.services import patron_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = ["/", "/search/?q=truyen+kieu", "/search/?q=nguyen", "/search/?q=khongcotutrongmucluc",
          "/search/advanced/", "/account/login/", "/account/register/", "/account/password/reset/",
          # the portal's services (issue 17): directory, van, news, events, new books, ask a librarian, FAQ
          "/thu-vien/", "/xe-luu-dong/", "/tin-tuc/", "/su-kien/", "/moi-bo-sung/", "/ask/", "/faq/"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_portal_pages_have_no_serious_accessibility_violation(vn_catalogue, base_rule, desk_a, net, chromium,
                                                              live_server, viewport):
    kieu, matbiec = vn_catalogue["kieu"], vn_catalogue["matbiec"]
    reader = patron_create(actor=desk_a, home_library=net.a, consents=["service", "reading_history"],
                           password="mật-khẩu-bạn-đọc-2026",
                           data={"full_name": "Hoàng Thị Phương Thảo", "card_number": "A000778",
                                 "email": "thao2@example.vn", "category": PatronCategory.objects.get(code="adult")})
    loan_checkout(actor=desk_a, item=kieu.items.get(status=ItemStatus.AVAILABLE), patron=reader, desk=net.a)
    hold_place(actor=desk_a, patron=reader, record=matbiec, pickup_library=net.a)
    with a11y_context(chromium, live_server.url, viewport) as page:
        for path in [*PUBLIC, f"/record/{kieu.pk}/", f"/record/{kieu.pk}/marc/"]:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert_no_serious_violations(page, where=f"{path} at {viewport}")
        page.goto("/account/register/")
        page.click("button[type=submit]")  # the form with every error shown
        page.wait_for_selector("#error-summary")
        assert_no_serious_violations(page, where=f"registration with errors at {viewport}")

        page.goto("/account/login/")
        page.fill("#id_username", "A000778")
        page.fill("#id_password", "mật-khẩu-bạn-đọc-2026")
        page.click("main button[type=submit]")
        page.wait_for_url("**/account/")
        for tab in ("loans", "holds", "history", "fines", "lists", "questions", "copies", "postal", "suggestions",
                    "data"):
            page.goto(f"/account/?tab={tab}")
            assert_no_serious_violations(page, where=f"account tab {tab} at {viewport}")
        for path in ("/suggest/", f"/record/{kieu.pk}/copy/", f"/record/{kieu.pk}/postal/", "/danh-sach/"):
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert_no_serious_violations(page, where=f"{path} at {viewport}")
        page.goto("/ask/")
        page.click("main form button[type=submit]")  # the question form with every error shown
        assert_no_serious_violations(page, where=f"ask a librarian with errors at {viewport}")


def test_skip_link_and_visible_focus_by_keyboard(vn_catalogue, chromium, live_server):
    with a11y_context(chromium, live_server.url, "phone") as page:
        page.goto("/search/?q=truyen+kieu")
        page.keyboard.press("Tab")
        skip = page.locator("a.skip")
        assert skip.evaluate("el => el === document.activeElement")
        box = skip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0  # on screen when focused
        outline = skip.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth")
        assert outline == "solid 3px"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
        page.keyboard.press("Tab")  # the next stop is inside the main content, not back in the header
        assert page.evaluate("document.activeElement.closest('main') !== null")
        focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focused == "solid"


def test_the_harness_reports_serious_violations(chromium, live_server):
    with a11y_context(chromium, live_server.url, "desktop") as page:
        page.set_content('<html lang="vi"><head><title>x</title></head><body><main><h1>Thử</h1>'
                         '<img src="/static/thuvien/favicon.svg"><input type="text">'
                         '<p style="color:#bbb;background:#fff">chữ nhạt</p></main></body></html>')
        violations = {v["id"]: v["impact"] for v in axe_violations(page)}
        assert violations == {"image-alt": "critical", "label": "critical", "color-contrast": "serious"}
        with pytest.raises(AssertionError, match=r"\[critical\] image-alt"):
            assert_no_serious_violations(page)
