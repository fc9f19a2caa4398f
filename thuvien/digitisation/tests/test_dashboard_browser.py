"""The dashboard in Debian's Chromium at 1366 and 360 px: real figures, bars drawn, no sideways scroll."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thuvien.core.tests.fixtures import login_staff
from thuvien.digitisation.models import State
from thuvien.digitisation.services import item_transition, plan_add_holdings

PATH = [State.PREPARED, State.SCANNED, State.QC, State.OCR, State.METADATA, State.APPROVED, State.PUBLISHED]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_at_desktop_and_phone_width(page, proj, digital_object_factory, tmp_path):
    items = plan_add_holdings(actor=proj.sohoa, project=proj.project).added
    obj = digital_object_factory(unit=proj.collection.unit, texts=["a", "b", "c"], ocr="none", record=proj.records[0])
    day = timezone.now() - dt.timedelta(days=3)
    for step in PATH:
        item_transition(actor=proj.sohoa if step in PATH[:3] else proj.reviewer, item=items[0], to=step,
                        obj=obj if step == State.SCANNED else None, at=day)
        items[0].refresh_from_db()
    login_staff(page, "sohoa_a", "pw-sohoa_a")
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/staff/digitisation/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
        card = page.locator("#dg-progress li").first
        assert "1 / 1 đầu tài liệu" in card.inner_text() and "33,3%" in card.inner_text()
        bars = page.locator("#dg-progress .dg-bar > span")
        assert bars.count() == 2 and bars.first.bounding_box()["width"] > 0  # type: ignore[index]
        tallest = max(b.bounding_box()["height"] for b in page.locator("#dg-days .b").all())  # type: ignore[index]
        assert tallest > 50  # the day with 3 pages scanned
        rows = page.locator("#dg-operators tbody tr")
        assert [r.locator("td").first.inner_text() for r in rows.all()] == ["Qc_A", "Sohoa_A"]
        page.screenshot(path=str(tmp_path / f"dashboard-{width}.png"), full_page=True)
    assert (tmp_path / "dashboard-360.png").stat().st_size > 10_000
