"""Item barcode labels, spine labels and reader cards as PDF (ReportLab: vector Code 128, embedded
DejaVu Sans for Vietnamese), on sheet layouts with offsets and a start position; and ZPL for 50x25 mm
thermal printers, with the Vietnamese text sent as a bitmap. Pure rendering: callers pass plain data.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
A4 = (210.0, 297.0)


@dataclass(frozen=True)
class Layout:
    """A sheet of labels, in millimetres: `cols` x `rows` labels of `width` x `height`, the first one
    `left`/`top` from the sheet's corner, `pitch_x`/`pitch_y` from one label to the next, everything
    shifted by `offset_x`/`offset_y` (right, down) to correct the printer. The presets and the
    libraries' own layouts are `catalog.models.LabelLayout` rows (`LabelLayout.as_layout()`)."""

    name: str
    cols: int
    rows: int
    width: float
    height: float
    top: float
    left: float
    pitch_x: float
    pitch_y: float
    page: tuple[float, float] = A4
    offset_x: float = 0.0
    offset_y: float = 0.0

    @property
    def per_page(self) -> int:
        return self.cols * self.rows


MAX_OFFSET = 20.0  # mm: a printer that drifts further needs a different layout, not an offset
TOLERANCE = 0.05  # mm of rounding allowed when checking that labels fit


def layout_problems(layout: Layout) -> dict[str, str]:
    """{field: what is wrong} for a layout whose labels overlap or do not fit on the page; empty when it is
    good. Field names are the LabelLayout model's."""
    problems: dict[str, str] = {}
    page_w, page_h = layout.page
    if page_w <= 0 or page_h <= 0 or page_w > 1000 or page_h > 1000:
        problems["page_width"] = _("Khổ giấy phải lớn hơn 0 và không quá 1000 mm.")
    if not 1 <= layout.cols <= 50:
        problems["cols"] = _("Số cột phải từ 1 đến 50.")
    if not 1 <= layout.rows <= 100:
        problems["rows"] = _("Số hàng phải từ 1 đến 100.")
    if layout.width <= 0:
        problems["label_width"] = _("Nhãn phải rộng hơn 0 mm.")
    if layout.height <= 0:
        problems["label_height"] = _("Nhãn phải cao hơn 0 mm.")
    if layout.top < 0:
        problems["margin_top"] = _("Lề không được âm.")
    if layout.left < 0:
        problems["margin_left"] = _("Lề không được âm.")
    for name, value in (("offset_x", layout.offset_x), ("offset_y", layout.offset_y)):
        if abs(value) > MAX_OFFSET:
            problems[name] = _("Độ dịch phải trong khoảng ±%(n)s mm.") % {"n": int(MAX_OFFSET)}
    if problems:
        return problems
    if layout.cols > 1 and layout.pitch_x + TOLERANCE < layout.width:
        problems["pitch_x"] = _("Bước ngang (%(p)s mm) nhỏ hơn chiều rộng nhãn (%(w)s mm): các nhãn chồng lên nhau.") % {
            "p": mm_text(layout.pitch_x), "w": mm_text(layout.width)}
    if layout.rows > 1 and layout.pitch_y + TOLERANCE < layout.height:
        problems["pitch_y"] = _("Bước dọc (%(p)s mm) nhỏ hơn chiều cao nhãn (%(h)s mm): các nhãn chồng lên nhau.") % {
            "p": mm_text(layout.pitch_y), "h": mm_text(layout.height)}
    right = layout.left + (layout.cols - 1) * (layout.pitch_x if layout.cols > 1 else 0) + layout.width
    bottom = layout.top + (layout.rows - 1) * (layout.pitch_y if layout.rows > 1 else 0) + layout.height
    if right > page_w + TOLERANCE:
        problems.setdefault("cols", _("Các nhãn vượt mép phải của trang: cần %(n)s mm, khổ giấy rộng %(w)s mm.") % {
            "n": mm_text(right), "w": mm_text(page_w)})
    if bottom > page_h + TOLERANCE:
        problems.setdefault("rows", _("Các nhãn vượt mép dưới của trang: cần %(n)s mm, khổ giấy cao %(h)s mm.") % {
            "n": mm_text(bottom), "h": mm_text(page_h)})
    return problems


def mm_text(value: float) -> str:
    """A length as Vietnamese write it: `38,1`, `210`, `-0,5`."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


@dataclass(frozen=True)
class ItemLabel:
    library: str
    barcode: str
    number: str = ""  # registration number (ĐKCB) when it differs from the barcode


@dataclass(frozen=True)
class SpineLabel:
    call_number: str  # "895.9223 NG-D"
    year: str = ""


@dataclass(frozen=True)
class ReaderCard:
    library: str
    name: str
    card_number: str
    expires: str  # "31/12/2027"
    photo: bytes | None = None
    logo: bytes | None = None  # the library's PNG or JPEG


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _fit(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest size <= `size` at which `text` fits in `width` points."""
    actual = c.stringWidth(text, font, size)
    return size if actual <= width else max(4.0, size * width / actual)


