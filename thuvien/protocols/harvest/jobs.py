"""The scheduled harvest: start a background harvest of every source whose schedule is due."""

from __future__ import annotations

from thuvien.core.demo import system_user
from thuvien.protocols.harvest.services import harvest_due_sources, harvest_start


def harvest_due() -> dict[str, object]:
    """Queue a harvest of each due source (a running one is left alone)."""
    actor = system_user()
    started = [harvest_start(actor=actor, source=source).source.code for source in harvest_due_sources()]
    return {"harvests_queued": len(started), "sources": started}
