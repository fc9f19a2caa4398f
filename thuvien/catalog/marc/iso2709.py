"""ISO 2709 (MARC21 exchange format) parsing: records split on the record terminator, directory
checked against the data, text decoded as MARC-8 or UTF-8 with detection of a lying leader."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from pymarc import Field, Indicators, Leader, Record, Subfield

from thuvien.catalog.marc.marc8 import Marc8Error, looks_like_utf8, marc8_decode

RT, FT, SF = 0x1D, 0x1E, 0x1F
_BLOCK = 1 << 20


class MarcError(ValueError):
    """A record that cannot be read without loss; the message says why, in plain words."""


def split_records(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(byte offset, raw bytes including the terminator) of each record; memory stays one block.

    Records are split on the record terminator (0x1D), not on the length in the leader, so one
    record with a wrong length cannot swallow the next. Whitespace between records is skipped.
    A last chunk without terminator is yielded as is (the parser reports it as truncated).
    """
    buf = b""
    base = 0  # file offset of buf[0]
    while True:
        block = stream.read(_BLOCK)
        if not block:
            break
        buf += block
        start = 0
        while True:
            end = buf.find(b"\x1d", start)
            if end < 0:
                break
            chunk = buf[start:end + 1]
            stripped = chunk.lstrip(b"\r\n\t \x00")
            yield base + start + (len(chunk) - len(stripped)), stripped
            start = end + 1
        buf = buf[start:]
        base += start
    rest = buf.lstrip(b"\r\n\t \x00\x1a")
    if rest.strip():
        yield base + (len(buf) - len(rest)), rest


def _decoder(raw: bytes, encoding: str, warnings: list[str]) -> tuple[str, bool]:
    """Pick how to decode the record: ("utf8"|"marc8", leader_lies)."""
    declared = "utf8" if raw[9:10] == b"a" else "marc8"
    if encoding in ("utf8", "marc8"):
        return encoding, encoding != declared
    if declared == "marc8" and looks_like_utf8(raw):
        warnings.append("leader/09 says MARC-8 but the record is UTF-8; read as UTF-8 and leader/09 set to 'a'")
        return "utf8", True
    return declared, False


def _text(data: bytes, how: str, where: str) -> str:
    if how == "utf8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MarcError(f"{where}: invalid UTF-8 byte 0x{data[exc.start]:02x} at {exc.start}") from exc
    try:
        return marc8_decode(data)
    except Marc8Error as exc:
        raise MarcError(f"{where}: MARC-8 {exc}") from exc


def parse_record(raw: bytes, *, encoding: str = "auto") -> tuple[Record, list[str]]:
    """Parse one ISO 2709 record; raise MarcError with a clear reason when it cannot be read."""
    warnings: list[str] = []
    if len(raw) < 25:
        raise MarcError(f"record too short ({len(raw)} bytes)")
    if raw[-1] != RT:
        raise MarcError("truncated record: no record terminator (0x1D) before end of file")
    try:
        leader = raw[:24].decode("ascii")
    except UnicodeDecodeError as exc:
        raise MarcError("leader contains non-ASCII bytes") from exc
    if not leader.isprintable():
        raise MarcError(f"leader contains control characters: {leader!r}")
    if not leader[0:5].isdigit():
        raise MarcError(f"leader/00-04 record length is not numeric: {leader[0:5]!r}")
    declared_len = int(leader[0:5])
    if declared_len != len(raw):
        warnings.append(f"leader says {declared_len} bytes, record has {len(raw)}")
    dir_end = raw.find(b"\x1e", 24)
    if dir_end < 0:
        raise MarcError("no field terminator after the directory")
    directory = raw[24:dir_end]
    if len(directory) % 12:
        raise MarcError(f"directory length {len(directory)} is not a multiple of 12")
    base = dir_end + 1
    if not leader[12:17].isdigit() or int(leader[12:17]) != base:
        warnings.append(f"leader base address {leader[12:17]} corrected to {base}")
    entries: list[tuple[str, int, int]] = []
    for i in range(0, len(directory), 12):
        entry = directory[i:i + 12]
        try:
            tag = entry[:3].decode("ascii")
        except UnicodeDecodeError as exc:
            raise MarcError(f"directory entry {i // 12} has a non-ASCII tag") from exc
        if not (entry[3:7].isdigit() and entry[7:12].isdigit()):
            raise MarcError(f"directory entry {i // 12} ({tag}) has non-numeric length/offset")
        entries.append((tag, int(entry[3:7]), int(entry[7:12])))
    if not entries:
        raise MarcError("record has no fields")
    data = raw[base:-1]
    chunks = _field_chunks(data, entries, warnings)
    how, lies = _decoder(raw, encoding, warnings)
    fields = [_field(tag, chunk, how, warnings) for (tag, _length, _start), chunk in zip(entries, chunks, strict=True)]
    record = Record(fields=fields)  # type: ignore[arg-type]
    record.leader = Leader(leader[:9] + ("a" if how == "utf8" else " ") + leader[10:] if lies else leader)
    return record, warnings


