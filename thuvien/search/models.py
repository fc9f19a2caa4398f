"""The transactional outbox that keeps every process's tantivy index in step with the database."""

from django.db import models


class OutboxEntry(models.Model):
    """A bibliographic record whose index document must be rebuilt. Written in the same
    transaction as the change; each process applies entries past its own cursor after commit."""

    record_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"outbox#{self.pk} record={self.record_id}"


class OutboxPruneMark(models.Model):
    """Outbox entries up to `pruned_through` were deleted; an index whose cursor is older rebuilds."""

    pruned_through = models.BigIntegerField()
    pruned_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"pruned through {self.pruned_through}"


class IndexerState(models.Model):
    """How far one machine's `thuvien indexer` has applied the outbox; pruning keeps what the
    slowest indexer seen lately has not yet applied."""

    name = models.CharField(max_length=200, unique=True)  # host:index directory
    cursor = models.BigIntegerField(default=0)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.cursor}"
