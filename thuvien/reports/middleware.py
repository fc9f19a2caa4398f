"""Counts portal page views and searches without cookies or personal data: the response is looked at,
not the visitor (no IP, no session, no user agent is read or stored); counts are kept in the process
and written as `portal_visit` / `search` events every FLUSH_EVERY hits or FLUSH_SECONDS."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from thuvien.reports import facts

NOT_PORTAL = ("/staff/", "/api/", "/static/", "/media/", "/admin/", "/i18n/", "/oai", "/sru", "/iiif/")
FLUSH_SECONDS = 60.0


class PortalCounterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.last_flush = time.monotonic()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (request.method == "GET" and response.status_code == 200 and not request.path.startswith(NOT_PORTAL)
                and response.get("Content-Type", "").startswith("text/html")
                and request.headers.get("HX-Request") != "true"):
            facts.portal_hit("portal_visit")
            if request.path == "/search/" and request.GET.get("q", "").strip():
                facts.portal_hit("search")
            if time.monotonic() - self.last_flush > FLUSH_SECONDS:
                self.last_flush = time.monotonic()
                facts.portal_flush()
        return response
