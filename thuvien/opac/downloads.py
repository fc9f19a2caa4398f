"""The one record-download view: a bibliographic record as a file in any exchange format (MARC,
MARCXML, MARC-in-JSON, Dublin Core, MODS, RIS, BibTeX). The OPAC's and the staff client's download
links and the API's `/records/{id}/marc` all answer through `download_response`."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from thuvien.catalog.exports import render_bib
from thuvien.catalog.marc.writer import RecordTooLong
from thuvien.catalog.models import BibRecord
from thuvien.core.permissions import is_staff_member


def download_response(bib: BibRecord, fmt: str) -> HttpResponse:
    """`bib` as an attachment in `fmt` (404 for an unknown format, 409 when ISO 2709 cannot hold it)."""
    try:
        body, content_type, ext = render_bib(bib, fmt)
    except KeyError as exc:
        raise Http404(_("Không hỗ trợ định dạng này.")) from exc
    except RecordTooLong as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="record-{bib.pk}.{ext}"'
    return response


@require_GET
def record_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A record's file; a deleted record only for library staff (the staff client still shows it)."""
    bib = BibRecord.objects.filter(pk=pk).first()
    if bib is None or (bib.is_deleted and not is_staff_member(request.user)):  # type: ignore[arg-type]
        raise Http404(_("Không có biểu ghi này."))
    return download_response(bib, fmt)
