"""The MARC import engine: stores batches of parsed records with bulk inserts (records,
identifiers, items from 852/952, the search outbox and an audit entry) inside the caller's
transaction. Services and the import job runner call it; nothing else should."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import decimal
import gc
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import orjson
from django.db import connections, router
from pymarc import Record

from thuvien.catalog.bulk import (
    RawJSON,
    insert_rows,
    insert_rows_returning_ids,
    json_text,
    new_uuids,
    select_in,
)
from thuvien.catalog.extract import extract_authority, extract_marc
from thuvien.catalog.marc.iso2709 import JsonRecord
from thuvien.catalog.marc.marcjson import from_json, to_json
from thuvien.catalog.marc.reader import read_iso
from thuvien.catalog.models import AuthorityRecord, BibIdentifier, BibRecord, Item, ItemStatus, ItemType
from thuvien.core.audit import audit
from thuvien.core.models import OrgUnit
from thuvien.core.permissions import Perm, has_perm, require_perm
from thuvien.search.outbox import outbox_enqueue

if TYPE_CHECKING:
    from thuvien.core.models import User

MATCHES = ("001", "035", "isbn", "none")
ON_MATCH = ("skip", "overlay", "merge")
_PRICE = re.compile(r"[0-9][0-9.,]*")
_AVAILABLE = str(ItemStatus.AVAILABLE.value)


@dataclass
class ImportOutcome:
    """What happened to one record: action is "imported", "updated" or "skipped"."""

    action: str
    bib: BibRecord | None = None  # set by marc_import_record; batch imports only carry bib_id
    authority: AuthorityRecord | None = None
    bib_id: int | None = None
    items: int = 0
    warnings: list[str] = field(default_factory=list)


class Holding(NamedTuple):
    """What an 852/952 field says about an item, worked out without the database."""

    tag: str
    barcode: str
    library_code: str
    call_number: str
    location: str
    type_code: str
    default_type: str
    price: decimal.Decimal | None
    price_warning: str | None
    acquired_on: dt.date | None
    source: str
    notes: str


def holding(tag: str, subs: dict[str, str], values: dict[str, Any]) -> Holding:
    """The item facts of an 852/952 field ({code: first value}) of a record with `values`."""

    get = subs.get

    def sub(code: str) -> str:
        return (get(code) or "").strip()
    notes = "; ".join(v for v in (sub("z"), sub("x")) if v)
    if tag == "952":
        code = sub("a") or sub("b")
        call = sub("o")
        location, type_code = sub("c"), sub("y").lower()
        price_text, date_text, source = sub("g") or sub("v"), sub("d"), sub("e")
    else:
        code = sub("b")
        call = " ".join(v for v in (sub("h"), sub("i")) if v)
        location, type_code = sub("c"), ""
        price_text, date_text, source = sub("9"), "", ""
    price, price_warning = _price(price_text) if price_text else (None, None)
    return Holding(tag=tag, barcode=sub("p")[:64], library_code=code.upper(),
                   call_number=(call or values["call_number"])[:128], location=location[:128], type_code=type_code,
                   default_type=_default_type(values), price=price, price_warning=price_warning,
                   acquired_on=_date(date_text) if date_text else None, source=source[:255], notes=notes)


def _default_type(values: dict[str, Any]) -> str:
    kind = values["material_type"]
    if kind == "serial":
        return "periodical"
    if kind in ("video", "music", "audiobook"):
        return "audiovisual"
    return "book"


def _price(text: str) -> tuple[decimal.Decimal | None, str | None]:
    """(price, warning) from a price subfield such as "120.000 VND" or "$12.50"."""
    match = _PRICE.search(text or "")
    if not match:
        return None, None
    digits = match.group().replace(",", "").replace(".", "") if text.count(".") > 1 or "," in text \
        else match.group().split(".")[0]
    try:
        value = decimal.Decimal(digits)
    except decimal.InvalidOperation:
        return None, f"price {text!r} not understood"
    return (value if value < 10**12 else None), None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


@dataclass
class Prepared:
    """A record reduced to what storing it needs (picklable, so worker processes can prepare
    records in parallel): extracted values, MARC-in-JSON (and its JSON text), identifiers,
    852/952 holdings as {code: first value}."""

    authority: bool
    values: dict[str, Any]
    marc: dict[str, Any] | None  # None only after unpickling when marc_text is there: see marc_dict()
    marc_text: RawJSON | None = None
    ids: list[tuple[str, str]] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)
    json_columns: dict[str, RawJSON] = field(default_factory=dict)  # JSON text of values' list columns

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled compactly for the trip from a worker process to the writer: no MARC dict when
        its JSON text is there, values and items as flat tuples of plain values (unpickling
        thousands of small objects would cost the writer more than the worker saved it)."""
        keys = tuple(self.values)
        if keys == _VALUE_KEYS:
            keys = _VALUE_KEYS  # one shared tuple: pickled once per batch
        holdings = tuple(tuple(h) for h in self.holdings)  # (Decimal and date pickle in C)
        return _unpack, (self.authority, keys, tuple(self.values.values()),
                         self.marc if self.marc_text is None else None, self.marc_text, tuple(self.ids), holdings,
                         tuple(self.json_columns.get(name, "") for name in _JSON_COLUMNS) if self.json_columns else ())

    def marc_dict(self) -> dict[str, Any]:
        """The MARC-in-JSON dict (decoded again from marc_text after a trip through a worker)."""
        if self.marc is None:
            self.marc = orjson.loads(str(self.marc_text or "null"))  # exactly str: orjson refuses subclasses
        return self.marc  # type: ignore[return-value]


