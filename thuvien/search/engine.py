"""The embedded tantivy index of one process, kept in step with the database through the outbox.

Layout under settings.THUVIEN_INDEX_DIR:
    slot-N.lock      an flock held for the life of the process that owns slot N
    slot-N/tantivy/  the tantivy index
    slot-N/state.json  {"schema": SCHEMA_VERSION, "cursor": last applied outbox id, "gaps": {id: seen_at}}
    slot-N/rebuild-requested  written by `thuvien reindex` for a slot owned by a running process

Each process takes the first free slot, so a restarted process reuses its predecessor's index and
only applies the outbox entries it missed. The database is the source of truth: a missing,
incompatible or corrupt index is rebuilt from it.

Under `thuvien serve` (settings.THUVIEN_INDEX_WRITER == "indexer") one process per machine, the
`thuvien indexer`, owns the slot named `slot-indexer` and is the only writer; web processes and
the background worker open that index read-only (`IndexReader`), reload it when state.json moves
on, and never apply the outbox nor rebuild. Elsewhere ("self": commands, tests) a process keeps
its own slot and applies the outbox itself, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import tantivy
from django.conf import settings
from django.db import connection
from django.db.models import Max, Q

from thuvien.search.documents import PREFIX_GRAM_FIELDS, IndexDoc, documents_for, iter_all_documents
from thuvien.search.models import OutboxEntry, OutboxPruneMark

log = logging.getLogger("thuvien.search")

SCHEMA_VERSION = 6  # 6: the digital copies' full text in its own fields (fulltext, fulltext_f)
MAX_SLOTS = 64
APPLY_BATCH = 2000
# An outbox id below the cursor that is not yet visible may belong to a transaction still open;
# we keep asking for it this long before deciding it was rolled back.
GAP_TIMEOUT_S = 600.0
MAX_GAPS = 200  # ranges
WRITER_HEAP = 64_000_000
# Building from scratch: a bigger heap per thread means fewer, larger segments (fewer merges while
# building, and every query visits fewer segments): a thread per 200 MB of the budget, up to 4.
BUILD_HEAP_PER_THREAD = 200_000_000
MIN_HEAP_PER_THREAD = 20_000_000  # tantivy refuses less than 15 MB a thread
IN_PROCESS_SHARE = 4  # an in-process rebuild (a web worker finding its index missing) takes 1/4


def build_writer_budget(memory_mb: int, cpus: int) -> tuple[int, int]:
    """(threads, heap bytes per thread) for building an index within `memory_mb` of writer memory."""
    budget = max(memory_mb * 1_000_000, MIN_HEAP_PER_THREAD)
    threads = max(1, min(4, cpus, budget // BUILD_HEAP_PER_THREAD))
    return threads, max(MIN_HEAP_PER_THREAD, budget // threads)

TEXT_FIELDS = ("title", "author", "subject", "series", "publisher", "notes", "fulltext")
RAW_FAST = ("auth", "lib_code", "lang", "mtype", "subj", "ddc_h", "ddc_t", "title_key", "author_key", "libset", "availset")


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="default")
        sb.add_text_field(name + "_f", tokenizer_name="default")
    sb.add_text_field("callno_f", tokenizer_name="default")
    sb.add_text_field("title_s", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("author_s", stored=True, tokenizer_name="raw", index_option="basic")
    for name in PREFIX_GRAM_FIELDS:
        sb.add_text_field(name + "_p", tokenizer_name="default", index_option="basic")
    for name in ("isbn", "issn", "cn", "ddc", "avail_any", "author_h"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in RAW_FAST:
        sb.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_integer_field("lib", indexed=True)
    sb.add_integer_field("avail", indexed=True)
    sb.add_integer_field("newest", fast=True)
    sb.add_integer_field("oldest", fast=True)
    return sb.build()


_generations = itertools.count(1)


class IndexUnavailable(RuntimeError):
    """No slot could be taken or the index could not be opened even after a rebuild."""


Progress = Callable[[int, int], None]


class _SlotFiles:
    """Where a slot's index lives: `base_dir/slot-<slot>/` with the tantivy files and state.json."""

    base_dir: Path
    slot: int | str | None

    @property
    def slot_dir(self) -> Path:
        return self.base_dir / f"slot-{self.slot}"

    @property
    def tantivy_dir(self) -> Path:
        return self.slot_dir / "tantivy"

    @property
    def state_path(self) -> Path:
        return self.slot_dir / "state.json"


