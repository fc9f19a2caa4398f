"""Writing to the search outbox. Call inside the transaction that changes records or items."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from thuvien.search.models import OutboxEntry, OutboxPruneMark

log = logging.getLogger("thuvien.search")


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
    transaction.on_commit(_apply_after_commit)
    return len(ids)


def _apply_after_commit() -> None:
    """Bring this process's index up to date right after the commit, if it has one open.

    A failure here loses nothing: the entries stay in the outbox and the next search applies them.
    """
    from thuvien.search.engine import current_index

    index = current_index()
    if index is None:
        return
    try:
        index.sync()
    except (DatabaseError, OSError, ValueError):
        log.exception("search index: applying the outbox after commit failed; will retry on next search")


def outbox_prune(*, older_than: timedelta = timedelta(days=14)) -> int:
    """Delete applied-by-now outbox entries older than `older_than`; indexes behind them rebuild."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        top = OutboxEntry.objects.filter(created_at__lt=cutoff).aggregate(m=Max("id"))["m"]
        if top is None:
            return 0
        deleted, _ = OutboxEntry.objects.filter(id__lte=top).delete()
        OutboxPruneMark.objects.create(pruned_through=top)
    return deleted
