"""Registering for an event in Chromium, on a 390 px phone and on a desktop: the seat count goes down,
a full event refuses, a reader cancels and the seat comes back; the pages do not scroll sideways."""

from __future__ import annotations

import pytest

from thuvien.core.tests.fixtures import page_width
from thuvien.portal.models import Registration
from thuvien.portal.tests.fixtures import READER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 900}],
                         ids=["phone", "desktop"])
def test_register_for_an_event(event_factory, reader, chromium, live_server, viewport):
    event = event_factory("Giờ kể chuyện cho thiếu nhi", seats=2)
    context = chromium.new_context(locale="vi-VN", base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto("/")  # the header leads to the events: inline links on a desktop, the ☰ menu on a phone
        header = page.locator("header.top").bounding_box()
        assert header is not None and header["height"] < 60
        if viewport["width"] < 720:
            page.click(".portal-more summary")
            page.click(".portal-menu >> text=Sự kiện")
        else:
            page.click(".portal-links >> text=Sự kiện")
        page.wait_for_url("**/su-kien/")
        assert page_width(page) <= viewport["width"]
        assert page.locator("#events .seats").inner_text() == "0/2 chỗ đã đăng ký"
        page.click("#events h3 a")
        page.wait_for_url(f"**/su-kien/{event.pk}/")
        assert page.locator("#seats-left").inner_text() == "Còn 2 chỗ (tổng 2)"

        # a visitor forgets the consent: the form comes back with the error and what was typed
        page.fill("#id_name", "Hà Thị Khách")
        page.fill("#id_phone", "0912 345 678")
        page.click("#register")
        assert page.locator("#reg-errors").inner_text() == "Cần đồng ý để thư viện dùng thông tin liên hệ."
        assert page.input_value("#id_name") == "Hà Thị Khách"
        page.check("#id_consent")
        page.click("#register")
        page.wait_for_url("**/su-kien/dang-ky/*/")
        assert page.locator("#reg-state").inner_text() == "Hà Thị Khách · Đã đăng ký"
        page.goto(f"/su-kien/{event.pk}/")
        assert page.locator("#seats-left").inner_text() == "Còn 1 chỗ (tổng 2)"

        # a reader logs in and takes the last seat
        page.click("text=đăng nhập")
        page.fill("#id_username", "A000900")
        page.fill("#id_password", READER_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/account/**")
        page.goto(f"/su-kien/{event.pk}/")
        page.click("#register")
        page.wait_for_selector("#registered")
        assert page.locator("#seats-left").inner_text() == "Còn 0 chỗ (tổng 2)"
        assert page_width(page) <= viewport["width"]
        assert Registration.objects.filter(event=event, state="registered").count() == 2

        # a second visitor finds the event full: no form, and a forced POST is refused
        visitor = chromium.new_context(locale="vi-VN", base_url=live_server.url, viewport=viewport)
        other = visitor.new_page()
        other.goto(f"/su-kien/{event.pk}/")
        assert other.locator("#full").inner_text() == "Sự kiện đã hết chỗ."
        assert other.locator("#register-form").count() == 0
        visitor.close()
        with pytest.raises(Exception, match="hết chỗ"):
            from thuvien.portal.services import registration_create
            registration_create(event=event, user=None, name="Người thứ ba", phone="0912000003", consent=True)

        # the reader cancels: the seat comes back
        page.click("#cancel-registration")
        page.wait_for_selector("text=Đã huỷ đăng ký.")
        assert page.locator("#seats-left").inner_text() == "Còn 1 chỗ (tổng 2)"
        page.goto("/account/?tab=lists")
        assert page.locator("#my-registrations").inner_text() == "Bạn chưa đăng ký sự kiện nào."
    finally:
        context.close()
