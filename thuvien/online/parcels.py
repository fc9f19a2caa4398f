"""The postal loan's packing slip (A4) and address label (A6, 105 x 148 mm) as PDF: ReportLab with
DejaVu Sans embedded for Vietnamese and a vector Code 128 of the item barcode."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from thuvien.catalog.labels import FONT, FONT_BOLD, FONT_DIR
from thuvien.core.money import vnd
from thuvien.online.models import PostalLoan

A4 = (210 * mm, 297 * mm)
A6 = (105 * mm, 148 * mm)


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for para in (text or "").split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}".strip()
            if pdfmetrics.stringWidth(trial, font, size) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def _barcode(c: canvas.Canvas, value: str, x: float, y: float, width: float, height: float) -> None:
    bar = code128.Code128(value, barHeight=height, humanReadable=False, quiet=True)
    scale = min(1.0, width / bar.width)
    bar = code128.Code128(value, barHeight=height, barWidth=bar.barWidth * scale, humanReadable=False, quiet=True)
    bar.drawOn(c, x, y)
    c.setFont(FONT, 9)
    c.drawString(x + 10, y - 11, value)


def _recipient(p: PostalLoan) -> list[str]:
    lines = [p.patron.full_name, _("Số thẻ %(c)s") % {"c": p.patron.card_number}]
    if p.culture_point_id and p.culture_point:
        lines += [p.culture_point.name, p.culture_point.address]
    else:
        lines.append(p.address)
    if p.patron.phone:
        lines.append(_("ĐT: %(p)s") % {"p": p.patron.phone})
    return [line for line in lines if line]


def address_label_pdf(postal: PostalLoan) -> bytes:
    """An A6 address label: sender (the library), recipient, tracking number and item barcode."""
    _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A6, pageCompression=0)
    c.setTitle(_("Nhãn địa chỉ bưu gửi"))
    w, h = A6
    x, y = 8 * mm, h - 12 * mm
    c.setFont(FONT_BOLD, 9)
    c.drawString(x, y, _("NGƯỜI GỬI"))
    c.setFont(FONT, 9)
    for line in [postal.library.name, postal.library.address, postal.library.phone]:
        if line:
            for part in _wrap(line, FONT, 9, w - 16 * mm):
                y -= 11
                c.drawString(x, y, part)
    y -= 20
    c.setFont(FONT_BOLD, 11)
    c.drawString(x, y, _("NGƯỜI NHẬN"))
    for line in _recipient(postal):
        for part in _wrap(line, FONT_BOLD, 12, w - 16 * mm):
            y -= 15
            c.setFont(FONT_BOLD, 12)
            c.drawString(x, y, part)
    if postal.tracking_number:
        c.setFont(FONT, 9)
        c.drawString(x, 42 * mm, _("Mã bưu gửi: %(t)s") % {"t": postal.tracking_number})
    if postal.item:
        _barcode(c, postal.item.barcode, x, 20 * mm, w - 16 * mm, 16 * mm)
    c.showPage()
    c.save()
    return buf.getvalue()


def packing_slip_pdf(postal: PostalLoan) -> bytes:
    """An A4 packing slip: what is in the parcel, for whom, postage, due date and how to send it back."""
    _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0)
    c.setTitle(_("Phiếu gửi tài liệu qua bưu điện"))
    w, h = A4
    x, y = 20 * mm, h - 25 * mm
    c.setFont(FONT_BOLD, 15)
    c.drawString(x, y, _("PHIẾU GỬI TÀI LIỆU QUA BƯU ĐIỆN"))
    c.setFont(FONT, 10)
    y -= 16
    c.drawString(x, y, f"{postal.library.name} · {timezone.localdate():%d/%m/%Y}")
    y -= 30
    rows = [
        (_("Bạn đọc"), f"{postal.patron.full_name} ({postal.patron.card_number})"),
        (_("Gửi đến"), ", ".join(_recipient(postal)[2:])),
        (_("Tài liệu"), postal.record.title),
        (_("Mã vạch"), postal.item.barcode if postal.item else ""),
        (_("Khối lượng"), f"{postal.weight_g or 0} g"),
        (_("Cước bưu chính"), _("Miễn (đối tượng được miễn)") if postal.exempt else vnd(postal.postage)),
        (_("Mã bưu gửi"), postal.tracking_number or "…………………………"),
    ]
    if postal.loan_id and postal.loan:
        rows.append((_("Hạn trả"), timezone.localtime(postal.loan.due_at).strftime("%d/%m/%Y")))
    for label, value in rows:
        c.setFont(FONT_BOLD, 11)
        c.drawString(x, y, label)
        c.setFont(FONT, 11)
        for part in _wrap(value, FONT, 11, w - x - 65 * mm):
            c.drawString(x + 45 * mm, y, part)
            y -= 16
        y -= 4
    y -= 10
    c.setFont(FONT, 10)
    note = _("Khi trả: gửi lại tài liệu qua bưu điện về địa chỉ thư viện ở trên, hoặc nộp tại điểm Bưu điện văn "
             "hoá xã gần nhất. Giữ lại mã bưu gửi khi trả.")
    for part in _wrap(note, FONT, 10, w - 2 * x):
        c.drawString(x, y, part)
        y -= 14
    if postal.item:
        _barcode(c, postal.item.barcode, x, y - 30 * mm, 80 * mm, 20 * mm)
    c.showPage()
    c.save()
    return buf.getvalue()
