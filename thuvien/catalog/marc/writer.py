"""Writing ISO 2709 in UTF-8 (leader/09 = 'a'), as MARC21 requires for Unicode records."""

from __future__ import annotations

from pymarc import Record

MAX_RECORD = 99999


class RecordTooLong(ValueError):
    """The record is longer than ISO 2709 can express (99,999 bytes); export it as MARCXML."""


def to_iso2709(record: Record) -> bytes:
    """The record as UTF-8 ISO 2709 bytes: leader/09='a', lengths, base address and the
    fixed leader positions (10-11 "22", 20-23 "4500") recomputed."""
    directory: list[bytes] = []
    body: list[bytes] = []
    offset = 0
    for field in record.fields:
        if field.control_field:
            data = (field.data or "").encode("utf-8") + b"\x1e"
        else:
            parts = [(field.indicator1 or " ")[:1].encode("utf-8"), (field.indicator2 or " ")[:1].encode("utf-8")]
            for sub in field.subfields:
                parts.append(b"\x1f" + sub.code.encode("utf-8") + sub.value.encode("utf-8"))
            parts.append(b"\x1e")
            data = b"".join(parts)
        tag = field.tag.rjust(3, "0")[:3].encode("ascii", "replace")
        directory.append(tag + b"%04d%05d" % (len(data), offset))
        if len(data) > 9999:
            raise RecordTooLong(f"field {field.tag} is {len(data)} bytes; ISO 2709 allows 9,999")
        body.append(data)
        offset += len(data)
    dir_bytes = b"".join(directory) + b"\x1e"
    base = 24 + len(dir_bytes)
    length = base + offset + 1
    if length > MAX_RECORD:
        raise RecordTooLong(f"record is {length} bytes; ISO 2709 allows {MAX_RECORD}")
    lead = str(record.leader)
    leader = f"{length:05d}{lead[5:9]}a22{base:05d}{lead[17:20]}4500"
    return leader.encode("ascii", "replace") + dir_bytes + b"".join(body) + b"\x1d"
