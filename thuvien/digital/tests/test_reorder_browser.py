"""Page reordering on the staff object page in Debian's Chromium: drag and drop (SortableJS from our
static files) and the keyboard up/down buttons save at once, without a page reload; the manifest
follows the new order."""

from __future__ import annotations

import pytest

from thuvien.core.tests.fixtures import login_staff


def _manifest_order(page, obj) -> list[str]:  # type: ignore[no-untyped-def]
    data = page.request.get(f"/iiif/{obj.uuid}/manifest").json()
    return [c["items"][0]["items"][0]["body"]["service"][0]["id"].rsplit("/", 1)[1] for c in data["items"]]


@pytest.mark.browser
def test_drag_and_buttons_reorder_pages(page, net, staff_factory, digital_object_factory):
    obj = digital_object_factory(texts=["Một", "Hai", "Ba"], ocr="none")
    staff_factory("sohoa_drag", net.a, "digitisation")
    login_staff(page, "sohoa_drag", "pw-sohoa_drag")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"/staff/digital/object/{obj.pk}/")
    page.wait_for_function("() => window.Sortable !== undefined")
    page.evaluate("window.__noReload = true")
    ids = [p.pk for p in obj.pages.order_by("order")]
    uuids = {p.pk: str(p.uuid) for p in obj.pages.all()}
    items = page.locator("#reorder-list li")
    assert [int(x) for x in items.evaluate_all("els => els.map(e => e.dataset.id)")] == ids
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling

    # drag the third page to the top
    with page.expect_response(lambda r: r.url.endswith(f"/object/{obj.pk}/reorder/") and r.status == 204):
        items.nth(2).drag_to(items.nth(0), target_position={"x": 20, "y": 5})
    page.wait_for_function("() => document.getElementById('reorder-status').textContent === 'Đã lưu thứ tự trang.'")
    expected = [ids[2], ids[0], ids[1]]
    assert list(obj.pages.order_by("order").values_list("pk", flat=True)) == expected
    assert _manifest_order(page, obj) == [uuids[i] for i in expected]

    # keyboard: focus the "down" button of the first page and press Enter
    with page.expect_response(lambda r: r.url.endswith(f"/object/{obj.pk}/reorder/") and r.status == 204):
        page.locator("#reorder-list li").nth(0).locator("button.down").focus()
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('reorder-status').textContent === 'Đã lưu thứ tự trang.'")
    expected = [ids[0], ids[2], ids[1]]
    assert list(obj.pages.order_by("order").values_list("pk", flat=True)) == expected
    assert _manifest_order(page, obj) == [uuids[i] for i in expected]
    assert page.evaluate("window.__noReload") is True  # the page was never reloaded
    obj.refresh_from_db()
    assert obj.ocfl_version == 3  # each saved order is a new OCFL version
    assert errors == []
