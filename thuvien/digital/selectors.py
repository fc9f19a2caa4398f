"""Reads of the digital library: objects with what viewers need, manifests (cached), search inside."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils import timezone

from thuvien.core.text import fold, fold_key, normalize, syllable_key
from thuvien.digital import iiif
from thuvien.digital.models import ACCESS_ORDER, AccessLevel, Collection, DigitalObject, ObjectStatus, Page

# What readers may find: a processed object that is published (a digitisation project's object stays
# hidden until its workflow reaches "published"; staff still open it for quality control).
SHOWN: dict[str, Any] = {"status": ObjectStatus.READY, "published": True}
SHOWN_PAGE: dict[str, Any] = {"obj__status": ObjectStatus.READY, "obj__published": True}


def object_get(*, obj_uuid: str) -> DigitalObject | None:
    """The object by its UUID with its library and collection (one query), or None."""
    try:
        return DigitalObject.objects.select_related("unit", "collection").defer("manifest_cache").get(uuid=obj_uuid)
    except (DigitalObject.DoesNotExist, ValueError, ValidationError):  # not a UUID: no such object
        return None


def page_get_for_image(*, page_uuid: str) -> Page | None:
    """A page with its object and the object's library (one query) for the image server."""
    try:
        return Page.objects.select_related("obj", "obj__unit").get(uuid=page_uuid)
    except (Page.DoesNotExist, ValueError, ValidationError):
        return None


def _metadata(obj: DigitalObject) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    rec = obj.record
    if rec is not None:
        rows += [("Tác giả", rec.main_author), ("Nhà xuất bản", rec.publisher),
                 ("Năm xuất bản", str(rec.year or "")), ("Chủ đề", "; ".join(rec.subjects or []))]
    for key, label in (("creator", "Tác giả"), ("date", "Thời gian"), ("subject", "Chủ đề"),
                       ("description", "Mô tả"), ("publisher", "Nhà xuất bản"), ("coverage", "Không gian")):
        values = obj.dcterms.get(key) or []
        if isinstance(values, str):
            values = [values]
        if values:
            rows.append((label, "; ".join(str(v) for v in values)))
    rows += [("Ngôn ngữ", obj.language), ("Bộ sưu tập", obj.collection.name)]
    return rows


def manifest_json(*, obj: DigitalObject) -> str:
    """The manifest as JSON text on the placeholder base: built once (one query for all pages),
    then served from the object row until the object or a page changes."""
    if obj.manifest_cache:
        return obj.manifest_cache
    pages = list(obj.pages.order_by("order").values("uuid", "order", "label", "width", "height", "access",
                                                    "processed", "text_folded"))
    # A page whose own level is stricter than the object's stays out of the shared manifest.
    level = ACCESS_ORDER.index(AccessLevel(obj.access))
    visible = [dict(p, has_ocr=bool(p["text_folded"]) and obj.ocr_profile != "none") for p in pages
               if not p["access"] or ACCESS_ORDER.index(AccessLevel(p["access"])) <= level]
    data = iiif.build_manifest(
        obj={"uuid": obj.uuid, "title": obj.title, "rights": obj.rights, "right_to_left": obj.right_to_left,
             "has_pdf": obj.has_pdf, "record_id": obj.record_id, "library": obj.unit.name},
        pages=visible, metadata=_metadata(obj), ranges=[(str(r), int(o)) for r, o in obj.dcterms.get("toc", [])])
    text = orjson.dumps(data).decode()
    if obj.status == ObjectStatus.READY:
        DigitalObject.objects.filter(pk=obj.pk, updated_at=obj.updated_at).update(
            manifest_cache=text)  # not a change: a cache of this very version, kept only while updated_at matches
        obj.manifest_cache = text
    return text


SEARCH_PAGE = 100  # hits per search answer; more come through `next`


def search_inside(*, obj: DigitalObject, q: str, page: int = 1) -> tuple[list[dict[str, Any]], bool]:
    """Diacritic-insensitive hits of `q` inside the object (page `page` of SEARCH_PAGE hits) with word
    boxes from the stored ALTO words, and whether more follow. Only pages whose folded text holds
    every term are read, one chunk at a time, and reading stops once the answer is full."""
    terms = iiif.query_terms(q)
    if not terms:
        return [], False
    want = page * SEARCH_PAGE + 1
    # The folded page text holds the folded phrase wherever the page has the phrase (lines are joined
    # by spaces), so only those pages' words are read; find_hits confirms word by word.
    rows = (obj.pages.filter(text_folded__contains=" ".join(terms)).order_by("order")
            .values("order", "words").iterator(chunk_size=25))
    hits = iiif.find_hits(terms, rows, limit=want)
    if not hits and len(terms) > 1:  # no phrase anywhere: each word on its own
        for t in terms:
            rows = (obj.pages.filter(text_folded__contains=t).order_by("order")
                    .values("order", "words").iterator(chunk_size=25))
            hits += iiif.find_hits([t], rows, limit=want)
        hits.sort(key=lambda h: (h["order"], h["box"][1], h["box"][0]))
    start = (page - 1) * SEARCH_PAGE
    return hits[start:start + SEARCH_PAGE], len(hits) > start + SEARCH_PAGE


