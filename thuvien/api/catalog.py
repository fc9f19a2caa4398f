"""API endpoints for the union catalogue (read-only, public like the OPAC): a record (its extracted
fields, MARC-in-JSON and every copy), its MARC in the exchange formats, and its holdings per library.
`GET /records/{id}` is registered here only (the OpenAPI file documents the route that answers)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from thuvien.catalog import selectors
from thuvien.catalog.models import BibRecord, ItemStatus
from thuvien.opac.downloads import download_response
from thuvien.search.selectors import record_get_public

router = Router(tags=["catalog"])


class CopyOut(Schema):
    """One copy of a record: where it is and whether it can be borrowed now."""

    library: str
    library_name: str
    barcode: str
    call_number: str
    shelving_location: str
    status: str
    status_label: str


class RecordOut(Schema):
    """A live bibliographic record: the extracted fields, the full MARC-in-JSON and every copy."""

    id: int
    uuid: str
    control_number: str
    control_number_source: str
    title: str
    responsibility: str
    main_author: str
    authors: list[str]
    subjects: list[str]
    series: list[str]
    notes: list[str]
    isbns: list[str]
    issns: list[str]
    language: str
    year: int | None
    publisher: str
    place: str
    edition: str
    physical: str
    ddc: str
    call_number: str
    material_type: str
    links: list[dict[str, str]]
    updated_at: str
    marc: dict[str, Any]
    holdings: list[CopyOut]


class HoldingOut(Schema):
    """Copies of a record at one library: how many, and how many are on the shelf."""

    library: str
    library_name: str
    total: int
    available: int


_COMPUTED = ("id", "uuid", "updated_at", "marc", "holdings")


@router.get("/records/{record_id}", response=RecordOut, summary="Một biểu ghi và nơi có tài liệu")
def record(request: HttpRequest, record_id: int) -> dict[str, Any]:
    """The full record (extracted fields and MARC-in-JSON) with every copy in the network; 404 when
    missing or deleted (harvesters learn of deletions through OAI-PMH)."""
    bib = record_get_public(record_id=record_id)
    if bib is None:
        raise HttpError(404, _("Không có biểu ghi số %(id)s.") % {"id": record_id})
    labels = dict(ItemStatus.choices)
    items = sorted(bib.items.all(), key=lambda i: (i.library.path, i.barcode))
    data = {name: getattr(bib, name) for name in RecordOut.model_fields if name not in _COMPUTED}
    data.update(id=bib.pk, uuid=str(bib.uuid), updated_at=bib.updated_at.isoformat(), marc=bib.marc, holdings=[
        {"library": i.library.code, "library_name": i.library.name, "barcode": i.barcode,
         "call_number": i.call_number or bib.call_number, "shelving_location": i.shelving_location,
         "status": i.status, "status_label": str(labels.get(i.status, i.status))}
        for i in items if i.status != ItemStatus.WITHDRAWN
    ])
    return data


@router.get("/records/{record_id}/marc")
def record_marc(request: HttpRequest, record_id: int, format: str = "json") -> HttpResponse:  # noqa: A002
    """The full record as a file: format = mrc (ISO 2709 UTF-8), xml (MARCXML), json (MARC-in-JSON),
    dc (Dublin Core, as OAI-PMH serves it), mods, ris or bib (BibTeX)."""
    return download_response(get_object_or_404(BibRecord, pk=record_id, is_deleted=False), format)


@router.get("/records/{record_id}/holdings", response=list[HoldingOut])
def record_holdings(request: HttpRequest, record_id: int) -> list[HoldingOut]:
    """Copies per library: total and available."""
    bib = get_object_or_404(BibRecord, pk=record_id, is_deleted=False)
    return [HoldingOut(library=h["library"].code, library_name=h["library"].name, total=h["total"],
                       available=h["available"]) for h in selectors.holdings_summary(bib=bib)]
