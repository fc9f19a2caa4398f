"""ISO 28560-3 (Danish data model) codec, and barcodes checked when a library uses RFID."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from thuvien.catalog import rfid
from thuvien.catalog.services import item_create
from thuvien.circulation.tests.fixtures import item_type, make_record
from thuvien.core.services import unit_setting_set

# Tag("VN0001", circulating, 1 of 1, VN, VN-CB01): built by hand from the layout, CRC 0x6D05 LSB first.
VN0001 = bytes.fromhex("110101" "564e3030303100000000000000000000" "056d" "564e" "564e2d43423031" "00000000")


def test_crc_check_value_from_the_reference() -> None:
    assert rfid.crc16(b"RFID tag data model") == 0x1AEE


def test_encode_known_block() -> None:
    block = rfid.encode(rfid.Tag("VN0001", isil="VN-CB01"))
    assert len(block) == 34 and block == VN0001
    assert block[0] == 0x11 and block[3:9] == b"VN0001" and block[19:21] == b"\x05\x6d"


def test_decode_known_block_and_parts_order() -> None:
    assert rfid.decode(VN0001) == rfid.Tag("VN0001", usage=1, parts=1, ordinal=1, country="VN", isil="VN-CB01")
    two = rfid.encode(rfid.Tag("1234567890", parts=2, ordinal=1, country="DK", isil="DK-718500"))
    assert two.hex() == "110201313233343536373839300000000000007700444b444b2d3731383530300000"
    assert (two[1], two[2]) == (2, 1)  # parts before ordinal (rfidgeek writes them swapped)
    assert rfid.decode(two + b"\0" * 30).parts == 2  # the rest of the user memory is ignored


@pytest.mark.parametrize("bad", [VN0001[:33], VN0001[:5] + b"X" + VN0001[6:], b"\x21" + VN0001[1:19]
                                 + bytes([rfid.crc16(b"\x21" + VN0001[1:19] + VN0001[21:]) & 0xFF,
                                          rfid.crc16(b"\x21" + VN0001[1:19] + VN0001[21:]) >> 8]) + VN0001[21:]])
def test_decode_refuses_short_corrupted_or_other_versions(bad: bytes) -> None:
    with pytest.raises(rfid.TagError):
        rfid.decode(bad)


@pytest.mark.parametrize("tag", [rfid.Tag("A" * 17), rfid.Tag("VN 001"), rfid.Tag("ĐKCB01"), rfid.Tag(""),
                                 rfid.Tag("VN1", parts=1, ordinal=2), rfid.Tag("VN1", isil="X" * 12)])
def test_encode_refuses_what_does_not_fit(tag: rfid.Tag) -> None:
    with pytest.raises(rfid.TagError):
        rfid.encode(tag)


def test_security_afi() -> None:
    assert (rfid.afi(on_loan=True), rfid.afi(on_loan=False)) == (0xC2, 0x07)


def test_barcodes_are_checked_only_where_rfid_is_on(net, admin_user) -> None:  # type: ignore[no-untyped-def]
    record = make_record()
    long_code = "VV.0123456789-ĐỊA"
    assert item_create(actor=admin_user, record=record, library=net.b, barcode=long_code,
                       item_type=item_type()).barcode == long_code
    unit_setting_set(actor=admin_user, unit=net.a, key="rfid.enabled", value=True)
    with pytest.raises(ValidationError) as err:
        item_create(actor=admin_user, record=record, library=net.c, barcode="VV 012345", item_type=item_type())
    assert "không dấu, không khoảng trắng" in str(err.value)
    with pytest.raises(ValidationError):
        item_create(actor=admin_user, record=record, library=net.a, barcode="A" * 17, item_type=item_type())
    assert item_create(actor=admin_user, record=record, library=net.c, barcode="VV.012345",
                       item_type=item_type()).barcode == "VV.012345"


def test_desk_scan_field_takes_an_rfid_tag_id(client, net, desk_a, base_rule, patron_factory,  # type: ignore[no-untyped-def]
                                               item_factory) -> None:
    from thuvien.circulation.models import Loan

    patron_factory("D9", net.a)
    item = item_factory("VV.012345", net.a, rfid_tag="E00401501234ABCD")
    client.force_login(desk_a)
    r = client.post("/staff/circ/patrons/D9/", {"action": "checkout", "barcode": " E00401501234ABCD "})
    assert r.status_code == 302
    assert Loan.objects.get(item=item, returned_at__isnull=True).patron.card_number == "D9"
    client.post("/staff/circ/checkin/", {"barcode": "E00401501234ABCD"})
    assert Loan.objects.get(item=item).returned_at is not None
