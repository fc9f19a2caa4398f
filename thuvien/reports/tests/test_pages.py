"""Staff report pages: who sees what, downloads, the builder's allow-list, visit forms, subscriptions,
the dashboard on the staff home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from thuvien.core.models import AuditEntry, Role
from thuvien.core.tests.fixtures import make_staff
from thuvien.reports.builder import builder_clean, builder_run
from thuvien.reports.jobs import send_subscriptions
from thuvien.reports.models import ReportSubscription, SavedReport
from thuvien.reports.periods import period_parse
from thuvien.reports.services import saved_report_create, subscription_create
from thuvien.reports.tests import direct
from thuvien.reports.tests.conftest import YEAR


def test_a_unit_sees_its_subtree_only_and_the_network_admin_everything(demo_year, client):
    make_staff("hoa_an", demo_year.units["CB-HA"], Role.LIBRARY_MANAGER)
    make_staff("xem_bc", demo_year.root, Role.REPORT_VIEWER)
    make_staff("bien_muc", demo_year.units["CB-HA"], Role.CATALOGUER)
    url = reverse("staff:reports:report", args=["annual"])
    client.login(username="hoa_an", password="pw-hoa_an")
    page = client.get(url, {"unit": "CB-HA", "period": str(YEAR)})
    assert page.status_code == 200
    assert '<canvas id="chart-1"' in page.content.decode()
    assert client.get(url, {"unit": "CB", "period": str(YEAR)}).status_code == 403
    assert client.get(url, {"unit": "CB-TK", "period": str(YEAR)}).status_code == 403
    default = client.get(reverse("staff:reports:home"))
    assert default.context["unit"].code == "CB-HA"
    client.login(username="xem_bc", password="pw-xem_bc")
    assert client.get(url, {"unit": "CB-TK", "period": str(YEAR)}).status_code == 200
    client.login(username="bien_muc", password="pw-bien_muc")
    assert client.get(reverse("staff:reports:home")).status_code == 403


def test_downloads_and_bad_input_never_500(demo_year, client):
    make_staff("xem_bc", demo_year.root, Role.REPORT_VIEWER)
    client.login(username="xem_bc", password="pw-xem_bc")
    url = reverse("staff:reports:report", args=["circulation"])
    xlsx = client.get(url, {"unit": "CB", "period": f"{YEAR}-Q1", "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx["Content-Disposition"] == f'attachment; filename="circulation-CB-{YEAR}-Q1.xlsx"'
    bad = client.get(url, {"unit": "CB", "period": "năm ngoái"})
    assert bad.status_code == 200 and "Kỳ báo cáo không hợp lệ" in bad.content.decode()
    assert client.get(url, {"unit": "CB", "period": "2025", "format": "exe"}).status_code == 200
    assert client.get(reverse("staff:reports:report", args=["nope"])).status_code == 404


def test_builder_accepts_only_allow_listed_dimensions(demo_year):
    for spec in [{"fact": "loan", "dims": ["category; DROP TABLE core_orgunit"]},
                 {"fact": "loan", "dims": ["unit_id"]}, {"fact": "password", "dims": ["month"]},
                 {"fact": "loan", "dims": ["month", "month"]}, {"fact": "loan", "dims": ["a", "b", "c"]},
                 {"fact": "loan", "dims": ["month"], "filters": {"unit__path": "/"}}]:
        with pytest.raises(ValueError):
            builder_clean(spec)
    period = period_parse(str(YEAR))
    unit = demo_year.units["CB-TVT"]
    table = builder_run(unit=unit, period=period, spec={"fact": "loan", "dims": ["ddc_class", "language"],
                                                          "filters": {"category": "adult"}})
    ids = direct.subtree(unit)
    adult = sum(int(a.get("count", 1)) for k, a in direct.events(ids, period.first, period.last)
                if k == "loan" and a.get("category") == "adult")
    assert table.rows[-1][-1] == adult
    by_unit = builder_run(unit=demo_year.root, period=period, spec={"fact": "visit", "dims": ["unit"]})
    assert by_unit.rows[-1][1] == direct.count_by_kind(direct.subtree(demo_year.root), period.first,
                                                       period.last)["visit"]


def test_saved_reports_are_shared_in_the_subtree(demo_year, client):
    ha = make_staff("hoa_an", demo_year.units["CB-HA"], Role.LIBRARY_MANAGER)
    make_staff("tk", demo_year.units["CB-TK"], Role.LIBRARY_MANAGER)
    make_staff("dc", demo_year.units["CB-HA-DC"], Role.REPORT_VIEWER)
    saved = saved_report_create(actor=ha, unit=demo_year.units["CB-HA"], name="Mượn theo tuổi",
                                spec={"fact": "loan", "dims": ["age_band"]}, shared=True)
    assert AuditEntry.objects.filter(action="report.saved", object_id=str(saved.pk)).count() == 1
    client.login(username="tk", password="pw-tk")
    assert "Mượn theo tuổi" not in client.get(reverse("staff:reports:home")).content.decode()
    client.login(username="hoa_an", password="pw-hoa_an")
    page = client.get(reverse("staff:reports:builder"), {"saved": saved.pk, "unit": "CB-HA", "period": str(YEAR)})
    assert page.status_code == 200 and page.context["section"]["table"].title == "Lượt mượn theo nhóm tuổi"
    # posting the builder with a name saves it
    client.post(reverse("staff:reports:builder") + f"?unit=CB-HA&period={YEAR}",
                {"fact": "visit", "dim1": "month", "dim2": "", "name": "Lượt đến theo tháng", "shared": "on"})
    assert SavedReport.objects.filter(name="Lượt đến theo tháng", unit__code="CB-HA").exists()


def test_visit_form_and_gate_csv(demo_year, client):
    make_staff("hoa_an", demo_year.units["CB-HA"], Role.LIBRARY_MANAGER)
    client.login(username="hoa_an", password="pw-hoa_an")
    url = reverse("staff:reports:visits")
    unit = demo_year.units["CB-HA-DC"]
    r = client.post(url, {"unit": unit.pk, "day": "2026-01-05", "count": "35"})
    assert r.status_code == 302
    r = client.post(url, {"unit": demo_year.units["CB-TK"].pk, "day": "2026-01-05", "count": "35"})
    assert r.status_code == 200 and "unit" in r.context["form"].errors
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_file = SimpleUploadedFile("gate.csv", "don_vi,ngay,luot\nCB-HA,2026-01-05,80\nCB-HA,hôm qua,3\n".encode())
    r = client.post(url, {"gate": "1", "file": csv_file})
    assert r.status_code == 200 and "Dòng 2: ngày hoặc số lượt không hợp lệ." in r.content.decode()
    r = client.post(url, {"unit": unit.pk, "day": "2026-01-06", "kind": "attendance", "number": "45"})
    assert r.status_code == 302
    from thuvien.core.models import ActivityEvent

    assert ActivityEvent.objects.filter(kind="attendance", unit=unit, attributes__count=45).count() == 1
    r = client.post(url, {"unit": unit.pk, "day": "2026-01-06", "kind": "loan", "number": "45"})
    assert r.status_code == 200 and "kind" in r.context["activity"].errors


def test_subscriptions_mail_the_last_period_once(demo_year, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = make_staff("qt", demo_year.root, Role.NETWORK_ADMIN)
    with pytest.raises(Exception):  # noqa: B017 - a bad address is refused
        subscription_create(actor=admin, unit=demo_year.root, report="annual", every="monthly", file_format="pdf",
                            recipients=["khong-phai-email"])
    subscription_create(actor=admin, unit=demo_year.root, report="annual", every="yearly", file_format="xlsx",
                        recipients=["so.vhttdl@example.vn", "", "tv@example.vn"])
    assert send_subscriptions(today=dt.date(YEAR + 1, 1, 3)) == {"sent": 1, "failed": 0}
    assert send_subscriptions(today=dt.date(YEAR + 1, 1, 4)) == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["so.vhttdl@example.vn", "tv@example.vn"]
    assert message.attachments[0][0] == f"annual-CB-{YEAR}.xlsx"
    assert ReportSubscription.objects.get().last_sent_period == str(YEAR)


def test_staff_home_shows_the_month_dashboard(demo_year, client):
    make_staff("hoa_an", demo_year.units["CB-HA"], Role.LIBRARY_MANAGER)
    make_staff("bien_muc", demo_year.units["CB-HA"], Role.CATALOGUER)
    client.login(username="hoa_an", password="pw-hoa_an")
    html = client.get(reverse("staff:home")).content.decode()
    assert "Tháng này — Thư viện huyện Hòa An" in html and ">Báo cáo</a>" in html
    client.login(username="bien_muc", password="pw-bien_muc")
    html = client.get(reverse("staff:home")).content.decode()
    assert "Tháng này" not in html and ">Báo cáo</a>" not in html


def test_year_data_form_needs_org_edit_and_feeds_the_indicators(demo_year, client):
    make_staff("hoa_an", demo_year.units["CB-HA"], Role.LIBRARY_MANAGER)
    make_staff("xem_bc", demo_year.root, Role.REPORT_VIEWER)
    url = reverse("staff:reports:year_data")
    client.login(username="xem_bc", password="pw-xem_bc")
    assert client.get(url).status_code == 403
    client.login(username="hoa_an", password="pw-hoa_an")
    form = {"unit": demo_year.units["CB-HA-DC"].pk, "year": "2025", "population": "8000", "expenditure": "0",
            "staff": "1", "seats": "20", "digitisation_target": "0"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, {**form, "unit": demo_year.units["CB-TK"].pk}).status_code == 200  # not in scope
    from thuvien.reports.selectors import subtree_ids, year_data

    assert year_data(subtree_ids(demo_year.units["CB-HA"]), 2025)["population"] == 72000 + 8000
