"""The phone viewer in Debian's Chromium at 390 px: tiles load, pages turn, and search inside
typed without diacritics highlights the hit on the page."""

from __future__ import annotations

import re

import pytest

from thuvien.digital.synthetic import DIA_CHI_CAO_BANG


@pytest.mark.browser
def test_viewer_on_a_phone(page, digital_object_factory):
    obj = digital_object_factory(texts=DIA_CHI_CAO_BANG[:3], title="Địa chí Cao Bằng", size=(1000, 700))
    uuids = [str(u) for u in obj.pages.order_by("order").values_list("uuid", flat=True)]
    tiles: list[str] = []
    page.on("response", lambda r: tiles.append(r.url) if "/iiif/3/" in r.url and r.url.endswith("default.jpg")
            and ",120/" not in r.url and r.status == 200 else None)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/digital/{obj.uuid}/")
    page.wait_for_function("() => window.thuvienViewer && window.thuvienViewer.world.getItemCount() > 0"
                           " && window.thuvienViewer.world.getItemAt(0).getFullyLoaded()")
    assert any(uuids[0] in t for t in tiles), tiles
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    with page.expect_response(lambda r: uuids[1] in r.url and r.url.endswith("default.jpg") and ",120/" not in r.url):
        page.click(".dv-next")
    page.wait_for_function("() => document.querySelector('.dv-n').textContent === '2'")
    page.wait_for_function("() => { const it = window.thuvienViewer.world.getItemAt(0);"
                           " return it !== undefined && it.getFullyLoaded(); }")
    assert any(uuids[1] in t for t in tiles), tiles
    page.fill("#dv-q", "bac ho")
    page.click(".dv-search button")
    page.wait_for_selector(".dv-hits li")
    assert page.locator(".dv-hits mark").first.inner_text() == "Bác Hồ"
    assert re.fullmatch(r"\d+ kết quả", page.locator(".dv-count").inner_text())
    hit = page.locator(".dv-hit").first
    hit.wait_for(state="attached")
    box = hit.bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 3
    assert page.locator(".dv-n").inner_text() == "2"  # the hit is on page 2, where we already are
