"""Charts are drawn by the locally served chart.js in a real Chromium."""

from __future__ import annotations

import datetime as dt

import pytest

from thuvien.core.models import OrgUnit, Role
from thuvien.core.tests.fixtures import login_staff, make_staff
from thuvien.reports.facts import event_record
from thuvien.reports.rollup import rollup_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_charts_are_drawn(net, page, tmp_path):
    make_staff("xem_bc", net.province, Role.REPORT_VIEWER)
    for i, unit in enumerate([net.a, net.b, net.c]):
        for month in range(1, 13):
            event_record(kind="loan", unit=unit, day=dt.date(2025, month, 10), count=10 * (i + 1) + month)
            event_record(kind="visit", unit=unit, day=dt.date(2025, month, 11), count=30 * (i + 1) + month)
    rollup_rebuild()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    login_staff(page, "xem_bc", "pw-xem_bc")
    page.goto(f"/staff/reports/r/annual/?unit={OrgUnit.objects.get(code='P').code}&period=2025")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-3'))")
    drawn = page.evaluate("""() => [...document.querySelectorAll("canvas[id^='chart-']")].map(c => {
        const chart = Chart.getChart(c);
        return [c.id, chart.config.type, chart.data.datasets.map(d => d.data.reduce((a, b) => a + b, 0))];
    })""")
    # visits 438 + 798 + 1158 = 2394, loans 198 + 318 + 438 = 954, nothing in 2024
    assert drawn == [["chart-1", "bar", [2394 + 954, 0]], ["chart-2", "bar", [2394, 954, 0]],
                     ["chart-3", "line", [2394, 954]]]
    # the canvas has coloured pixels (something was painted), not just a blank box
    painted = page.evaluate("""() => { const c = document.getElementById('chart-3');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""")
    assert painted > 1000
    page.screenshot(path=str(tmp_path / "annual.png"), full_page=True)
    assert all(u.startswith(page.url.split("/staff/")[0]) for u in requests)  # no CDN
