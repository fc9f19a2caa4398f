"""Background jobs of circulation (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def notices_send_task() -> int:
    """Send the queued notices (handed over after a desk transaction commits)."""
    from thuvien.circulation.notices import notices_send_pending

    return notices_send_pending()
