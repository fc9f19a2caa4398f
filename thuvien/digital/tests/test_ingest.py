"""Reading uploads: order, names, ZIP encodings, guards, type sniffing, duplicates; the command."""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from thuvien.digital.ingest import IngestError, collect, sniff, zip_member_name
from thuvien.digital.models import DigitalObject, Page
from thuvien.digital.services import object_ingest, pages_reorder


def png(color: int = 0, size: tuple[int, int] = (40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("L", size, color).save(buf, "PNG")
    return buf.getvalue()


def jpeg(color: int = 0) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (color, 0, 0)).save(buf, "JPEG")
    return buf.getvalue()


def test_sniff_by_content_not_name():
    tiff = io.BytesIO()
    Image.new("L", (4, 4)).save(tiff, "TIFF")
    assert sniff(tiff.getvalue()[:16]) == "image/tiff"
    assert sniff(jpeg()[:16]) == "image/jpeg"
    assert sniff(png()[:16]) == "image/png"
    assert sniff(b"\x00\x00\x00\x0cjP  \r\n\x87\n\x00\x00") == "image/jp2"
    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff(b"GIF89a") == ""
    assert sniff(b"") == ""


def test_folder_natural_order_nfc_and_duplicates(tmp_path):
    src = tmp_path / "vol"
    src.mkdir()
    for n in (10, 2, 1):
        (src / f"Trang {n}.png").write_bytes(png(n))
    nfd = unicodedata.normalize("NFD", "Bìa sau.png")
    (src / nfd).write_bytes(png(99))
    (src / "Trang 3 copy.png").write_bytes(png(2))  # same bytes as Trang 2: a duplicate
    (src / "ghi chú.txt").write_text("không phải ảnh")
    (src / "Thumbs.db").write_bytes(b"x")
    (src / ".DS_Store").write_bytes(b"x")
    files, skipped = collect(src, tmp_path / "work")
    assert [f.name for f in files] == ["Bìa sau.png", "Trang 1.png", "Trang 2.png", "Trang 10.png"]
    assert files[0].name == unicodedata.normalize("NFC", "Bìa sau.png")
    assert sorted(skipped) == ["Trang 3 copy.png", "ghi chú.txt"]
    assert all(len(f.sha256) == 64 and f.mime == "image/png" for f in files)


def _zip_with_raw_name(path: Path, raw: bytes, data: bytes) -> None:
    """A ZIP whose member name is `raw` bytes WITHOUT the UTF-8 flag (as Windows tools write)."""
    placeholder = b"Q" * len(raw)  # ASCII, so Python writes no flag; then the raw bytes go in its place
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(placeholder.decode(), data)
    blob = path.read_bytes()
    assert blob.count(placeholder) == 2  # local header and central directory
    path.write_bytes(blob.replace(placeholder, raw))
    assert struct.unpack("<H", blob[6:8])[0] & 0x800 == 0


TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tones combining."""
    out = []
    for ch in text:
        nfd = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in nfd if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONES)) + tones)
    return "".join(out).encode("cp1258")


def test_zip_names_without_utf8_flag(tmp_path):
    utf8 = tmp_path / "utf8.zip"
    _zip_with_raw_name(utf8, "Trang 2 - Lời nói đầu.png".encode(), png(1))
    info = zipfile.ZipFile(utf8).infolist()[0]
    assert zip_member_name(info) == "Trang 2 - Lời nói đầu.png"
    cp1258 = tmp_path / "cp1258.zip"
    _zip_with_raw_name(cp1258, _cp1258("Trang 3 - Lời nói đầu.png"), png(2))
    info = zipfile.ZipFile(cp1258).infolist()[0]
    assert zip_member_name(info) == unicodedata.normalize("NFC", "Trang 3 - Lời nói đầu.png")


def test_zip_in_natural_order_with_flagged_names(tmp_path):
    z = tmp_path / "vol.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for n in (12, 1, 3):
            zf.writestr(f"Quyển 1/Trang {n}.jpg", jpeg(n * 10))
        zf.writestr("__MACOSX/Quyển 1/._Trang 1.jpg", b"junk")
    files, skipped = collect(z, tmp_path / "work")
    assert [f.name for f in files] == ["Quyển 1/Trang 1.jpg", "Quyển 1/Trang 3.jpg", "Quyển 1/Trang 12.jpg"]
    assert skipped == []
    assert {f.mime for f in files} == {"image/jpeg"}


def test_zip_slip_refused(tmp_path):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../../etc/passwd.png", png())
    with pytest.raises(IngestError, match="không an toàn"):
        collect(z, tmp_path / "work")
    assert not (tmp_path / "etc").exists()


def test_zip_bomb_refused(tmp_path):
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Trang 1.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20_000_000)
    with pytest.raises(IngestError, match="tỉ lệ nén"):
        collect(z, tmp_path / "work")


def test_not_a_zip_and_nothing_to_ingest(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("x")
    with pytest.raises(IngestError, match="Không có trang ảnh"):
        collect(empty, tmp_path / "w")
    with pytest.raises(IngestError, match="Không tìm thấy"):
        collect(tmp_path / "missing", tmp_path / "w")


def test_ingest_service_orders_pages_and_reports_duplicates(net, tmp_path, staff_factory):
    from thuvien.digital.tests.fixtures import make_collection

    coll = make_collection(net.a)
    actor = staff_factory("so_hoa", net.a, "digitisation")
    src = tmp_path / "vol"
    src.mkdir()
    for n in (10, 2, 1):
        (src / f"Trang {n}.png").write_bytes(png(n))
    first = object_ingest(actor=actor, source=src, collection=coll, title="Địa chí", process=False)
    assert first.pages == 3 and first.duplicates_elsewhere == []
    pages = list(first.obj.pages.order_by("order").values_list("order", "source_name"))
    assert pages == [(1, "Trang 1.png"), (2, "Trang 2.png"), (3, "Trang 10.png")]
    again = object_ingest(actor=actor, source=src, collection=coll, title="Địa chí (bản 2)", process=False)
    assert again.duplicates_elsewhere == ["Trang 1.png", "Trang 2.png", "Trang 10.png"]
    # drag-and-drop reordering afterwards
    ids = list(first.obj.pages.order_by("order").values_list("pk", flat=True))
    pages_reorder(actor=actor, obj=first.obj, page_ids=[ids[2], ids[0], ids[1]])
    assert list(first.obj.pages.order_by("order").values_list("source_name", flat=True)) == [
        "Trang 10.png", "Trang 1.png", "Trang 2.png"]
    with pytest.raises(ValueError):
        pages_reorder(actor=actor, obj=first.obj, page_ids=ids[:2])


def test_ingest_needs_digital_permission_at_the_collection_library(net, tmp_path, staff_factory):
    from django.core.exceptions import PermissionDenied

    from thuvien.digital.tests.fixtures import make_collection

    coll = make_collection(net.a)
    outsider = staff_factory("so_hoa_b", net.b, "digitisation")
    src = tmp_path / "vol"
    src.mkdir()
    (src / "1.png").write_bytes(png())
    with pytest.raises(PermissionDenied):
        object_ingest(actor=outsider, source=src, collection=coll, title="X", process=False)
    assert DigitalObject.objects.count() == 0 and Page.objects.count() == 0


def test_command_needs_record_or_title_and_reports(net, tmp_path, capsys):
    from thuvien.digital.tests.fixtures import make_collection

    make_collection(net.a, "lich-su")
    src = tmp_path / "vol"
    src.mkdir()
    (src / "Trang 1.png").write_bytes(png(5))
    (src / "notes.txt").write_text("x")
    with pytest.raises(CommandError):
        call_command("digital_ingest", str(src), "--collection", "lich-su")
    with pytest.raises(CommandError, match="Không tìm thấy biểu ghi"):
        call_command("digital_ingest", str(src), "--collection", "lich-su", "--record", "NO-SUCH")
    call_command("digital_ingest", str(src), "--collection", "lich-su", "--title", "Gia phả họ Nông",
                 "--language", "tyz")
    out = capsys.readouterr().out
    obj = DigitalObject.objects.get()
    assert obj.title == "Gia phả họ Nông" and obj.language == "tyz" and obj.ocr_profile == "vie"
    assert "1 pages" in out and "skipped (not a page image, or a duplicate): notes.txt" in out
