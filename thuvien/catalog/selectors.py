"""Read side of the catalogue: records, holdings, duplicates, changes since a date, quarantine.
The union catalogue is visible network-wide (CATALOG_VIEW); lists are querysets for pagination."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from pymarc import Record

from thuvien.catalog.marc.marcjson import from_json
from thuvien.catalog.models import (
    AuthorityRecord,
    BibIdentifier,
    BibRecord,
    ImportJob,
    Item,
    ItemStatus,
    QuarantinedRecord,
)
from thuvien.core.models import OrgUnit
from thuvien.core.text import collation_key, fold, i_y_spellings, match_key

__all__ = ["authority_browse", "bib_duplicates", "bib_get", "bib_list", "bib_to_pymarc", "holdings_summary",
           "import_job_list", "items_for_record", "quarantine_list", "records_changed_since"]


def bib_to_pymarc(bib: BibRecord) -> Record:
    """The stored MARC record of `bib` as a pymarc Record (exactly as stored)."""
    return from_json(bib.marc)


def bib_get(*, pk: int, include_deleted: bool = False) -> BibRecord:
    """One record with its owner; raises BibRecord.DoesNotExist."""
    qs = BibRecord.objects.select_related("owner")
    if not include_deleted:
        qs = qs.filter(is_deleted=False)
    return qs.get(pk=pk)


def bib_list(*, q: str = "", library: OrgUnit | None = None) -> QuerySet[BibRecord]:
    """Live records, newest first; `q` matches a title prefix (case ignored), an ISBN, 001 or #id.
    Full diacritic-insensitive search is the search app's job."""
    qs = BibRecord.objects.filter(is_deleted=False).select_related("owner").order_by("-updated_at", "-pk")
    if library is not None:
        qs = qs.filter(Q(owner__path__startswith=library.path) | Q(items__library__path__startswith=library.path)) \
            .distinct()
    q = q.strip()
    if q:
        from thuvien.catalog.marc.isbn import isbn_normalize
        isbn = isbn_normalize(q)
        if isbn:
            qs = qs.filter(identifiers__kind="isbn", identifiers__value=isbn)
        elif q.isdigit() or q.startswith("#"):
            number = q.lstrip("#")
            by_id = Q(pk=int(number)) if number.isdigit() and len(number) <= 18 else Q(pk__in=[])
            qs = qs.filter(Q(control_number=number) | by_id)
        else:
            key = collation_key(q).split("\x1f")[0]
            qs = qs.filter(Q(title_sort__startswith=key) | Q(title__icontains=q))
    return qs


def holdings_summary(*, bib: BibRecord) -> list[dict[str, Any]]:
    """Per library holding copies of `bib`: {"library", "total", "available"}, in tree order."""
    rows = (Item.objects.filter(record=bib).values("library").annotate(
        total=Count("pk"), available=Count("pk", filter=Q(status=ItemStatus.AVAILABLE))))
    units = OrgUnit.objects.in_bulk([r["library"] for r in rows])
    out = [{"library": units[r["library"]], "total": r["total"], "available": r["available"]} for r in rows]
    return sorted(out, key=lambda r: r["library"].path)


def items_for_record(*, bib: BibRecord) -> QuerySet[Item]:
    return Item.objects.filter(record=bib).select_related("library", "item_type").order_by("library__path", "barcode")


def records_changed_since(*, since: dt.datetime | None, library: OrgUnit | None = None,
                          until: dt.datetime | None = None) -> QuerySet[BibRecord]:
    """Records created, changed or deleted since `since` (deleted ones have is_deleted=True), in
    change order; with `library`, only those it owns or holds items of (its subtree)."""
    qs = BibRecord.objects.all()
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    if until is not None:
        qs = qs.filter(updated_at__lt=until)
    if library is not None:
        held = Item.objects.filter(library__path__startswith=library.path).values("record_id")
        qs = qs.filter(Q(owner__path__startswith=library.path) | Q(pk__in=held))
    return qs.order_by("updated_at", "pk")


