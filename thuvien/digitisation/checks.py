"""Automatic page checks (pure functions over an image file): resolution, blank page, skew.
Duplicates are found by the pages' SHA-256 in the service, not here.

Skew is estimated by the projection-profile method: the page is reduced to about 600 px wide and
made black-on-white (text = 1), rotated by each candidate angle from -5° to +5° in 0.25° steps, and
its row sums taken (libvips `project`). Lines of text lying level give the profile with the sharpest
peaks, i.e. the largest sum of squared differences between neighbouring rows; that angle is the
estimate. A page with almost no ink (blank) has no estimate.
"""

from __future__ import annotations

import array
from dataclasses import dataclass
from pathlib import Path

WORK_WIDTH = 600
ANGLES = [a / 4 for a in range(-20, 21)]  # -5° .. +5°
SKEW_LIMIT = 1.0  # degrees; more than this is reported
BLANK_INK = 0.0005  # fraction of dark pixels under which a page is blank


@dataclass
class PageFacts:
    ppi: float | None  # None: the file does not say
    ink: float  # fraction of dark pixels
    skew: float | None  # degrees counter-clockwise, None when there is nothing to measure


def image_ppi(path: Path) -> float | None:
    """The resolution the file declares (PIL reads only the header), or None."""
    from PIL import Image

    with Image.open(path) as im:
        dpi = im.info.get("dpi")
    if not dpi:
        return None
    try:
        value = float(dpi[0])
    except (TypeError, ValueError, IndexError):
        return None
    return round(value, 1) if value > 1 else None


def _profile_score(ink: object, angle: float) -> float:
    import pyvips

    img: pyvips.Image = ink  # type: ignore[assignment]
    rotated = img.similarity(angle=angle, background=[0]) if angle else img
    _columns, rows = rotated.project()
    values = array.array("d")
    values.frombytes(rows.cast("double").write_to_memory())
    return float(sum((values[i + 1] - values[i]) ** 2 for i in range(len(values) - 1)))


def page_facts(path: Path) -> PageFacts:
    """Resolution, ink coverage and estimated skew of one page image."""
    import pyvips

    ppi = image_ppi(path)
    page = pyvips.Image.new_from_file(str(path), access="sequential")
    if page.width > WORK_WIDTH:
        page = page.resize(WORK_WIDTH / page.width)
    gray = page.colourspace("b-w")[0] if page.bands >= 3 else page[0]
    ink_img = (gray < 128).ifthenelse(1, 0).cast("uchar").copy_memory()
    ink = float(ink_img.avg())
    if ink < BLANK_INK:
        return PageFacts(ppi=ppi, ink=ink, skew=None)
    best = max(ANGLES, key=lambda a: (_profile_score(ink_img, a), -abs(a)))
    # vips turns clockwise for a positive angle, so a page turned counter-clockwise by x° levels at +x°.
    return PageFacts(ppi=ppi, ink=ink, skew=best)
