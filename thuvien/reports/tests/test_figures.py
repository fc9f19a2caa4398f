"""Every report figure equals the same figure counted directly from the events and the catalogue,
and every parent's figure equals its own plus the sum of its children's."""

from __future__ import annotations

import datetime as dt

from thuvien.catalog.models import Item
from thuvien.core.models import OrgUnit
from thuvien.reports import selectors as sel
from thuvien.reports.catalogue import report_build
from thuvien.reports.facts import KINDS
from thuvien.reports.periods import period_parse
from thuvien.reports.tests import direct
from thuvien.reports.tests.conftest import YEAR


def _rows(report, title_start: str) -> dict[str, list]:  # type: ignore[no-untyped-def]
    table = next(t for t in report.tables if t.title.startswith(title_start))
    return {str(r[0]): r for r in table.rows}


def test_totals_equal_direct_counts_for_every_kind_and_period(demo_year):
    whole = direct.subtree(demo_year.root)
    for text in [str(YEAR), f"{YEAR}-Q2", f"{YEAR}-07", f"{YEAR}-03-15..{YEAR}-04-10", f"{YEAR}-12-20..{YEAR + 1}-01-05"]:
        period = period_parse(text)
        expected = direct.count_by_kind(whole, period.first, period.last)
        got = sel.totals(sel.subtree_ids(demo_year.root), period)
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}, text
    assert expected["loan"] > 0 and expected["visit"] > 0


def test_parent_figures_are_the_sum_of_their_children(demo_year):
    period = period_parse(str(YEAR))
    units = list(OrgUnit.objects.filter(path__startswith=demo_year.root.path))
    for unit in units:
        whole = sel.totals(sel.subtree_ids(unit), period)
        parts = [sel.totals([unit.pk], period)] + [sel.totals(sel.subtree_ids(c), period) for c in unit.children.all()]
        for kind in KINDS:
            assert whole.get(kind, 0) == sum(p.get(kind, 0) for p in parts), (unit.code, kind)
    # the network root records nothing itself except portal counters: its loans are its children's
    root_loans = sel.totals(sel.subtree_ids(demo_year.root), period)["loan"]
    assert root_loans == sum(sel.totals(sel.subtree_ids(c), period).get("loan", 0)
                             for c in demo_year.root.children.all())
    # and the annual report's "by unit" table adds up to its own total row
    report = report_build(name="annual", unit=demo_year.root, period=period)
    by_unit = next(t for t in report.tables if t.title.startswith("3."))
    assert by_unit.rows[-1][2] == sum(r[2] for r in by_unit.rows[:-1]) == root_loans


def test_annual_report_matches_events_and_catalogue(demo_year):
    period = period_parse(str(YEAR))
    unit = demo_year.units["CB-HA"]
    ids = direct.subtree(unit)
    report = report_build(name="annual", unit=unit, period=period)
    rows = _rows(report, "2.")
    counts = direct.count_by_kind(ids, period.first, period.last)
    previous = direct.count_by_kind(ids, dt.date(YEAR - 1, 1, 1), dt.date(YEAR - 1, 12, 31))
    assert rows["Lượt sách báo luân chuyển (mượn về nhà)"][2:4] == [counts["loan"], previous["loan"]]
    assert rows["Lượt bạn đọc đến thư viện"][2] == counts["visit"]
    assert rows["Thẻ bạn đọc cấp mới"][2] == counts["card_new"]
    assert rows["Lượt đọc tại chỗ"][2] == counts["in_house"]
    copies = sum(direct.copies_by_ddc(ids, period.last).values())
    assert rows["Tổng số bản tài liệu"][2] == copies
    assert rows["Dân số phục vụ"][2] == 72000
    assert rows["Tài liệu bổ sung trong kỳ"][2] == sum(
        1 for i in Item.objects.all() if i.library_id in ids and i.acquired_on.year == YEAR)
    units = _rows(report, "1.")
    assert units["Thư viện huyện"][1] == 1 and units["Phòng đọc xã/phường"][1] == 2


def test_iso_indicators_are_ratios_of_the_same_figures(demo_year):
    period = period_parse(str(YEAR))
    unit = demo_year.units["CB-TVT"]
    ids = direct.subtree(unit)
    counts = direct.count_by_kind(ids, period.first, period.last)
    copies = sum(direct.copies_by_ddc(ids, period.last).values())
    report = report_build(name="iso", unit=unit, period=period)
    rows = _rows(report, "Chỉ số")
    assert rows["Hệ số luân chuyển tài liệu (lượt mượn/bản)"][2] == round(counts["loan"] / copies, 2)
    assert rows["Lượt mượn bình quân đầu người"][2] == round(counts["loan"] / 75000, 2)
    assert rows["Chi phí cho một lượt mượn"][2] == round(1_000_000_000 / counts["loan"], 0)


def test_circulation_breakdowns_match_event_tags_and_small_cells_are_hidden(demo_year):
    period = period_parse(f"{YEAR}-Q3")
    unit = demo_year.units["CB-TK"]
    ids = direct.subtree(unit)
    report = report_build(name="circulation", unit=unit, period=period)
    for tag, title in [("ddc_class", "Lượt mượn theo môn loại"), ("language", "Lượt mượn theo ngôn ngữ"),
                       ("age_band", "Lượt mượn theo nhóm tuổi")]:
        expected = direct.count_by_tag(ids, period.first, period.last, "loan", tag)
        table = next(t for t in report.tables if t.title.startswith(title))
        cells = [r[1] for r in table.rows[:-1]]
        assert table.rows[-1][1] == sum(expected.values())
        if tag == "age_band":
            assert sorted(c for c in cells if isinstance(c, int)) == sorted(v for v in expected.values() if v >= 3)
            assert cells.count("<3") == sum(1 for v in expected.values() if 0 < v < 3)
        else:
            assert sorted(cells) == sorted(expected.values())
    monthly = next(t for t in report.tables if t.title == "Lưu thông theo tháng")
    assert [r[0] for r in monthly.rows] == ["07/2025", "08/2025", "09/2025", "Tổng cộng"]
    assert monthly.rows[0][1] == direct.count_by_kind(ids, dt.date(YEAR, 7, 1), dt.date(YEAR, 7, 31))["loan"]


def test_collection_and_readers_reports_match_the_catalogue(demo_year):
    period = period_parse(str(YEAR))
    root = demo_year.root
    ids = direct.subtree(root)
    report = report_build(name="collection", unit=root, period=period)
    ddc = next(t for t in report.tables if "DDC" in t.title)
    expected = direct.copies_by_ddc(ids, period.last)
    assert ddc.rows[-1][1] == sum(expected.values())
    assert {r[0][:3]: r[1] for r in ddc.rows[:-1]} == {
        ("Chư" if k == "" else f"{k}00"): v for k, v in expected.items()}
    readers = report_build(name="readers", unit=root, period=period)
    rows = _rows(readers, "Bạn đọc")
    # 9 readers created Feb-Oct 2025; every fourth card expired on 31/08/2025
    assert rows["Bạn đọc đăng ký mới"][2] == 9
    assert rows["Thẻ hết hạn trong kỳ"][2] == 2
    assert rows["Bạn đọc có thẻ còn hạn (cuối kỳ)"][2] == 7
    by_eth = next(t for t in readers.tables if t.title == "Bạn đọc theo dân tộc")
    assert {r[0]: r[1] for r in by_eth.rows} == {"Kinh": 3, "Tày": "<3", "Nùng": "<3", "H'Mông": "<3",
                                                 "Tổng cộng": 7}
