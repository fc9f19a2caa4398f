"""The statistics API: gate counters post visits (retries are harmless), reports as JSON."""

from __future__ import annotations

import json

from thuvien.core.models import ActivityEvent, Role
from thuvien.core.tests.fixtures import make_staff
from thuvien.reports.rollup import rollup_pending


def test_gate_counter_posts_visits_and_reads_the_report(net, client):
    make_staff("cong", net.a, Role.LIBRARY_MANAGER)
    client.login(username="cong", password="pw-cong")
    body = {"unit": "C", "day": "2026-03-02", "count": 75}
    for _retry in range(2):
        r = client.post("/api/v1/reports/visits", json.dumps(body), content_type="application/json")
        assert r.status_code == 200
    assert r.json() == {"unit": "C", "day": "2026-03-02", "source": "gate", "count": 75, "change": 0}
    assert ActivityEvent.objects.filter(kind="visit").count() == 1
    assert client.post("/api/v1/reports/visits", json.dumps({**body, "unit": "B"}),
                       content_type="application/json").status_code == 403
    assert client.post("/api/v1/reports/visits", json.dumps({**body, "count": -3}),
                       content_type="application/json").status_code == 400
    assert client.post("/api/v1/reports/visits", json.dumps({**body, "unit": "ZZ"}),
                       content_type="application/json").status_code == 404
    rollup_pending()
    report = client.get("/api/v1/reports/annual", {"unit": "A", "period": "2026-03"}).json()
    assert report["unit"] == "A" and report["period"] == "2026-03" and report["previous"] == "2026-02"
    rows = {r[0]: r for r in report["tables"][1]["rows"]}
    assert rows["Lượt bạn đọc đến thư viện"][2:4] == [75, 0]
    assert client.get("/api/v1/reports/annual", {"unit": "P"}).status_code == 403
    assert client.get("/api/v1/reports/annual", {"period": "hôm qua"}).status_code == 400
    assert client.get("/api/v1/reports/nope").status_code == 404
