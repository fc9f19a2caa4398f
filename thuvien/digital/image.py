"""IIIF Image API 3.0, level 2, from pyramidal tiled TIFFs (pure code over pyvips; no Django).

A request is parsed into an `ImageRequest` (400 for bad syntax), then rendered from the smallest
pyramid level that still has enough pixels, so a tile touches only the TIFF tiles it needs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
QUALITIES = ("default", "color", "gray", "bitonal")
TILE = 256
MAX_WIDTH = 8000  # the largest image we render at all (full/max of a huge scan is capped to this)
MAX_AREA = 40_000_000

_NUM = r"\d+(?:\.\d+)?"


class ImageRequestError(ValueError):
    """The request is not valid IIIF (HTTP 400)."""


@dataclass(frozen=True)
class ImageRequest:
    x: int
    y: int
    w: int
    h: int
    tw: int  # target size
    th: int
    mirror: bool
    rotation: int
    quality: str
    fmt: str


def _region(spec: str, width: int, height: int) -> tuple[int, int, int, int]:
    if spec == "full":
        return 0, 0, width, height
    if spec == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    pct = spec.startswith("pct:")
    parts = spec[4:].split(",") if pct else spec.split(",")
    if len(parts) != 4 or not all(re.fullmatch(_NUM if pct else r"\d+", p) for p in parts):
        raise ImageRequestError(f"bad region {spec!r}")
    if pct:
        fx, fy, fw, fh = (float(p) for p in parts)
        x, y = round(fx * width / 100), round(fy * height / 100)
        w, h = round(fw * width / 100), round(fh * height / 100)
    else:
        x, y, w, h = (int(p) for p in parts)
    if w <= 0 or h <= 0 or x >= width or y >= height:
        raise ImageRequestError("region outside the image or empty")
    return x, y, min(w, width - x), min(h, height - y)


def _size(spec: str, rw: int, rh: int) -> tuple[int, int]:
    upscale = spec.startswith("^")
    body = spec[1:] if upscale else spec
    if body == "max":
        w, h = rw, rh
        scale = min(1.0, MAX_WIDTH / w, MAX_WIDTH / h, math.sqrt(MAX_AREA / (w * h)))
        return max(1, int(w * scale)), max(1, int(h * scale))
    if body.startswith("pct:"):
        if not re.fullmatch(_NUM, body[4:]):
            raise ImageRequestError(f"bad size {spec!r}")
        n = float(body[4:])
        if n <= 0 or (n > 100 and not upscale):
            raise ImageRequestError("bad percentage")
        w, h = round(rw * n / 100), round(rh * n / 100)
    else:
        confined = body.startswith("!")
        m = re.fullmatch(r"(\d*),(\d*)", body[1:] if confined else body)
        if not m or (not m.group(1) and not m.group(2)) or (confined and not (m.group(1) and m.group(2))):
            raise ImageRequestError(f"bad size {spec!r}")
        bw = int(m.group(1)) if m.group(1) else 0
        bh = int(m.group(2)) if m.group(2) else 0
        if confined:
            scale = min(bw / rw, bh / rh)
            w, h = round(rw * scale), round(rh * scale)
        elif bw and bh:
            w, h = bw, bh
        elif bw:
            w, h = bw, round(rh * bw / rw)
        else:
            w, h = round(rw * bh / rh), bh
    w, h = max(1, w), max(1, h)
    if not upscale and (w > rw or h > rh):
        raise ImageRequestError("size larger than the region needs ^")
    if w > MAX_WIDTH or h > MAX_WIDTH or w * h > MAX_AREA:
        raise ImageRequestError("size too large")
    return w, h


def parse(region: str, size: str, rotation: str, quality_format: str, width: int, height: int) -> ImageRequest:
    """Parse the four path segments against an image of width x height."""
    quality, _, fmt = quality_format.rpartition(".")
    if quality not in QUALITIES:
        raise ImageRequestError(f"bad quality {quality!r}")
    if fmt not in FORMATS:
        raise ImageRequestError(f"unsupported format {fmt!r}")
    mirror = rotation.startswith("!")
    rot = rotation[1:] if mirror else rotation
    if not re.fullmatch(_NUM, rot) or float(rot) % 90 or float(rot) >= 360:
        raise ImageRequestError("rotation must be 0, 90, 180 or 270")
    x, y, w, h = _region(region, width, height)
    tw, th = _size(size, w, h)
    return ImageRequest(x, y, w, h, tw, th, mirror, int(float(rot)), quality, fmt)


@lru_cache(maxsize=2048)
def level_widths(path: str, mtime: float) -> tuple[int, ...]:
    """Widths of the pyramid levels of one TIFF (cached per file version)."""
    import pyvips

    first = pyvips.Image.tiffload(path)
    n = first.get("n-pages") if first.get_typeof("n-pages") else 1
    return tuple(pyvips.Image.tiffload(path, page=i).width for i in range(n))


def render(path: Path, req: ImageRequest) -> bytes:
    """The encoded image for a parsed request."""
    import pyvips

    widths = level_widths(str(path), path.stat().st_mtime)
    scale = max(req.tw / req.w, req.th / req.h)
    level = 0
    for i, lw in enumerate(widths):
        if widths[0] / lw <= 1 / scale + 1e-9:
            level = i
    img = pyvips.Image.tiffload(str(path), page=level)
    f = widths[0] / widths[level]
    left, top = int(req.x / f), int(req.y / f)
    right = min(img.width, math.ceil((req.x + req.w) / f))
    bottom = min(img.height, math.ceil((req.y + req.h) / f))
    img = img.crop(left, top, max(1, right - left), max(1, bottom - top))
    if img.width != req.tw or img.height != req.th:
        img = img.resize(req.tw / img.width, vscale=req.th / img.height, kernel="linear" if scale > 1 else "lanczos3")
        if img.width != req.tw or img.height != req.th:  # rounding: pad or trim to the exact size
            img = img.gravity("north-west", req.tw, req.th, extend="copy")
    if req.mirror:
        img = img.fliphor()
    if req.rotation:
        img = img.rot(f"d{req.rotation}")
    if req.quality in ("gray", "bitonal"):
        img = img.colourspace("b-w")
        if req.quality == "bitonal":
            img = (img > 128).ifthenelse(255, 0).cast("uchar")
    if req.fmt == "jpg":
        return img.jpegsave_buffer(Q=85, strip=True)
    if req.fmt == "png":
        return img.pngsave_buffer(compression=3)
    return img.webpsave_buffer(Q=80)


def info(image_id: str, width: int, height: int, levels: int) -> dict[str, object]:
    """info.json (no `sizes`: with it Mirador 4 shows only the small image and requests no tiles)."""
    return {
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": image_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": width,
        "height": height,
        "maxWidth": MAX_WIDTH,
        "maxArea": MAX_AREA,
        "tiles": [{"width": TILE, "height": TILE, "scaleFactors": [2**i for i in range(max(1, levels))]}],
        "extraQualities": ["color", "gray", "bitonal"],
        "extraFormats": ["webp"],
        "extraFeatures": ["mirroring", "sizeUpscaling", "regionSquare", "rotationBy90s"],
    }
