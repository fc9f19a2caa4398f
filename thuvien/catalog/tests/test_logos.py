"""The library logo on reader cards: uploads checked (PNG/JPEG, size, dimensions), stored locally, the
nearest ancestor's logo used, and the card PDF carrying logo, photo, name, number, Code 128 and expiry:
zbarimg reads each barcode after pdftoppm, pdftotext returns the Vietnamese names, pdfimages counts
the pictures."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw

from thuvien.catalog import labels as L
from thuvien.catalog.label_data import build
from thuvien.catalog.logos import library_logo_remove, library_logo_set, logo_check, logo_for
from thuvien.catalog.models import LabelLayout, LibraryLogo
from thuvien.core.models import AuditEntry
from thuvien.patrons.tests.fixtures import make_patron

needs_tools = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftoppm", "zbarimg", "pdftotext", "pdfimages")),
                                 reason="poppler-utils and zbar-tools are needed")


def logo_png(colour: str = "#b71c1c", size: int = 200, fmt: str = "PNG") -> bytes:
    """A round badge with a book in it, on a transparent background (PNG) or white (JPEG)."""
    mode = "RGBA" if fmt == "PNG" else "RGB"
    image = Image.new(mode, (size, size), (0, 0, 0, 0) if mode == "RGBA" else "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, size - 4, size - 4), fill=colour)
    draw.rectangle((size * 0.28, size * 0.3, size * 0.72, size * 0.7), fill="white")
    draw.line((size * 0.5, size * 0.3, size * 0.5, size * 0.7), fill=colour, width=max(2, size // 40))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def photo_jpeg() -> bytes:
    image = Image.new("RGB", (300, 400), "#d7ccc8")
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 60, 210, 200), fill="#8d6e63")
    draw.rectangle((60, 220, 240, 400), fill="#5d4037")
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def test_logo_files_are_checked() -> None:
    assert logo_check(logo_png())[:2] == ("image/png", "png")
    assert logo_check(logo_png(fmt="JPEG")) == ("image/jpeg", "jpg", 200, 200)
    gif = io.BytesIO()
    Image.new("RGB", (100, 100)).save(gif, "GIF")
    cases = {
        gif.getvalue(): "Logo phải là ảnh PNG hoặc JPEG (tệp này là GIF).",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>": "Tệp không phải ảnh PNG hoặc JPEG đọc được.",
        logo_png(size=16): "Logo phải có mỗi chiều từ 32 đến 2000 điểm ảnh (ảnh này 16 × 16).",
        logo_png()[:200]: "Tệp không phải ảnh PNG hoặc JPEG đọc được.",  # truncated
        b"\x89PNG" + b"0" * (600 * 1024): "Logo quá lớn (601 KB); tối đa 512 KB.",
    }
    for data, message in cases.items():
        with pytest.raises(ValidationError) as exc:
            logo_check(data)
        assert exc.value.messages == [message]


@pytest.mark.django_db
def test_logo_set_replace_remove_and_nearest_ancestor(net, admin_user, cataloguer_a, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    province = library_logo_set(actor=admin_user, unit=net.province, data=logo_png("#1565c0"))
    assert logo_for(net.c) == province and logo_for(net.b) == province
    own = library_logo_set(actor=admin_user, unit=net.a, data=logo_png())
    assert logo_for(net.c) == own and logo_for(net.a) == own and logo_for(net.b) == province
    first_file = tmp_path / own.image.name
    assert first_file.read_bytes() == logo_png()
    with pytest.raises(PermissionDenied):
        library_logo_set(actor=cataloguer_a, unit=net.a, data=logo_png())
    replaced = library_logo_set(actor=admin_user, unit=net.a, data=logo_png(fmt="JPEG"))
    assert replaced.pk == own.pk and replaced.content_type == "image/jpeg" and replaced.image.name.endswith(".jpg")
    library_logo_remove(actor=admin_user, unit=net.a)
    assert logo_for(net.c) == province and not LibraryLogo.objects.filter(unit=net.a).exists()
    assert list(AuditEntry.objects.filter(action__startswith="library_logo.").order_by("pk")
                .values_list("action", "object_repr")) == [
        ("library_logo.set", "P"), ("library_logo.set", "A"), ("library_logo.set", "A"), ("library_logo.remove", "A")]


@needs_tools
@pytest.mark.django_db
def test_reader_cards_show_logo_photo_name_barcode_and_expiry(net, admin_user, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    library_logo_set(actor=admin_user, unit=net.province, data=logo_png())
    make_patron("CB2026000123", net.a, full_name="Nông Thị Thúy Hằng")
    make_patron("CB2026000124", net.c, full_name="Đàm Văn Đức")
    cards, missing = build("card", net.a, ["CB2026000123", "CB2026000124", "NOPE"])
    assert missing == ["NOPE"] and all(card.logo == logo_png() for card in cards)
    cards[0] = L.ReaderCard(**{**cards[0].__dict__, "photo": photo_jpeg()})
    layout = LabelLayout.objects.get(name="A4-10-CR80").as_layout()
    pdf = tmp_path / "cards.pdf"
    pdf.write_bytes(L.render_pdf(cards, layout))
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(tmp_path / "cards")], check=True)
    png = tmp_path / "cards-1.png"
    read = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Scode128.enable", str(png)],
                          capture_output=True, text=True, check=False).stdout.split()
    assert sorted(read) == ["CB2026000123", "CB2026000124"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Nông Thị Thúy Hằng" in text and "Đàm Văn Đức" in text and text.count("THƯ VIỆN HUYỆN A") == 2
    assert "Số thẻ: CB2026000123" in text and text.count("Hết hạn: ") == 2
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in images.splitlines()[2:]]
    # the logo drawn on both cards (a PNG's alpha is its soft mask), and the one photo
    assert sorted((row[2], row[3], row[4]) for row in rows) == [
        ("image", "200", "200"), ("image", "200", "200"), ("image", "300", "400"), ("smask", "200", "200"),
        ("smask", "200", "200")]
    # the logo is where the card's top-left corner is: red pixels there on the first card
    with Image.open(png) as page:
        dpmm = 300 / 25.4
        left, top = (19.4 + 3 + 5.5) * dpmm, (13.5 + 3 + 5.5) * dpmm  # centre of the 11 mm logo box
        assert page.convert("RGB").getpixel((int(left), int(top - 3 * dpmm))) == (183, 28, 28)


@pytest.mark.django_db
def test_staff_logo_page(net, admin_user, cataloguer_a, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(admin_user)
    page = client.get("/staff/labels/logos/").content.decode()
    assert "Chưa có logo nào." in page and 'accept="image/png,image/jpeg"' in page
    bad = client.post("/staff/labels/logos/", {"unit": net.a.pk, "image": SimpleUploadedFile("x.gif", b"GIF89a")})
    assert bad.status_code == 400 and "Tệp không phải ảnh PNG hoặc JPEG đọc được." in bad.content.decode()
    empty = client.post("/staff/labels/logos/", {"unit": net.a.pk})
    assert empty.status_code == 400 and "Hãy chọn tệp ảnh logo." in empty.content.decode()
    r = client.post("/staff/labels/logos/", {"unit": net.a.pk, "image": SimpleUploadedFile("l.png", logo_png())})
    assert r.status_code == 302
    page = client.get("/staff/labels/logos/").content.decode()
    assert "Thư viện huyện A · 200 × 200" in page
    image = client.get(f"/staff/labels/logos/{net.a.pk}/image")
    assert image["Content-Type"] == "image/png" and image.content == logo_png()
    client.post("/staff/labels/logos/", {"unit": net.a.pk, "remove": "1"})
    assert not LibraryLogo.objects.exists()
    cat = Client()
    cat.force_login(cataloguer_a)  # no unit-edit permission: no unit to choose
    refused = cat.post("/staff/labels/logos/", {"unit": net.a.pk, "image": SimpleUploadedFile("l.png", logo_png())})
    assert refused.status_code == 400 and not LibraryLogo.objects.exists()