class SearchIndex(_SlotFiles):
    """One process's index: open (or rebuild), apply the outbox, hand out searchers."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = Path(base_dir)
        self.schema = build_schema()
        self.lock = threading.RLock()
        self.slot: int | str | None = None
        self._slot_file: IO[str] | None = None
        self.index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self.cursor = 0
        # Changes (process-wide unique) whenever the searcher may see different documents; caches key on it.
        self.generation = next(_generations)
        # Ranges of outbox ids below the cursor not yet seen: (first, last, when first noticed).
        self.gaps: list[tuple[int, int, float]] = []
        self.build = 0  # when this slot's index was built from scratch (readers reopen when it changes)

    # ---- slots and files -------------------------------------------------------------------
    @property
    def rebuild_flag(self) -> Path:
        return self.slot_dir / "rebuild-requested"

    def _take_slot(self, only: int | str | None = None) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        slots: list[int | str] = [only] if only is not None else list(range(MAX_SLOTS))
        for n in slots:
            f = open(self.base_dir / f"slot-{n}.lock", "a+")  # noqa: SIM115 (held for the process life)
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.close()
                continue
            self.slot, self._slot_file = n, f
            return
        raise IndexUnavailable(f"no free search index slot under {self.base_dir}")

    def release(self) -> None:
        """Close the index and free the slot (tests, commands)."""
        with self.lock:
            self._close_writer()
            self.index = None
            if self._slot_file is not None:
                fcntl.flock(self._slot_file, fcntl.LOCK_UN)
                self._slot_file.close()
                self._slot_file = None
            self.slot = None

    def _read_state(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
            return None
        return data

    def _write_state(self) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        payload = {"schema": SCHEMA_VERSION, "cursor": self.cursor, "gaps": [list(g) for g in self.gaps],
                   "build": self.build}
        tmp.write_text(json.dumps(payload))
        os.replace(tmp, self.state_path)

    # ---- opening -----------------------------------------------------------------------------
    def ensure_open(self) -> None:
        """Take a slot and open its index; rebuild it from the database when missing or broken."""
        if self.index is not None:
            return
        with self.lock:
            if self.index is not None:
                return
            if self.slot is None:
                self._take_slot()
            state = self._read_state()
            if state is not None and not self.rebuild_flag.exists():
                try:
                    index = tantivy.Index.open(str(self.tantivy_dir))
                    index.config_reader(reload_policy="manual")
                    index.searcher().num_docs  # noqa: B018 (touch the segments: raises if corrupt)
                except (ValueError, OSError) as exc:
                    log.warning("search index %s unreadable (%s); rebuilding", self.tantivy_dir, exc)
                else:
                    self.index = index
                    self.generation = next(_generations)
                    self.cursor = int(state.get("cursor", 0))
                    self.build = int(state.get("build", 0))
                    self.gaps = [(int(a), int(b), float(t)) for a, b, t in (state.get("gaps") or [])]
                    if self.cursor < pruned_through():
                        log.warning("search index %s missed pruned outbox entries; rebuilding", self.slot_dir)
                        self.index = None
                    else:
                        return
            self.rebuild()

    # ---- writing -----------------------------------------------------------------------------
    def _close_writer(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(ValueError):
                self._writer.rollback()
            self._writer = None

    def _get_writer(self) -> tantivy.IndexWriter:
        assert self.index is not None
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    def _to_document(self, doc: IndexDoc) -> tantivy.Document:
        return tantivy.Document.from_dict(doc.to_fields(), self.schema)

    def rebuild(self, progress: Progress | None = None, memory_mb: int | None = None) -> int:
        """Build this slot's index from scratch from the database; returns the number of documents.
        The writer gets `memory_mb` (default: a quarter of THUVIEN_INDEX_BUILD_MEMORY_MB, as when a
        serving process rebuilds its own index; `thuvien reindex` passes the whole budget)."""
        if memory_mb is None:
            share = 1 if self.slot == INDEXER_SLOT else IN_PROCESS_SHARE  # the indexer has the machine's budget
            memory_mb = max(50, settings.THUVIEN_INDEX_BUILD_MEMORY_MB // share)
        with self.lock:
            if self.slot is None:
                self._take_slot()
            self._close_writer()
            self.index = None
            # The machine's indexer builds beside the index its readers are using and swaps at the
            # end, so searches keep their index meanwhile; any other slot starts again from nothing.
            swap = self.slot == INDEXER_SLOT and self.state_path.exists()
            build_dir = self.slot_dir / "tantivy.new" if swap else self.tantivy_dir
            if swap:
                shutil.rmtree(build_dir, ignore_errors=True)
            else:
                shutil.rmtree(self.slot_dir, ignore_errors=True)
            build_dir.mkdir(parents=True)
            # Entries older than the gap timeout are covered by the rows we are about to read;
            # newer ones are applied again afterwards (applying is idempotent).
            cutoff = time.time() - GAP_TIMEOUT_S
            start_cursor = _cursor_before(cutoff)
            from thuvien.catalog.models import BibRecord

            total = BibRecord.objects.filter(is_deleted=False).count()
            index = tantivy.Index(self.schema, path=str(build_dir), reuse=False)
            threads, heap = build_writer_budget(memory_mb, os.cpu_count() or 1)
            writer = index.writer(heap_size=heap * threads, num_threads=threads)
            done = 0
            for batch in iter_all_documents():
                for doc in batch:
                    writer.add_document(self._to_document(doc))
                done += len(batch)
                if progress:
                    progress(done, total)
            writer.commit()
            writer.wait_merging_threads()
            if swap:
                old = self.slot_dir / "tantivy.old"
                shutil.rmtree(old, ignore_errors=True)
                if self.tantivy_dir.exists():
                    os.rename(self.tantivy_dir, old)  # readers keep their open (mapped) files
                os.rename(build_dir, self.tantivy_dir)
                index = tantivy.Index.open(str(self.tantivy_dir))
            index.config_reader(reload_policy="manual")
            index.reload()
            self.index = index
            self.generation = next(_generations)
            self.cursor, self.gaps = start_cursor, []
            self.build = time.time_ns()
            self._write_state()  # readers open the new index when they see the new build
            self.rebuild_flag.unlink(missing_ok=True)
            if swap:
                shutil.rmtree(self.slot_dir / "tantivy.old", ignore_errors=True)
            if progress:
                progress(done, total)
            log.info("search index %s rebuilt: %d records", self.slot_dir, done)
        self.sync()
        return done

    def sync(self) -> int:
        """Apply the outbox entries this index has not seen; returns how many records were re-indexed."""
        if self.index is None or self.rebuild_flag.exists():
            self.ensure_open() if self.index is None else self.rebuild()
        applied = 0
        with self.lock:
            while True:
                entries = self._pending()
                if not entries:
                    self._expire_gaps()
                    return applied
                applied += self._apply(entries)
                if len(entries) < APPLY_BATCH:
                    return applied

    def _pending(self) -> list[tuple[int, int]]:
        """The next outbox entries to apply: after the cursor, or in a gap (one cheap query per search)."""
        if not self.gaps:  # the usual case, on every search: plain SQL, no ORM compile
            table = connection.ops.quote_name(OutboxEntry._meta.db_table)
            with connection.cursor() as cur:
                cur.execute(f"SELECT id, record_id FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                            [self.cursor, APPLY_BATCH])
                return [(int(i), int(r)) for i, r in cur.fetchall()]
        cond = Q(id__gt=self.cursor)
        for lo, hi, _ in self.gaps:
            cond |= Q(id__range=(lo, hi))
        return list(OutboxEntry.objects.filter(cond).order_by("id").values_list("id", "record_id")[:APPLY_BATCH])

    def _apply(self, entries: list[tuple[int, int]]) -> int:
        record_ids = {r for _, r in entries}
        docs = documents_for(record_ids)
        writer = self._get_writer()
        try:
            for rid, doc in docs.items():
                writer.delete_documents_by_term("id", rid)
                if doc is not None:
                    writer.add_document(self._to_document(doc))
            writer.commit()
        except BaseException:
            self._close_writer()
            raise
        assert self.index is not None
        self.index.reload()
        self.generation = next(_generations)
        now = time.time()
        seen = sorted({i for i, _ in entries})
        gaps: list[tuple[int, int, float]] = []
        for lo, hi, t in self.gaps:  # split known gaps around the ids that have now appeared
            start = lo
            for i in seen:
                if lo <= i <= hi:
                    if i > start:
                        gaps.append((start, i - 1, t))
                    start = i + 1
            if start <= hi:
                gaps.append((start, hi, t))
        expected = self.cursor + 1
        for i in seen:  # ids skipped past the cursor may belong to transactions still open
            if i > self.cursor:
                if i > expected:
                    gaps.append((expected, i - 1, now))
                expected = i + 1
        self.cursor = max(self.cursor, seen[-1])
        self.gaps = gaps
        self._expire_gaps(now)
        self._write_state()
        return len(record_ids)

    def _expire_gaps(self, now: float | None = None) -> None:
        now = now or time.time()
        kept = [g for g in self.gaps if now - g[2] < GAP_TIMEOUT_S][-MAX_GAPS:]
        if len(kept) != len(self.gaps):
            self.gaps = kept
            self._write_state()

    def in_gap(self, outbox_id: int) -> bool:
        return any(lo <= outbox_id <= hi for lo, hi, _ in self.gaps)

    def searcher(self) -> tantivy.Searcher:
        self.ensure_open()
        assert self.index is not None
        return self.index.searcher()

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.tantivy_dir.rglob("*") if p.is_file())


def _cursor_before(cutoff: float) -> int:
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(cutoff, tz=UTC)
    top = OutboxEntry.objects.filter(created_at__lt=moment).aggregate(m=Max("id"))["m"]
    return int(top or 0)


def pruned_through() -> int:
    return int(OutboxPruneMark.objects.aggregate(m=Max("pruned_through"))["m"] or 0)


INDEXER_SLOT = "indexer"
READ_YOUR_WRITES_WAIT_S = 2.0  # how long a search waits for the indexer to pass its caller's writes
READ_YOUR_WRITES_POLL_S = 0.01


class IndexRebuilding(IndexUnavailable):
    """The machine's indexer has no committed index yet (first start, or rebuilding it)."""


