"""The storage page's projection (digital/storage.py) needs each collection's target in pages: the
largest target of its project, titles and % of holdings turned into pages at the collection's average
pages per digitised title (300, a typical book, while nothing is digitised yet)."""
from __future__ import annotations

from django.db.models import Count

from thuvien.digital.models import DigitalObject, Page
from thuvien.digitisation.models import Measure, Project

BOOK_PAGES = 300


def targets_in_pages() -> dict[int, int]:
    """{collection id: pages to reach the project's largest target}."""
    out: dict[int, int] = {}
    for project in Project.objects.prefetch_related("targets"):
        targets = list(project.targets.all())
        if not targets:
            continue
        objects = DigitalObject.objects.filter(collection_id=project.collection_id).aggregate(n=Count("pk"))["n"]
        pages = Page.objects.filter(obj__collection_id=project.collection_id).count()
        per_title = round(pages / objects) if objects and pages else BOOK_PAGES
        best = 0
        for t in targets:
            if t.measure == Measure.PAGES:
                best = max(best, t.value)
            elif t.measure == Measure.TITLES:
                best = max(best, t.value * per_title)
            else:
                best = max(best, (project.holdings_count * t.value + 99) // 100 * per_title)
        out[project.collection_id] = best
    return out
