"""xlsx opened with openpyxl (sheets, Vietnamese headers, numbers as numbers), csv, and the pdf
rendered to PNG with pdftoppm; `thuvien report` writes the same files."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from thuvien.reports.catalogue import report_build
from thuvien.reports.exports import report_render
from thuvien.reports.periods import period_parse
from thuvien.reports.tests import direct
from thuvien.reports.tests.conftest import YEAR


def test_xlsx_has_one_sheet_per_table_with_headers_and_numbers(demo_year):
    report = report_build(name="annual", unit=demo_year.root, period=period_parse(str(YEAR)))
    wb = load_workbook(io.BytesIO(report_render(report, "xlsx")))
    assert wb.sheetnames == ["1. Mạng lưới thư viện và điểm", "2. Kết quả hoạt động", "3. Theo đơn vị trực thuộc",
                             "4. Theo tháng"]
    ws = wb["2. Kết quả hoạt động"]
    assert ws["A1"].value == "Báo cáo thống kê hoạt động thư viện (năm)"
    assert ws["A2"].value == "Mạng lưới thư viện tỉnh Cao Bằng"
    assert ws["A3"].value == "Kỳ báo cáo: Năm 2025 (so với: Năm 2024)"
    assert [c.value for c in ws[5]] == ["Chỉ tiêu", "Đơn vị tính", "Kỳ báo cáo", "Kỳ trước", "Tăng/giảm (%)"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=6, values_only=True)}
    loans = direct.count_by_kind(direct.subtree(demo_year.root), period_parse(str(YEAR)).first,
                                 period_parse(str(YEAR)).last)["loan"]
    assert rows["Lượt sách báo luân chuyển (mượn về nhà)"][2] == loans
    assert isinstance(rows["Lượt sách báo luân chuyển (mượn về nhà)"][2], int)
    assert ws.cell(row=6, column=3).number_format == "#,##0"
    monthly = wb["4. Theo tháng"]
    assert [r[0] for r in monthly.iter_rows(min_row=6, values_only=True)][:2] == ["01/2025", "02/2025"]


def test_csv_is_utf8_with_bom_and_all_tables(demo_year):
    report = report_build(name="readers", unit=demo_year.units["CB-HA"], period=period_parse(str(YEAR)))
    text = report_render(report, "csv").decode("utf-8")
    assert text.startswith("\ufeffBạn đọc\r\nThư viện huyện Hòa An\r\n")
    assert "Bạn đọc theo dân tộc\r\nDân tộc,Số bạn đọc\r\nKinh,3\r\nTổng cộng,3\r\n" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")
def test_pdf_renders_with_vietnamese_text(demo_year, tmp_path):
    report = report_build(name="annual", unit=demo_year.units["CB-HA"], period=period_parse(str(YEAR)))
    pdf = report_render(report, "pdf")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) >= 2
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "THƯ VIỆN HUYỆN HÒA AN" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text and "Năm 2025" in text


def test_report_command_lists_and_writes_files(demo_year, tmp_path):
    out = io.StringIO()
    call_command("report", "--list", stdout=out)
    assert out.getvalue().splitlines()[0].split()[0] == "annual"
    target = tmp_path / "a.xlsx"
    call_command("report", "annual", "--unit", "CB-HA", "--period", str(YEAR), "--format", "xlsx", "-o",
                 str(target), stdout=io.StringIO())
    assert load_workbook(target).sheetnames[1] == "2. Kết quả hoạt động"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Kỳ báo cáo không hợp lệ"):
        call_command("report", "annual", "--period", "2025-13", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("report", "annual", "--unit", "NOPE", "--period", "2025", stdout=io.StringIO())