class IndexReader(_SlotFiles):
    """The machine's shared index opened read-only (web processes under `thuvien serve`).

    Never writes: it reloads when the indexer's state.json changes (one stat per search), and a
    search after the caller's own write waits, at most READ_YOUR_WRITES_WAIT_S, until the indexer's
    cursor has passed that write's outbox id."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = Path(base_dir)
        self.schema = build_schema()
        self.lock = threading.Lock()
        self.slot: int | str | None = INDEXER_SLOT
        self.index: tantivy.Index | None = None
        self.cursor = 0
        self.generation = next(_generations)
        self.gaps: list[tuple[int, int, float]] = []
        self._stamp: tuple[int, int, int] | None = None
        self._build: int | None = None

    def refresh(self) -> None:
        """Follow the indexer's last commit; raises IndexRebuilding while there is none."""
        try:
            st = os.stat(self.state_path)
        except OSError:
            self.index = None
            raise IndexRebuilding(f"no search index under {self.slot_dir} yet") from None
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._stamp and self.index is not None:
            return
        with self.lock:
            try:
                state = json.loads(self.state_path.read_text())
                if not isinstance(state, dict) or state.get("schema") != SCHEMA_VERSION:
                    raise ValueError("state.json of another schema version")
                build = int(state.get("build", 0))
                if self.index is None or build != self._build:
                    index = tantivy.Index.open(str(self.tantivy_dir))
                    index.config_reader(reload_policy="manual")
                    self.index, self._build = index, build
                else:
                    self.index.reload()
            except (OSError, ValueError) as exc:
                self.index = None
                raise IndexRebuilding(f"search index {self.slot_dir} not readable now: {exc}") from exc
            self.cursor = int(state.get("cursor", 0))
            self.gaps = [(int(a), int(b), float(t)) for a, b, t in (state.get("gaps") or [])]
            self._stamp = stamp
            self.generation = next(_generations)

    def ensure_open(self) -> None:
        self.refresh()

    def passed(self, outbox_id: int) -> bool:
        return self.cursor >= outbox_id and not any(lo <= outbox_id <= hi for lo, hi, _ in self.gaps)

    def sync(self) -> int:
        """Bring this reader to the indexer's last commit, waiting (bounded) for the caller's writes."""
        from thuvien.search.outbox import required_outbox_id

        self.refresh()
        needed = required_outbox_id()
        if needed and not self.passed(needed):
            deadline = time.monotonic() + READ_YOUR_WRITES_WAIT_S
            while not self.passed(needed) and time.monotonic() < deadline:
                time.sleep(READ_YOUR_WRITES_POLL_S)
                self.refresh()
        return 0

    def searcher(self) -> tantivy.Searcher:
        if self.index is None:
            self.refresh()
        assert self.index is not None
        return self.index.searcher()

    def release(self) -> None:
        self.index = None


