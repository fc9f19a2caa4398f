"""Writing to the search outbox. Call inside the transaction that changes records or items."""

from __future__ import annotations

from collections.abc import Iterable

from thuvien.search.models import OutboxEntry


def outbox_enqueue(record_ids: Iterable[int]) -> int:
    """Mark records for re-indexing; committed (or rolled back) with the caller's transaction."""
    ids = sorted({int(r) for r in record_ids})
    OutboxEntry.objects.bulk_create([OutboxEntry(record_id=r) for r in ids], batch_size=1000)
    return len(ids)
