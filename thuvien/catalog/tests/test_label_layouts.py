"""Sheet layouts as saved presets: the built-ins seeded and read-only, a library's copies edited by its
staff with every fit problem reported, the saved offsets applied by every print path (staff page and
`thuvien labels --layout NAME`), and the print test sheet."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from thuvien.catalog import labels as L
from thuvien.catalog.label_layouts import (
    label_layout_create,
    label_layout_delete,
    label_layout_list,
    label_layout_update,
)
from thuvien.catalog.models import LabelLayout
from thuvien.circulation.tests.fixtures import make_item, make_record
from thuvien.core.models import AuditEntry

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is needed")

A4_65 = {"name": "Tomy A4-65 của A", "description": "", "page_width": "210", "page_height": "297", "cols": 5,
         "rows": 13, "label_width": "38.1", "label_height": "21.2", "margin_top": "10.7", "margin_left": "4.7",
         "pitch_x": "40.6", "pitch_y": "21.2", "offset_x": "0.8", "offset_y": "-0.5"}


def _words(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float]]:
    """(word, xMin, yMin) in points from the top-left, as pdftotext -bbox reports them."""
    path = tmp_path / "w.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [(m.group(3), float(m.group(1)), float(m.group(2))) for m in
            re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', html)]


@pytest.mark.django_db
def test_built_in_presets_are_seeded_and_fit_their_pages() -> None:
    presets = {p.name: p for p in LabelLayout.objects.filter(library__isnull=True)}
    assert sorted(presets) == ["50x25", "A4-10-CR80", "A4-21", "A4-24", "A4-65", "CR80"]
    a4 = presets["A4-65"].as_layout()
    assert (a4.cols, a4.rows, a4.width, a4.height, a4.top, a4.left, a4.pitch_x, a4.pitch_y, a4.page) == (
        5, 13, 38.1, 21.2, 10.7, 4.7, 40.6, 21.2, (210.0, 297.0))
    assert (presets["A4-21"].per_page, presets["A4-24"].per_page, presets["A4-10-CR80"].per_page) == (21, 24, 10)
    assert all(L.layout_problems(p.as_layout()) == {} for p in presets.values())


def test_layout_problems_say_what_does_not_fit() -> None:
    good = L.Layout("x", 5, 13, 38.1, 21.2, top=10.7, left=4.7, pitch_x=40.6, pitch_y=21.2)
    assert L.layout_problems(good) == {}
    wide = L.Layout("x", 6, 13, 38.1, 21.2, top=10.7, left=4.7, pitch_x=40.6, pitch_y=21.2)
    assert L.layout_problems(wide) == {"cols": "Các nhãn vượt mép phải của trang: cần 245,8 mm, khổ giấy rộng 210 mm."}
    tall = L.Layout("x", 5, 14, 38.1, 21.2, top=10.7, left=4.7, pitch_x=40.6, pitch_y=21.2)
    assert L.layout_problems(tall) == {"rows": "Các nhãn vượt mép dưới của trang: cần 307,5 mm, khổ giấy cao 297 mm."}
    overlap = L.Layout("x", 3, 7, 63.5, 38.1, top=15.15, left=7.2, pitch_x=60, pitch_y=30)
    assert L.layout_problems(overlap) == {
        "pitch_x": "Bước ngang (60 mm) nhỏ hơn chiều rộng nhãn (63,5 mm): các nhãn chồng lên nhau.",
        "pitch_y": "Bước dọc (30 mm) nhỏ hơn chiều cao nhãn (38,1 mm): các nhãn chồng lên nhau."}
    bad = L.Layout("x", 0, 1, 10, 0, top=-1, left=0, pitch_x=10, pitch_y=10, offset_x=25)
    assert L.layout_problems(bad) == {"cols": "Số cột phải từ 1 đến 50.", "label_height": "Nhãn phải cao hơn 0 mm.",
                                      "margin_top": "Lề không được âm.", "offset_x": "Độ dịch phải trong khoảng ±20 mm."}


@pytest.mark.django_db
def test_library_layouts_are_managed_at_their_library(net, cataloguer_a, staff_factory) -> None:  # type: ignore[no-untyped-def]
    layout = label_layout_create(actor=cataloguer_a, library=net.a, data=A4_65)
    assert (layout.library, layout.offset_x, layout.offset_y, layout.per_page) == (net.a, Decimal("0.80"),
                                                                                  Decimal("-0.50"), 65)
    with pytest.raises(ValidationError) as exc:
        label_layout_create(actor=cataloguer_a, library=net.a, data={**A4_65, "cols": 6, "pitch_y": "20",
                                                                      "offset_y": "abc"})
    assert exc.value.message_dict == {"name": ["Đã có khổ nhãn tên “Tomy A4-65 của A”."],
                                      "offset_y": ["Hãy nhập một số (mm)."]}
    with pytest.raises(ValidationError) as exc:
        label_layout_update(actor=cataloguer_a, layout=layout, data={**A4_65, "cols": 6, "pitch_y": "20"})
    assert exc.value.message_dict == {
        "pitch_y": ["Bước dọc (20 mm) nhỏ hơn chiều cao nhãn (21,2 mm): các nhãn chồng lên nhau."],
        "cols": ["Các nhãn vượt mép phải của trang: cần 245,8 mm, khổ giấy rộng 210 mm."]}
    label_layout_update(actor=cataloguer_a, layout=layout, data={**A4_65, "offset_x": "1.25"})
    entry = AuditEntry.objects.get(action="label_layout.update")
    assert entry.changes == {"offset_x": ["0.80", "1.25"]} and entry.unit == net.a
    cat_b = staff_factory("cat_b", net.b, "cataloguer")
    with pytest.raises(PermissionDenied):
        label_layout_update(actor=cat_b, layout=layout, data=A4_65)
    with pytest.raises(PermissionDenied):
        label_layout_create(actor=cat_b, library=net.a, data={**A4_65, "name": "khác"})
    preset = LabelLayout.objects.get(name="A4-65")
    with pytest.raises(PermissionDenied, match="sao chép"):
        label_layout_update(actor=cataloguer_a, layout=preset, data=A4_65)
    with pytest.raises(PermissionDenied):
        label_layout_delete(actor=cataloguer_a, layout=preset)
    assert [x.name for x in label_layout_list(user=cat_b)] == ["50x25", "A4-10-CR80", "A4-21", "A4-24", "A4-65", "CR80"]
    assert [x.name for x in label_layout_list(user=cataloguer_a)][-1] == "Tomy A4-65 của A"
    label_layout_delete(actor=cataloguer_a, layout=layout)
    assert list(AuditEntry.objects.filter(action__startswith="label_layout.").order_by("pk")
                .values_list("action", flat=True)) == ["label_layout.create", "label_layout.update",
                                                       "label_layout.delete"]


@needs_poppler
@pytest.mark.django_db
def test_saved_offsets_move_every_label(net, cataloguer_a, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    preset = LabelLayout.objects.get(name="A4-65").as_layout()
    mine = label_layout_create(actor=cataloguer_a, library=net.a, data={**A4_65, "offset_x": "2", "offset_y": "3"})
    labels = [L.ItemLabel(library="Thư viện", barcode=f"VV.{n:06d}") for n in range(1, 4)]
    plain = [w for w in _words(L.render_pdf(labels, preset, start=2), tmp_path) if w[0].startswith("VV.")]
    moved = [w for w in _words(L.render_pdf(labels, mine.as_layout(), start=2), tmp_path) if w[0].startswith("VV.")]
    assert [w[0] for w in moved] == ["VV.000001", "VV.000002", "VV.000003"]
    for (_, x0, y0), (_, x1, y1) in zip(plain, moved, strict=True):
        assert round((x1 - x0) / 72 * 25.4, 1) == 2.0 and round((y1 - y0) / 72 * 25.4, 1) == 3.0
    # the first label sits in position 2: the sheet's second column, first row
    assert 4.7 + 40.6 < plain[0][1] / 72 * 25.4 < 4.7 + 40.6 + 38.1 and plain[0][2] / 72 * 25.4 < 10.7 + 21.2


@needs_poppler
@pytest.mark.django_db
def test_labels_command_uses_a_saved_layout(net, cataloguer_a, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record = make_record("Lịch sử Cao Bằng")
    make_item("A-0001", net.a, record)
    label_layout_create(actor=cataloguer_a, library=net.a, data={**A4_65, "name": "A-nhan", "offset_x": "5"})
    codes = tmp_path / "codes.txt"
    codes.write_text("A-0001\n", encoding="utf-8")
    out, base = tmp_path / "a.pdf", tmp_path / "b.pdf"
    call_command("labels", "item", "--library", "A", "--barcodes", str(codes), "--layout", "A-nhan", "-o", str(out))
    call_command("labels", "item", "--library", "A", "--barcodes", str(codes), "--layout", "A4-65", "-o", str(base))
    (x_saved,) = [w[1] for w in _words(out.read_bytes(), tmp_path) if w[0] == "A-0001"]
    (x_base,) = [w[1] for w in _words(base.read_bytes(), tmp_path) if w[0] == "A-0001"]
    assert round((x_saved - x_base) / 72 * 25.4, 1) == 5.0
    with pytest.raises(CommandError, match="Không có khổ nhãn 'NOPE'. Có: 50x25, A-nhan, A4-10-CR80"):
        call_command("labels", "item", "--library", "A", "--barcodes", str(codes), "--layout", "NOPE", "-o", str(out))
    with pytest.raises(CommandError, match="--start phải từ 1 đến 65"):
        call_command("labels", "item", "--library", "A", "--barcodes", str(codes), "--layout", "A-nhan",
                     "--start", "66", "-o", str(out))


@needs_poppler
@pytest.mark.django_db
def test_staff_copy_edit_and_print_test(net, cataloguer_a, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(cataloguer_a)
    page = client.get("/staff/labels/layouts/").content.decode()
    assert page.count("Sao chép</a>") == 6 and "5 × 13 · 38,1 × 21,2 mm" in page
    preset = LabelLayout.objects.get(name="A4-65")
    assert "Khổ nhãn có sẵn không sửa được" in client.get(f"/staff/labels/layouts/{preset.pk}/").content.decode()
    form = client.get(f"/staff/labels/layouts/new/?copy={preset.pk}").content.decode()
    assert 'value="A4-65 (bản sao)"' in form and 'value="40.60"' in form
    bad = client.post("/staff/labels/layouts/new/", {**A4_65, "library": net.a.pk, "cols": 6, "pitch_x": "30"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Bước ngang (30 mm) nhỏ hơn chiều rộng nhãn (38,1 mm): các nhãn chồng lên nhau." in text
    assert not LabelLayout.objects.filter(library=net.a).exists()
    r = client.post("/staff/labels/layouts/new/", {**A4_65, "library": net.a.pk})
    mine = LabelLayout.objects.get(library=net.a)
    assert r.status_code == 302 and r.url == f"/staff/labels/layouts/{mine.pk}/"
    edit = client.get(r.url).content.decode()
    assert edit.count("<rect ") == 65 and 'id="sheet-preview"' in edit
    r = client.post(f"/staff/labels/layouts/{mine.pk}/", {**A4_65, "offset_y": "1.5"})
    assert r.status_code == 302 and LabelLayout.objects.get(pk=mine.pk).offset_y == Decimal("1.50")
    test = client.get(f"/staff/labels/layouts/{mine.pk}/test.pdf?start=4")
    assert test["Content-Type"] == "application/pdf"
    numbers = [w[0] for w in _words(test.content, tmp_path)]
    assert numbers[:3] == ["1", "2", "3"] and numbers[-1] == "65" and len(numbers) == 65
    assert client.get(f"/staff/labels/layouts/{mine.pk}/test.pdf?start=99").status_code == 302
    # printing with the saved layout on a partly used sheet
    make_item("VV.000101", net.a, make_record("Truyện Kiều"))
    pdf = client.post("/staff/labels/", {"kind": "item", "library": net.a.pk, "codes": "VV.000101",
                                         "layout": mine.name, "start": 7})
    assert pdf["Content-Type"] == "application/pdf"
    (x, y) = [(w[1], w[2]) for w in _words(pdf.content, tmp_path) if w[0] == "VV.000101"][0]
    assert 4.7 + 0.8 + 40.6 < x / 72 * 25.4 < 4.7 + 0.8 + 40.6 + 38.1  # column 2 (position 7 = row 2, col 2)
    assert 10.7 + 1.5 + 21.2 < y / 72 * 25.4 < 10.7 + 1.5 + 2 * 21.2  # row 2, moved down by the saved 1.5 mm
    client.post(f"/staff/labels/layouts/{mine.pk}/", {"delete": "1"})
    assert not LabelLayout.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_item_list_and_reader_page_link_to_a_prefilled_print_form(net, admin_user, patron_factory) -> None:  # type: ignore[no-untyped-def]
    record = make_record("Truyện Kiều")
    make_item("VV.000101", net.a, record)
    make_item("VV.000102", net.b, record)
    patron_factory("CB01", net.a)
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/staff/catalog/record/{record.pk}/").content.decode()
    link = re.search(r'<p id="print-labels">.*?href="([^"]+)">nhãn mã vạch</a>', page).group(1)  # type: ignore[union-attr]
    assert link == "/staff/labels/?kind=item&amp;codes=VV.000101%0AVV.000102%0A"
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert ">\nVV.000101\nVV.000102\n</textarea>" in form and '<option value="item" selected>' in form
    desk = client.get("/staff/circ/patrons/CB01/").content.decode()
    link = re.search(r'href="([^"]+)" id="print-card-pdf"', desk).group(1)  # type: ignore[union-attr]
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert '<option value="card" selected>' in form and '<option value="A4-10-CR80" selected>' in form
    assert f'<option value="{net.a.pk}" selected>' in form
