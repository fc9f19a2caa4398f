"""ISO 2709 (MARC21 exchange format) parsing: records split on the record terminator, directory
checked against the data, text decoded as MARC-8 or UTF-8 with detection of a lying leader."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import accumulate
from typing import Any, BinaryIO

from pymarc import Field, Indicators, Leader, Record, Subfield

from thuvien.catalog.marc.marc8 import Marc8Error, looks_like_utf8, marc8_decode

RT, FT, SF = 0x1D, 0x1E, 0x1F
_BLOCK = 1 << 20
# The fast UTF-8 path accepts only what parse_record reads without a warning (see parse_utf8_json).
_CLEAN_LEADER = re.compile(rb"[0-9]{5}[ -~]{4}a[ -~]{2}[0-9]{5}[ -~]{7}")
_CLEAN_ENTRY = re.compile(r"([ -~]{3})([0-9]{4})([0-9]{5})")
_CLEAN_INDICATORS = re.compile("[ -~]{2}\x1f")
_BAD_SUBFIELD = re.compile("\x1f(?![0-9a-z])")


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


def parse_utf8_json(raw: bytes) -> dict[str, Any] | None:
    """The fast path for clean UTF-8 records: MARC-in-JSON straight from the bytes, or None when
    the record needs `parse_record` (MARC-8, or anything it would reject or warn about: lengths,
    base address, directory, indicators, subfield codes, invalid UTF-8...).

    When not None the result equals `to_json(parse_record(raw)[0])` and parse_record would give
    no warnings (tested over every UTF-8 file in the shared data and the generated catalogue).
    """
    size = len(raw)
    if size < 25 or raw[-1] != RT or not _CLEAN_LEADER.fullmatch(raw, 0, 24) or int(raw[:5]) != size:
        return None
    dir_end = raw.find(b"\x1e", 24)
    if dir_end < 0 or int(raw[12:17]) != dir_end + 1:
        return None
    entries = _CLEAN_ENTRY.findall(raw[24:dir_end].decode("ascii", "replace"))
    pieces = raw[dir_end + 1:-1].split(b"\x1e")
    if len(entries) * 12 != dir_end - 24 or len(pieces) != len(entries) + 1 or pieces[-1] or not entries:
        return None
    # The directory must say exactly what the field terminators say: fields in order, no gaps.
    tags, lengths, starts = zip(*entries, strict=True)
    sizes = [len(p) + 1 for p in pieces]
    sizes.pop()
    if list(map(int, lengths)) != sizes or list(map(int, starts)) != [0, *accumulate(sizes)][:-1]:
        return None
    try:
        text = raw[dir_end + 1:-2].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _BAD_SUBFIELD.search(text):  # an empty subfield or an unusual code: parse_record warns
        return None
    fields: list[dict[str, Any]] = []
    append = fields.append
    indicators = _CLEAN_INDICATORS.match
    for tag, chunk in zip(tags, text.split("\x1e"), strict=True):
        if tag < "010" and tag.isdigit():
            if "\x1f" in chunk:
                return None
            append({tag: chunk})
        elif indicators(chunk):
            append({tag: {"ind1": chunk[0], "ind2": chunk[1],
                          "subfields": [{part[0]: part[1:]} for part in chunk[3:].split("\x1f")]}})
        else:
            return None
    return {"leader": raw[:24].decode("ascii"), "fields": fields}


class JsonRecord(Record):
    """A Record read by the fast path: `marc` is its MARC-in-JSON, used as is by the importer;
    the pymarc fields are parsed from the raw bytes by `parse_record` only when something asks
    for them (so they are exactly what the general path gives)."""

    def __init__(self, marc: dict[str, Any], raw: bytes) -> None:  # noqa: D107 - pymarc's init is skipped
        self.marc = marc
        self._raw = raw
        self._fields: list[Field] | None = None
        self.leader = Leader(marc["leader"])
        self.pos = 0
        self.force_utf8 = False
        self.to_unicode = True
        self._Record__pos = 0

    @property  # type: ignore[override]
    def fields(self) -> list[Field]:
        if self._fields is None:
            self._fields = parse_record(self._raw)[0].fields  # type: ignore[assignment]
        return self._fields

    @fields.setter
    def fields(self, value: list[Field]) -> None:
        self._fields = value

    def untouched_json(self) -> dict[str, Any] | None:
        """`marc` when neither the fields nor the leader have been looked at or changed since reading."""
        if self._fields is None and str(self.leader) == self.marc["leader"]:
            return self.marc
        return None
