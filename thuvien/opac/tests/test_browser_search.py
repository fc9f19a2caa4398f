"""A reader searches without diacritics from the home page, filters by a facet, opens a record."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_facet_record_holdings(vn_catalogue, page):
    page.goto("/")
    page.fill("#q", "nguyen du")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=nguyen+du*")
    assert page.locator(".count").inner_text() == "1–2 trong 2 kết quả"
    assert page.locator(".hit .meta mark").first.inner_text() == "Nguyễn"  # highlights keep the accents

    page.click(".facet >> text=Tiếng Anh")
    page.wait_for_url("**f=language%3Aeng*")
    page.wait_for_selector("text=1–1 trong 1 kết quả")
    assert page.locator(".hit h2").all_inner_texts() == ["The tale of Kieu"]
    assert page.locator(".active-filters").inner_text().startswith("Ngôn ngữ: Tiếng Anh")

    page.click(".hit h2 a")
    page.wait_for_url("**/record/*/")
    assert page.locator("h1").inner_text() == "The tale of Kieu"
    assert page.locator(".holdings h3").all_inner_texts() == ["Thư viện huyện B 1/1 bản sẵn sàng"]
    assert page.locator(".items td.status").all_inner_texts() == ["Sẵn sàng"]

    # the author link starts a new search, reachable from the keyboard
    page.locator(".desc a", has_text="Nguyễn Du").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.locator(".count").inner_text() == "1–2 trong 2 kết quả"
