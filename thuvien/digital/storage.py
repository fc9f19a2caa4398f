"""Storage figures of the digital library (issue 14 item 6): how many bytes each collection holds in
masters, derivatives and backups, how that grew per month, and what reaching its target will need.

A selector: it reads the file sizes on disk (one directory walk per object; no database writes).
Targets belong to the digitisation projects: an app that knows them registers a provider
(`register_target_provider(fn)`, fn() -> {collection id: target pages}); without one the page shows
the rule of thumb only.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Count, QuerySet

from thuvien.digital import ocfl, processing
from thuvien.digital.blobstore import LocalStore
from thuvien.digital.conf import ocfl_store
from thuvien.digital.models import Collection, DigitalObject

# Rule of thumb from the issue and specs/digital.md §6: an A4 colour page at 300 ppi is 24.9 MiB
# uncompressed, so a 300-page book is about 7.3 GiB ("~7 GiB").
UNCOMPRESSED_A4_300PPI_PAGE = int(24.9 * 1024**2)
BOOK_PAGES = 300

TargetProvider = Callable[[], Mapping[int, int]]
_TARGET_PROVIDERS: list[TargetProvider] = []


def register_target_provider(provider: TargetProvider) -> None:
    """Let the digitisation projects tell the storage page each collection's target in pages."""
    if provider not in _TARGET_PROVIDERS:
        _TARGET_PROVIDERS.append(provider)


def _targets() -> dict[int, int]:
    out: dict[int, int] = {}
    for provider in _TARGET_PROVIDERS:
        out.update({int(k): int(v) for k, v in provider().items()})
    return out


def _tree_bytes(path: Path) -> int:
    """Bytes of every file under `path` (os.scandir: one stat per entry, already cached on Linux)."""
    total = 0
    try:
        with os.scandir(path) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    total += _tree_bytes(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
    except FileNotFoundError:
        return 0
    return total


@dataclass
class ObjectBytes:
    masters: int = 0  # the OCFL preservation copy, every version
    working: int = 0  # the working copy of the masters that tiles and OCR read
    tiles: int = 0
    ocr: int = 0  # text, hOCR, ALTO and the one-page PDFs
    pdf: int = 0

    @property
    def derivatives(self) -> int:
        return self.tiles + self.ocr + self.pdf

    @property
    def total(self) -> int:
        return self.masters + self.working + self.derivatives


def object_bytes(obj_uuid: object, *, masters: int | None = None) -> ObjectBytes:
    """Bytes of one object's files; `masters` when the caller already knows the OCFL object's bytes."""
    base = processing.object_dir(obj_uuid)
    pdf = processing.pdf_path(obj_uuid)
    if masters is None:
        store = ocfl_store()
        key = ocfl.object_key(obj_uuid)
        masters = _tree_bytes(store.path(key)) if isinstance(store, LocalStore) else ocfl.object_bytes(store, key)
    return ObjectBytes(masters=masters,
                       working=_tree_bytes(base / "masters"), tiles=_tree_bytes(base / "tiles"),
                       ocr=_tree_bytes(base / "ocr"), pdf=pdf.stat().st_size if pdf.exists() else 0)


def backup_copies() -> int:
    """Backup archives kept (each holds the whole of THUVIEN_HOME's digital files, see core.backup)."""
    folder = Path(settings.THUVIEN_HOME) / "backups"
    return len(list(folder.glob("thuvien-*.tar.gz*"))) if folder.is_dir() else 0


@dataclass
class CollectionStorage:
    collection: Collection
    objects: int = 0
    pages: int = 0
    bytes: ObjectBytes = field(default_factory=ObjectBytes)
    backups: int = 0  # estimate: bytes of the collection in each kept backup archive
    by_month: dict[str, int] = field(default_factory=dict)  # "2026-11" -> bytes added that month
    target_pages: int | None = None

    @property
    def bytes_per_page(self) -> int:
        return self.bytes.total // self.pages if self.pages else 0

    @property
    def pages_remaining(self) -> int | None:
        return None if self.target_pages is None else max(0, self.target_pages - self.pages)

    @property
    def projected_bytes(self) -> int | None:
        """Bytes still needed to reach the target at this collection's own average per page."""
        remaining = self.pages_remaining
        return None if remaining is None else remaining * self.bytes_per_page

    @property
    def projected_uncompressed(self) -> int | None:
        """The same pages at the rule of thumb (uncompressed A4 colour at 300 ppi): the upper bound."""
        remaining = self.pages_remaining
        return None if remaining is None else remaining * UNCOMPRESSED_A4_300PPI_PAGE


def storage_by_collection(*, collections: QuerySet[Collection] | Iterable[Collection] | None = None,
                          targets: Mapping[int, int] | None = None) -> list[CollectionStorage]:
    """Bytes of masters, derivatives and backups per collection, growth per month, and the projection
    to each collection's target (`targets`: {collection id: pages}; default from the registered providers)."""
    colls = list(collections if collections is not None else Collection.objects.all())
    goal = dict(targets) if targets is not None else _targets()
    copies = backup_copies()
    rows = {c.pk: CollectionStorage(collection=c, target_pages=goal.get(c.pk)) for c in colls}
    objs = (DigitalObject.objects.filter(collection_id__in=list(rows)).annotate(n=Count("pages"))
            .values_list("collection_id", "uuid", "created_at", "n"))
    store = ocfl_store()
    # an S3 root: one paginated listing of the bucket (1,000 keys a request), not one LIST per object
    remote = None if isinstance(store, LocalStore) else _bytes_per_object(store.listing(""))
    for coll_id, obj_uuid, created, n in objs:
        row = rows[coll_id]
        b = object_bytes(obj_uuid, masters=None if remote is None else remote.get(ocfl.object_key(obj_uuid), 0))
        row.objects += 1
        row.pages += n
        for name in ("masters", "working", "tiles", "ocr", "pdf"):
            setattr(row.bytes, name, getattr(row.bytes, name) + getattr(b, name))
        month = created.astimezone(dt.UTC).strftime("%Y-%m")
        row.by_month[month] = row.by_month.get(month, 0) + b.total
    for row in rows.values():
        row.backups = row.bytes.total * copies
        row.by_month = dict(sorted(row.by_month.items()))
    return sorted(rows.values(), key=lambda r: r.collection.code)


def _bytes_per_object(listing: Mapping[str, int]) -> dict[str, int]:
    """{object key: bytes} from a listing of the whole storage root (layout 0003: 4 path levels)."""
    out: dict[str, int] = {}
    for key, size in listing.items():
        parts = key.split("/", 4)
        if len(parts) == 5:
            obj = "/".join(parts[:4])
            out[obj] = out.get(obj, 0) + size
    return out


def rule_of_thumb_book() -> int:
    """Bytes of a 300-page A4 book scanned at 300 ppi, uncompressed (~7.3 GiB)."""
    return BOOK_PAGES * UNCOMPRESSED_A4_300PPI_PAGE
