"""Delivery copies of an object's PDF: a per-reader watermark (name, card, date) in a light band on
every page. The archival PDF/A is never modified (a watermarked file is not PDF/A any more)."""

from __future__ import annotations

import io
from pathlib import Path

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _overlay(text: str, width: float, height: float) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("DejaVu", fname=FONT)
    size = max(6.0, min(10.0, width / 70))
    pdf.set_font("DejaVu", size=size)
    pdf.set_text_color(120, 120, 120)
    with pdf.local_context(fill_opacity=0.55, stroke_opacity=0.55):
        pdf.set_xy(18, height - size * 2.4)
        pdf.cell(w=width - 36, h=size * 1.4, text=text, align="C")
    return bytes(pdf.output())


def watermarked(source: Path, text: str) -> bytes:
    """`source` with `text` stamped at the foot of every page (one overlay per page size)."""
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(source) as pdf:
        overlays: dict[tuple[int, int], pikepdf.Pdf] = {}
        for page in pdf.pages:
            box = page.mediabox
            w, h = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
            key = (round(w), round(h))
            if key not in overlays:
                overlays[key] = pikepdf.open(io.BytesIO(_overlay(text, w, h)))
            page.add_overlay(overlays[key].pages[0], pikepdf.Rectangle(*[float(v) for v in box]))
        pdf.remove_unreferenced_resources()
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:  # no longer PDF/A: stop claiming it
            for claim in ("pdfaid:part", "pdfaid:conformance"):
                if claim in meta:
                    del meta[claim]
        pdf.save(out)
        for ov in overlays.values():
            ov.close()
    return out.getvalue()
