"""The OCR outputs derived from Tesseract's ALTO (text, hOCR, the one-page PDF's text layer) against
Tesseract's own renderers, on handwritten ALTO with exact words and boxes, and through the pipeline to
the object's PDF/A (pdftotext gives back the OCR words in reading order, diacritics intact)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pikepdf.pdfa
import pytest
from lxml import etree
from PIL import Image

from thuvien.digital import ocrformats, processing
from thuvien.digital.synthetic import DIA_CHI_CAO_BANG, render_page

pytestmark = pytest.mark.skipif(not (shutil.which("tesseract") and shutil.which("pdftotext")),
                                reason="tesseract and poppler-utils are needed")

XHTML = "{http://www.w3.org/1999/xhtml}"
NFD_WORD = unicodedata.normalize("NFD", "Bằng")  # decomposed, as a macOS file name would be

ALTO = f"""<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#">
 <Description><MeasurementUnit>pixel</MeasurementUnit><OCRProcessing ID="OCR_0"><ocrProcessingStep>
  <processingSoftware><softwareName>tesseract 5.3.0</softwareName></processingSoftware>
 </ocrProcessingStep></OCRProcessing></Description>
 <Layout><Page WIDTH="1200" HEIGHT="900" PHYSICAL_IMG_NR="0" ID="page_0">
  <PrintSpace HPOS="0" VPOS="0" WIDTH="1200" HEIGHT="900">
   <ComposedBlock ID="cblock_0" HPOS="100" VPOS="100" WIDTH="500" HEIGHT="260">
    <TextBlock ID="block_0" HPOS="100" VPOS="100" WIDTH="500" HEIGHT="100">
     <TextLine ID="line_0" HPOS="100" VPOS="100" WIDTH="480" HEIGHT="40">
      <String ID="s0" HPOS="100" VPOS="103" WIDTH="60" HEIGHT="37" WC="0.96" CONTENT="Địa"/><SP WIDTH="10" VPOS="103" HPOS="160"/>
      <String ID="s1" HPOS="170" VPOS="103" WIDTH="50" HEIGHT="30" WC="0.91" CONTENT="chí"/><SP WIDTH="10" VPOS="103" HPOS="220"/>
      <String ID="s2" HPOS="230" VPOS="103" WIDTH="60" HEIGHT="30" WC="0.9" CONTENT="Cao"/><SP WIDTH="10" VPOS="103" HPOS="290"/>
      <String ID="s3" HPOS="300" VPOS="100" WIDTH="90" HEIGHT="40" WC="0.88" CONTENT="{NFD_WORD}"/>
     </TextLine>
     <TextLine ID="line_1" HPOS="100" VPOS="150" WIDTH="400" HEIGHT="40">
      <String ID="s4" HPOS="100" VPOS="152" WIDTH="120" HEIGHT="31" WC="0.97" CONTENT="&quot;Thác&quot;"/><SP WIDTH="10" VPOS="152" HPOS="220"/>
      <String ID="s5" HPOS="230" VPOS="152" WIDTH="20" HEIGHT="31" CONTENT="&amp;"/><SP WIDTH="10" VPOS="152" HPOS="250"/>
      <String ID="s6" HPOS="260" VPOS="152" WIDTH="140" HEIGHT="38" WC="0.5" CONTENT="&lt;Giốc&gt;"/>
     </TextLine>
    </TextBlock>
    <TextBlock ID="block_1" HPOS="100" VPOS="300" WIDTH="300" HEIGHT="60">
     <TextLine ID="line_2" HPOS="100" VPOS="300" WIDTH="300" HEIGHT="40">
      <String ID="s7" HPOS="100" VPOS="302" WIDTH="120" HEIGHT="31" WC="0.95" CONTENT="Trùng"/><SP WIDTH="10" VPOS="302" HPOS="220"/>
      <String ID="s8" HPOS="230" VPOS="302" WIDTH="170" HEIGHT="31" WC="0.95" CONTENT="Khánh."/>
     </TextLine>
    </TextBlock>
   </ComposedBlock>
   <TextBlock ID="block_2" HPOS="700" VPOS="100" WIDTH="400" HEIGHT="40">
    <TextLine ID="line_3" HPOS="700" VPOS="100" WIDTH="400" HEIGHT="40">
     <String ID="s9" HPOS="700" VPOS="103" WIDTH="130" HEIGHT="30" WC="0.93" CONTENT="Hà"/><SP WIDTH="10" VPOS="103" HPOS="830"/>
     <String ID="s10" HPOS="840" VPOS="103" WIDTH="260" HEIGHT="30" WC="0.93" CONTENT="Quảng"/>
    </TextLine>
   </TextBlock>
  </PrintSpace>
 </Page></Layout>