_auto_mode: dict[Path, str] = {}


STALE_SLOT_DAYS = 7


def prune_stale_slots(base_dir: Path, *, older_than_days: float = STALE_SLOT_DAYS) -> list[str]:
    """Delete the numbered slots (`slot-0`, `slot-1`...) that no process holds and that nothing has
    written for `older_than_days`: the private indexes of commands and of processes from before
    `thuvien indexer`, each a whole copy of the index. The indexer's own slot is never touched; a
    slot in use keeps its flock and is skipped. Returns the names removed."""
    removed: list[str] = []
    cutoff = time.time() - older_than_days * 86400
    for slot_dir in sorted(base_dir.glob("slot-*")):
        name = slot_dir.name
        if not slot_dir.is_dir() or not name.removeprefix("slot-").isdigit():
            continue  # slot-indexer, slot-N.lock files, anything else
        newest = max((p.stat().st_mtime for p in (slot_dir, *slot_dir.glob("*"))), default=0.0)
        if newest >= cutoff:
            continue
        lock_path = base_dir / f"{name}.lock"
        with open(lock_path, "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a running process owns it
            shutil.rmtree(slot_dir, ignore_errors=True)
            lock_path.unlink(missing_ok=True)
            removed.append(name)
    if removed:
        log.info("search: removed stale index slots %s under %s", ", ".join(removed), base_dir)
    return removed


def indexer_running(base_dir: Path) -> bool:
    """Whether a `thuvien indexer` holds this index directory now."""
    try:
        with open(Path(base_dir) / f"slot-{INDEXER_SLOT}.lock", "rb") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f, fcntl.LOCK_UN)
    except OSError:
        pass
    return False


