"""`thuvien labels KIND --library CODE --barcodes FILE --layout NAME -o FILE.pdf`: print item barcode
labels, spine labels or reader cards for a list of barcodes (or card numbers), in the file's order.
An output ending in .zpl gives ZPL for 50 x 25 mm thermal printers (item labels)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thuvien.catalog import labels as L
from thuvien.catalog.label_data import build
from thuvien.catalog.label_layouts import label_layout_get
from thuvien.catalog.models import LabelLayout
from thuvien.core.models import OrgUnit


class Command(BaseCommand):
    help = "In nhãn mã vạch (item), nhãn gáy sách (spine) hoặc thẻ bạn đọc (card) ra PDF hoặc ZPL."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=["item", "spine", "card"])
        parser.add_argument("--library", required=True, help="mã thư viện (ISIL)")
        parser.add_argument("--barcodes", required=True, help="tệp mã vạch / số thẻ, mỗi dòng một mã")
        parser.add_argument("--layout", default="A4-65", help="tên khổ nhãn (trang Khổ nhãn của giao diện cán bộ)")
        parser.add_argument("--start", type=int, default=1, help="vị trí nhãn đầu tiên trên tờ đã dùng dở")
        parser.add_argument("--offset-x", type=float, default=0.0,
                            help="dịch thêm sang phải (mm), cộng vào độ dịch đã lưu của khổ nhãn")
        parser.add_argument("--offset-y", type=float, default=0.0,
                            help="dịch thêm xuống (mm), cộng vào độ dịch đã lưu của khổ nhãn")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **o: Any) -> None:
        library = OrgUnit.objects.filter(code=o["library"]).first()
        if library is None:
            raise CommandError(f"Không có thư viện mã {o['library']!r}.")
        saved = label_layout_get(name=o["layout"])
        if saved is None:
            names = ", ".join(LabelLayout.objects.order_by("name").values_list("name", flat=True))
            raise CommandError(f"Không có khổ nhãn {o['layout']!r}. Có: {names}.")
        layout = saved.as_layout()
        if not 1 <= o["start"] <= layout.per_page:
            raise CommandError(f"--start phải từ 1 đến {layout.per_page}.")
        try:
            text = Path(o["barcodes"]).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        codes = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
        found, missing = build(o["kind"], library, codes)
        for code in missing:
            self.stderr.write(f"Không tìm thấy hoặc không in được mã vạch: {code}")
        if not found:
            raise CommandError("Không có nhãn nào để in.")
        out = Path(o["output"])
        if out.suffix.lower() == ".zpl":
            if o["kind"] != "item":
                raise CommandError("ZPL chỉ dùng cho nhãn mã vạch (item).")
            out.write_text(L.render_zpl(found), encoding="utf-8")
        else:
            out.write_bytes(L.render_pdf(found, layout, start=o["start"], offset_x=o["offset_x"],
                                         offset_y=o["offset_y"]))
        self.stdout.write(f"{len(found)} nhãn -> {out}")
