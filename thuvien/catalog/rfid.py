"""RFID tags of library items: the ISO 28560-3 fixed data layout (the Danish data model), pure code.

Block of 34 bytes: 0 version (high nibble, 1) and type of usage (low nibble); 1 number of parts in
the set; 2 ordinal of this part; 3-18 primary item identifier (the barcode, <= 16 printable ASCII,
NUL-padded); 19-20 CRC-16 (CCITT, initial 0xFFFF, least significant byte first) over bytes 0-18
and 21-33; 21-22 country of the owner; 23-33 owner library ISIL (NUL-padded).

The ILS never writes tags: kiosks do, after the SIP2 replies say so (12 desensitize Y -> AFI 0xC2
"on loan"; 10 resensitize Y -> AFI 0x07 "in the library"). The owner ISIL is a unit setting.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from enum import IntEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from thuvien.core.unit_settings import register

BLOCK_SIZE = 34
VERSION = 1
AFI_IN_LIBRARY = 0x07  # security on: the gate alarms
AFI_ON_LOAN = 0xC2  # security off

register("rfid.enabled", False, _("Dùng nhãn RFID (mã vạch tối đa 16 ký tự ASCII in được)"))
register("rfid.owner_isil", "", _("Mã ISIL của thư viện ghi trên nhãn RFID"))
register("rfid.country", "VN", _("Mã quốc gia ghi trên nhãn RFID"))


class Usage(IntEnum):
    ACQUISITION = 0
    CIRCULATING = 1
    NOT_CIRCULATING = 2
    DISCARDED = 7
    PATRON_CARD = 8


class TagError(ValueError):
    """Bytes that are not a valid ISO 28560-3 block, or values that cannot be written into one."""


@dataclass(frozen=True)
class Tag:
    item_id: str
    usage: int = Usage.CIRCULATING
    parts: int = 1
    ordinal: int = 1
    country: str = "VN"
    isil: str = ""
    version: int = VERSION


def barcode_problem(barcode: str) -> str | None:
    """Why a barcode cannot be an RFID primary item identifier (<= 16 printable ASCII), or None."""
    if not barcode:
        return str(_("Cần có mã vạch."))
    if len(barcode) > 16:
        return str(_("Mã vạch dùng cho RFID tối đa 16 ký tự (đang có %(n)s).") % {"n": len(barcode)})
    if not all(32 < ord(ch) < 127 for ch in barcode):
        return str(_("Mã vạch dùng cho RFID chỉ gồm chữ, số và ký hiệu ASCII, không dấu, không khoảng trắng."))
    return None


def check_barcode(barcode: str) -> None:
    """Raise a ValidationError on the barcode field when it cannot go on an RFID tag."""
    problem = barcode_problem(barcode)
    if problem:
        raise ValidationError({"barcode": problem})


def crc16(data: bytes) -> int:
    """CRC-16/CCITT with initial value 0xFFFF, as the data model uses it."""
    return binascii.crc_hqx(data, 0xFFFF)


def _crc(block: bytes) -> int:
    return crc16(block[:19] + block[21:BLOCK_SIZE])


def _text(value: str, size: int, what: str) -> bytes:
    data = value.encode("ascii", errors="strict") if value.isascii() else b""
    if len(data) != len(value) or len(data) > size or any(not 32 < b < 127 for b in data):
        raise TagError(f"{what} {value!r}: at most {size} printable ASCII characters")
    return data.ljust(size, b"\0")


def encode(tag: Tag) -> bytes:
    """The 34-byte block for a tag."""
    if not (0 <= tag.usage <= 15 and 0 <= tag.version <= 15 and 1 <= tag.parts <= 255
            and 1 <= tag.ordinal <= tag.parts):
        raise TagError("version, usage, parts or ordinal out of range")
    if not tag.item_id:
        raise TagError("an item id is required")
    head = bytes([(tag.version << 4) | tag.usage, tag.parts, tag.ordinal])
    isil = _text(tag.isil, 11, "ISIL") if tag.isil else b"\0" * 11
    body = head + _text(tag.item_id, 16, "item id") + b"\0\0" + _text(tag.country, 2, "country") + isil
    crc = _crc(body)
    return body[:19] + bytes([crc & 0xFF, crc >> 8]) + body[21:]


def decode(block: bytes) -> Tag:
    """Read a block (34 bytes, or more: the rest of the user memory is ignored); TagError if the CRC fails."""
    if len(block) < BLOCK_SIZE:
        raise TagError(f"{len(block)} bytes, {BLOCK_SIZE} expected")
    block = block[:BLOCK_SIZE]
    stored = block[19] | (block[20] << 8)
    if stored != _crc(block):
        raise TagError(f"CRC {stored:04X} does not match {_crc(block):04X}")
    version, usage = block[0] >> 4, block[0] & 0x0F
    if version != VERSION:
        raise TagError(f"data model version {version}")
    return Tag(item_id=block[3:19].rstrip(b"\0").decode("ascii", errors="replace"), usage=usage, parts=block[1],
               ordinal=block[2], country=block[21:23].rstrip(b"\0").decode("ascii", errors="replace"),
               isil=block[23:34].rstrip(b"\0").decode("ascii", errors="replace"), version=version)


def afi(on_loan: bool) -> int:
    """The AFI byte a kiosk writes: 0xC2 on loan (gates stay quiet), 0x07 in the library (gates alarm)."""
    return AFI_ON_LOAN if on_loan else AFI_IN_LIBRARY
