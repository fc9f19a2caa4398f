"""What a page's OCR is served as, all derived from the one file Tesseract writes, its ALTO 3 (pure code,
no Django): the plain text (as Tesseract's `txt` renderer lays it out), hOCR, and the one-page PDF (the
page image as it is, plus an invisible text layer like Tesseract's own `pdf` renderer writes).

Tesseract's extra renderers cost CPU in the one process that is the bottleneck (its `pdf` renderer
reads the image a second time and compresses it again); deriving the same things from the ALTO in Python
costs about 3 ms per page (docs/performance.md). Words keep Tesseract's exact strings, so
Vietnamese diacritics pass unchanged (NFC as Tesseract wrote them).
"""

from __future__ import annotations

import functools
import io
import os
import re
import subprocess
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as ET

ALTO_NS = "{http://www.loc.gov/standards/alto/ns-v3#}"
FONT_NAME = "/OCR"  # the text layer's font in a page's /Resources /Font


@dataclass(frozen=True)
class Word:
    text: str
    x: int
    y: int
    w: int
    h: int
    conf: float | None = None  # ALTO WC, 0..1


@dataclass
class Line:
    x: int
    y: int
    w: int
    h: int
    words: list[Word] = field(default_factory=list)

    def baseline(self) -> int:
        """The line's baseline as a y offset from its bottom (<= 0), which ALTO 3 from Tesseract does not
        carry: the median bottom of the words that end well above the line's bottom (no descender, no
        dot below); within a pixel of Tesseract's own hOCR baseline on the generated pages."""
        bottom = self.y + self.h
        above = sorted(b for b in (wd.y + wd.h for wd in self.words) if b <= bottom - max(2, round(self.h * 0.1)))
        return min(0, above[len(above) // 2] - bottom) if above else 0


@dataclass
class Paragraph:  # an ALTO TextBlock (Tesseract writes one per paragraph)
    x: int
    y: int
    w: int
    h: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class Area:  # an ALTO ComposedBlock (Tesseract's block, hOCR's ocr_carea)
    x: int
    y: int
    w: int
    h: int
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class AltoPage:
    width: int
    height: int
    areas: list[Area] = field(default_factory=list)
    software: str = ""

    def words(self) -> list[Word]:
        return [wd for a in self.areas for p in a.paragraphs for ln in p.lines for wd in ln.words]


def _box(el: object) -> tuple[int, int, int, int]:
    get = el.get  # type: ignore[attr-defined]
    return (int(float(get("HPOS", 0))), int(float(get("VPOS", 0))), int(float(get("WIDTH", 0))),
            int(float(get("HEIGHT", 0))))


def alto_read(data: bytes) -> AltoPage:
    """The page, its areas, paragraphs, lines and words (with confidence) from an ALTO 3 file, in
    document (reading) order. A TextBlock outside any ComposedBlock is an area of its own."""
    root = ET.fromstring(data)
    page_el = root.find(f".//{ALTO_NS}Page")
    page = AltoPage(width=int(float(page_el.get("WIDTH", 0))) if page_el is not None else 0,
                    height=int(float(page_el.get("HEIGHT", 0))) if page_el is not None else 0,
                    software=(root.findtext(f".//{ALTO_NS}softwareName") or "").strip())
    if page_el is None:
        return page
    current: tuple[object, Area] | None = None

    def walk(el: object, composed: object | None) -> None:
        nonlocal current
        for child in el:  # type: ignore[attr-defined]
            tag = child.tag
            if tag == f"{ALTO_NS}ComposedBlock":
                walk(child, child)
            elif tag == f"{ALTO_NS}TextBlock":
                owner = composed if composed is not None else child
                if current is None or current[0] is not owner:
                    current = (owner, Area(*_box(owner)))
                    page.areas.append(current[1])
                para = Paragraph(*_box(child))
                for line_el in child.iter(f"{ALTO_NS}TextLine"):
                    line = Line(*_box(line_el))
                    for s in line_el.iter(f"{ALTO_NS}String"):
                        text = s.get("CONTENT", "")
                        if text:
                            wc = s.get("WC")
                            line.words.append(Word(text, *_box(s), conf=float(wc) if wc else None))
                    if line.words:
                        para.lines.append(line)
                if para.lines:
                    current[1].paragraphs.append(para)
            elif tag in (f"{ALTO_NS}PrintSpace", f"{ALTO_NS}TopMargin", f"{ALTO_NS}LeftMargin",
                         f"{ALTO_NS}RightMargin", f"{ALTO_NS}BottomMargin"):
                walk(child, None)

    walk(page_el, None)
    page.areas = [a for a in page.areas if a.paragraphs]
    return page


def page_text(page: AltoPage) -> str:
    """The text as Tesseract's `txt` renderer writes it (words joined by a space, a line per line, a blank
    line after each paragraph), stripped."""
    paras = ["\n".join(" ".join(wd.text for wd in ln.words) for ln in p.lines)
             for a in page.areas for p in a.paragraphs]
    return "\n\n".join(paras).strip()


def page_hocr(page: AltoPage, *, lang: str = "vie", dpi: int = 300, image: str = "") -> str:
    """hOCR 1.2 of the page (ocr_page > ocr_carea > ocr_par > ocr_line > ocrx_word, with bbox, baseline
    and x_wconf), laid out as Tesseract's own hOCR."""
    def bbox(x: int, y: int, w: int, h: int) -> str:
        return f"bbox {x} {y} {x + w} {y + h}"

    system = page.software or "tesseract"
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
           '    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
           f'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang={quoteattr(lang)} lang={quoteattr(lang)}>\n'
           ' <head>\n  <title></title>\n'
           '  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n'
           f'  <meta name="ocr-system" content={quoteattr(system)}/>\n'
           '  <meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"/>\n'
           ' </head>\n <body>\n']
    image_part = f"image {_hocr_quote(image)}; " if image else ""
    out.append(f'  <div class="ocr_page" id="page_1" title={quoteattr(f"{image_part}{bbox(0, 0, page.width, page.height)}; ppageno 0; scan_res {dpi} {dpi}")}>\n')
    n_par = n_line = n_word = 0
    for n_area, area in enumerate(page.areas, 1):
        out.append(f'   <div class="ocr_carea" id="block_1_{n_area}" title="{bbox(area.x, area.y, area.w, area.h)}">\n')
        for para in area.paragraphs:
            n_par += 1
            out.append(f'    <p class="ocr_par" id="par_1_{n_par}" lang={quoteattr(lang)} '
                       f'title="{bbox(para.x, para.y, para.w, para.h)}">\n')
            for line in para.lines:
                n_line += 1
                out.append(f'     <span class="ocr_line" id="line_1_{n_line}" '
                           f'title="{bbox(line.x, line.y, line.w, line.h)}; baseline 0 {line.baseline()}">\n')
                for wd in line.words:
                    n_word += 1
                    conf = f"; x_wconf {round(wd.conf * 100)}" if wd.conf is not None else ""
                    out.append(f'      <span class="ocrx_word" id="word_1_{n_word}" '
                               f'title="{bbox(wd.x, wd.y, wd.w, wd.h)}{conf}">{escape(wd.text)}</span>\n')
                out.append("     </span>\n")
            out.append("    </p>\n")
        out.append("   </div>\n")
    out.append("  </div>\n </body>\n</html>\n")
    return "".join(out)


def _hocr_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- the one-page PDF: the image as it is, and an invisible text layer ------------------------------------

_TOUNICODE = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


@functools.cache
def glyphless_font() -> bytes:
    """Tesseract's own invisible font (`pdf.ttf` in its tessdata), the one its `pdf` renderer embeds: one
    empty glyph that every character code maps to, so the text layer is searchable for any script."""
    def found(dirs: list[str]) -> Path | None:
        for d in filter(None, dirs):
            for candidate in (Path(d) / "pdf.ttf", Path(d) / "tessdata" / "pdf.ttf"):
                if candidate.is_file():
                    return candidate
        return None

    path = found([os.environ.get("TESSDATA_PREFIX", ""), "/usr/share/tesseract-ocr/5/tessdata",
                  "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata", "/usr/local/share/tessdata"])
    if path is None:  # elsewhere: Tesseract names its tessdata directory
        try:
            listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30,
                                    check=False).stdout
        except OSError:
            listed = ""
        path = found(re.findall(r'"([^"]+)"', listed.splitlines()[0] if listed else ""))
    if path is not None:
        return path.read_bytes()
    raise FileNotFoundError("Tesseract's pdf.ttf (the glyphless font of its PDF renderer) was not found")