def _text(c: canvas.Canvas, text: str, x: float, y: float, width: float, size: float, font: str = FONT) -> None:
    text = _nfc(text)
    c.setFont(font, _fit(c, text, font, size, width))
    c.drawCentredString(x + width / 2, y, text)


def _barcode(c: canvas.Canvas, value: str, x: float, y: float, width: float, height: float) -> None:
    """Vector Code 128, 0.25 mm modules (narrower if needed to fit), 2.5 mm quiet zones, centred."""
    if not code128_ok(value):
        raise ValueError(f"{value!r}: Code 128 encodes printable ASCII only")
    bar = 0.25 * mm
    for _attempt in range(6):
        symbol = code128.Code128(value, barWidth=bar, barHeight=height, humanReadable=False,
                                 lquiet=2.5 * mm, rquiet=2.5 * mm)
        if symbol.width <= width or bar <= 0.17 * mm:
            break
        bar *= 0.9
    symbol.drawOn(c, x + (width - symbol.width) / 2, y)


def code128_ok(value: str) -> bool:
    """True when Code 128 can encode `value` (printable ASCII)."""
    return bool(value) and all(32 <= ord(ch) < 127 for ch in value)


def _cells(layout: Layout, count: int, start: int) -> Iterable[tuple[int, float, float]]:
    """(page, x, y) of the bottom-left corner of each label in points; `start` is 1-based on the first sheet."""
    page_h = layout.page[1]
    for n in range(start - 1, start - 1 + count):
        page, slot = divmod(n, layout.per_page)
        row, col = divmod(slot, layout.cols)
        x = layout.left + col * layout.pitch_x
        y = page_h - layout.top - row * layout.pitch_y - layout.height
        yield page, x * mm, y * mm


def _draw_item(c: canvas.Canvas, label: ItemLabel, x: float, y: float, w: float, h: float) -> None:
    pad = 1.5 * mm
    _text(c, label.library, x + pad, y + h - 3.4 * mm, w - 2 * pad, 6.5)
    _barcode(c, label.barcode, x + pad, y + 4.6 * mm, w - 2 * pad, max(h - 9.8 * mm, 6 * mm))
    _text(c, label.number or label.barcode, x + pad, y + 1.4 * mm, w - 2 * pad, 8, FONT_BOLD)


def _draw_spine(c: canvas.Canvas, label: SpineLabel, x: float, y: float, w: float, h: float) -> None:
    lines = [part for part in _nfc(label.call_number).split() if part] + ([label.year] if label.year else [])
    size = min(12.0, (h - 2 * mm) / max(len(lines), 1) / 1.25)
    step = size * 1.25
    top = y + h / 2 + step * len(lines) / 2 - size
    for i, line in enumerate(lines):
        _text(c, line, x + 1 * mm, top - i * step, w - 2 * mm, size, FONT_BOLD)


def _draw_card(c: canvas.Canvas, card: ReaderCard, x: float, y: float, w: float, h: float) -> None:
    pad = 3 * mm
    c.setLineWidth(0.3)
    c.roundRect(x + 0.5 * mm, y + 0.5 * mm, w - 1 * mm, h - 1 * mm, 3 * mm)
    head_x, head_w = x + pad, w - 2 * pad
    if card.logo:
        from reportlab.lib.utils import ImageReader

        box = 11 * mm  # the logo sits in an 11 mm square at the top left, the heading beside it
        c.drawImage(ImageReader(io.BytesIO(card.logo)), x + pad, y + h - pad - box, box, box,
                    preserveAspectRatio=True, anchor="c", mask="auto")
        head_x, head_w = x + pad + box + 1.5 * mm, w - 2 * pad - box - 1.5 * mm
    _text(c, card.library.upper(), head_x, y + h - 7 * mm, head_w, 9, FONT_BOLD)
    _text(c, _("THẺ BẠN ĐỌC"), head_x, y + h - 12 * mm, head_w, 8)
    text_x = x + pad
    text_w = w - 2 * pad
    if card.photo:
        from reportlab.lib.utils import ImageReader

        c.drawImage(ImageReader(io.BytesIO(card.photo)), x + pad, y + 16 * mm, 18 * mm, 22 * mm,
                    preserveAspectRatio=True)
        text_x, text_w = x + pad + 20 * mm, w - 2 * pad - 20 * mm
    c.setFont(FONT_BOLD, _fit(c, _nfc(card.name), FONT_BOLD, 10, text_w))
    c.drawString(text_x, y + 30 * mm, _nfc(card.name))
    c.setFont(FONT, 8)
    c.drawString(text_x, y + 25 * mm, _("Số thẻ: %(n)s") % {"n": card.card_number})
    c.drawString(text_x, y + 21 * mm, _("Hết hạn: %(d)s") % {"d": card.expires})
    _barcode(c, card.card_number, x + pad, y + 4 * mm, w - 2 * pad, 10 * mm)


