"""The /oai endpoint: one view dispatching on `verb` (GET and POST), always 200 text/xml."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from thuvien.protocols.oaipmh.verbs import handle


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def oai(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    params = {key: source.getlist(key) for key in source}
    base_url = request.build_absolute_uri(request.path)
    xml = handle(params, base_url=base_url)
    return HttpResponse(xml.encode("utf-8"), content_type="text/xml; charset=utf-8")
