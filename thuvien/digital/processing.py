"""Per-page derivatives (pyramidal tiled TIFF; OCR text, hOCR, ALTO and a one-page PDF from ONE
Tesseract pass) and the per-object PDF/A. Pure file work: services store the results.

Tesseract writes only the ALTO; the text, the hOCR and the one-page PDF (the page image as it is with
an invisible text layer) are derived from it in Python (`ocrformats`), which costs far less than
Tesseract's own renderers. The page is tiled while Tesseract reads it.

OCR runs with OMP_THREAD_LIMIT=1, and never more processes at once on this machine than
`conf.ocr_jobs()`: each run holds one of N lock files (flock), whichever process it runs in.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thuvien.digital import ocrformats
from thuvien.digital.conf import digital_root, ocr_jobs
from thuvien.digital.iiif import fold_word

ALTO_NS = ocrformats.ALTO_NS
log = logging.getLogger(__name__)
OCR_TIMEOUT = 600  # seconds for one page
TESSERACT_READS = ("image/png", "image/jpeg", "image/tiff")  # masters Tesseract reads as they are
PDF_AS_IS = ("b-w", "srgb", "grey16", "rgb16")  # libvips interpretations img2pdf embeds as they are


@dataclass
class PageResult:
    width: int
    height: int
    text: str = ""
    words: list[list[object]] = field(default_factory=list)


def object_dir(obj_uuid: object) -> Path:
    return digital_root() / str(obj_uuid)


def tile_path(obj_uuid: object, order: int) -> Path:
    return object_dir(obj_uuid) / "tiles" / f"{order:05d}.tif"


def ocr_base(obj_uuid: object, order: int) -> Path:
    """Path without suffix: .xml (Tesseract's ALTO) and, derived from it, .txt, .hocr and .pdf beside it."""
    return object_dir(obj_uuid) / "ocr" / f"{order:05d}"


def pdf_path(obj_uuid: object) -> Path:
    return object_dir(obj_uuid) / "object.pdf"


@contextlib.contextmanager
def ocr_slot(poll: float = 0.2) -> Iterator[int]:
    """Hold one of the machine's OCR slots for the duration (blocks while all are taken)."""
    locks = digital_root() / "locks"
    locks.mkdir(exist_ok=True)
    n = ocr_jobs()
    while True:
        for i in range(n):
            fh = (locks / f"ocr-{i}.lock").open("w")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                continue
            try:
                yield i
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
                fh.close()
            return
        time.sleep(poll)


def make_tiles(master: Path, out: Path) -> tuple[int, int]:
    """A pyramidal, 256 px tiled JPEG TIFF of the page; returns (width, height)."""
    import pyvips

    img = _normalise(pyvips.Image.new_from_file(str(master), access="sequential"))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part.tif")
    img.tiffsave(str(tmp), tile=True, pyramid=True, compression="jpeg", Q=85, tile_width=256,
                 tile_height=256)
    tmp.replace(out)
    return img.width, img.height



def _normalise(img: Any) -> Any:
    """8-bit sRGB or grey, no alpha (flattened on white): what the tiles and a JPEG can hold."""
    if img.hasalpha():
        img = img.flatten(background=255)
    if img.interpretation not in ("srgb", "b-w"):
        img = img.colourspace("srgb")
    if img.format != "uchar":
        img = img.cast("uchar")
    return img


def ocr_input(master: Path, mime: str, tiles: Path, workdir: Path) -> Path:
    """A file Tesseract (Leptonica) reads: the master itself, or a PNG written from the tiled TIFF."""
    if mime in TESSERACT_READS:
        return master
    import pyvips

    png = workdir / "page.png"
    pyvips.Image.new_from_file(str(tiles), page=0).pngsave(str(png), compression=1)
    return png


def _tesseract(image: Path, base: Path, profile: str, dpi: int) -> subprocess.Popen[bytes]:
    """Start Tesseract writing base.xml (ALTO 3), its only output; the caller holds an OCR slot."""
    base.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["tesseract", str(image), str(base), "-l", profile, "--dpi", str(dpi), "alto"]
    return subprocess.Popen(cmd, env=dict(os.environ, OMP_THREAD_LIMIT="1"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _tesseract_wait(proc: subprocess.Popen[bytes]) -> None:
    try:
        out, err = proc.communicate(timeout=OCR_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, proc.args, out, err)


def ocr_outputs(image: Path, base: Path, *, lang: str, dpi: int = 300,
                pdf: bool = True) -> ocrformats.AltoPage:
    """From Tesseract's base.xml: base.txt, base.hocr and (with `pdf`) base.pdf, the page image with its
    invisible text layer. Returns the parsed ALTO."""
    page = ocrformats.alto_read(base.with_suffix(".xml").read_bytes())
    base.with_suffix(".txt").write_text(ocrformats.page_text(page) + "\n", "utf-8")
    base.with_suffix(".hocr").write_text(ocrformats.page_hocr(page, lang=lang, dpi=dpi, image=image.name), "utf-8")
    if pdf:
        _write_page_pdf(image, page, base.with_suffix(".pdf"), dpi=dpi)
    return page


def _write_page_pdf(image: Path, page: ocrformats.AltoPage, out: Path, *, dpi: int) -> None:
    import img2pdf
    import pyvips

    data = None
    header = pyvips.Image.new_from_file(str(image))  # the header only
    if not header.hasalpha() and header.interpretation in PDF_AS_IS:
        with contextlib.suppress(img2pdf.ImageOpenError, ValueError):
            data = ocrformats.page_pdf(image, page, dpi=dpi)
    if data is None:
        # an alpha channel (img2pdf would keep it as a soft mask), CMYK or Lab (not with the PDF/A's sRGB
        # output intent), or an image img2pdf cannot take as it is: its pixels flattened on white, in
        # sRGB or grey, losslessly, as Tesseract's renderer (Leptonica) did
        png = out.with_suffix(".part.png")
        _normalise(pyvips.Image.new_from_file(str(image), access="sequential")).pngsave(str(png))
        try:
            data = ocrformats.page_pdf(png, page, dpi=dpi)
        finally:
            png.unlink(missing_ok=True)
    part = out.with_suffix(".part.pdf")
    part.write_bytes(data)
    part.replace(out)


def alto_words(alto: bytes | ocrformats.AltoPage) -> list[list[object]]:
    """[[word, x, y, w, h, folded word], ...] from an ALTO 3 file, in reading order (the folded form is
    stored so search inside never folds a page's words again)."""
    page = alto if isinstance(alto, ocrformats.AltoPage) else ocrformats.alto_read(alto)
    return [[w.text, w.x, w.y, w.w, w.h, fold_word(w.text)] for w in page.words()]


def page_derive(*, obj_uuid: object, order: int, master: Path, mime: str, profile: str,
                dpi: int = 300) -> PageResult:
    """Tiles, and (unless the profile is "none") OCR in one pass: Tesseract reads a master it can read
    while the page is tiled beside it; other masters are tiled first and read from the tiles. Safe to run
    in a worker thread."""
    tiles = tile_path(obj_uuid, order)
    if profile == "none":
        width, height = make_tiles(master, tiles)
        return PageResult(width=width, height=height)
    base = ocr_base(obj_uuid, order)
    with tempfile.TemporaryDirectory(dir=digital_root()) as tmp:
        if mime in TESSERACT_READS:
            image = master
            with ocr_slot():
                proc = _tesseract(image, base, profile, dpi)
                try:
                    width, height = make_tiles(master, tiles)
                except BaseException:
                    proc.kill()
                    proc.communicate()
                    raise
                _tesseract_wait(proc)
        else:
            width, height = make_tiles(master, tiles)
            image = ocr_input(master, mime, tiles, Path(tmp))
            with ocr_slot():
                _tesseract_wait(_tesseract(image, base, profile, dpi))
        page = ocr_outputs(image, base, lang=profile.split("+")[0], dpi=dpi)
    return PageResult(width=width, height=height, text=ocrformats.page_text(page), words=alto_words(page))


def object_pdf(*, obj_uuid: object, orders: list[int], title: str, language: str) -> Path:
    """The searchable PDF/A-2b of the object: the pages' one-page PDFs (image + text layer) joined and
    written as PDF/A-2b by pikepdf, which validates what it wrote (0.6 s for 6 pages, where OCRmyPDF
    took 10-17 s for the same step); OCRmyPDF `--skip-text` (no second OCR) only when that validation
    reports findings or fails. Pages without OCR go in as images."""
    import img2pdf
    import pikepdf
    import pikepdf.pdfa

    out = pdf_path(obj_uuid)
    part = out.with_suffix(".part.pdf")
    with tempfile.TemporaryDirectory(dir=digital_root()) as tmp:
        joined = pikepdf.new()
        for order in orders:
            page_pdf = ocr_base(obj_uuid, order).with_suffix(".pdf")
            if not page_pdf.exists():
                jpeg = Path(tmp) / f"{order}.jpg"
                _page_jpeg(tile_path(obj_uuid, order), jpeg)
                page_pdf = Path(tmp) / f"{order}.pdf"
                page_pdf.write_bytes(img2pdf.convert(str(jpeg)))
            with pikepdf.open(page_pdf) as src:
                joined.pages.extend(src.pages)
        _share_text_font(joined)
        joined.docinfo["/Title"] = title[:500]
        with joined.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title[:500]
            meta["dc:language"] = [language]
        try:
            findings = bool(pikepdf.pdfa.save(joined, part, "2b").findings)
        except pikepdf.pdfa.PdfaError as exc:
            log.warning("PDF/A of %s by pikepdf failed, OCRmyPDF tries: %s", obj_uuid, exc)
            findings = True
        if findings:
            joined_path = Path(tmp) / "joined.pdf"
            joined.save(joined_path)
            cmd = [sys.executable, "-m", "ocrmypdf", "--skip-text", "--output-type", "pdfa-2", "--pdfa-backend",
                   "internal", "--jobs", "1", "--optimize", "0", "--title", title[:200], "--quiet",
                   str(joined_path), str(part)]
            subprocess.run(cmd, check=True, capture_output=True, timeout=OCR_TIMEOUT,
                           env=dict(os.environ, OMP_THREAD_LIMIT="1"))
        part.replace(out)
    return out


def _share_text_font(pdf: Any) -> None:
    """Every page's text layer uses the first page's copy of the invisible font (one copy in the file,
    and one for the PDF/A validator to check, instead of one per page)."""
    shared = None
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font")
        if fonts is None or ocrformats.FONT_NAME not in fonts:
            continue
        if shared is None:
            shared = fonts[ocrformats.FONT_NAME]
        else:
            fonts[ocrformats.FONT_NAME] = shared


def _page_jpeg(tiles: Path, out: Path) -> None:
    import pyvips

    pyvips.Image.new_from_file(str(tiles), page=0).jpegsave(str(out), Q=85)


def remove_object_files(obj_uuid: object) -> None:
    shutil.rmtree(object_dir(obj_uuid), ignore_errors=True)
