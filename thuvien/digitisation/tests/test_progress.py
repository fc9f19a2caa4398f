"""Selecting records, "already digitised elsewhere", progress against targets as objects are published,
the dashboard (figures, CSV, menu, scope), the statistics report and the printable PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone

from thuvien.core.models import Role
from thuvien.core.tests.fixtures import make_staff
from thuvien.digitisation.models import Measure, State
from thuvien.digitisation.selectors import dashboard, digitised_elsewhere, holdings_ids, project_progress
from thuvien.digitisation.services import item_transition, plan_add, plan_add_holdings, target_create

pytestmark = pytest.mark.django_db
PATH = [State.PREPARED, State.SCANNED, State.QC, State.OCR, State.METADATA, State.APPROVED, State.PUBLISHED]


def _publish(proj, item, obj, *, at=None):  # type: ignore[no-untyped-def]
    for step in PATH:
        item = item_transition(actor=proj.sohoa if step in PATH[:3] else proj.reviewer, item=item, to=step,
                               obj=obj if step == State.SCANNED else None, at=at)
    return item


def test_holdings_and_adding_all_local_history_records(proj):
    ids = holdings_ids(project=proj.project)
    assert ids == [r.pk for r in proj.records[:3]]  # the novel is not local history
    assert proj.project.holdings_count == 3
    result = plan_add_holdings(actor=proj.sohoa, project=proj.project)
    assert [i.record_id for i in result.added] == ids and result.already == 0
    again = plan_add(actor=proj.sohoa, project=proj.project, records=proj.records, priority=3, condition="Rách bìa")
    assert (len(again.added), again.already) == (1, 3)
    assert again.added[0].condition == "Rách bìa" and again.added[0].priority == 3
    with pytest.raises(ValueError):
        plan_add(actor=proj.sohoa, project=proj.project, records=proj.records, priority=7)


def test_progress_counts_only_published_objects(proj, digital_object_factory):
    items = plan_add_holdings(actor=proj.sohoa, project=proj.project).added
    target_create(actor=proj.sohoa, project=proj.project, measure=Measure.PAGES, value=4, deadline=dt.date(2031, 1, 1))
    objs = [digital_object_factory(unit=proj.collection.unit, texts=["a", "b"][: n + 1], ocr="none", record=r)
            for n, r in enumerate(proj.records[:2])]
    before = project_progress(project=proj.project)
    assert [(t.done, t.percent) for t in before["targets"]] == [(0, 0.0), (0, 0.0), (0, 0.0)]
    _publish(proj, items[0], objs[0])
    item = items[1]
    for step in PATH[:-1]:  # approved, not yet published: does not count
        item = item_transition(actor=proj.sohoa, item=item, to=step, obj=objs[1] if step == State.SCANNED else None)
    p = project_progress(project=proj.project)
    assert (p["titles"], p["pages"]) == (1, 1)
    # 1 of 1 title; 1 of 3 holdings = 33.3% of a 50% target = 66.7%; 1 of 4 pages
    assert [(t.target.measure, t.done, t.goal, t.percent) for t in p["targets"]] == [
        ("titles", 1, 1, 100.0), ("percent", 33.3, 50, 66.7), ("pages", 1, 4, 25.0)]
    item_transition(actor=proj.reviewer, item=item, to=State.PUBLISHED)
    p = project_progress(project=proj.project)
    assert (p["titles"], p["pages"], [t.percent for t in p["targets"]]) == (2, 3, [200.0, 133.3, 75.0])
    assert dict((s, n) for s, _label, n in p["states"])["published"] == 2


def test_plan_shows_records_digitised_elsewhere(proj, digital_object_factory, net, client):
    other = digital_object_factory(unit=net.b, ocr="none", record=proj.records[1])  # library B scanned it
    item = plan_add_holdings(actor=proj.sohoa, project=proj.project).added[0]
    own = digital_object_factory(unit=proj.collection.unit, ocr="none", record=proj.records[0])
    item_transition(actor=proj.sohoa, item=item, to=State.PREPARED)
    item_transition(actor=proj.sohoa, item=item, to=State.SCANNED, obj=own)
    found = digitised_elsewhere(record_ids=[r.pk for r in proj.records], project=proj.project)
    assert found == {proj.records[1].pk: [f"{other.collection.name} (Thư viện huyện B)"]}  # not our own scan
    client.force_login(proj.sohoa)
    html = client.get(f"/staff/digitisation/project/{proj.project.pk}/").content.decode()
    assert "Đã số hoá: Tài liệu địa chí (Thư viện huyện B)" in html
    html = client.get(f"/staff/digitisation/project/{proj.project.pk}/", {"q": "Địa chí huyện A"}).content.decode()
    assert html.count('name="records"') == 3 and html.count("đã có trong kế hoạch") == 3


def test_dashboard_csv_menu_and_scope(proj, digital_object_factory, client, net):
    items = plan_add_holdings(actor=proj.sohoa, project=proj.project).added
    obj = digital_object_factory(unit=proj.collection.unit, texts=["a", "b"], ocr="none", record=proj.records[0])
    yesterday = timezone.now() - dt.timedelta(days=1)
    _publish(proj, items[0], obj, at=yesterday)
    data = dashboard(user=proj.sohoa)
    assert [(o["username"], o["steps"], o["pages"], o["checked"], o["published"]) for o in data["operators"]] == [
        ("qc_a", 4, 0, 1, 1), ("sohoa_a", 3, 2, 0, 0)]
    assert data["per_day"][-2]["pages"] == 2 and data["per_day"][-1]["pages"] == 0
    assert dict((s, n) for s, _label, n in data["states"]) == {
        "selected": 2, "prepared": 0, "scanned": 0, "qc": 0, "rework": 0, "ocr": 0, "metadata": 0, "approved": 0,
        "published": 1, "withdrawn": 0}
    client.force_login(proj.sohoa)
    html = client.get("/staff/").content.decode()
    assert 'href="/staff/digitisation/"' in html  # the menu entry for the role
    html = client.get("/staff/digitisation/").content.decode()
    assert "Tài liệu địa chí" in html and "1 / 1 đầu tài liệu" in html and "33,3%" in html
    assert "/staff/reports/r/digitisation/" not in html  # the statistics report needs report.view
    rows = list(csv.reader(io.StringIO(client.get("/staff/digitisation/export.csv").content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["collection", "library", "record_id", "title", "priority", "state"]
    assert [(r[2], r[5], r[6], r[10]) for r in rows[1:]] == [
        (str(proj.records[0].pk), "published", "2", "qc_a"), (str(proj.records[1].pk), "selected", "0", "sohoa_a"),
        (str(proj.records[2].pk), "selected", "0", "sohoa_a")]
    # another library's operator sees none of it, and cannot open the item or the project
    client.force_login(proj.outsider)
    assert client.get(f"/staff/digitisation/item/{items[0].pk}/").status_code == 404
    assert client.get(f"/staff/digitisation/project/{proj.project.pk}/").status_code == 404
    assert len(client.get("/staff/digitisation/export.csv").content.decode("utf-8-sig").splitlines()) == 1
    # a desk clerk has no menu entry
    client.force_login(make_staff("desk_x", net.a, Role.CIRCULATION))
    assert 'href="/staff/digitisation/"' not in client.get("/staff/").content.decode()


def test_item_page_moves_the_workflow_and_shows_refusals(proj, digital_object_factory, client):
    item = plan_add_holdings(actor=proj.sohoa, project=proj.project).added[0]
    obj = digital_object_factory(unit=proj.collection.unit, ocr="none", record=proj.records[0])
    client.force_login(proj.sohoa)
    url = f"/staff/digitisation/item/{item.pk}/"
    client.post(url, {"to": "prepared"})
    html = client.post(url, {"to": "published"}, follow=True).content.decode()
    assert "Không thể chuyển từ “Đã chuẩn bị” sang “Đã công bố”." in html
    html = client.post(url, {"to": "scanned"}, follow=True).content.decode()
    assert "Cần gắn tài liệu số" in html
    client.post(url, {"to": "scanned", "obj": obj.pk})
    client.post(url, {"to": "nonsense"})
    item.refresh_from_db()
    assert (item.state, item.obj_id) == (State.SCANNED, obj.pk)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")
def test_statistics_report_and_printable_pdf(proj, digital_object_factory, client, tmp_path, admin_user):
    from thuvien.reports.catalogue import report_build
    from thuvien.reports.periods import period_parse

    items = plan_add_holdings(actor=proj.sohoa, project=proj.project).added
    obj = digital_object_factory(unit=proj.collection.unit, texts=["a", "b", "c"], ocr="none", record=proj.records[0])
    _publish(proj, items[0], obj)
    client.get(f"/digital/{obj.uuid}/")  # one view, counted for the collection
    year = timezone.localdate().year
    report = report_build(name="digitisation", unit=proj.collection.unit.parent, period=period_parse(str(year)))
    tables = {t.title: t for t in report.tables}
    assert tables["1. Tiến độ so với chỉ tiêu"].rows == [
        ["Tài liệu địa chí: 1 đầu tài liệu · Giai đoạn 1", "31/12/2030", 1, 100.0],
        ["Tài liệu địa chí: 50%", "31/12/2030", "33,3%", 66.7]]
    assert tables["2. Số hoá và sử dụng trong kỳ theo bộ sưu tập"].rows == [
        ["Tài liệu địa chí", 1, 3, 1, 0], ["Tổng cộng", 1, 3, 1, 0]]
    assert tables["3. Theo thư viện"].rows == [["Thư viện huyện A", 1, 3], ["Tổng cộng", 1, 3]]
    assert tables["4. Theo năm công bố (luỹ kế đến cuối kỳ)"].rows == [[str(year), 1, 3], ["Tổng cộng", 1, 3]]
    last_year = report_build(name="digitisation", unit=proj.collection.unit, period=period_parse(str(year - 1)))
    assert last_year.tables[1].rows[-1] == ["Tổng cộng", 0, 0, 0, 0]
    out = io.StringIO()
    call_command("report", "--list", stdout=out)
    assert "digitisation" in out.getvalue()
    target = tmp_path / "r.csv"
    call_command("report", "digitisation", "--unit", "A", "--period", str(year), "--format", "csv", "-o",
                 str(target), stdout=io.StringIO())
    assert "Tài liệu địa chí,1,3,1,0" in target.read_text(encoding="utf-8-sig")
    # the printable report of the collection, rendered to PNG
    client.force_login(proj.sohoa)
    resp = client.get(f"/staff/digitisation/project/{proj.project.pk}/report/", {"period": str(year)})
    assert resp["Content-Type"] == "application/pdf" and resp.content.startswith(b"%PDF")
    (tmp_path / "p.pdf").write_bytes(resp.content)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "p.pdf"), str(tmp_path / "p")], check=True)
    assert list(tmp_path.glob("p-*.png"))
    text = subprocess.run(["pdftotext", str(tmp_path / "p.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "BÁO CÁO TIẾN ĐỘ SỐ HOÁ: TÀI LIỆU ĐỊA CHÍ" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text
    bad = client.get(f"/staff/digitisation/project/{proj.project.pk}/report/", {"period": "2025-13"})
    assert bad.status_code == 302


def test_storage_projection_gets_each_collection_target_in_pages(proj, digital_object_factory):
    from thuvien.digital import storage
    from thuvien.digitisation.selectors import holdings_ids
    from thuvien.digitisation.storage_targets import targets_in_pages

    holdings_ids(project=proj.project)  # counts the 3 local-history records
    proj.project.refresh_from_db()
    # nothing scanned yet: a title is a 300-page book; 1 title, or 50% of 3 titles = 2 titles = 600 pages
    assert targets_in_pages() == {proj.collection.pk: 600}
    target_create(actor=proj.sohoa, project=proj.project, measure=Measure.PAGES, value=5, deadline=dt.date(2031, 1, 1))
    obj = digital_object_factory(unit=proj.collection.unit, texts=["a", "b"], ocr="none", record=proj.records[0])
    assert obj.collection_id == proj.collection.pk
    # one object of 2 pages: 2 titles x 2 pages = 4 < the 5-page target
    assert targets_in_pages() == {proj.collection.pk: 5}
    assert storage._targets()[proj.collection.pk] == 5  # registered by the app
