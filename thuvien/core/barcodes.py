"""Barcode images for printed reader cards and item labels (Code 128, as library scanners read)."""

from __future__ import annotations

import io
import re

import barcode
from barcode.writer import SVGWriter

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def code128_svg(value: str, *, module_height_mm: float = 12.0, with_text: bool = True) -> str:
    """An inline <svg> element encoding `value` in Code 128 (no XML prologue, safe to embed in HTML)."""
    if not value or not value.isascii() or not value.isprintable():
        raise ValueError("Code 128 needs printable ASCII")
    out = io.BytesIO()
    barcode.get("code128", value, writer=SVGWriter()).write(
        out, options={"module_height": module_height_mm, "write_text": with_text, "font_size": 8,
                      "text_distance": 3, "quiet_zone": 2, "compress": False},
    )
    return _PROLOGUE.sub("", out.getvalue().decode("utf-8"), count=1)
