"""Per-page derivatives (pyramidal tiled TIFF; OCR text, hOCR, ALTO and a one-page PDF from ONE
Tesseract pass) and the per-object PDF/A. Pure file work: services store the results.

OCR runs with OMP_THREAD_LIMIT=1, and never more processes at once on this machine than
`conf.ocr_jobs()`: each run holds one of N lock files (flock), whichever process it runs in.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as ET

from thuvien.digital.conf import digital_root, ocr_jobs
from thuvien.digital.iiif import fold_word

ALTO_NS = "{http://www.loc.gov/standards/alto/ns-v3#}"
OCR_TIMEOUT = 600  # seconds for one page


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
    """Path without suffix: .txt, .hocr, .xml (ALTO) and .pdf sit beside it."""
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

    img = pyvips.Image.new_from_file(str(master), access="sequential")
    if img.hasalpha():
        img = img.flatten(background=255)
    if img.interpretation not in ("srgb", "b-w"):
        img = img.colourspace("srgb")
    if img.format != "uchar":
        img = img.cast("uchar")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part.tif")
    img.tiffsave(str(tmp), tile=True, pyramid=True, compression="jpeg", Q=85, tile_width=256,
                 tile_height=256)
    tmp.replace(out)
    return img.width, img.height


def ocr_input(master: Path, mime: str, tiles: Path, workdir: Path) -> Path:
    """A file Tesseract (Leptonica) reads: the master itself, or a PNG written from the tiled TIFF."""
    if mime in ("image/png", "image/jpeg", "image/tiff"):
        return master
    import pyvips

    png = workdir / "page.png"
    pyvips.Image.new_from_file(str(tiles), page=0).pngsave(str(png), compression=1)
    return png


def run_ocr(image: Path, base: Path, profile: str, *, dpi: int = 300, pdf: bool = True) -> str:
    """One Tesseract pass writing base.txt, base.hocr, base.xml (ALTO) and base.pdf; returns the text."""
    base.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    outputs = ["txt", "hocr", "alto"] + (["pdf"] if pdf else [])
    cmd = ["tesseract", str(image), str(base), "-l", profile, "--dpi", str(dpi), *outputs]
    with ocr_slot():
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=OCR_TIMEOUT)
    return base.with_suffix(".txt").read_text("utf-8").strip()


def alto_words(alto: bytes) -> list[list[object]]:
    """[[word, x, y, w, h, folded word], ...] from an ALTO 3 file, in reading order (the folded form is
    stored so search inside never folds a page's words again)."""
    root = ET.fromstring(alto)
    return [[s.get("CONTENT", ""), int(float(s.get("HPOS", 0))), int(float(s.get("VPOS", 0))),
             int(float(s.get("WIDTH", 0))), int(float(s.get("HEIGHT", 0))), fold_word(s.get("CONTENT", ""))]
            for s in root.iter(f"{ALTO_NS}String") if s.get("CONTENT")]


def page_derive(*, obj_uuid: object, order: int, master: Path, mime: str, profile: str,
                dpi: int = 300) -> PageResult:
    """Tiles, then (unless the profile is "none") OCR in one pass; safe to run in a worker thread."""
    tiles = tile_path(obj_uuid, order)
    width, height = make_tiles(master, tiles)
    result = PageResult(width=width, height=height)
    if profile == "none":
        return result
    base = ocr_base(obj_uuid, order)
    with tempfile.TemporaryDirectory(dir=digital_root()) as tmp:
        result.text = run_ocr(ocr_input(master, mime, tiles, Path(tmp)), base, profile, dpi=dpi)
    result.words = alto_words(base.with_suffix(".xml").read_bytes())
    return result


def object_pdf(*, obj_uuid: object, orders: list[int], title: str, language: str) -> Path:
    """The searchable PDF/A-2b of the object: the pages' Tesseract PDFs (image + text layer) joined and
    written as PDF/A-2b by pikepdf, which validates what it wrote (0.6 s for 6 pages, where OCRmyPDF
    took 10-17 s for the same step); OCRmyPDF `--skip-text` (no second OCR) only when that validation
    reports findings. Pages without OCR go in as images."""
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
        joined.docinfo["/Title"] = title[:500]
        with joined.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title[:500]
            meta["dc:language"] = [language]
        report = pikepdf.pdfa.save(joined, part, "2b")
        if report.findings:
            joined_path = Path(tmp) / "joined.pdf"
            joined.save(joined_path)
            cmd = [sys.executable, "-m", "ocrmypdf", "--skip-text", "--output-type", "pdfa-2", "--pdfa-backend",
                   "internal", "--jobs", "1", "--optimize", "0", "--title", title[:200], "--quiet",
                   str(joined_path), str(part)]
            subprocess.run(cmd, check=True, capture_output=True, timeout=OCR_TIMEOUT,
                           env=dict(os.environ, OMP_THREAD_LIMIT="1"))
        part.replace(out)
    return out


def _page_jpeg(tiles: Path, out: Path) -> None:
    import pyvips

    pyvips.Image.new_from_file(str(tiles), page=0).jpegsave(str(out), Q=85)


def remove_object_files(obj_uuid: object) -> None:
    shutil.rmtree(object_dir(obj_uuid), ignore_errors=True)
