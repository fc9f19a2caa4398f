"""A catalogue report as xlsx (one sheet per table, numbers as numbers), csv (UTF-8 with BOM, for
Excel) or pdf (A4, DejaVu embedded for Vietnamese, charts, signature block). Pure rendering."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from thuvien.reports.catalogue import Report, Table
from thuvien.reports.facts import HCM

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def report_render(report: Report, fmt: str) -> bytes:
    """The report's bytes in `fmt` (xlsx, csv or pdf)."""
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "pdf":
        return to_pdf(report)
    raise ValueError(_("Định dạng không hỗ trợ: %(f)s") % {"f": fmt})


def filename(report: Report, fmt: str) -> str:
    return f"{report.name}-{report.unit.code}-{report.period.code.replace('..', '_')}.{fmt}"


def _heading(report: Report) -> list[str]:
    return [report.title, report.unit.name,
            _("Kỳ báo cáo: %(p)s (so với: %(q)s)") % {"p": report.period.label, "q": report.previous.label},
            _("Lập lúc %(t)s") % {"t": f"{report.generated_at.astimezone(HCM):%H:%M %d/%m/%Y}"}]


# -- xlsx ------------------------------------------------------------------------------------------

def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()
    if len(base) > 31:  # Excel's limit; cut at a word
        base = base[:32].rsplit(" ", 1)[0]
    base = base or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:28]} {n}", n + 1
    used.add(name.lower())
    return name


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    used: set[str] = set()
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for table in report.tables:
        ws = wb.create_sheet(_sheet_name(table.title, used))
        lines = _heading(report)
        ws.append([lines[0]])
        ws["A1"].font = Font(bold=True, size=13)
        for line in lines[1:3]:
            ws.append([line])
        ws.append([table.title])
        ws.cell(row=ws.max_row, column=1).font = bold
        header_row = ws.max_row + 1
        ws.append(table.headers)
        for cell in ws[header_row]:
            cell.font, cell.fill, cell.border = bold, head_fill, border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table.rows:
            ws.append([_cell(v) for v in row])
            for cell in ws[ws.max_row]:
                cell.border = border
                if isinstance(cell.value, (int, float)):
                    cell.number_format = "#,##0" if isinstance(cell.value, int) else "#,##0.00"
        if table.rows and str(table.rows[-1][0]) == _("Tổng cộng"):
            for cell in ws[ws.max_row]:
                cell.font = bold
        if table.note:
            ws.append([])
            ws.append([table.note])
        ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
        for i, header in enumerate(table.headers, start=1):
            longest = max([len(str(header))] + [len(str(r[i - 1])) for r in table.rows if len(r) >= i])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# -- csv -------------------------------------------------------------------------------------------

def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    for line in _heading(report)[:3]:
        w.writerow([line])
    for table in report.tables:
        w.writerow([])
        w.writerow([table.title])
        w.writerow(table.headers)
        for row in table.rows:
            w.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- pdf -------------------------------------------------------------------------------------------

_fonts_ready = False


def _fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily("DejaVu", normal="DejaVu", bold="DejaVu-Bold", italic="DejaVu",
                                  boldItalic="DejaVu-Bold")
    _fonts_ready = True


COLORS = ["#1f6fb2", "#e07b00", "#2e9a47", "#b8312f", "#7a4eab", "#5b6770"]


def _pdf_chart(table: Table, width: float) -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    spec = table.chart or {}
    labels = [str(x)[:24] for x in spec.get("labels", [])]
    series = spec.get("series", [])
    if not labels or not series:
        return None
    drawing = Drawing(width, 190)
    chart: Any = HorizontalLineChart() if spec.get("type") == "line" else VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45, 45, width - 60, 120
    chart.data = [[float(v or 0) for v in values] for _name, values in series]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = "DejaVu"
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 30 if len(labels) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 6 else "n"
    chart.valueAxis.labels.fontName = "DejaVu"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    for i in range(len(series)):
        color = colors.HexColor(COLORS[i % len(COLORS)])
        if spec.get("type") == "line":
            chart.lines[i].strokeColor = color
            chart.lines[i].strokeWidth = 1.5
        else:
            chart.bars[i].fillColor = color
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 45, 185
    legend.fontName, legend.fontSize = "DejaVu", 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(colors.HexColor(COLORS[i % len(COLORS)]), str(name)) for i, (name, _v) in
                             enumerate(series)]
    drawing.add(legend)
    return drawing


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return str(_cell(value)) if not isinstance(value, str) else value


def to_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    _fonts()
    base = ParagraphStyle("base", fontName="DejaVu", fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10)
    title = ParagraphStyle("title", parent=base, fontName="DejaVu-Bold", fontSize=14, leading=18, alignment=1)
    center = ParagraphStyle("center", parent=base, alignment=1)
    h2 = ParagraphStyle("h2", parent=base, fontName="DejaVu-Bold", fontSize=11, leading=15, spaceBefore=8)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=report.title, author=report.unit.name)
    width = A4[0] - 36 * mm
    heading = _heading(report)
    story: list[Any] = [
        PdfTable([[Paragraph(_esc(report.unit.name.upper()), center),
                   Paragraph(_esc(_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")) + "<br/>"
                             + _esc(_("Độc lập - Tự do - Hạnh phúc")), center)]],
                 colWidths=[width / 2, width / 2]),
        Spacer(1, 6 * mm), Paragraph(_esc(report.title.upper()), title), Paragraph(_esc(heading[2]), center),
        Paragraph(_esc(heading[3]), ParagraphStyle("c2", parent=small, alignment=1)), Spacer(1, 4 * mm)]
    for table in report.tables:
        n = len(table.headers)
        first = width * (0.45 if n > 2 else 0.7)
        widths = [first] + [(width - first) / max(1, n - 1)] * (n - 1)
        data = [[Paragraph(f"<b>{_esc(h)}</b>", small) for h in table.headers]]
        data += [[Paragraph(_esc(_fmt(v)), small) if i == 0 else _fmt(v) for i, v in enumerate(row)]
                 for row in table.rows]
        grid = PdfTable(data, colWidths=widths, repeatRows=1)
        grid.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), "DejaVu"), ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dce6f1")),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        block: list[Any] = [Paragraph(_esc(table.title), h2), grid]
        if table.note:
            block.append(Paragraph(_esc(table.note), small))
        story.append(KeepTogether(block[:2]) if len(table.rows) < 25 else block[0])
        if len(table.rows) >= 25:
            story.extend(block[1:])
        elif table.note:
            story.append(block[2])
        chart = _pdf_chart(table, width)
        if chart is not None:
            story += [Spacer(1, 2 * mm), chart]
    when = report.generated_at.astimezone(HCM)
    sign = PdfTable([
        ["", Paragraph(_esc(_("Ngày %(d)s tháng %(m)s năm %(y)s") % {"d": when.day, "m": when.month,
                                                                        "y": when.year}), center)],
        [Paragraph(f"<b>{_esc(_('NGƯỜI LẬP BIỂU'))}</b>", center),
         Paragraph(f"<b>{_esc(_('THỦ TRƯỞNG ĐƠN VỊ'))}</b>", center)],
        [Paragraph(_esc(_("(Ký, ghi rõ họ tên)")), center),
         Paragraph(_esc(_("(Ký tên, đóng dấu)")), center)],
    ], colWidths=[width / 2, width / 2])
    story += [Spacer(1, 8 * mm), KeepTogether([sign, Spacer(1, 22 * mm)])]
    doc.build(story)
    return out.getvalue()


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
