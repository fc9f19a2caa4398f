"""Searching without the index: while the machine's indexer builds it, the OPAC answers from the
database with a plain title/author match (every word must appear), and says so."""

from __future__ import annotations

from django.db.models import Q

from thuvien.catalog.models import BibRecord
from thuvien.core.models import OrgUnit
from thuvien.core.text import collation_key

MAX_WORDS = 8


def record_search_fallback(*, text: str, library: OrgUnit | None = None, offset: int = 0,
                           limit: int = 20) -> tuple[list[int], int]:
    """(ids of one page, total) of live records whose title or main author holds every word of `text`,
    tones ignored, newest first; scoped to records with a copy in `library`'s subtree."""
    qs = BibRecord.objects.filter(is_deleted=False)
    for word in text.split()[:MAX_WORDS]:
        primary = collation_key(word).split("\x1f")[0].strip()
        cond = Q(title__icontains=word) | Q(main_author__icontains=word)
        if primary:
            cond |= Q(title_sort__contains=primary)
        qs = qs.filter(cond)
    if library is not None:
        qs = qs.filter(items__library__path__startswith=library.path).distinct()
    total = qs.count()
    ids = list(qs.order_by("-id").values_list("id", flat=True)[max(0, offset):max(0, offset) + limit])
    return ids, total
