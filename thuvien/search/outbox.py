"""Writing to the search outbox. Call inside the transaction that changes records or items."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from thuvien.search.models import IndexerState, OutboxEntry, OutboxPruneMark

log = logging.getLogger("thuvien.search")

# Read-your-writes: the outbox id a search in this context must wait for (from the request's
# cookie), and whether this context itself committed outbox entries (then: the newest id).
_required: ContextVar[int] = ContextVar("thuvien_outbox_required", default=0)
_wrote: ContextVar[bool] = ContextVar("thuvien_outbox_wrote", default=False)


def outbox_enqueue(record_ids: Iterable[int]) -> int:
    """Mark records for re-indexing; committed (or rolled back) with the caller's transaction."""
    ids = sorted({int(r) for r in record_ids})
    if not ids:
        return 0
    # One plain executemany: imports enqueue a row per record, and building model instances for
    # them cost a measurable share of import time.
    table = connection.ops.quote_name(OutboxEntry._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (record_id, created_at) VALUES (%s, %s)",  # noqa: S608 - table name from the model
            [(record_id, now) for record_id in ids],
        )
    transaction.on_commit(_after_commit)
    return len(ids)


_nudge = threading.local()


def indexer_socket_path() -> Path:
    """Where this machine's indexer listens for "the outbox has news" (a Unix datagram socket)."""
    return Path(settings.THUVIEN_INDEX_DIR) / "indexer.sock"


def nudge_indexer() -> None:
    """Wake this machine's indexer at once (it polls the outbox anyway; a lost nudge costs a poll)."""
    sock = getattr(_nudge, "sock", None)
    try:
        if sock is None:
            sock = _nudge.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.setblocking(False)
        sock.sendto(b"!", str(indexer_socket_path()))
    except OSError:
        pass  # no indexer listening here (or its queue is full: it is awake already)


def outbox_last_id() -> int:
    """The newest committed outbox id (0 when empty)."""
    table = connection.ops.quote_name(OutboxEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - table name from the model
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def outbox_require(outbox_id: int) -> None:
    """Searches in this context wait for the indexer to pass `outbox_id` (a request's earlier write)."""
    _required.set(max(0, int(outbox_id)))
    _wrote.set(False)


def outbox_wrote() -> bool:
    """Whether this context committed outbox entries (the middleware then remembers the newest id)."""
    return _wrote.get()


def required_outbox_id() -> int:
    """The outbox id a search now must see: the request's earlier write, or this context's own."""
    if _wrote.get():  # (kept set: the middleware still hands the id on in a cookie)
        _required.set(max(_required.get(), outbox_last_id()))
    return _required.get()


def _after_commit() -> None:
    """Under the indexer only remember that this context wrote; otherwise bring this process's own
    index up to date right after the commit, if it has one open.

    A failure here loses nothing: the entries stay in the outbox and the next search applies them.
    """
    from thuvien.search.engine import current_index, index_writer_mode

    if index_writer_mode() == "indexer":
        _wrote.set(True)
        nudge_indexer()
        return
    index = current_index()
    if index is None:
        return
    try:
        index.sync()
    except (DatabaseError, OSError, ValueError):
        log.exception("search index: applying the outbox after commit failed; will retry on next search")


def outbox_prune(*, older_than: timedelta = timedelta(days=14)) -> int:
    """Delete outbox entries older than `older_than` that every indexer seen in the last
    THUVIEN_OUTBOX_INDEXER_FORGET_DAYS has passed; an index behind the pruned ones rebuilds."""
    now = timezone.now()
    cutoff = now - older_than
    forget = now - timedelta(days=getattr(settings, "THUVIEN_OUTBOX_INDEXER_FORGET_DAYS", 7))
    with transaction.atomic():
        top = OutboxEntry.objects.filter(created_at__lt=cutoff).aggregate(m=Max("id"))["m"]
        slowest = IndexerState.objects.filter(seen_at__gte=forget).aggregate(m=Min("cursor"))["m"]
        if slowest is not None and top is not None:
            top = min(top, slowest)
        if not top:
            return 0
        deleted, _ = OutboxEntry.objects.filter(id__lte=top).delete()
        OutboxPruneMark.objects.create(pruned_through=top)
    return deleted


def outbox_prune_scheduled() -> dict[str, int]:
    """The scheduled pruning: entries older than THUVIEN_OUTBOX_KEEP_HOURS every indexer passed."""
    hours = getattr(settings, "THUVIEN_OUTBOX_KEEP_HOURS", 48)
    return {"outbox_pruned": outbox_prune(older_than=timedelta(hours=hours))}


def indexer_state_save(*, name: str, cursor: int) -> None:
    """Record how far the indexer `name` (host and directory) has applied the outbox."""
    IndexerState.objects.update_or_create(name=name[:200], defaults={"cursor": cursor, "seen_at": timezone.now()})
