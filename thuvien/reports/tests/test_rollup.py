"""The incremental roll-up, rebuilds, head counts and gate-count imports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from thuvien.core.models import ActivityEvent, Role
from thuvien.reports import selectors as sel
from thuvien.reports.facts import event_record, gate_counts_import, visit_count_set
from thuvien.reports.models import DailyRollup
from thuvien.reports.periods import period_parse
from thuvien.reports.rollup import rollup_pending, rollup_rebuild


def test_incremental_rollup_picks_up_new_events_and_is_idempotent(net):
    day = dt.date(2026, 3, 9)
    rollup_pending(today=day)
    event_record(kind="loan", unit=net.c, day=day, category="adult", age_band="25-59", ddc_class="8")
    event_record(kind="loan", unit=net.a, day=day, category="child", age_band="6-11", ddc_class="8")
    event_record(kind="visit", unit=net.c, day=dt.date(2026, 1, 2), count=40)
    result = rollup_pending(today=day)
    assert result["days"] == 3  # today, yesterday, and 2 January
    march = period_parse("2026-03")
    assert sel.totals(sel.subtree_ids(net.a), march) == {"loan": 2}
    assert sel.totals([net.c.pk], period_parse("2026")) == {"loan": 1, "visit": 40}
    assert sel.breakdown(sel.subtree_ids(net.province), march, "loan", "age_band") == {"25-59": 1, "6-11": 1}
    rows = DailyRollup.objects.count()
    rollup_pending(today=day)
    assert DailyRollup.objects.count() == rows
    rollup_rebuild()
    assert sel.totals(sel.subtree_ids(net.province), period_parse("2026")) == {"loan": 2, "visit": 40}
    out = io.StringIO()
    call_command("report_rollup", "--rebuild", stdout=out)
    assert out.getvalue().startswith("months=3, rows=3,")  # January to March


def test_head_count_corrections_append_differences(net, staff_factory):
    manager = staff_factory("ql_a", net.a, Role.LIBRARY_MANAGER)
    day = dt.date(2026, 2, 3)
    assert visit_count_set(actor=manager, unit=net.c, day=day, count=120) == 120
    assert visit_count_set(actor=manager, unit=net.c, day=day, count=100) == -20
    assert visit_count_set(actor=manager, unit=net.c, day=day, count=100) == 0
    assert ActivityEvent.objects.filter(kind="visit").count() == 2  # append-only: 120, then -20
    rollup_pending(today=day)
    assert sel.totals([net.c.pk], period_parse("2026-02")) == {"visit": 100}
    with pytest.raises(Exception, match="quyền"):
        visit_count_set(actor=manager, unit=net.b, day=day, count=5)
    with pytest.raises(ValueError, match="âm"):
        visit_count_set(actor=manager, unit=net.c, day=day, count=-1)


def test_gate_csv_with_a_bad_line_writes_nothing(net, staff_factory):
    admin = staff_factory("qt", net.province, Role.NETWORK_ADMIN)
    result = gate_counts_import(actor=admin, rows=[["A", "2026-02-01", "50"], ["X", "2026-02-01", "5"],
                                                   ["B", "2026-02-30", "7"]])
    assert result == {"imported": 0, "errors": ["Dòng 2: không có đơn vị X.",
                                                "Dòng 3: ngày hoặc số lượt không hợp lệ."]}
    assert not ActivityEvent.objects.exists()
    result = gate_counts_import(actor=admin, rows=[["A", "2026-02-01", "50"], ["B", "2026-02-01", "7"]])
    assert result == {"imported": 2, "errors": []}
    rollup_pending(today=dt.date(2026, 2, 2))
    assert sel.totals(sel.subtree_ids(net.province), period_parse("2026-02")) == {"visit": 57}


def test_events_carry_no_identity_and_reject_unknown_kinds(net):
    event = event_record(kind="card_new", unit=net.a, category="adult", gender="f", reader_id="42")  # type: ignore[arg-type]
    assert event.attributes == {"category": "adult", "gender": "f"}
    with pytest.raises(ValueError):
        event_record(kind="drop table", unit=net.a)


def test_portal_views_and_searches_are_counted_without_cookies(net, client, monkeypatch):
    from thuvien.reports import facts

    facts.portal_flush()
    ActivityEvent.objects.all().delete()
    monkeypatch.setattr(facts, "FLUSH_EVERY", 5)
    client.get("/")
    client.get("/search/", {"q": "truyen kieu"})
    response = client.get("/staff/login/")  # staff pages are not the portal
    assert not ActivityEvent.objects.exists()  # 3 hits: kept in the process
    assert not response.cookies.get("sessionid")
    response = client.get("/search/", {"q": "nam cao"})  # the 5th hit writes them
    assert set(response.cookies) <= {"csrftoken"}  # counting adds no cookie (the page's form has its CSRF one)
    facts.portal_flush()
    events = sorted((e.kind, e.unit_id, e.attributes) for e in ActivityEvent.objects.all())
    assert events == [("portal_visit", net.province.pk, {"count": 3}), ("search", net.province.pk, {"count": 2})]


def test_new_cards_and_loans_write_anonymous_tagged_events(net, staff_factory):
    from thuvien.patrons.models import PatronCategory
    from thuvien.patrons.services import patron_create

    desk = staff_factory("quay", net.a, Role.LIBRARY_MANAGER)
    patron_create(actor=desk, home_library=net.c, consents=["service"], confirm_duplicates=True,
                  data={"card_number": "T0001", "full_name": "Nông Thị Hoa", "birth_date": dt.date(1990, 3, 1),
                        "gender": "f", "ethnicity": "Tày", "category": PatronCategory.objects.get(code="adult")})
    event = ActivityEvent.objects.get(kind="card_new")
    assert event.unit_id == net.c.pk
    assert event.attributes == {"category": "adult", "age_band": "25-59", "gender": "f", "ethnicity": "Tày"}
