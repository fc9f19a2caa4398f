"""MARC-in-JSON (the code4lib proposal pymarc and Koha use): conversion and a streaming reader
for one object, an array of objects, or newline-delimited objects."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from pymarc import Field, Indicators, Leader, Record, Subfield

from thuvien.catalog.marc.iso2709 import MarcError

_BLOCK = 1 << 20
_DECODER = json.JSONDecoder()


def to_json(record: Record) -> dict[str, Any]:
    """The record as a MARC-in-JSON dict: {"leader": ..., "fields": [{tag: ...}, ...]}."""
    fields: list[dict[str, Any]] = []
    for field in record.fields:
        if field.control_field:
            fields.append({field.tag: field.data})
        else:
            fields.append({field.tag: {"ind1": field.indicator1, "ind2": field.indicator2,
                                       "subfields": [{s.code: s.value} for s in field.subfields]}})
    return {"leader": str(record.leader), "fields": fields}


def from_json(data: dict[str, Any]) -> Record:
    """Build a pymarc Record from MARC-in-JSON; raise MarcError when the structure is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list):
        raise MarcError("MARC-in-JSON object needs a 'fields' list")
    leader = data.get("leader")
    if not isinstance(leader, str) or len(leader) != 24:
        raise MarcError("MARC-in-JSON object needs a 24-character 'leader'")
    fields: list[Field] = []
    for item in data["fields"]:
        if not isinstance(item, dict) or len(item) != 1:
            raise MarcError(f"each field must be an object with one tag: {str(item)[:60]}")
        ((tag, value),) = item.items()
        if isinstance(value, str):
            fields.append(Field(tag=tag, data=value))
            continue
        if not isinstance(value, dict) or not isinstance(value.get("subfields"), list):
            raise MarcError(f"field {tag}: needs a 'subfields' list")
        subfields: list[Subfield] = []
        for sub in value["subfields"]:
            if not isinstance(sub, dict) or len(sub) != 1:
                raise MarcError(f"field {tag}: each subfield must be an object with one code")
            ((code, text),) = sub.items()
            if len(code) != 1 or not isinstance(text, str):
                raise MarcError(f"field {tag}: bad subfield {str(sub)[:40]}")
            subfields.append(Subfield(code=code, value=text))
        fields.append(Field(tag=tag, indicators=Indicators(str(value.get("ind1", " "))[:1] or " ",
                                                           str(value.get("ind2", " "))[:1] or " "),
                            subfields=subfields))
    record = Record(fields=fields)  # type: ignore[arg-type]
    record.leader = Leader(leader)
    return record


def iter_json(stream: BinaryIO) -> Iterator[tuple[int, bytes, Any, str | None]]:
    """(character offset, raw bytes, parsed object or None, error or None) per record object."""
    buf = ""
    pos = 0  # position in buf
    consumed = 0  # characters dropped from the front of buf
    eof = False
    decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def fill() -> bool:
        nonlocal buf, eof
        block = stream.read(_BLOCK)
        if not block:
            buf += decoder.decode(b"", final=True)
            eof = True
            return False
        buf += decoder.decode(block)
        return True

    fill()
    while True:
        while pos < len(buf) and buf[pos] in " \t\r\n,[]":
            pos += 1
        if pos >= len(buf):
            if eof or not fill():
                return
            continue
        try:
            obj, end = _DECODER.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            if not eof and fill():
                continue
            yield consumed + pos, buf[pos:].encode("utf-8"), None, f"JSON is not valid: {exc.msg} at {exc.pos}"
            return
        if end == len(buf) and not eof and fill():
            continue  # the object might be a number/string cut short: re-read with more data
        yield consumed + pos, buf[pos:end].encode("utf-8"), obj, None
        pos = end
        if pos > _BLOCK:
            consumed += pos
            buf = buf[pos:]
            pos = 0