@functools.cache
def _cid_to_gid() -> bytes:
    return zlib.compress(b"\x00\x01" * 65536, 9)  # every CID shows glyph 1


def _font(pdf: object) -> object:
    import pikepdf

    p: pikepdf.Pdf = pdf  # type: ignore[assignment]
    font_file = p.make_stream(glyphless_font())
    cid_map = pikepdf.Stream(p, _cid_to_gid())
    cid_map.Filter = pikepdf.Name.FlateDecode
    descriptor = p.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name.GlyphLessFont, Flags=5,
        FontBBox=[0, 0, 500, 1000], ItalicAngle=0, Ascent=1000, Descent=-1, CapHeight=1000, StemV=80,
        FontFile2=font_file))
    cid_font = p.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=pikepdf.Name.GlyphLessFont,
        CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"),
                                          Supplement=0),
        FontDescriptor=descriptor, DW=500, CIDToGIDMap=p.make_indirect(cid_map)))
    return p.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name.GlyphLessFont,
        Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=[cid_font],
        ToUnicode=p.make_indirect(p.make_stream(_TOUNICODE))))


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") or "0"


def text_layer(page: AltoPage, *, page_width: float, page_height: float, font: str = FONT_NAME) -> bytes:
    """A content stream drawing every word invisibly (text rendering mode 3) over its ALTO box on a page of
    `page_width` x `page_height` points: per line, the font size is the line height and the baseline
    Tesseract's, each word (with a space after it, as Tesseract writes it) is stretched (Tz) to its box."""
    if not page.width or not page.height:
        return b""
    sx, sy = page_width / page.width, page_height / page.height
    out = ["BT\n3 Tr\n"]
    for area in page.areas:
        for para in area.paragraphs:
            for line in para.lines:
                size = float(max(1, round(line.h * sy)))  # whole points, as Tesseract sets them
                baseline = page_height - (line.y + line.h + line.baseline()) * sy
                out.append(f"{font} {_num(size)} Tf\n")
                for wd in line.words:
                    text = wd.text + " "
                    codes = text.encode("utf-16-be")
                    natural = len(codes) / 2 * 0.5 * size  # DW 500: every code is half an em wide
                    stretch = max(1.0, wd.w * sx) / natural * 100
                    out.append(f"1 0 0 1 {_num(wd.x * sx)} {_num(baseline)} Tm {_num(stretch)} Tz "
                               f"<{codes.hex().upper()}> Tj\n")
    out.append("ET\n")
    return "".join(out).encode("ascii")


def page_pdf(image: Path, page: AltoPage | None, *, dpi: int) -> bytes:
    """A one-page PDF of `image` (img2pdf: PNG and JPEG data embedded as they are, no re-encoding; other
    images losslessly), sized at `dpi`, with the page's words as an invisible text layer on top."""
    import img2pdf
    import pikepdf

    data = img2pdf.convert(str(image), layout_fun=img2pdf.get_fixed_dpi_layout_fun((dpi, dpi)),
                           rotation=img2pdf.Rotation.none)
    pdf = pikepdf.open(io.BytesIO(data))
    del pdf.pages[1:]  # a multi-page TIFF: the page is its first image, as tiles and OCR read it
    if page is not None and page.areas:
        pg = pdf.pages[0]
        box = [float(v) for v in pg.MediaBox]
        stream = text_layer(page, page_width=box[2] - box[0], page_height=box[3] - box[1])
        resources = pg.obj.get("/Resources")
        if resources is None:
            resources = pg.obj.Resources = pikepdf.Dictionary()
        if "/Font" not in resources:
            resources.Font = pikepdf.Dictionary()
        resources.Font[FONT_NAME] = _font(pdf)
        pg.contents_add(pdf.make_stream(stream), prepend=False)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()
