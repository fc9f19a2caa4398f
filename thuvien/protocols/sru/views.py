"""The /sru and /sru/<library-code> endpoints (GET and form POST), always 200 text/xml."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from thuvien.protocols.sru.server import Endpoint, handle


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def sru(request: HttpRequest, library_code: str = "") -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    params = {key: source.get(key, "") for key in source}
    host = request.get_host()
    name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    default_port = 443 if request.is_secure() else 80
    endpoint = Endpoint(host=name or host, port=int(port) if port.isdigit() else default_port,
                        database=f"sru/{library_code}" if library_code else "sru", library_code=library_code)
    return HttpResponse(handle(params, endpoint).encode("utf-8"), content_type="text/xml; charset=utf-8")
