"""Generated "scanned" pages of Vietnamese text (DejaVu font, paper tint, speckle noise, slight
blur): for the demo, the OCR accuracy test and the benchmark, with their ground truth."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"

DIA_CHI_CAO_BANG = [
    "Địa chí Cao Bằng. Cao Bằng là tỉnh miền núi biên giới ở phía đông bắc Tổ quốc, có đường biên "
    "giới dài với nước bạn. Người Tày, người Nùng, người Dao và người H'Mông sinh sống lâu đời "
    "trên vùng đất này.",
    "Thác Bản Giốc trên sông Quây Sơn thuộc huyện Trùng Khánh là một trong những thác nước đẹp "
    "nhất Việt Nam. Hang Pác Bó ở xã Trường Hà gắn với những năm tháng Bác Hồ trở về nước.",
    "Chợ phiên vùng cao họp theo chu kỳ năm ngày. Đồng bào mang thổ cẩm, măng khô, hạt dẻ Trùng "
    "Khánh và rượu ngô xuống chợ trao đổi. Làn điệu then, đàn tính vang lên trong lễ hội lồng tồng.",
    "Nghề rèn Phúc Sen của người Nùng An nổi tiếng khắp vùng. Dao, cuốc, liềm được rèn thủ công "
    "bằng than củi và sức người, truyền từ đời cha sang đời con qua nhiều thế hệ.",
]


def render_page(text: str, path: Path, *, width: int = 1240, height: int = 1754, seed: int = 0,
                font_size: int = 34, noise: bool = True) -> str:
    """Write a page image of `text` (A4 at 150 ppi by default) to `path`; returns the text as laid out
    (lines joined by newlines), which is the ground truth for OCR."""
    rng = random.Random(seed)
    img = Image.new("L", (width, height), 246)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, font_size)
    chars = max(20, int((width - 200) / (font_size * 0.55)))
    lines = [line for para in text.split("\n") for line in (textwrap.wrap(para, chars) or [""])]
    y = 120
    for line in lines:
        draw.text((100, y), line, font=font, fill=20)
        y += int(font_size * 1.6)
    if noise:
        px = img.load()
        assert px is not None
        for _ in range(width * height // 400):
            x, yy = rng.randrange(width), rng.randrange(height)
            px[x, yy] = rng.choice((90, 140, 200))
        img = img.filter(ImageFilter.GaussianBlur(0.6))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return "\n".join(lines)


def cer(truth: str, found: str) -> float:
    """Character error rate: Levenshtein distance over the truth's length (whitespace normalised)."""
    a = " ".join(truth.split())
    b = " ".join(found.split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / max(1, len(a))