def bib_duplicates(*, isbns: list[str], title: str, main_author: str = "", year: int | None = None,
                   exclude_pk: int | None = None) -> list[BibRecord]:
    """Live records that look like the same work: a shared ISBN, or the same title, author and year."""
    found: dict[int, BibRecord] = {}
    if isbns:
        ids = BibIdentifier.objects.filter(kind="isbn", value__in=isbns).values("record_id")
        for bib in BibRecord.objects.filter(pk__in=ids, is_deleted=False)[:20]:
            found[bib.pk] = bib
    if title:
        # Same letters in the same order (punctuation, case and tones aside), then compared word by word
        # ignoring only punctuation, case, tone placement and i/y: "Nguyễn, Du" is "Nguyễn Du".
        same_letters = Q()
        for spelling in i_y_spellings(title):  # "Kĩ năng" and "Kỹ năng" sort apart
            same_letters |= Q(title_sort__startswith=collation_key(spelling).partition("\x1f")[0] + "\x1f")
        qs = BibRecord.objects.filter(same_letters, is_deleted=False)
        if year:
            qs = qs.filter(year=year)
        want_title, want_author = match_key(title), match_key(main_author).split()
        for bib in qs.only("id", "title", "main_author", "year")[:50]:
            if match_key(bib.title) != want_title:
                continue
            have = match_key(bib.main_author).split()
            shared = min(len(have), len(want_author))
            if not want_author or (shared and have[:shared] == want_author[:shared]):
                found[bib.pk] = bib
    found.pop(exclude_pk or 0, None)
    return sorted(found.values(), key=lambda b: b.pk)


def authority_browse(*, q: str = "", limit: int = 50) -> list[AuthorityRecord]:
    """Authority headings from `q` on in folded order, matching headings and their variants."""
    qs = AuthorityRecord.objects.filter(is_deleted=False)
    key = fold(q)
    if key:
        qs = qs.filter(heading_folded__gte=key)
    return list(qs.order_by("heading_folded", "pk")[:limit])


def authority_bib_count(*, authority: AuthorityRecord) -> int:
    """How many live records carry the heading as an author or subject."""
    heading = authority.heading.split(" -- ")[0]
    return BibRecord.objects.filter(is_deleted=False).filter(
        Q(authors__icontains=heading) | Q(subjects__icontains=heading)).count()


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    from thuvien.core.permissions import Perm, scope_q
    return ImportJob.objects.filter(scope_q(user, Perm.CATALOG_EDIT, "library__")).select_related("library")


def quarantine_list(*, user: Any, status: str = QuarantinedRecord.Status.OPEN) -> QuerySet[QuarantinedRecord]:
    from thuvien.core.permissions import Perm, scope_q
    return (QuarantinedRecord.objects.filter(scope_q(user, Perm.CATALOG_EDIT, "library__"), status=status)
            .select_related("library", "job").defer("raw"))


def cataloguer_today(*, user: Any, unit: Any) -> dict[str, Any]:
    """What a cataloguer acts on: their recent imports, open quarantined records and records of their
    library's subtree without any copy."""
    from thuvien.core.permissions import Perm, scope_q
    return {
        "imports": list(import_job_list(user=user).order_by("-pk")[:5]),
        "quarantined": quarantine_list(user=user).count(),
        "without_items": BibRecord.objects.filter(owner__path__startswith=unit.path, is_deleted=False,
                                                  items__isnull=True).filter(
            scope_q(user, Perm.CATALOG_EDIT, "owner__")).count(),
    }


@dataclass(frozen=True)
class ItemBrief:
    """What a gate or a kiosk's item-information request shows about a copy (SIP2 17/18)."""

    pk: int
    barcode: str
    status: str
    call_number: str
    library_code: str
    title: str


_BRIEF_FIELDS = ("pk", "barcode", "status", "call_number", "library__code", "record__title")


def item_brief_for_scan(code: str) -> ItemBrief | None:
    """The copy a scan names (barcode, else RFID tag id) in one narrow query: no MARC or other wide
    columns are read, since gates ask this for every tag that passes."""
    code = code.strip()
    if not code:
        return None
    for lookup in ({"barcode": code}, {"rfid_tag": code}):
        row = next(iter(Item.objects.filter(**lookup).order_by().values_list(*_BRIEF_FIELDS)[:1]), None)
        if row is not None:
            return ItemBrief(*row)
    return None


def item_for_scan(code: str) -> Item | None:
    """The item a desk scan names: its barcode, or the tag id an RFID pad typed (keyboard wedge)."""
    code = code.strip()
    if not code:
        return None
    # Both columns are unique: no ORDER BY (`.first()` would add one, which costs as much to compile as
    # the rest of the query; gates ask this for every tag that passes).
    items = Item.objects.select_related("record", "library", "item_type").order_by()
    for lookup in ({"barcode": code}, {"rfid_tag": code}):
        found = list(items.filter(**lookup)[:1])
        if found:
            return found[0]
    return None