def _field_chunks(data: bytes, entries: list[tuple[str, int, int]], warnings: list[str]) -> list[bytes]:
    """Field bytes (without terminator) per directory entry; falls back to the field terminators
    when the directory's lengths or offsets do not match the data."""
    chunks: list[bytes] = []
    ok = True
    for _tag, length, start in entries:
        piece = data[start:start + length]
        if length == 0 or len(piece) != length or piece[-1] != FT:
            ok = False
            break
        chunks.append(piece[:-1])
    if ok:
        return chunks
    pieces = data.split(b"\x1e")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    if len(pieces) != len(entries):
        raise MarcError(
            f"directory does not match the data: {len(entries)} entries but {len(pieces)} fields")
    warnings.append("directory lengths/offsets are wrong; fields taken in order from the field terminators")
    return pieces


def _new_field(tag: str, data: str | None, indicators: Indicators | None, subfields: list[Subfield]) -> Field:
    """A pymarc Field built without its constructor's checks (the parser has validated the parts);
    an import spends a noticeable share of its time in Field.__init__ otherwise."""
    field = _FIELD_NEW(Field)
    field.tag = tag
    field.data = data
    field._indicators = indicators
    field.subfields = subfields
    field.control_field = indicators is None
    field._Field__pos = 0  # type: ignore[attr-defined]
    return field


_FIELD_NEW = object.__new__


def _field(tag: str, chunk: bytes, how: str, warnings: list[str]) -> Field:
    if tag < "010" and tag.isdigit():
        if b"\x1f" in chunk:
            raise MarcError(f"control field {tag} contains a subfield delimiter")
        return _new_field(tag, _text(chunk, how, tag), None, [])
    parts = chunk.split(b"\x1f")
    head = parts[0]
    if len(head) < 2:
        raise MarcError(f"field {tag!r}: no indicators before the first subfield")
    if len(head) > 2:
        if head[2:].strip(b" \\"):
            raise MarcError(f"field {tag}: unexpected data before the first subfield: {head[:20]!r}")
        warnings.append(f"field {tag}: {len(head) - 2} blank byte(s) after the indicators dropped")
    try:
        ind = head[:2].decode("ascii")
    except UnicodeDecodeError as exc:
        raise MarcError(f"field {tag}: non-ASCII indicator") from exc
    if not ind.isprintable():
        raise MarcError(f"field {tag}: control character in the indicators")
    if how == "utf8":
        try:
            texts = chunk.decode("utf-8").split("\x1f")[1:]
        except UnicodeDecodeError:
            texts = None  # find the subfield at fault below, for a precise message
    else:
        texts = None
    subfields: list[Subfield] = []
    for n, part in enumerate(parts[1:]):
        if not part:
            warnings.append(f"field {tag}: empty subfield delimiter dropped")
            continue
        byte = part[0]
        if byte < 0x20 or byte >= 0x7F:
            raise MarcError(f"field {tag}: invalid subfield code 0x{byte:02x}")
        code = chr(byte)
        if not (code.isdigit() or "a" <= code <= "z"):
            warnings.append(f"field {tag}: unusual subfield code {code!r} kept")
        value = texts[n][1:] if texts is not None else _text(part[1:], how, f"{tag}${code}")
        subfields.append(Subfield(code, value))
    return _new_field(tag, None, Indicators(ind[0], ind[1]), subfields)
