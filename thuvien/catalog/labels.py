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
    `left`/`top` from the sheet's corner, `pitch_x`/`pitch_y` from one label to the next."""

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

    @property
    def per_page(self) -> int:
        return self.cols * self.rows


LAYOUTS = {layout.name: layout for layout in [
    Layout("A4-65", 5, 13, 38.1, 21.2, top=10.7, left=4.7, pitch_x=40.6, pitch_y=21.2),
    Layout("A4-24", 3, 8, 70.0, 37.0, top=0.5, left=0.0, pitch_x=70.0, pitch_y=37.0),
    Layout("A4-21", 3, 7, 63.5, 38.1, top=15.15, left=7.2, pitch_x=66.0, pitch_y=38.1),
    Layout("A4-10-CR80", 2, 5, 85.6, 54.0, top=13.5, left=19.4, pitch_x=85.6, pitch_y=54.0),  # reader cards
]}


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
    _text(c, card.library.upper(), x + pad, y + h - 7 * mm, w - 2 * pad, 9, FONT_BOLD)
    _text(c, _("THẺ BẠN ĐỌC"), x + pad, y + h - 12 * mm, w - 2 * pad, 8)
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
    """A PDF of `labels` on `layout`, the first at position `start` (1 = top left), shifted by the offsets
    (mm, right and down) the library measured on its printer."""
    if not 1 <= start <= layout.per_page:
        raise ValueError(f"start must be 1..{layout.per_page}")
    _fonts()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(layout.page[0] * mm, layout.page[1] * mm), pageCompression=1)
    c.setTitle(title)
    layout = replace(layout, left=layout.left + offset_x, top=layout.top + offset_y)
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
