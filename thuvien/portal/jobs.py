"""Background jobs of the portal: forgetting visitors' contact data after their event, and fetching covers
from the optional cover service (THUVIEN_COVER_SERVICE_URL, off by default)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from thuvien.portal.services import cover_fetch, registrations_forget_contacts

COVER_BATCH = 200


def forget_visitor_contacts() -> dict[str, int]:
    """Erase the name and phone of visitors' registrations 30 days after their event ended (as the
    consent wording promises)."""
    return {"forgotten": registrations_forget_contacts(before=timezone.now() - dt.timedelta(days=30))}


def fetch_covers() -> dict[str, int]:
    """Try the cover service for recently added records without a cover (nothing when it is off)."""
    from thuvien.catalog.models import BibRecord

    if not getattr(settings, "THUVIEN_COVER_SERVICE_URL", ""):
        return {"fetched": 0}
    since = timezone.now() - dt.timedelta(days=2)
    records = (BibRecord.objects.filter(is_deleted=False, cover__isnull=True, items__created_at__gte=since)
               .exclude(isbns=[]).distinct().order_by("-pk")[:COVER_BATCH])
    return {"fetched": sum(1 for r in records if cover_fetch(record=r) is not None)}