def autocomplete_words(*, obj: DigitalObject, prefix: str) -> list[str]:
    terms = iiif.query_terms(prefix)
    if not terms:
        return []
    rows = obj.pages.filter(text_folded__contains=terms[0]).values_list("words", flat=True)[:50]
    return [str(w[0]) for words in rows for w in iiif.page_words(words)]


def objects_for_record(*, record_id: int) -> list[DigitalObject]:
    """The ready objects of a catalogue record, for its page in the portal."""
    return list(DigitalObject.objects.filter(record_id=record_id, **SHOWN)
                .select_related("collection").annotate(page_count=Count("pages")).order_by("pk"))


def object_list(*, record_id: int | None = None, collection: str | None = None) -> QuerySet[DigitalObject]:
    """Objects for the API, newest first, with page counts (published objects only)."""
    qs = DigitalObject.objects.filter(published=True).select_related("collection").annotate(
        page_count=Count("pages"))
    if record_id is not None:
        qs = qs.filter(record_id=record_id)
    if collection:
        qs = qs.filter(collection__code=collection)
    return qs.order_by("-pk")


def collection_get(*, code: str) -> Collection | None:
    return Collection.objects.filter(code=code).first()


_QUERY_WORD = re.compile(r"[^\W_]+")
_OPERATORS = {"and", "or", "not", "va", "hoac", "khong"}
INSIDE_SCAN_PAGES = 2000  # pages read at most per result page to find the snippets


def _inside_words(q: str) -> list[str]:
    """The words of a keyword query as typed (field prefixes, operators and excluded words left out)."""
    text = normalize(q.replace('"', " "))
    text = re.sub(r"(^|\s)-\S+", " ", text)  # "-word": excluded, not looked for
    text = re.sub(r"[^\W\d_]+(?:\s+[^\W\d_]+){0,3}\s*:", " ", text)  # "tác giả:" and the like
    return [w for w in _QUERY_WORD.findall(text) if w.lower() not in _OPERATORS][:16]


def _page_match(text: str, keys: set[str], key: Callable[[str], str]) -> list[tuple[int, int]] | None:
    """Spans of the page's words whose key is one of `keys`, when every key stands on the page."""
    spans: list[tuple[int, int]] = []
    seen: set[str] = set()
    for m in _QUERY_WORD.finditer(text):
        k = key(m.group())
        if k in keys:
            spans.append(m.span())
            seen.add(k)
    return spans if seen == keys else None


def _snippet(text: str, spans: list[tuple[int, int]], width: int) -> list[tuple[str, bool]]:
    """The text around the first matched word, as (piece, is_match) parts, with "…" where it was cut."""
    first, first_end = spans[0]
    start = max(0, first - width)
    if start:  # do not cut a word in two
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), first_end + 2 * width)
    if end < len(text):
        space = text.rfind(" ", first_end, end)
        end = space if space > 0 else end
    parts: list[tuple[str, bool]] = [("…" if start else "", False)]
    last = start
    for a, b in spans:
        if a < start or b > end:
            continue
        parts += [(text[last:a], False), (text[a:b], True)]
        last = b
    parts.append((text[last:end] + ("…" if end < len(text) else ""), False))
    return [p for p in parts if p[0]]


