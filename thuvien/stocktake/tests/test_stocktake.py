"""Stocktake: reads over two days, every finding category, auto check-in through the desk service, CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from thuvien.catalog.models import ItemStatus
from thuvien.circulation import services as circ
from thuvien.circulation.models import Loan
from thuvien.stocktake.selectors import call_key, report_csv, stocktake_report
from thuvien.stocktake.services import parse_reads, stocktake_close, stocktake_record, stocktake_start


@pytest.fixture
def shelf(net, base_rule, item_factory, patron_factory):  # type: ignore[no-untyped-def]
    items = {
        "S1": item_factory("S1", net.a, call_number="895.922 NG-D", shelving_location="Kho mở"),
        "S2": item_factory("S2", net.a, call_number="895.9223 L-V", shelving_location="Kho mở"),
        "S3": item_factory("S3", net.a, call_number="959.7 T-H", shelving_location="Kho mở"),
        "S4": item_factory("S4", net.a, call_number="959.71 P-Q", shelving_location="Kho mở"),
        "LOST": item_factory("LOST", net.a, call_number="959.8 A", shelving_location="Kho mở", status=ItemStatus.LOST),
        "REPAIR": item_factory("REPAIR", net.a, call_number="959.9 B", shelving_location="Kho mở",
                               status=ItemStatus.DAMAGED),
        "OTHER": item_factory("OTHER", net.b, call_number="100 C", shelving_location="Kho mở"),
        "OLD": item_factory("OLD", net.a, call_number="960 D", shelving_location="Kho mở", status=ItemStatus.WITHDRAWN),
        "CLOSED": item_factory("CLOSED", net.a, call_number="895.9 Z", shelving_location="Kho đóng"),
    }
    reader = patron_factory("K7", net.a)
    return items, reader


def test_stocktake_over_two_days(net, desk_a, shelf) -> None:  # type: ignore[no-untyped-def]
    items, reader = shelf
    circ.loan_checkout(actor=desk_a, item=items["S2"], patron=reader, desk=net.a)
    st = stocktake_start(actor=desk_a, library=net.a, location="Kho mở", auto_checkin=True)
    day1 = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    assert stocktake_record(actor=desk_a, stocktake=st, codes=["S1", "S3", "S2", "S1", "NOPE"], at=day1) == 4
    assert stocktake_record(actor=desk_a, stocktake=st, codes=parse_reads("barcode,rssi\nS3,-40\nLOST,-51\nREPAIR,-50\nOTHER,-3\nOLD,-2\n"),
                            at=day1 + dt.timedelta(days=1)) == 4  # S3 again is not counted twice
    assert Loan.objects.get(item=items["S2"]).returned_at is not None  # checked in through the desk service
    report = stocktake_report(stocktake=st)
    got = {k: [r.barcode for r in v] for k, v in report.rows.items()}
    assert got == {"missing": ["S4"], "wrong_place": ["OTHER"], "wrong_status": ["REPAIR"], "checked_out": ["S2"],
                   "lost_found": ["LOST"], "out_of_order": ["S2"], "unknown": ["NOPE"], "withdrawn": ["OLD"]}
    assert report.expected == 6 and report.seen == 8
    csv_text = report_csv(report)
    assert csv_text.splitlines()[0] == "category,barcode,call_number,title,status,note"
    assert "missing,S4,959.71 P-Q,Dế Mèn phiêu lưu ký,available," in csv_text
    stocktake_close(actor=desk_a, stocktake=st)
    with pytest.raises(ValidationError):
        stocktake_record(actor=desk_a, stocktake=st, codes=["S4"])


def test_call_number_range_and_command(net, desk_a, shelf, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert call_key("895.9223 L-V") > call_key("895.922 NG-D") and call_key("100") < call_key("959.7")
    st = stocktake_start(actor=desk_a, library=net.a, call_from="959", call_to="959.75")
    assert [r.barcode for r in stocktake_report(stocktake=st).rows["missing"]] == ["S3", "S4"]
    reads = tmp_path / "reads.txt"
    reads.write_text("S4\nS3\n", encoding="utf-8")
    call_command("stocktake", "scan", str(st.pk), str(reads))
    out = tmp_path / "r.csv"
    call_command("stocktake", "report", str(st.pk), "-o", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["out_of_order,S3,959.7 T-H,Dế Mèn phiêu lưu ký,available,"]


def test_staff_pages_scan_upload_report(net, desk_a, desk_b, shelf) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(desk_a)
    r = client.post("/staff/stocktake/", {"library": net.a.pk, "location": "Kho mở"})
    assert r.status_code == 302
    url = r["Location"]
    assert client.post(url, {"barcodes": "S1\nS3\r\nS1\n"}).status_code == 302
    upload = SimpleUploadedFile("rfid.csv", b"tag,time\nS4,10:00\nXYZ,10:01\n", content_type="text/csv")
    assert client.post(url, {"file": upload}).status_code == 302
    page = client.get(url).content.decode()
    assert "Đã đọc 4 mã vạch; 6 bản phải có trên giá." in page
    assert "Không tìm thấy trên giá (3)" in page and "Mã vạch không có trong kho (1)" in page
    csv_text = client.get(url + "report.csv").content.decode()
    assert csv_text.count("\nmissing,") == 3 and "unknown,XYZ" in csv_text
    other = Client()
    other.force_login(desk_b)
    assert other.get(url).status_code == 403
