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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import orjson
from django.db import connections, router
from django.utils import timezone
from pymarc import Record

from thuvien.catalog.bulk import (
    RawJSON,
    adapter,
    insert_tuples,
    insert_tuples_returning_ids,
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


class Prepared:
    """A record reduced to what storing it needs, worked out without the database (so worker
    processes can prepare records in parallel): extracted values, MARC-in-JSON (and its JSON
    text), identifiers, 852/952 holdings as {code: first value}.

    A bibliographic record prepared with serialise=True also carries `row`: its BibRecord columns
    (BIB_ROW_COLUMNS) as the database takes them, JSON already text. That row is all that travels
    from a worker to the writer, which inserts it as it is; `values`, `json_columns` and `marc`
    are rebuilt from it only if asked for (an overlay or merge, a test).
    """

    __slots__ = ("authority", "_values", "marc", "_marc_text", "ids", "holdings", "_json_columns", "row")

    def __init__(self, *, authority: bool, values: dict[str, Any] | None, marc: dict[str, Any] | None,
                 marc_text: RawJSON | None = None, ids: list[tuple[str, str]] | None = None,
                 holdings: list[Holding] | None = None, json_columns: dict[str, RawJSON] | None = None,
                 row: tuple[Any, ...] | None = None) -> None:
        self.authority, self._values, self.marc, self._marc_text = authority, values, marc, marc_text
        self.ids = ids if ids is not None else []
        self.holdings = holdings if holdings is not None else []
        self._json_columns = json_columns
        self.row = row

    @property
    def values(self) -> dict[str, Any]:
        """The extracted column values (rebuilt from `row` after a trip through a worker)."""
        if self._values is None:
            row = self.row or ()
            self._values = {name: orjson.loads(row[i]) if i in _JSON_AT else row[i]
                            for i, name in enumerate(_VALUE_KEYS)}
        return self._values

    def scalar(self, name: str) -> Any:
        """One of the values that is not JSON, read from `row` if the values were not rebuilt."""
        if self._values is not None or self.row is None:
            return self.values[name]
        return self.row[_SCALAR_AT[name]]

    @property
    def json_columns(self) -> dict[str, RawJSON]:
        """JSON text of the values' list columns (bibliographic records only)."""
        if self._json_columns is None:
            self._json_columns = {name: RawJSON(self.row[i]) for i, name in _JSON_AT.items()} if self.row else {}
        return self._json_columns

    @property
    def marc_text(self) -> RawJSON | None:
        """The MARC-in-JSON as JSON text, when prepared with serialise=True."""
        if self._marc_text is None and self.row is not None:
            self._marc_text = RawJSON(self.row[-1])
        return self._marc_text

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled compactly for the trip from a worker process to the writer: a bibliographic
        record with its row goes as the row, identifiers and holdings, all flat tuples of plain
        values (unpickling thousands of small objects and dicts would cost the writer more than
        the worker saved it); anything else goes whole, its MARC as JSON text where there is one."""
        holdings = tuple(tuple(h) for h in self.holdings)  # (Decimal and date pickle in C)
        if self.row is not None:
            return _unpack_row, (self.row, tuple(self.ids), holdings)
        return _unpack, (self.authority, self.values, self.marc if self._marc_text is None else None,
                         self._marc_text, tuple(self.ids), holdings)

    def marc_dict(self) -> dict[str, Any]:
        """The MARC-in-JSON dict (decoded again from marc_text after a trip through a worker)."""
        if self.marc is None:
            self.marc = orjson.loads(str(self.marc_text or "null"))  # exactly str: orjson refuses subclasses
        return self.marc  # type: ignore[return-value]

    def bib_row(self) -> tuple[Any, ...]:
        """The BIB_ROW_COLUMNS values of a bibliographic record, as the database takes them."""
        if self.row is None:
            values, columns = self.values, self.json_columns
            # plain str, not RawJSON: it pickles smaller, and orjson reads only exact str
            self.row = (*[str(columns[name]) if i in _JSON_AT else values[name] for i, name in enumerate(_VALUE_KEYS)],
                        str(self.marc_text if self.marc_text is not None else json_text(self.marc_dict())))
        return self.row


def _unpack_row(row: tuple[Any, ...], ids: tuple[tuple[str, str], ...],
                holdings: tuple[tuple[Any, ...], ...]) -> Prepared:
    prepared = _new_prepared(Prepared)  # __init__ is measurable here, 2,000 times a batch
    prepared.authority, prepared._values, prepared.marc, prepared._marc_text = False, None, None, None
    prepared.ids, prepared.holdings = list(ids), [_make_holding(h) for h in holdings]
    prepared._json_columns, prepared.row = None, row
    return prepared


def _unpack(authority: bool, values: dict[str, Any], marc: dict[str, Any] | None, marc_text: str | None,
            ids: tuple[tuple[str, str], ...], holdings: tuple[tuple[Any, ...], ...]) -> Prepared:
    return Prepared(authority=authority, values=values, marc=marc,
                    marc_text=RawJSON(marc_text) if marc_text is not None else None, ids=list(ids),
                    holdings=[_make_holding(h) for h in holdings])


_new_prepared = object.__new__
_make_holding = Holding._make


def prepare_raw(raw: bytes, *, encoding: str = "auto") -> tuple[Prepared | None, str | None, list[str]]:
    """Read and prepare one ISO 2709 record in a worker process: (prepared, error, warnings)."""
    record, error, warnings = read_iso(raw, encoding)
    return (prepare(record, serialise=True) if record is not None else None), error, warnings


def prepare(record: Record, *, serialise: bool = False) -> Prepared:
    """Everything CPU-bound about storing a record, done without the database. A record read by
    the fast UTF-8 path (JsonRecord) is used through its MARC-in-JSON, never as pymarc fields.
    With `serialise` the MARC is also turned into JSON text, and a bibliographic record into
    its database row (what a worker process sends the writer)."""
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
    prepared = Prepared(authority=False, values=values, marc=marc, marc_text=text,
                        ids=_identifiers(values, system), holdings=holdings,
                        json_columns={name: RawJSON(json_text(values[name])) if values[name] else _EMPTY_LIST
                                      for name in _JSON_COLUMNS})
    if serialise:
        prepared.bib_row()
    return prepared


_EMPTY_LIST = RawJSON("[]")
_VALUE_KEYS = ("leader", "control_number", "control_number_source", "title", "title_sort", "responsibility",
               "main_author", "authors", "subjects", "ddc", "call_number", "isbns", "issns", "language", "languages",
               "year", "publisher", "place", "edition", "series", "physical", "notes", "material_type", "links")


_JSON_COLUMNS = tuple(f.attname for f in BibRecord._meta.concrete_fields
                      if f.get_internal_type() == "JSONField" and f.attname != "marc")


_JSON_AT = {i: name for i, name in enumerate(_VALUE_KEYS) if name in _JSON_COLUMNS}
_SCALAR_AT = {name: i for i, name in enumerate(_VALUE_KEYS) if i not in _JSON_AT}
# The BibRecord columns of Prepared.row, in its order (the extracted values, then the MARC), and
# the ones the writer adds to each row.
BIB_ROW_COLUMNS = (*_VALUE_KEYS, "marc")
_BIB_WRITER_COLUMNS = ("owner_id", "created_by_id", "provenance", "is_deleted", "deleted_at", "created_at",
                       "updated_at", "uuid")
_BIB_COLUMNS = (*BIB_ROW_COLUMNS, *_BIB_WRITER_COLUMNS)
_IDENTIFIER_COLUMNS = ("record_id", "kind", "value")
_ITEM_COLUMNS = ("record_id", "library_id", "barcode", "call_number", "shelving_location", "item_type_id", "status",
                 "price", "acquired_on", "acquisition_source", "notes", "rfid_tag", "uuid", "created_at", "updated_at")

_PRICE_AT, _DATE_AT = _ITEM_COLUMNS.index("price"), _ITEM_COLUMNS.index("acquired_on")

_SCANNED = frozenset(("035", "852", "952"))


def _identifiers(values: dict[str, Any], system: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("isbn", v) for v in values["isbns"]] + [("issn", v) for v in values["issns"]] + system


def match_keys(p: Prepared, match: str) -> list[tuple[str, str]]:
    """The (kind, value) keys a record is matched on (without rebuilding a worker's record's values)."""
    if match == "001":
        number = p.scalar("control_number")
        return [("001", f"{number}\x1f{p.scalar('control_number_source')}")] if number else []
    if match in ("035", "isbn"):
        return [(kind, v) for kind, v in p.ids if kind == match]  # ids hold every ISBN of values["isbns"]
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
                   in_flight: int, ahead: int = 6) -> Iterator[_B]:
    """Prepared batches in file order, from worker processes (`submit` returns an AsyncResult) and,
    whenever the next one is not ready yet, from this process itself: neither side waits for the
    other while there is work. The workers always have `in_flight` chunks to work on; the writer
    (the caller) prepares a later chunk itself instead of waiting, so on a quiet machine with many
    cores the workers keep ahead of it and on a loaded or small one it takes over as much of the
    parsing as they cannot do. At most `ahead` batches are held (memory stays flat)."""
    pending: collections.deque[tuple[bool, Any]] = collections.deque()
    source = iter(chunks)
    exhausted = False

    def take() -> _C | None:
        nonlocal exhausted
        chunk = None if exhausted else next(source, None)
        exhausted = chunk is None
        return chunk

    def running() -> int:  # chunks a worker has still to finish (a finished one waiting here does not count)
        return sum(1 for remote, result in pending if remote and not result.ready())

    while True:
        while len(pending) < ahead and running() < in_flight and (chunk := take()) is not None:
            pending.append((True, submit(chunk)))
        if pending and pending[0][0] and not pending[0][1].ready() and len(pending) < ahead \
                and (chunk := take()) is not None:
            pending.append((False, prepare_here(chunk)))
            continue
        if not pending:
            return
        remote, item = pending.popleft()
        yield item.get() if remote else item


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
        self._owner_cache: dict[int | None, str] = {}

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

    def _owner_refusal(self, bib: BibRecord) -> str:
        """Why the actor may not overlay or merge into `bib` (owned by a library outside their
        cataloguing subtree), or "" when they may; worked out once per owning unit."""
        owner_id = bib.owner_id
        if owner_id not in self._owner_cache:
            owner = OrgUnit.objects.filter(pk=owner_id).first() if owner_id is not None else None
            allowed = has_perm(self.actor, Perm.CATALOG_EDIT, owner)
            self._owner_cache[owner_id] = "" if allowed else (
                f"record {bib.control_number or bib.pk} is owned by {owner.code if owner else 'the network'}; "
                "not overlaid (send the owner a change request)")
        return self._owner_cache[owner_id]

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
        new: list[tuple[tuple[Any, ...], Prepared, ImportOutcome]] = []
        touched: list[tuple[BibRecord, Prepared, ImportOutcome]] = []
        matched = set(existing.values())
        current = BibRecord.objects.in_bulk(list(matched)) if matched and self.on_match != "skip" else {}
        for _i, p, keys in chunk:
            hit = next((existing[k] for k in keys if k in existing), None)
            if hit is not None:
                if self.on_match == "skip":
                    outcomes.append(ImportOutcome(action="skipped", bib_id=hit))
                    continue
                bib = current[hit]
                refusal = self._owner_refusal(bib)
                if refusal:
                    outcomes.append(ImportOutcome(action="skipped", bib_id=hit, warnings=[refusal]))
                    continue
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
                outcome = ImportOutcome(action="imported")
                new.append((p.bib_row(), p, outcome))
            outcomes.append(outcome)
        if new:
            connection = connections[router.db_for_write(BibRecord)]
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            fixed = (self.library.pk, self.actor.pk, self.provenance, False, None, now, now)
            rows = [(*row, *fixed, value) for (row, _p, _o), value in zip(new, new_uuids(BibRecord, len(new)),
                                                                           strict=True)]
            for (_row, _p, outcome), pk in zip(new, insert_tuples_returning_ids(BibRecord, _BIB_COLUMNS, rows),
                                              strict=True):
                outcome.bib_id = pk
        for bib, _p, _o in touched:
            bib.save()
        if touched:
            BibIdentifier.objects.filter(record__in=[t[0] for t in touched]).delete()
        stored: list[tuple[int, Prepared, ImportOutcome]] = [
            (int(o.bib_id or 0), p, o) for _x, p, o in [*new, *touched]]
        insert_tuples(BibIdentifier, _IDENTIFIER_COLUMNS, [(pk, kind, value) for pk, p, _o in stored
                                                           for kind, value in p.ids])
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
        items: list[tuple[Any, ...]] = []
        for bib, h, outcome in wanted:
            item = self._item_row(bib, h, outcome.warnings, taken)
            if item is not None:
                taken.add(h.barcode)
                items.append(item)
                outcome.items += 1
        connection = connections[router.db_for_write(Item)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        price, date = adapter(Item, "price"), adapter(Item, "acquired_on")
        rows = []
        for item, value in zip(items, new_uuids(Item, len(items)), strict=True):
            row = [*item, value, now, now]
            if item[_PRICE_AT] is not None:
                row[_PRICE_AT] = price(item[_PRICE_AT])
            if item[_DATE_AT] is not None:
                row[_DATE_AT] = date(item[_DATE_AT])
            rows.append(tuple(row))
        insert_tuples(Item, _ITEM_COLUMNS, rows)

    def _item_row(self, record_id: int, h: Holding, warnings: list[str], taken: set[str]) -> tuple[Any, ...] | None:
        """The Item row for one 852/952 field (_ITEM_COLUMNS up to rfid_tag, price and date not yet
        adapted), or None with a warning saying why."""
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
        return (record_id, unit.pk, barcode, h.call_number, h.location, item_type.pk, _AVAILABLE,
                h.price, h.acquired_on, h.source, h.notes, None)

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

