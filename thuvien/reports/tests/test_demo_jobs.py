"""The demo's year of activity shows in every report; the scheduled jobs are declared and run."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest

from thuvien.core import demo as core_demo
from thuvien.core.models import ActivityEvent
from thuvien.reports import demo, jobs
from thuvien.reports.catalogue import REPORTS, report_build
from thuvien.reports.facts import HCM
from thuvien.reports.models import RollupState
from thuvien.reports.periods import Period
from thuvien.reports.schedule import SCHEDULE


@pytest.mark.slow
def test_demo_activity_fills_every_report(db):
    root = core_demo.load(stdout=io.StringIO())
    out = io.StringIO()
    demo.load(network=root, stdout=out)
    assert "thống kê:" in out.getvalue()
    today = dt.datetime.now(tz=HCM).date()
    last_12_months = Period(today - dt.timedelta(days=365), today - dt.timedelta(days=1), "range")
    for name in REPORTS:
        report = report_build(name=name, unit=root, period=last_12_months)
        charts = [t.chart for t in report.tables if t.chart and name != "collection"]
        assert all(any(v for _n, values in c["series"] for v in values) for c in charts), name
    annual = report_build(name="annual", unit=root, period=last_12_months)
    rows = {r[0]: r for r in annual.tables[1].rows}
    assert rows["Lượt sách báo luân chuyển (mượn về nhà)"][2] > 20000
    assert rows["Lượt truy cập cổng thông tin"][2] > 0 and rows["Chuyến xe thư viện lưu động"][2] > 50
    demo.load(network=root, stdout=io.StringIO())  # a second run adds nothing
    assert ActivityEvent.objects.filter(at__gte=dt.datetime.now(tz=HCM)).count() == 0


def test_schedule_declares_callables_that_run(net):
    assert [job["name"] for job in SCHEDULE] == ["reports.rollup", "reports.subscriptions"]
    for job in SCHEDULE:
        module, _dot, attr = job["callable"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), attr))
    assert jobs.rollup()["days"] == 2
    assert RollupState.objects.get().last_event_id == 0
    assert jobs.send_subscriptions() == {"sent": 0, "failed": 0}
