"""Real desk activity (not the generator) reaches the reports by DDC class and language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thuvien.catalog.models import BibRecord
from thuvien.circulation.services import item_in_house_use, loan_checkin, loan_checkout, loan_renew
from thuvien.circulation.tests.fixtures import LEADER
from thuvien.core.models import ActivityEvent
from thuvien.reports import selectors as sel
from thuvien.reports.catalogue import report_build
from thuvien.reports.facts import HCM
from thuvien.reports.periods import period_parse
from thuvien.reports.rollup import rollup_pending

CHECKOUT_AT = dt.datetime(2026, 2, 3, 9, 30, tzinfo=HCM)


def _record(title: str, ddc: str, language: str) -> BibRecord:
    return BibRecord.objects.create(marc={"leader": LEADER, "fields": []}, leader=LEADER, title=title, ddc=ddc,
                                    language=language)


@pytest.fixture
def titles(db):  # type: ignore[no-untyped-def]
    return {"kieu": _record("Truyện Kiều", "895.9221", "vie"), "econ": _record("Kinh tế học", "330", "eng"),
            "none": _record("Không số", "", "")}


def _table(report, title: str):  # type: ignore[no-untyped-def]
    [table] = [t for t in report.tables if t.title == title]
    return {row[0]: row[1] for row in table.rows}


def test_desk_checkout_return_renewal_carry_the_titles_ddc_class_and_language(
        net, desk_a, base_rule, patron_factory, item_factory, titles):
    reader, other = patron_factory("R1", net.a), patron_factory("R2", net.a)
    kieu1, kieu2 = item_factory("K1", net.a, record=titles["kieu"]), item_factory("K2", net.a, record=titles["kieu"])
    econ, bare = item_factory("E1", net.a, record=titles["econ"]), item_factory("N1", net.a, record=titles["none"])
    loan_checkout(actor=desk_a, item=kieu1, patron=reader, desk=net.a, now=CHECKOUT_AT)
    loan_checkout(actor=desk_a, item=kieu2, patron=other, desk=net.a, now=CHECKOUT_AT)
    econ_loan = loan_checkout(actor=desk_a, item=econ, patron=reader, desk=net.a, now=CHECKOUT_AT)
    loan_checkout(actor=desk_a, item=bare, patron=other, desk=net.a, now=CHECKOUT_AT)
    loan_renew(actor=desk_a, loan=econ_loan, now=CHECKOUT_AT + dt.timedelta(days=10))
    loan_checkin(actor=desk_a, item=kieu1, desk=net.a, now=CHECKOUT_AT + dt.timedelta(days=3))
    item_in_house_use(actor=desk_a, item=econ, desk=net.a)

    tags = {k: sorted((e.attributes.get("ddc_class", ""), e.attributes.get("language", ""))
                      for e in ActivityEvent.objects.filter(kind=k)) for k in ("loan", "return", "renewal", "in_house")}
    assert tags == {"loan": [("", ""), ("3", "eng"), ("8", "vie"), ("8", "vie")], "return": [("8", "vie")],
                    "renewal": [("3", "eng")], "in_house": [("3", "eng")]}
    loan = ActivityEvent.objects.filter(kind="loan", attributes__language="eng").get()
    assert loan.attributes == {"category": "adult", "ddc_class": "3", "language": "eng", "item_type": "book"}

    # the events are dated now; the report of this month shows them through the roll-up
    today = dt.datetime.now(tz=HCM).date()
    rollup_pending(today=today)
    period = period_parse(f"{today:%Y-%m}")
    units = sel.subtree_ids(net.province)
    assert sel.breakdown(units, period, "loan", "ddc_class") == {"8": 2, "3": 1, "": 1}
    assert sel.breakdown(units, period, "renewal", "language") == {"eng": 1}
    report = report_build(name="circulation", unit=net.province, period=period)
    assert _table(report, "Lượt mượn theo môn loại DDC") == {
        "300 Khoa học xã hội": 1, "800 Văn học": 2, "Chưa phân loại": 1, "Tổng cộng": 4}
    assert _table(report, "Lượt mượn theo ngôn ngữ") == {
        "Tiếng Anh": 1, "Tiếng Việt": 2, "Không rõ": 1, "Tổng cộng": 4}


def test_the_titles_tags_cost_no_extra_statement_at_the_desk(net, desk_a, base_rule, patron_factory, item_factory,
                                                             titles):
    """The DDC number and language come in the item's locking read: the checkout sends the same
    statements as before (17 on SQLite, 6 round trips on PostgreSQL, see test_checkout)."""
    from thuvien.circulation.tests.test_checkout import CHECKIN_QUERIES, CHECKOUT_QUERIES

    reader = patron_factory("R1", net.a)
    item = item_factory("K1", net.a, record=titles["kieu"])
    actor = type(desk_a).objects.get(pk=desk_a.pk)
    with CaptureQueriesContext(connection) as out:
        loan_checkout(actor=actor, item=item, patron=reader, desk=net.a, request_id="6f1c9a52-0d43-4c1e-9f7d-1a2b3c4d5e6f",
                      now=CHECKOUT_AT)
    actor = type(desk_a).objects.get(pk=desk_a.pk)
    with CaptureQueriesContext(connection) as back:
        loan_checkin(actor=actor, item=item, desk=net.a, request_id="7f1c9a52-0d43-4c1e-9f7d-1a2b3c4d5e6f",
                     now=CHECKOUT_AT)
    assert (len(out), len(back)) == (CHECKOUT_QUERIES[connection.vendor], CHECKIN_QUERIES[connection.vendor])
    assert [e.attributes["ddc_class"] for e in ActivityEvent.objects.filter(kind__in=("loan", "return"))] == ["8", "8"]