def _unpack(authority: bool, keys: tuple[str, ...], values: tuple[Any, ...], marc: dict[str, Any] | None,
            marc_text: str | None, ids: tuple[tuple[str, str], ...], holdings: tuple[tuple[Any, ...], ...],
            json_columns: tuple[str, ...]) -> Prepared:
    prepared = _new_prepared(Prepared)  # the dataclass __init__ is measurable here, 2,000 times a batch
    prepared.__dict__.update(
        authority=authority, values=dict(zip(keys, values, strict=True)), marc=marc,
        marc_text=RawJSON(marc_text) if marc_text is not None else None, ids=list(ids),
        holdings=[_make_holding(h) for h in holdings],
        json_columns=dict(zip(_JSON_COLUMNS, [RawJSON(t) for t in json_columns], strict=True)) if json_columns
        else {})
    return prepared


_new_prepared = object.__new__
_make_holding = Holding._make


def prepare_raw(raw: bytes, *, encoding: str = "auto") -> tuple[Prepared | None, str | None, list[str]]:
    """Read and prepare one ISO 2709 record in a worker process: (prepared, error, warnings)."""
    record, error, warnings = read_iso(raw, encoding)
    return (prepare(record, serialise=True) if record is not None else None), error, warnings


def prepare(record: Record, *, serialise: bool = False) -> Prepared:
    """Everything CPU-bound about storing a record, done without the database. A record read by
    the fast UTF-8 path (JsonRecord) is used through its MARC-in-JSON, never as pymarc fields."""
    marc = record.untouched_json() if isinstance(record, JsonRecord) else None
    if marc is None:
        marc = to_json(record)
    text = RawJSON(json_text(marc)) if serialise else None
    if marc["leader"][6:7] == "z":  # leader/06 z: an authority record
        return Prepared(authority=True, values=extract_authority(record), marc=marc, marc_text=text)
    values = extract_marc(marc)
    system: list[tuple[str, str]] = []
    holdings: list[Holding] = []
    for entry in marc["fields"]:
        for tag, value in entry.items():
            if tag in _SCANNED:
                if tag == "035":
                    system.extend(("035", v.strip()[:128]) for s in value["subfields"]
                                  for c, v in s.items() if c == "a" and v.strip())
                else:
                    subs: dict[str, str] = {}
                    for s in value["subfields"]:
                        for c, v in s.items():
                            subs.setdefault(c, v)
                    holdings.append(holding(tag, subs, values))
    return Prepared(authority=False, values=values, marc=marc, marc_text=text,
                    ids=_identifiers(values, system), holdings=holdings,
                    json_columns={name: RawJSON(json_text(values[name])) if values[name] else _EMPTY_LIST
                                  for name in _JSON_COLUMNS})


