"""What the search results page shows around the hits: facets with readable names, the filters in use
(each removable), and the help offered when nothing was found. Pure presentation over
search.selectors results; the view stays thin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuvien.search.ddc import ddc_label
from thuvien.search.selectors import FACETS, year_span

FACET_LABELS = {
    "availability": gettext_lazy("Tình trạng"),
    "library": gettext_lazy("Thư viện"),
    "author": gettext_lazy("Tác giả"),
    "subject": gettext_lazy("Chủ đề"),
    "ddc_hundreds": gettext_lazy("Môn loại DDC"),
    "ddc_tens": gettext_lazy("Phân môn DDC"),
    "year": gettext_lazy("Năm xuất bản"),
    "years": gettext_lazy("Năm xuất bản"),
    "language": gettext_lazy("Ngôn ngữ"),
    "material_type": gettext_lazy("Loại tài liệu"),
}
# The order facets appear in, and how many values show before "Xem thêm".
FACET_ORDER = ["availability", "library", "author", "subject", "ddc_hundreds", "ddc_tens", "year", "language",
               "material_type"]
SHOWN = 10
FILTER_NAMES = frozenset([*FACETS, "availability", "years"])
MATERIAL_LABELS = {
    "book": gettext_lazy("Sách"), "serial": gettext_lazy("Báo, tạp chí"), "map": gettext_lazy("Bản đồ"),
    "video": gettext_lazy("Phim, video"), "music": gettext_lazy("Âm nhạc"), "score": gettext_lazy("Bản nhạc"),
    "audiobook": gettext_lazy("Sách nói"), "computer_file": gettext_lazy("Tệp máy tính"),
    "manuscript": gettext_lazy("Bản thảo"), "image": gettext_lazy("Hình ảnh"), "kit": gettext_lazy("Bộ tài liệu"),
    "mixed": gettext_lazy("Tài liệu hỗn hợp"), "object": gettext_lazy("Hiện vật"), "other": gettext_lazy("Khác"),
    "digital": gettext_lazy("Có bản số"),  # not a MARC type: set by the index for records with a digital copy
}
LANGUAGE_LABELS = {
    "vie": gettext_lazy("Tiếng Việt"), "eng": gettext_lazy("Tiếng Anh"), "fre": gettext_lazy("Tiếng Pháp"),
    "chi": gettext_lazy("Tiếng Trung"), "rus": gettext_lazy("Tiếng Nga"), "ger": gettext_lazy("Tiếng Đức"),
    "jpn": gettext_lazy("Tiếng Nhật"), "kor": gettext_lazy("Tiếng Hàn"), "tha": gettext_lazy("Tiếng Thái"),
    "lao": gettext_lazy("Tiếng Lào"), "khm": gettext_lazy("Tiếng Khmer"), "spa": gettext_lazy("Tiếng Tây Ban Nha"),
    "ita": gettext_lazy("Tiếng Ý"), "por": gettext_lazy("Tiếng Bồ Đào Nha"), "ara": gettext_lazy("Tiếng Ả Rập"),
    "per": gettext_lazy("Tiếng Ba Tư"), "heb": gettext_lazy("Tiếng Do Thái"), "nep": gettext_lazy("Tiếng Nepal"),
    "san": gettext_lazy("Tiếng Phạn"), "tib": gettext_lazy("Tiếng Tây Tạng"), "urd": gettext_lazy("Tiếng Urdu"),
    "hin": gettext_lazy("Tiếng Hindi"), "lat": gettext_lazy("Tiếng Latinh"), "geo": gettext_lazy("Tiếng Gruzia"),
    "ser": gettext_lazy("Tiếng Serbia"), "und": gettext_lazy("Không xác định"), "mul": gettext_lazy("Nhiều ngôn ngữ"),
}


def parse_filters(values: list[str]) -> dict[str, list[str]]:
    """`f=name:value` parameters as {name: [values]}; unknown names and empty values are dropped."""
    filters: dict[str, list[str]] = {}
    for raw in values[:20]:
        name, _sep, value = raw.partition(":")
        if name in FILTER_NAMES and value.strip():
            filters.setdefault(name, []).append(value.strip())
    return filters


def facet_label(name: str, value: str, units: dict[str, str]) -> str:
    """A facet value as a reader reads it: library names, DDC class names, languages in words."""
    if name == "library":
        return units.get(value, value)
    if name == "material_type":
        return str(MATERIAL_LABELS.get(value, value))
    if name == "language":
        return str(LANGUAGE_LABELS.get(value, value))
    if name in ("ddc_hundreds", "ddc_tens"):
        return ddc_label(value)
    if name == "availability":
        return _("Còn sẵn để mượn") if value == "available" else _("Đang bận hoặc không có bản")
    if name == "years":
        span = year_span(value)
        if span is None:
            return value
        lower, upper = span
        if lower is not None and upper is not None:
            return f"{lower}–{upper}" if lower != upper else str(lower)
        return _("từ %(y)s") % {"y": lower} if lower is not None else _("đến %(y)s") % {"y": upper}
    return value


def url(base: str, params: list[tuple[str, str]]) -> str:
    return base + ("?" + urlencode(params) if params else "")


@dataclass
class FacetBox:
    name: str
    label: str
    entries: list[dict[str, Any]]
    more: list[dict[str, Any]] = field(default_factory=list)  # shown behind "Xem thêm"


def facet_boxes(raw: dict[str, list[tuple[str, int]]], filters: dict[str, list[str]], *, base: str,
                keep: list[tuple[str, str]], units: dict[str, str]) -> list[FacetBox]:
    """Every facet with its values, counts and the link that adds (or, when chosen, removes) it."""
    active = {(n, v) for n, vs in filters.items() for v in vs}
    active_params = [("f", f"{n}:{v}") for n, vs in filters.items() for v in vs]
    boxes: list[FacetBox] = []
    for name in FACET_ORDER:
        values = list(raw.get(name, []))
        if name == "availability":
            values = [(v, n) for v, n in values if v == "available" and n]
        if name == "year":
            values = sorted(values, key=lambda vn: vn[0], reverse=True)
        entries = []
        for value, count in values:
            selected = (name, value) in active
            param = ("f", f"{name}:{value}")
            params = keep + ([p for p in active_params if p != param] if selected else [*active_params, param])
            entries.append({"value": value, "label": facet_label(name, value, units), "count": count,
                            "selected": selected, "url": url(base, params)})
        if entries or name == "year":
            boxes.append(FacetBox(name, str(FACET_LABELS[name]), entries[:SHOWN], entries[SHOWN:]))
    return boxes


def active_filters(filters: dict[str, list[str]], *, base: str, keep: list[tuple[str, str]],
                   units: dict[str, str]) -> list[dict[str, str]]:
    """The filters in use, each with the link that removes it."""
    active_params = [("f", f"{n}:{v}") for n, vs in filters.items() for v in vs]
    return [{"label": f"{FACET_LABELS.get(n, n)}: {facet_label(n, v, units)}",
             "url": url(base, keep + [p for p in active_params if p != ("f", f"{n}:{v}")])}
            for n, vs in filters.items() for v in vs]