def records_inside(*, record_ids: list[int], q: str, width: int = 60) -> dict[int, dict[str, Any]]:
    """For a page of search results: the records with a ready digital copy ({"uuid"}), and for those
    whose public copy holds every word of the query on one page, that first page ("order") and the
    text around the words ("parts"). Words are matched as the catalogue search matches them
    (docs/search.md): typed with diacritics, literally (core.text.syllable_key; without diacritics
    when no page has them so); typed without, in every accented form (core.text.fold_key); any
    length. Two queries, reading at most INSIDE_SCAN_PAGES pages."""
    out: dict[int, dict[str, Any]] = {}
    if not record_ids:
        return out
    objs = list(DigitalObject.objects.filter(record_id__in=record_ids, **SHOWN)
                .order_by("pk").values_list("pk", "record_id", "uuid", "access"))
    for _pk, record_id, obj_uuid, _access in objs:
        out.setdefault(record_id, {"uuid": str(obj_uuid)})
    words = _inside_words(q)
    public = {pk: (record_id, str(u)) for pk, record_id, u, access in objs if access == AccessLevel.PUBLIC}
    if not words or not public:
        return out
    folded = {fold_key(w) for w in words}
    strict = {syllable_key(w) for w in words} if any(fold(w) != w.lower() for w in words) else None
    pages = Page.objects.filter(obj_id__in=public, access__in=["", AccessLevel.PUBLIC])
    for f in sorted(folded):  # a cheap superset: the pages whose folded text holds each word somewhere
        pages = pages.filter(text_folded__contains=f)
    found: dict[int, tuple[int, str, list[tuple[int, int]]]] = {}  # record id -> (order, text, spans)
    loose: dict[int, tuple[int, str, list[tuple[int, int]]]] = {}  # the same, diacritics ignored
    rows = pages.order_by("obj_id", "order").values_list("obj_id", "order", "text")[:INSIDE_SCAN_PAGES]
    for obj_id, order, text in rows.iterator(chunk_size=50):
        record_id = public[obj_id][0]
        if record_id in found:
            continue
        shown = normalize(text)
        if strict is not None:
            spans = _page_match(shown, strict, syllable_key)
            if spans:
                found[record_id] = (order, shown, spans)
                continue
        if record_id not in loose:
            spans = _page_match(shown, folded, fold_key)
            if spans and strict is None:
                found[record_id] = (order, shown, spans)
            elif spans:
                loose[record_id] = (order, shown, spans)
    for record_id, (order, shown, spans) in {**loose, **found}.items():
        out[record_id] = {"uuid": out[record_id]["uuid"], "order": order, "parts": _snippet(shown, spans, width),
                          "q": q}
    return out


def records_digital_text(*, record_ids: list[int]) -> dict[int, list[str]]:
    """{record id: page texts} for the records that have a ready digital copy (text only from
    public copies: the index must not reveal restricted text). One query."""
    out: dict[int, list[str]] = {}
    if not record_ids:
        return out
    rows = (Page.objects.filter(obj__record_id__in=record_ids, **SHOWN_PAGE)
            .order_by("obj__record_id", "obj_id", "order")
            .values_list("obj__record_id", "obj__access", "access", "text"))
    for record_id, access, page_access, text in rows:
        texts = out.setdefault(record_id, [])
        if access == AccessLevel.PUBLIC and page_access in ("", AccessLevel.PUBLIC) and text:
            texts.append(text)
    return out


DIGITAL_SET = "digital"
COAR_ACCESS = {  # COAR access-rights vocabulary, for harvesters
    AccessLevel.PUBLIC: "http://purl.org/coar/access_right/c_abf2",  # open access
    AccessLevel.REGISTERED: "http://purl.org/coar/access_right/c_16ec",  # restricted
    AccessLevel.IN_LIBRARY: "http://purl.org/coar/access_right/c_16ec",
    AccessLevel.STAFF: "http://purl.org/coar/access_right/c_14cb",  # metadata only
}
COAR_EMBARGOED = "http://purl.org/coar/access_right/c_f1cf"


def collection_sets(*, offset: int = 0, limit: int | None = None) -> list[tuple[str, str]]:
    """(code, name) of the digital collections, for OAI-PMH ListSets."""
    qs = Collection.objects.order_by("code").values_list("code", "name")
    return list(qs[offset:] if limit is None else qs[offset:offset + limit])


def collection_count() -> int:
    return Collection.objects.count()


def records_in_collection(code: str) -> QuerySet[DigitalObject]:
    """Record ids with a ready object in the collection ("" = any collection), as a subquery."""
    qs = DigitalObject.objects.filter(record__isnull=False, **SHOWN)
    if code:
        qs = qs.filter(collection__code=code)
    return qs.values("record_id")  # type: ignore[return-value]