_EMPTY_LIST = RawJSON("[]")
_VALUE_KEYS = ("leader", "control_number", "control_number_source", "title", "title_sort", "responsibility",
               "main_author", "authors", "subjects", "ddc", "call_number", "isbns", "issns", "language", "languages",
               "year", "publisher", "place", "edition", "series", "physical", "notes", "material_type", "links")


_JSON_COLUMNS = tuple(f.attname for f in BibRecord._meta.concrete_fields
                      if f.get_internal_type() == "JSONField" and f.attname != "marc")


_SCANNED = frozenset(("035", "852", "952"))


def _identifiers(values: dict[str, Any], system: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("isbn", v) for v in values["isbns"]] + [("issn", v) for v in values["issns"]] + system


def match_keys(p: Prepared, match: str) -> list[tuple[str, str]]:
    """The (kind, value) keys a record is matched on."""
    values = p.values
    if match == "001":
        return [("001", f"{values['control_number']}\x1f{values['control_number_source']}")] \
            if values["control_number"] else []
    if match == "035":
        return [("035", v) for kind, v in p.ids if kind == "035"]
    if match == "isbn":
        return [("isbn", v) for v in values["isbns"]]
    return []


def identifiers(record: Record, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) identifiers of a record indexed for matching: ISBNs, ISSNs, 035 $a."""
    return _identifiers(values, [("035", v.strip()[:128]) for f in record.get_fields("035")
                                 for v in f.get_subfields("a") if v.strip()])


def merge_records(existing: Record, incoming: Record) -> Record:
    """`existing` plus every variable field of `incoming` it does not already have."""
    have = {str(f) for f in existing.fields}
    merged = Record(fields=list(existing.fields))  # type: ignore[arg-type]
    merged.leader = existing.leader
    for f in incoming.fields:
        if not f.control_field and str(f) not in have:
            merged.fields.append(f)
    return merged


# For the length of a bulk import on SQLite: a 64 MB page cache (the indexes of a large catalogue
# stay in memory) and a WAL checkpoint every ~40 MB instead of every 4 MB (fewer fsyncs; durability
# and crash safety are unchanged, the WAL is simply longer between checkpoints).
_SQLITE_IMPORT_PRAGMAS = {"cache_size": -65536, "wal_autocheckpoint": 10000}
# The garbage collector's thresholds while importing: records are acyclic dicts and lists, but
# their sheer number makes the default thresholds run a collection every few records.
_IMPORT_GC_THRESHOLD = (50000, 20, 100)


@contextlib.contextmanager
def import_session() -> Iterator[None]:
    """Process and connection settings for a bulk import (SQLite page cache and checkpoints, the
    garbage collector's pace), restored afterwards. Enter it before starting worker processes."""
    connection = connections[router.db_for_write(BibRecord)]
    saved: dict[str, Any] = {}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name, value in _SQLITE_IMPORT_PRAGMAS.items():
                cursor.execute(f"PRAGMA {name}")
                saved[name] = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA {name} = {int(value)}")
    thresholds = gc.get_threshold()
    gc.freeze()  # the long-lived heap (Django, lookups) is not scanned again while importing
    gc.set_threshold(*_IMPORT_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if saved and connection.connection is not None:
            with connection.cursor() as cursor:
                for name, value in saved.items():
                    cursor.execute(f"PRAGMA {name} = {int(value)}")


_C = TypeVar("_C")
_B = TypeVar("_B")


def shared_batches(chunks: Iterator[_C], *, submit: Callable[[_C], Any], prepare_here: Callable[[_C], _B],
                   in_flight: int, ahead: int = 4) -> Iterator[_B]:
    """Prepared batches in file order, from worker processes (`submit` returns an AsyncResult) and,
    whenever the next one is still not ready after a short wait, from this process itself: on a
    quiet machine the workers keep ahead of the writer, on a loaded one this process takes over
    as much of the parsing as the workers cannot do. At most `ahead` batches are held."""
    pending: collections.deque[tuple[bool, Any]] = collections.deque()
    busy = 0
    patience = 0.05  # seconds to wait for a worker before preparing a batch here: half the last one's time
    source = iter(chunks)
    exhausted = False

    def take() -> _C | None:
        nonlocal exhausted
        chunk = None if exhausted else next(source, None)
        exhausted = chunk is None
        return chunk

    while True:
        while busy < in_flight and len(pending) < ahead and (chunk := take()) is not None:
            pending.append((True, submit(chunk)))
            busy += 1
        while pending and pending[0][0] and len(pending) < ahead:
            pending[0][1].wait(patience)  # nearly ready is common: a batch here takes longer
            if pending[0][1].ready() or (chunk := take()) is None:
                break
            started = time.monotonic()
            pending.append((False, prepare_here(chunk)))
            patience = (time.monotonic() - started) / 2
        if not pending:
            return
        remote, item = pending.popleft()
        if remote:
            busy -= 1
            item = item.get()
        yield item


class Importer:
    """Stores records for one actor into one library (items may go to units below it)."""

    def __init__(self, *, actor: User, library: OrgUnit, match: str = "001", on_match: str = "skip",
                 provenance: str = "") -> None:
        if match not in MATCHES:
            raise ValueError(f"match must be one of {MATCHES}")
        if on_match not in ON_MATCH:
            raise ValueError(f"on_match must be one of {ON_MATCH}")
        require_perm(actor, Perm.CATALOG_EDIT, library)
        self.actor, self.library, self.match, self.on_match = actor, library, match, on_match
        self.provenance = provenance[:255]
        self._units: dict[str, OrgUnit] | None = None
        self._types: dict[str, ItemType] | None = None
        self._unit_cache: dict[str, tuple[OrgUnit, bool, bool, bool]] = {}

    # --- lookups, loaded once per importer -------------------------------------------------
    @property
    def units(self) -> dict[str, OrgUnit]:
        if self._units is None:
            self._units = {u.code.upper(): u for u in OrgUnit.objects.filter(path__startswith=self.library.path)
                           .select_related("kind")}
        return self._units

    def _unit(self, code: str) -> tuple[OrgUnit, bool, bool, bool]:
        """Where an item with library code `code` goes: (unit, code known, unit holds items,
        actor may add items there); worked out once per code and importer."""
        found = self._unit_cache.get(code)
        if found is None:
            unit = self.units.get(code) if code else self.library
            known = unit is not None
            if unit is None:
                unit = self.library
            allowed = unit.pk == self.library.pk or has_perm(self.actor, Perm.CATALOG_EDIT, unit)
            found = self._unit_cache[code] = (unit, known, unit.kind.holds_items, allowed)
        return found

    @property
    def item_types(self) -> dict[str, ItemType]:
        if self._types is None:
            self._types = {t.code.lower(): t for t in ItemType.objects.all()}
        return self._types

    # --- the batch -------------------------------------------------------------------------
    def store(self, records: list[Record]) -> list[ImportOutcome]:
        """Store records (call inside transaction.atomic); one outcome per record, in order."""
        return self.store_prepared([prepare(r) for r in records])

    def store_prepared(self, records: list[Prepared]) -> list[ImportOutcome]:
        """Store prepared records (call inside transaction.atomic); one outcome per record, in order."""
        outcomes: list[ImportOutcome | None] = [None] * len(records)
        auth_idx = [i for i, r in enumerate(records) if r.authority]
        if auth_idx:
            for i, outcome in zip(auth_idx, self._store_authorities([records[i] for i in auth_idx]), strict=True):
                outcomes[i] = outcome
        bib_idx = [i for i, r in enumerate(records) if not r.authority]
        # Split where a key repeats inside the batch, so a later duplicate sees the earlier record.
        start = 0
        while start < len(bib_idx):
            seen: set[tuple[str, str]] = set()
            chunk: list[tuple[int, Prepared, list[tuple[str, str]]]] = []
            for pos in range(start, len(bib_idx)):
                i = bib_idx[pos]
                keys = match_keys(records[i], self.match)
                if not seen.isdisjoint(keys):
                    break
                seen.update(keys)
                chunk.append((i, records[i], keys))
            for (i, *_rest), outcome in zip(chunk, self._store_bibs(chunk), strict=True):
                outcomes[i] = outcome
            start += len(chunk)
        return [o for o in outcomes if o is not None]

    def _find(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        if not keys:
            return found
        qn = connections[router.db_for_read(BibRecord)].ops.quote_name
        bibs = qn(BibRecord._meta.db_table)
        if self.match == "001":
            numbers = {k[1].split("\x1f")[0] for k in keys}
            # is_deleted is tested here, not in SQL: SQLite would pick its index over control_number's.
            rows = select_in(f"SELECT id, control_number, control_number_source, is_deleted FROM {bibs} "  # noqa: S608
                             "WHERE control_number IN ({})", numbers, model=BibRecord)
            for pk, num, src, deleted in sorted(rows):
                if not deleted:
                    found.setdefault(("001", f"{num}\x1f{src}"), pk)
        else:
            kind = "035" if self.match == "035" else "isbn"
            idents = qn(BibIdentifier._meta.db_table)
            rows = select_in(f"SELECT i.record_id, i.value, b.is_deleted FROM {idents} i "  # noqa: S608
                             f"JOIN {bibs} b ON b.id = i.record_id WHERE i.kind = %s AND i.value IN ({{}})",
                             {k[1] for k in keys}, model=BibIdentifier, params=(kind,))
            for pk, value, deleted in sorted(rows):
                if not deleted:
                    found.setdefault((kind, value), pk)
        return {k: v for k, v in found.items() if k in keys}

    def _store_bibs(self, chunk: list[tuple[int, Prepared, list[tuple[str, str]]]]) -> list[ImportOutcome]:
        all_keys = {k for _i, _p, keys in chunk for k in keys}
        existing = self._find(all_keys)
        outcomes: list[ImportOutcome] = []
        new: list[tuple[dict[str, Any], Prepared, ImportOutcome]] = []
        touched: list[tuple[BibRecord, Prepared, ImportOutcome]] = []
        matched = set(existing.values())
        current = BibRecord.objects.in_bulk(list(matched)) if matched and self.on_match != "skip" else {}
        fixed = {"owner_id": self.library.pk, "created_by_id": self.actor.pk, "provenance": self.provenance,
                 "is_deleted": False, "deleted_at": None}
        for _i, p, keys in chunk:
            hit = next((existing[k] for k in keys if k in existing), None)
            if hit is not None:
                if self.on_match == "skip":
                    outcomes.append(ImportOutcome(action="skipped", bib_id=hit))
                    continue
                bib = current[hit]
                if self.on_match == "merge":
                    p = prepare(merge_records(from_json(bib.marc), from_json(p.marc_dict())))
                for name, value in p.values.items():
                    setattr(bib, name, value)
                bib.marc = p.marc_dict()
                if self.provenance:
                    bib.provenance = self.provenance
                outcome = ImportOutcome(action="updated", bib_id=hit)
                touched.append((bib, p, outcome))
            else:
                row = {**p.values, **p.json_columns, "marc": p.marc_text if p.marc_text is not None else p.marc,
                       **fixed}
                outcome = ImportOutcome(action="imported")
                new.append((row, p, outcome))
            outcomes.append(outcome)
        if new:
            for (row, _p, _o), value in zip(new, new_uuids(BibRecord, len(new)), strict=True):
                row["uuid"] = value
            for (_row, _p, outcome), pk in zip(new, insert_rows_returning_ids(BibRecord, [row for row, _p, _o in new]),
                                              strict=True):
                outcome.bib_id = pk
        for bib, _p, _o in touched:
            bib.save()
        if touched:
            BibIdentifier.objects.filter(record__in=[t[0] for t in touched]).delete()
        stored: list[tuple[int, Prepared, ImportOutcome]] = [
            (int(o.bib_id or 0), p, o) for _x, p, o in [*new, *touched]]
        insert_rows(BibIdentifier, ({"record_id": pk, "kind": kind, "value": value}
                                    for pk, p, _o in stored for kind, value in p.ids))
        self._items(stored)
        outbox_enqueue(pk for pk, _p, _o in stored)
        return outcomes

    # --- items from 852/952 ----------------------------------------------------------------
    def _items(self, stored: list[tuple[int, Prepared, ImportOutcome]]) -> None:
        wanted = [(pk, h, outcome) for pk, p, outcome in stored for h in p.holdings]
        if not wanted:
            return
        items_table = connections[router.db_for_read(Item)].ops.quote_name(Item._meta.db_table)
        taken = {row[0] for row in select_in(f"SELECT barcode FROM {items_table} WHERE barcode IN ({{}})",  # noqa: S608
                                             {h.barcode for _b, h, _o in wanted}, model=Item)}
        items: list[dict[str, Any]] = []
        for bib, h, outcome in wanted:
            item = self._item_row(bib, h, outcome.warnings, taken)
            if item is not None:
                taken.add(h.barcode)
                items.append(item)
                outcome.items += 1
        for item, value in zip(items, new_uuids(Item, len(items)), strict=True):
            item["uuid"] = value
        insert_rows(Item, items)

    def _item_row(self, record_id: int, h: Holding, warnings: list[str], taken: set[str]) -> dict[str, Any] | None:
        """The Item row (without its uuid) for one 852/952 field, or None with a warning saying why."""
        tag, barcode = h.tag, h.barcode
        if not barcode:
            warnings.append(f"{tag}: no barcode ($p); no item created")
            return None
        if barcode in taken:
            warnings.append(f"{tag}: barcode {barcode} already exists; no item created")
            return None
        code = h.library_code
        unit, known, holds, allowed = self._unit(code)
        if not known:
            warnings.append(f"{tag}: library code {code!r} is not {self.library.code} or below it; item put in "
                            f"{self.library.code}")
        if not holds:
            warnings.append(f"{tag}: {unit.code} does not hold items; item {barcode} not created")
            return None
        if not allowed:
            warnings.append(f"{tag}: no permission to add items at {unit.code}; item {barcode} not created")
            return None
        types = self.item_types
        item_type = types.get(h.type_code) or types.get(h.default_type)
        if item_type is None:
            raise LookupError("item types are missing; run the catalog migrations")
        if h.price_warning:
            warnings.append(h.price_warning)
        return {"record_id": record_id, "library_id": unit.pk, "barcode": barcode, "call_number": h.call_number,
                "shelving_location": h.location, "item_type_id": item_type.pk, "status": _AVAILABLE,
                "price": h.price, "acquired_on": h.acquired_on, "acquisition_source": h.source, "notes": h.notes,
                "rfid_tag": None}

    # --- authorities -----------------------------------------------------------------------
    def _store_authorities(self, records: list[Prepared]) -> list[ImportOutcome]:
        rows = [(p, p.values) for p in records]
        numbers = {v["control_number"] for _r, v in rows if v["control_number"]}
        existing = {(a.control_number, a.control_number_source): a
                    for a in AuthorityRecord.objects.filter(control_number__in=numbers, is_deleted=False)}
        outcomes: list[ImportOutcome] = []
        new: list[AuthorityRecord] = []
        for prepared, values in rows:
            key = (values["control_number"], values["control_number_source"])
            found = existing.get(key) if values["control_number"] and self.match != "none" else None
            if found is not None and self.on_match == "skip":
                outcomes.append(ImportOutcome(action="skipped", authority=found))
                continue
            if found is not None:
                for name, value in values.items():
                    setattr(found, name, value)
                found.marc = prepared.marc_dict()
                found.save()
                outcomes.append(ImportOutcome(action="updated", authority=found))
                continue
            auth = AuthorityRecord(marc=prepared.marc_dict(), **values)
            if values["control_number"]:
                existing[key] = auth
            new.append(auth)
            outcomes.append(ImportOutcome(action="imported", authority=auth))
        AuthorityRecord.objects.bulk_create(new, batch_size=500)
        return outcomes

    def audit_batch(self, outcomes: list[ImportOutcome], *, source: str) -> None:
        """One audit entry for a batch: which records were created and updated, from where."""
        created = [o.bib_id for o in outcomes if o.bib_id is not None and o.action == "imported"]
        updated = [o.bib_id for o in outcomes if o.bib_id is not None and o.action == "updated"]
        auths = [o.authority.pk for o in outcomes if o.authority is not None and o.action != "skipped"]
        if created or updated or auths:
            audit(actor=self.actor, action="catalog.import", unit=self.library, object_type="catalog.bibrecord",
                  object_repr=source[:500], changes={"created": created, "updated": updated, "authorities": auths,
                                                     "items": sum(o.items for o in outcomes)})

