"""API endpoints for the union catalogue (read-only, public like the OPAC): a record's extracted
fields, its MARC in several formats, and its holdings per library."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from thuvien.catalog import selectors
from thuvien.catalog.exports import FORMATS, render_record
from thuvien.catalog.marc.writer import RecordTooLong
from thuvien.catalog.models import BibRecord

router = Router(tags=["catalog"])


class RecordOut(Schema):
    id: int
    uuid: str
    control_number: str
    control_number_source: str
    title: str
    responsibility: str
    main_author: str
    authors: list[str]
    subjects: list[str]
    ddc: str
    call_number: str
    isbns: list[str]
    issns: list[str]
    language: str
    year: int | None
    publisher: str
    place: str
    edition: str
    series: list[str]
    physical: str
    notes: list[str]
    material_type: str
    links: list[dict[str, str]]
    is_deleted: bool
    updated_at: str


class HoldingOut(Schema):
    library: str
    library_name: str
    total: int
    available: int


def _out(bib: BibRecord) -> RecordOut:
    data = {name: getattr(bib, name) for name in RecordOut.model_fields if name not in ("id", "uuid", "updated_at")}
    return RecordOut(id=bib.pk, uuid=str(bib.uuid), updated_at=bib.updated_at.isoformat(), **data)


@router.get("/records/{record_id}", response=RecordOut)
def record(request: HttpRequest, record_id: int) -> RecordOut:
    """A bibliographic record's extracted fields (deleted records say so)."""
    return _out(get_object_or_404(BibRecord, pk=record_id))


@router.get("/records/{record_id}/marc")
def record_marc(request: HttpRequest, record_id: int, format: str = "json") -> HttpResponse:  # noqa: A002
    """The full record: format = mrc (ISO 2709 UTF-8), xml (MARCXML), json (MARC-in-JSON), dc, mods."""
    bib = get_object_or_404(BibRecord, pk=record_id, is_deleted=False)
    if format not in FORMATS:
        raise Http404
    try:
        body, content_type, ext = render_record(selectors.bib_to_pymarc(bib), format)
    except RecordTooLong as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="record-{bib.pk}.{ext}"'
    return response


@router.get("/records/{record_id}/holdings", response=list[HoldingOut])
def record_holdings(request: HttpRequest, record_id: int) -> list[HoldingOut]:
    """Copies per library: total and available."""
    bib = get_object_or_404(BibRecord, pk=record_id, is_deleted=False)
    return [HoldingOut(library=h["library"].code, library_name=h["library"].name, total=h["total"],
                       available=h["available"]) for h in selectors.holdings_summary(bib=bib)]