def oai_digital(*, record_ids: list[int], base_url: str) -> dict[int, tuple[list[str], list[dict[str, Any]]]]:
    """For harvesting: {record id: (set specs, MARC-in-JSON fields)} for records with ready objects.
    The fields are an 856 per object (IIIF manifest and viewer URLs) and a 506 with the COAR access
    right, so oai_dc carries them as dc:identifier and dc:rights. One query."""

    out: dict[int, tuple[list[str], list[dict[str, Any]]]] = {}
    if not record_ids:
        return out
    today = timezone.localdate()
    rows = (DigitalObject.objects.filter(record_id__in=record_ids, **SHOWN)
            .order_by("record_id", "pk").values_list("record_id", "uuid", "collection__code", "access",
                                                     "embargo_until", "rights"))
    base = base_url.rstrip("/")
    for record_id, obj_uuid, code, access, embargo, rights in rows:
        sets, fields = out.setdefault(record_id, ([], []))
        spec = f"{DIGITAL_SET}:{code}"
        if spec not in sets:
            sets.append(spec)
        coar = COAR_EMBARGOED if embargo and embargo > today else COAR_ACCESS[AccessLevel(access)]
        fields.append({"856": {"ind1": "4", "ind2": "1", "subfields": [
            {"u": f"{base}/iiif/{obj_uuid}/manifest"}, {"q": "application/ld+json"}, {"z": "IIIF manifest"}]}})
        fields.append({"856": {"ind1": "4", "ind2": "1", "subfields": [
            {"u": f"{base}/digital/{obj_uuid}/"}, {"q": "text/html"}, {"z": "Bản số"}]}})
        fields.append({"506": {"ind1": " ", "ind2": " ", "subfields": [{"a": coar}]}})
        fields.append({"540": {"ind1": " ", "ind2": " ", "subfields": [{"a": rights}]}})
    return out


def object_mets(*, obj: DigitalObject, allows: Any, with_masters: bool) -> str:
    """The object's METS (DFG profile), URLs on iiif.BASE. `allows(level)` is the viewer's access
    decision for per-page levels; masters (the OCFL preservation copy) are listed only `with_masters`."""
    from thuvien.digital import mets, ocfl, processing
    from thuvien.digital.conf import ocfl_store
    from thuvien.digital.preservation import logical_name

    pages = [p for p in obj.pages.order_by("order").defer("words", "text", "text_folded") if allows(p.access)]
    masters: dict[str, tuple[str, str, int]] = {}  # logical name -> (path in the storage root, sha256, size)
    store = ocfl_store()
    key = ocfl.object_key(obj.uuid)
    if with_masters and obj.ocfl_version:
        sizes = store.listing(key)  # one listing (on S3 one LIST request), not a stat per page
        if "inventory.json" in sizes:
            inventory = ocfl.inventory_read(store, key)
            sha256_of = {p: d for d, ps in inventory.get("fixity", {}).get("sha256", {}).items() for p in ps}
            for logical, content in ocfl.head_content(inventory).items():
                masters[logical] = (f"{key}/{content}", sha256_of.get(content, ""), sizes.get(content, 0))
    rows = []
    for p in pages:
        master = None
        if logical_name(p) in masters:
            href, sha, size = masters[logical_name(p)]
            master = mets.MetsFile(href=href, mime=p.mime, sha256=sha, size=size, local=True)
        alto = processing.ocr_base(obj.uuid, p.order).with_suffix(".xml")
        fulltext = None
        if alto.exists():
            sha, size = mets.file_sha256(alto)
            fulltext = mets.MetsFile(href=f"{iiif.BASE}/iiif/{obj.uuid}/alto/{p.order}", mime="text/xml",
                                     sha256=sha, size=size)
        rows.append(mets.MetsPage(order=p.order, label=p.label or str(p.order), master=master, fulltext=fulltext,
                                  default=mets.MetsFile(href=f"{iiif.BASE}/iiif/3/{p.uuid}/full/max/0/default.jpg",
                                                        mime="image/jpeg")))
    if obj.record_id and obj.record is not None:
        from thuvien.catalog.marc.crosswalk import mods_xml

        descriptive = mods_xml(obj.record.marc)
    else:
        descriptive = mets.standalone_dc(title=obj.title, dcterms=obj.dcterms, language=obj.language)
    return mets.build(
        obj_id=f"urn:uuid:{obj.uuid}", title=obj.title, created=obj.created_at.replace(microsecond=0).isoformat(),
        modified=obj.updated_at.replace(microsecond=0).isoformat(), library=obj.unit.name, rights=obj.rights,
        access=obj.access, mods=descriptive, pages=rows,
        record_url=f"{iiif.BASE}/api/v1/records/{obj.record_id}" if obj.record_id else "",
        manifest_url=f"{iiif.BASE}/iiif/{obj.uuid}/manifest")


def storage_by_collection(**kwargs: Any) -> list[Any]:
    """Storage figures per collection (see `thuvien.digital.storage.storage_by_collection`): the
    digitisation dashboard links to /staff/digital/storage/ and may call this with its targets."""
    from thuvien.digital.storage import storage_by_collection as figures

    return figures(**kwargs)
