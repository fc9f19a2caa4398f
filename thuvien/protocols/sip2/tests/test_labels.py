"""Labels and cards: every barcode reads back with zbarimg after pdftoppm, pdftotext gives back the
Vietnamese text, the font is embedded; ZPL carries the bitmap and Code 128."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from thuvien.catalog import labels as L
from thuvien.catalog.models import LabelLayout
from thuvien.circulation.tests.fixtures import make_item, make_record
from thuvien.patrons.tests.fixtures import make_patron

needs_tools = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftoppm", "zbarimg", "pdftotext", "pdffonts")),
                                 reason="poppler-utils and zbar-tools are needed")


def _layout(name: str) -> L.Layout:
    """A built-in preset, as the data migration seeded it."""
    return LabelLayout.objects.get(name=name, library__isnull=True).as_layout()


def read_barcodes(pdf: Path, dpi: int = 300) -> list[str]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    found: list[str] = []
    for png in sorted(pdf.parent.glob(pdf.stem + "-*.png")):
        done = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Scode128.enable", str(png)],
                              capture_output=True, text=True, check=False)
        found += done.stdout.split()
    return found


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@needs_tools
@pytest.mark.django_db
def test_item_labels_on_a4_65_read_back_from_a_partly_used_sheet(tmp_path: Path) -> None:
    codes = [f"VV.{n:06d}" for n in range(1, 66)] + ["0100012345", "VN-X1"]
    labels = [L.ItemLabel(library="Thư viện tỉnh Cao Bằng", barcode=c) for c in codes]
    pdf = tmp_path / "items.pdf"
    pdf.write_bytes(L.render_pdf(labels, _layout("A4-65"), start=4, offset_x=0.5, offset_y=-0.3))
    assert sorted(read_barcodes(pdf, dpi=203)) == sorted(codes)  # the thermal/laser resolution of the spec
    text = pdf_text(pdf)
    assert text.count("Thư viện tỉnh Cao Bằng") == len(codes) and "VV.000065" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts and " yes " in fonts  # embedded (subset)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages: +2$", pages, re.M)  # 3 skipped + 67 labels = 70 > 65


@needs_tools
@pytest.mark.django_db
def test_spine_labels_and_reader_cards(tmp_path: Path) -> None:
    spine = tmp_path / "spine.pdf"
    spine.write_bytes(L.render_pdf([L.SpineLabel("895.9223 NG-D", "2024"), L.SpineLabel("959.7 L-V", "")],
                                   _layout("A4-21")))
    words = pdf_text(spine).split()
    assert words == ["895.9223", "959.7", "NG-D", "L-V", "2024"]
    cards = tmp_path / "cards.pdf"
    cards.write_bytes(L.render_pdf([
        L.ReaderCard("Thư viện tỉnh Cao Bằng", "Nông Thị Thúy Hằng", "CB2026000123", "31/12/2027"),
        L.ReaderCard("Thư viện tỉnh Cao Bằng", "Đàm Văn Đức", "CB2026000124", "01/06/2027"),
    ], _layout("A4-10-CR80")))
    assert sorted(read_barcodes(cards)) == ["CB2026000123", "CB2026000124"]
    text = pdf_text(cards)
    assert "Nông Thị Thúy Hằng" in text and "Đàm Văn Đức" in text and "THẺ BẠN ĐỌC" in text
    assert "THƯ VIỆN TỈNH CAO BẰNG" in text and "Hết hạn: 31/12/2027" in text


@pytest.mark.django_db
def test_start_position_and_barcode_characters_are_checked() -> None:
    with pytest.raises(ValueError):
        L.render_pdf([L.ItemLabel("A", "1")], _layout("A4-24"), start=25)
    with pytest.raises(ValueError, match="printable ASCII"):
        L.render_pdf([L.ItemLabel("A", "ĐKCB-1")], _layout("A4-24"))


def test_zpl_for_50x25_thermal_labels() -> None:
    zpl = L.render_zpl([L.ItemLabel(library="Thư viện huyện Hà Quảng", barcode="VV012345")])
    assert zpl.startswith("^XA^CI28^PW400^LL200^LH0,0\n^FO20,8^GFA,1440,1440,45,")
    assert "^FO40,45^BY2,3,90^BCN,90,N,N,N,A^FDVV012345^FS" in zpl and zpl.endswith("^PQ1,0,1,Y^XZ\n")
    bitmap = zpl.split("^GFA,")[1].split(",", 3)[3].split("^FS")[0]
    assert len(bitmap) == 2880 and set(bitmap) - set("0123456789ABCDEF") == set()
    assert bitmap.strip("0")  # some black dots: the text was drawn


@needs_tools
def test_labels_command(tmp_path: Path, net) -> None:  # type: ignore[no-untyped-def]
    record = make_record("Lịch sử Cao Bằng")
    for code in ("A-0001", "A-0002"):
        make_item(code, net.a, record, call_number="959.712 L-S")
    make_item("B-0001", net.b, record)
    make_patron("PA01", net.a, full_name="Hoàng Thị Mai")
    codes = tmp_path / "codes.txt"
    codes.write_text("A-0002\nA-0001\nB-0001\n\n", encoding="utf-8")
    out = tmp_path / "a.pdf"
    call_command("labels", "item", "--library", "A", "--barcodes", str(codes), "--layout", "A4-24", "-o", str(out))
    assert read_barcodes(out) == ["A-0002", "A-0001"]  # B-0001 is not library A's
    assert pdf_text(out).count("Thư viện huyện A") == 2
    cards = tmp_path / "cards.txt"
    cards.write_text("PA01\n", encoding="utf-8")
    call_command("labels", "card", "--library", "P", "--barcodes", str(cards), "--layout", "A4-10-CR80",
                 "-o", str(tmp_path / "c.pdf"))
    assert read_barcodes(tmp_path / "c.pdf") == ["PA01"]
    call_command("labels", "item", "--library", "A", "--barcodes", str(codes), "-o", str(tmp_path / "a.zpl"))
    assert (tmp_path / "a.zpl").read_text().count("^XA") == 2


def test_code_ranges_and_new_items() -> None:
    from thuvien.catalog.label_data import expand_codes

    assert expand_codes("VV.000098-VV.000101\nX1\nX1\n\nA-B") == ["VV.000098", "VV.000099", "VV.000100", "VV.000101",
                                                                 "X1", "A-B"]
    assert len(expand_codes("N0000001-N9999999")) == 2000


@needs_tools
def test_staff_print_page(net, cataloguer_a, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    record = make_record("Truyện Kiều")
    for n in range(1, 5):
        make_item(f"VV.00010{n}", net.a, record)
    client = Client()
    client.force_login(cataloguer_a)
    assert "In nhãn và thẻ" in client.get("/staff/labels/").content.decode()
    r = client.post("/staff/labels/", {"kind": "item", "library": net.a.pk, "codes": "VV.000101-VV.000103\nNOPE",
                                       "layout": "A4-65", "start": 2, "offset_x": 0, "offset_y": 0})
    assert r["Content-Type"] == "application/pdf"
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(r.content)
    assert sorted(read_barcodes(pdf)) == ["VV.000101", "VV.000102", "VV.000103"]
    batch = client.post("/staff/labels/", {"kind": "item", "library": net.a.pk, "new_since": "2020-01-01",
                                           "layout": "A4-65", "start": 1, "offset_x": 0, "offset_y": 0, "zpl": "on"})
    assert batch.content.decode().count("^XA") == 4
    refused = client.post("/staff/labels/", {"kind": "item", "library": net.a.pk, "codes": "NOPE", "layout": "A4-65",
                                             "start": 66, "offset_x": 0, "offset_y": 0})
    assert refused.status_code == 200 and "Khổ này có 65 nhãn mỗi tờ." in refused.content.decode()