</alto>
""".encode()

WORDS = [("Địa", (100, 103, 160, 140), 96), ("chí", (170, 103, 220, 133), 91), ("Cao", (230, 103, 290, 133), 90),
         (NFD_WORD, (300, 100, 390, 140), 88), ('"Thác"', (100, 152, 220, 183), 97), ("&", (230, 152, 250, 183), None),
         ("<Giốc>", (260, 152, 400, 190), 50), ("Trùng", (100, 302, 220, 333), 95),
         ("Khánh.", (230, 302, 400, 333), 95), ("Hà", (700, 103, 830, 133), 93), ("Quảng", (840, 103, 1100, 133), 93)]


def _hocr_words(hocr: str | bytes) -> list[tuple[str, tuple[int, ...], int | None]]:
    root = etree.fromstring(hocr.encode() if isinstance(hocr, str) else hocr)
    out = []
    for el in root.iter(f"{XHTML}span"):
        if el.get("class") == "ocrx_word":
            title = el.get("title")
            box = tuple(int(v) for v in re.search(r"bbox (\d+) (\d+) (\d+) (\d+)", title).groups())
            conf = re.search(r"x_wconf (\d+)", title)
            out.append(("".join(el.itertext()), box, int(conf.group(1)) if conf else None))
    return out


def _pdftotext(*args: str) -> str:
    return subprocess.run(["pdftotext", *args], capture_output=True, check=True).stdout.decode()


def test_text_and_hocr_from_alto_exact_words_boxes_and_structure():
    page = ocrformats.alto_read(ALTO)
    assert (page.width, page.height, page.software) == (1200, 900, "tesseract 5.3.0")
    # paragraphs as Tesseract's txt renderer lays them out; the decomposed word stays decomposed
    assert ocrformats.page_text(page) == f'Địa chí Cao {NFD_WORD}\n"Thác" & <Giốc>\n\nTrùng Khánh.\n\nHà Quảng'
    hocr = ocrformats.page_hocr(page, lang="vie", dpi=150, image="00001.png")
    assert _hocr_words(hocr) == WORDS
    assert NFD_WORD in hocr and "Địa" in hocr  # byte for byte, no normalisation either way
    root = etree.fromstring(hocr.encode())
    classes = [el.get("class") for el in root.iter() if el.get("class")]
    assert classes.count("ocr_carea") == 2 and classes.count("ocr_par") == 3 and classes.count("ocr_line") == 4
    page_div = next(el for el in root.iter(f"{XHTML}div") if el.get("class") == "ocr_page")
    assert page_div.get("title") == 'image "00001.png"; bbox 0 0 1200 900; ppageno 0; scan_res 150 150'
    lines = [el.get("title") for el in root.iter(f"{XHTML}span") if el.get("class") == "ocr_line"]
    # the baseline: where the words without descenders end (line 0: "chí", "Cao" end at 133, bottom 140)
    assert lines[0] == "bbox 100 100 580 140; baseline 0 -7"
    assert lines[3] == "bbox 700 100 1100 140; baseline 0 -7"
    assert [el.get("lang") for el in root.iter(f"{XHTML}p")] == ["vie", "vie", "vie"]


def test_derived_text_and_hocr_equal_tesseracts_own_renderers(tmp_path):
    """Tesseract's own txt and hOCR of a Vietnamese page are what we derive from its ALTO: the same text,
    the same words with the same boxes and confidences, the same lines, baselines within a pixel."""
    truth = render_page("\n".join(DIA_CHI_CAO_BANG[:2]), tmp_path / "p.png", width=1240, height=900, seed=3)
    base = tmp_path / "p"
    subprocess.run(["tesseract", str(tmp_path / "p.png"), str(base), "-l", "vie", "--dpi", "150", "txt", "hocr",
                    "alto"], env=dict(os.environ, OMP_THREAD_LIMIT="1"), check=True, capture_output=True)
    page = ocrformats.alto_read(base.with_suffix(".xml").read_bytes())
    text = ocrformats.page_text(page)
    assert text == base.with_suffix(".txt").read_text("utf-8").strip()
    assert text.startswith("Địa chí Cao Bằng. Cao Bằng là tỉnh miền núi") and "Thác Bản Giốc" in text
    assert " ".join(text.split()) == " ".join(truth.split())  # a clean page: every word right
    theirs = base.with_suffix(".hocr").read_bytes()
    mine = ocrformats.page_hocr(page, dpi=150)
    assert _hocr_words(mine) == _hocr_words(theirs) and len(_hocr_words(mine)) > 50

    def lines(hocr: str | bytes) -> list[tuple[str, int]]:
        root = etree.fromstring(hocr.encode() if isinstance(hocr, str) else hocr)
        return [(re.search(r"bbox [\d ]+", el.get("title")).group(0),
                 int(re.search(r"baseline \S+ (-?\d+)", el.get("title")).group(1)))
                for el in root.iter(f"{XHTML}span") if el.get("class") == "ocr_line"]

    assert [b for b, _ in lines(mine)] == [b for b, _ in lines(theirs)]
    assert all(abs(a - b) <= 1 for (_, a), (_, b) in zip(lines(mine), lines(theirs), strict=True))


def test_page_pdf_text_layer_words_boxes_and_reading_order(tmp_path):
    Image.new("L", (1200, 900), 255).save(tmp_path / "page.png")
    page = ocrformats.alto_read(ALTO)
    pdf_file = tmp_path / "page.pdf"
    pdf_file.write_bytes(ocrformats.page_pdf(tmp_path / "page.png", page, dpi=150))
    with pikepdf.open(pdf_file) as pdf:
        assert [float(v) for v in pdf.pages[0].MediaBox] == [0, 0, 576, 432]  # 1200 x 900 px at 150 ppi
        image = pdf.pages[0].Resources.XObject.Im0
        assert (image.Width, image.Height, image.Filter) == (1200, 900, "/FlateDecode")
        assert image.DecodeParms.Predictor == 15  # the PNG's own compressed data, not re-encoded
    # content-stream order is the ALTO reading order, second column last
    raw = _pdftotext("-raw", str(pdf_file), "-")
    assert raw.split() == [w for w, _, _ in WORDS]
    # every word over its box (points = px * 72 / 150); with its trailing space the word spans the box
    html = _pdftotext("-bbox", str(pdf_file), "-")
    found = [(unicodedata.normalize("NFC", html_unescape(m.group(5))), *map(float, m.groups()[:4])) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]
    assert [f[0] for f in found] == [unicodedata.normalize("NFC", w) for w, _, _ in WORDS]
    k = 72 / 150
    for (_text, x0, _y0, x1, _y1), (_word, (bx0, _by0, bx1, _by1), _c) in zip(found, WORDS, strict=True):
        assert abs(x0 - bx0 * k) < 0.5
        assert bx0 * k < x1 <= bx1 * k + 0.5
    line0 = [f[4] for f in found[:4]]
    assert all(abs(y - 133 * k) < 0.5 for y in line0)  # the glyphs sit on the line's baseline (y = 133 px)


def html_unescape(s: str) -> str:
    import html

    return html.unescape(s)


def test_object_pdf_is_valid_pdfa_and_pdftotext_gives_the_ocr_words_in_order(digital_object_factory, monkeypatch,
                                                                             client):
    def no_ocrmypdf(*args, **kwargs):  # the fast path: pikepdf wrote a valid PDF/A-2b first time
        raise AssertionError(f"OCRmyPDF fallback used: {args}")

    monkeypatch.setattr(processing.subprocess, "run", no_ocrmypdf)
    texts = ["Địa chí Cao Bằng là tỉnh miền núi biên giới.", "Thác Bản Giốc ở huyện Trùng Khánh.",
             "Người Tày, người Nùng và người H'Mông."]
    obj = digital_object_factory(texts=texts, pdf=True, size=(1240, 400))
    monkeypatch.undo()
    assert obj.status == "ready", obj.error
    pages = list(obj.pages.order_by("order"))
    assert [p.text for p in pages] == texts  # clean generated pages: OCR is exact
    out = processing.pdf_path(obj.uuid)
    with pikepdf.open(out) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
        assert pikepdf.pdfa.check(pdf, "2b").findings == []
        fonts = {pg.Resources.Font[ocrformats.FONT_NAME].objgen for pg in pdf.pages}
        assert len(fonts) == 1  # one copy of the invisible font for every page
    per_page = _pdftotext(str(out), "-").split("\f")[:3]
    assert [" ".join(t.split()) for t in per_page] == texts
    for p in pages:  # the page files beside the ALTO: text, hOCR and the one-page PDF with the same words
        base = processing.ocr_base(obj.uuid, p.order)
        assert base.with_suffix(".txt").read_text("utf-8").strip() == p.text
        assert [w for w, _, _ in _hocr_words(base.with_suffix(".hocr").read_bytes())] == p.text.split()
        assert " ".join(_pdftotext(str(base.with_suffix(".pdf")), "-").split()) == p.text
    # the hOCR the manifest's seeAlso points to is the derived one, served as before
    resp = client.get(f"/iiif/{obj.uuid}/hocr/2")
    assert resp.status_code == 200 and resp["Content-Type"] == "text/vnd.hocr+html; charset=utf-8"
    served = b"".join(resp.streaming_content)
    assert [w for w, _, _ in _hocr_words(served)] == ["Thác", "Bản", "Giốc", "ở", "huyện", "Trùng", "Khánh."]


MASTERS = {  # file name: (mime, how PIL writes it from the grey page, the image the page PDF holds)
    "rgb-lzw.tif": ("image/tiff", lambda g: (g.convert("RGB"), {"compression": "tiff_lzw"}), "/DeviceRGB"),
    "bilevel-g4.tif": ("image/tiff", lambda g: (g.point(lambda v: 255 if v > 128 else 0).convert("1"),
                                                {"compression": "group4"}), "/DeviceGray"),
    "palette.tif": ("image/tiff", lambda g: (g.convert("RGB").convert("P"), {}), "/Indexed"),
    "cmyk.tif": ("image/tiff", lambda g: (g.convert("CMYK"), {}), "/DeviceRGB"),  # not CMYK under sRGB intent
    "alpha.tif": ("image/tiff", lambda g: (g.convert("RGBA"), {}), "/DeviceRGB"),  # flattened, no soft mask
    "alpha.png": ("image/png", lambda g: (g.convert("LA"), {}), "/DeviceGray"),
    "grey16.png": ("image/png", lambda g: (g.convert("I").point(lambda v: v * 257).convert("I;16"), {}),
                   "/DeviceGray"),
    "rgb.jpg": ("image/jpeg", lambda g: (g.convert("RGB"), {"quality": 92}), "/DeviceRGB"),
}


@pytest.mark.parametrize("name", list(MASTERS))
def test_every_kind_of_master_gets_a_page_pdf_and_a_valid_pdfa(name, settings, tmp_path, monkeypatch):
    """Masters img2pdf embeds as they are, and those it may not (alpha, CMYK): the page PDF holds the
    words, and the object's PDF/A-2b passes pikepdf's validation first time (no OCRmyPDF)."""
    settings.THUVIEN_DIGITAL_ROOT = str(tmp_path / "digital")
    render_page("Địa chí Cao Bằng", tmp_path / "grey.png", width=900, height=300, font_size=40, noise=False)
    mime, write, colour_space = MASTERS[name]
    image, options = write(Image.open(tmp_path / "grey.png"))
    image.save(tmp_path / name, **options)
    uuid = f"master-{name}"
    result = processing.page_derive(obj_uuid=uuid, order=1, master=tmp_path / name, mime=mime, profile="vie", dpi=150)
    assert (result.width, result.height, result.text) == (900, 300, "Địa chí Cao Bằng")
    assert [w[0] for w in result.words] == ["Địa", "chí", "Cao", "Bằng"]
    assert processing.tile_path(uuid, 1).exists()
    page_pdf = processing.ocr_base(uuid, 1).with_suffix(".pdf")
    assert " ".join(_pdftotext(str(page_pdf), "-").split()) == "Địa chí Cao Bằng"
    with pikepdf.open(page_pdf) as pdf:
        im = pdf.pages[0].Resources.XObject.Im0
        cs = im.ColorSpace[0] if isinstance(im.ColorSpace, pikepdf.Array) else im.ColorSpace
        assert (im.Width, im.Height, str(cs)) == (900, 300, colour_space) and "/SMask" not in im

    def no_ocrmypdf(*args, **kwargs):
        raise AssertionError(f"OCRmyPDF fallback used: {args}")

    monkeypatch.setattr(processing.subprocess, "run", no_ocrmypdf)
    out = processing.object_pdf(obj_uuid=uuid, orders=[1], title="Địa chí Cao Bằng", language="vie")
    monkeypatch.undo()
    with pikepdf.open(out) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B" and pikepdf.pdfa.check(pdf, "2b").findings == []
    assert " ".join(_pdftotext(str(out), "-").split()) == "Địa chí Cao Bằng"


def test_tesseract_failure_fails_the_object_and_leaves_no_process(digital_object_factory):
    obj = digital_object_factory(texts=["Cao Bằng"], ocr="zzz")  # no such traineddata
    assert obj.status == "failed"
    assert "tesseract" in obj.error and "zzz" in obj.error
    assert not obj.pages.filter(processed=True).exists()
    leftover = subprocess.run(["pgrep", "-f", f"tesseract .*{obj.uuid}"], capture_output=True, check=False)
    assert leftover.stdout == b""


def test_text_layer_of_an_empty_page_and_a_missing_alto_page(tmp_path):
    empty = ocrformats.alto_read(b'<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Layout>'
                                 b'<Page WIDTH="10" HEIGHT="10"><PrintSpace/></Page></Layout></alto>')
    assert (empty.areas, ocrformats.page_text(empty)) == ([], "")
    assert _hocr_words(ocrformats.page_hocr(empty)) == []
    none = ocrformats.alto_read(b'<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"/>')
    assert (none.width, none.areas, ocrformats.text_layer(none, page_width=10, page_height=10)) == (0, [], b"")
    Image.new("L", (10, 10), 255).save(tmp_path / "p.png")
    with pikepdf.open(_write(tmp_path / "p.pdf", ocrformats.page_pdf(tmp_path / "p.png", empty, dpi=72))) as pdf:
        assert "/Font" not in pdf.pages[0].Resources  # no text layer, the image only


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_tiles_are_made_while_tesseract_runs_and_a_tiling_failure_stops_it(settings, tmp_path, monkeypatch):
    settings.THUVIEN_DIGITAL_ROOT = str(tmp_path / "digital")
    render_page(DIA_CHI_CAO_BANG[0], tmp_path / "p.png", width=1240, height=600, seed=5)
    seen = []

    def failing_tiles(master: Path, out: Path) -> tuple[int, int]:
        found = subprocess.run(["pgrep", "-f", "tesseract .*overlap-test"], capture_output=True, check=False)
        seen.append(found.stdout.strip())
        raise OSError("disk full")

    monkeypatch.setattr(processing, "make_tiles", failing_tiles)
    with pytest.raises(OSError, match="disk full"):
        processing.page_derive(obj_uuid="overlap-test", order=1, master=tmp_path / "p.png", mime="image/png",
                               profile="vie", dpi=150)
    assert seen and seen[0]  # Tesseract was already reading the page while it was being tiled
    after = subprocess.run(["pgrep", "-f", "tesseract .*overlap-test"], capture_output=True, check=False)
    assert after.stdout == b""  # and was stopped when the tiling failed
    # the OCR slot was given back: the next page gets it at once
    with processing.ocr_slot(poll=0.01) as slot:
        assert slot == 0