def index_writer_mode() -> str:
    """"indexer" when the machine's `thuvien indexer` writes the index, "self" when this process does.
    "auto" (the default outside `serve`, e.g. `thuvien search` or a shell beside a running server)
    is decided once per process: "indexer" if one is running on this index directory."""
    mode = str(getattr(settings, "THUVIEN_INDEX_WRITER", "self"))
    if mode == "auto":
        base = Path(settings.THUVIEN_INDEX_DIR)
        if base not in _auto_mode:
            _auto_mode[base] = "indexer" if indexer_running(base) else "self"
        return _auto_mode[base]
    if mode not in ("self", "indexer"):
        raise ValueError(f"THUVIEN_INDEX_WRITER must be 'self', 'indexer' or 'auto', not {mode!r}")
    return mode


_engine: SearchIndex | IndexReader | None = None
_engine_lock = threading.Lock()


def get_index() -> SearchIndex | IndexReader:
    """This process's index: the shared one read-only under the indexer, else its own (opened, and
    rebuilt if needed, on first use)."""
    global _engine
    want_reader = index_writer_mode() == "indexer"
    if (_engine is None or _engine.base_dir != Path(settings.THUVIEN_INDEX_DIR)
            or isinstance(_engine, IndexReader) != want_reader):
        with _engine_lock:
            if _engine is None or _engine.base_dir != Path(settings.THUVIEN_INDEX_DIR):
                if _engine is not None:
                    _engine.release()
                base = Path(settings.THUVIEN_INDEX_DIR)
                _engine = IndexReader(base) if want_reader else SearchIndex(base)
    _engine.ensure_open()
    return _engine


def current_index() -> SearchIndex | None:
    """The index this process writes, if it has opened one (so writers never build an index they
    do not use; a read-only reader is never returned)."""
    return _engine if isinstance(_engine, SearchIndex) and _engine.index is not None else None


def reset_index() -> None:
    """Forget this process's index and delete its files (tests)."""
    global _engine
    with _engine_lock:
        if _engine is not None:
            slot_dir = _engine.slot_dir if isinstance(_engine, SearchIndex) and _engine.slot is not None else None
            _engine.release()
            if slot_dir is not None:
                shutil.rmtree(slot_dir, ignore_errors=True)
        _engine = None