def render_pdf(labels: Sequence[ItemLabel | SpineLabel | ReaderCard], layout: Layout, *, start: int = 1,
               offset_x: float = 0.0, offset_y: float = 0.0, title: str = "Nhãn") -> bytes:
    """A PDF of `labels` on `layout`, the first at position `start` (1 = top left), shifted by the layout's
    saved offsets plus `offset_x`/`offset_y` (mm, right and down)."""
    if not 1 <= start <= layout.per_page:
        raise ValueError(f"start must be 1..{layout.per_page}")
    _fonts()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(layout.page[0] * mm, layout.page[1] * mm), pageCompression=1)
    c.setTitle(title)
    layout = replace(layout, left=layout.left + layout.offset_x + offset_x, top=layout.top + layout.offset_y + offset_y)
    current = 0
    for label, (page, x, y) in zip(labels, _cells(layout, len(labels), start), strict=True):
        while page > current:
            c.showPage()
            current += 1
        w, h = layout.width * mm, layout.height * mm
        if isinstance(label, ItemLabel):
            _draw_item(c, label, x, y, w, h)
        elif isinstance(label, SpineLabel):
            _draw_spine(c, label, x, y, w, h)
        else:
            _draw_card(c, label, x, y, w, h)
    c.showPage()
    c.save()
    return out.getvalue()


def render_test_sheet(layout: Layout, *, start: int = 1) -> bytes:
    """A print test on plain paper: the outline and number of every label where `layout` (with its offsets)
    puts it, the positions before `start` greyed as already used, and a 10 mm ruler along two edges, to hold
    against a real sheet in front of a light."""
    if not 1 <= start <= layout.per_page:
        raise ValueError(f"start must be 1..{layout.per_page}")
    _fonts()
    out = io.BytesIO()
    page_w, page_h = layout.page[0] * mm, layout.page[1] * mm
    c = canvas.Canvas(out, pagesize=(page_w, page_h), pageCompression=1)
    c.setTitle(_nfc(_("Trang in thử %(n)s") % {"n": layout.name}))
    shifted = replace(layout, left=layout.left + layout.offset_x, top=layout.top + layout.offset_y)
    w, h = layout.width * mm, layout.height * mm
    for n, (_page, x, y) in enumerate(_cells(shifted, layout.per_page, 1), start=1):
        used = n < start
        c.setStrokeGray(0.6 if used else 0.0)
        c.setFillGray(0.85)
        c.setLineWidth(0.4)
        c.rect(x, y, w, h, stroke=1, fill=1 if used else 0)
        c.setFillGray(0.0)
        size = max(4.0, min(14.0, h / 3))
        c.setFont(FONT_BOLD, size)
        c.drawCentredString(x + w / 2, y + h / 2 - size / 3, str(n))
    c.setStrokeGray(0.0)
    c.setLineWidth(0.3)
    for tick in range(0, int(layout.page[0]) + 1, 10):  # along the top edge
        c.line(tick * mm, page_h, tick * mm, page_h - (3 if tick % 50 else 5) * mm)
    for tick in range(0, int(layout.page[1]) + 1, 10):  # along the left edge, from the top
        c.line(0, page_h - tick * mm, (3 if tick % 50 else 5) * mm, page_h - tick * mm)
    c.showPage()
    c.save()
    return out.getvalue()


# -- ZPL (Zebra) for 50 x 25 mm thermal labels at 203 dpi -------------------------------------------

def _text_bitmap(text: str, width: int, height: int) -> tuple[int, str]:
    """Vietnamese text as a ^GFA graphic: (row bytes, hex), black on white, fitted into width x height dots."""
    from PIL import Image, ImageDraw, ImageFont, ImageOps

    text = _nfc(text)
    size = height
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), size)
    while size > 8 and font.getlength(text) > width:
        size -= 1
        font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), size)
    image = Image.new("L", (width, height), 255)
    ImageDraw.Draw(image).text((width / 2, height / 2), text, font=font, fill=0, anchor="mm")
    bits = ImageOps.invert(image).convert("1")  # ZPL: 1 = black dot
    return math.ceil(width / 8), bits.tobytes().hex().upper()


def render_zpl(labels: Sequence[ItemLabel]) -> str:
    """ZPL II for 50 x 25 mm labels (400 x 200 dots): library name as a bitmap, Code 128, the number."""
    out = []
    for label in labels:
        row_bytes, data = _text_bitmap(label.library, 360, 32)
        total = row_bytes * 32
        number = (label.number or label.barcode).replace("^", " ").replace("~", " ")
        barcode = label.barcode.replace("^", " ").replace("~", " ")
        out.append(
            "^XA^CI28^PW400^LL200^LH0,0\n"
            f"^FO20,8^GFA,{total},{total},{row_bytes},{data}^FS\n"
            f"^FO40,45^BY2,3,90^BCN,90,N,N,N,A^FD{barcode}^FS\n"
            f"^FO40,145^A0N,34,34^FD{number}^FS\n"
            "^PQ1,0,1,Y^XZ\n")
    return "".join(out)
