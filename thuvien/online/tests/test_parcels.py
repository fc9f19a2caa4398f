"""The parcel PDFs: pdftotext gives back the Vietnamese address, zbarimg reads the Code 128 item barcode
from the page rendered by pdftoppm."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from thuvien.core.models import Role
from thuvien.online import parcels
from thuvien.online import services as svc
from thuvien.online.tests.fixtures import book, fee_table

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")
                                      and shutil.which("zbarimg")), reason="poppler-utils / zbar-tools absent")]

ADDRESS = "Số 7 ngõ Hoàng Như, phường Hợp Giang, tỉnh Cao Bằng"


@pytest.fixture
def parcel(net, staff_factory, patron_factory, item_factory, base_rule):  # type: ignore[no-untyped-def]
    manager = staff_factory("mgr_p", net.province, Role.LIBRARY_MANAGER)
    fee_table(manager, net.province)
    desk = staff_factory("desk_a", net.a, Role.CIRCULATION)
    reader = patron_factory("R9", net.a, full_name="Nông Thị Hương", phone="0912000001")
    record = book("Lịch sử Đảng bộ tỉnh Cao Bằng")
    item = item_factory("CB-A-000123", net.a, record=record)
    p = svc.postal_request(actor=desk, patron=reader, record=record, library=net.a, address=ADDRESS)
    p = svc.postal_pack(actor=desk, postal=p, item=item, weight_g=600)
    return svc.postal_ship(actor=desk, postal=p, tracking_number="EB123456785VN")


def _text(pdf: bytes, tmp: Path) -> str:
    (tmp / "x.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(tmp / "x.pdf"), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def _barcodes(pdf: bytes, tmp: Path) -> list[str]:
    (tmp / "x.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", str(tmp / "x.pdf"), str(tmp / "page")],
                   check=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp / "page.png")], capture_output=True)
    return out.stdout.decode().split()


def test_address_label_has_the_vietnamese_address_and_a_readable_barcode(parcel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = parcels.address_label_pdf(parcel)
    text = _text(pdf, tmp_path)
    assert "NGƯỜI NHẬN" in text and "Nông Thị Hương" in text
    assert "phường Hợp Giang, tỉnh Cao Bằng" in text
    assert "Thư viện huyện A" in text and "EB123456785VN" in text
    assert _barcodes(pdf, tmp_path) == ["CB-A-000123"]


def test_packing_slip_lists_the_parcel(parcel, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = parcels.packing_slip_pdf(parcel)
    text = _text(pdf, tmp_path)
    assert "PHIẾU GỬI TÀI LIỆU QUA BƯU ĐIỆN" in text
    assert "Lịch sử Đảng bộ tỉnh Cao Bằng" in text and "Số 7 ngõ Hoàng Như" in text
    assert "24.000 đ" in text  # 600 g within the province: the fixture table's 2 000 g band
    assert _barcodes(pdf, tmp_path) == ["CB-A-000123"]
