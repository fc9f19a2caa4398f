"""Project middleware: read-your-writes for search, and response compression."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.translation import gettext as _

from thuvien.search.engine import IndexUnavailable
from thuvien.search.outbox import outbox_last_id, outbox_require, outbox_wrote

OUTBOX_COOKIE = "tv_seen"
OUTBOX_COOKIE_AGE_S = 30  # long enough for the next page's search; the indexer needs well under a second


class ReadYourWritesMiddleware:
    """A search after this browser's own write waits for the indexer to pass that write.

    A request that committed outbox entries leaves the newest outbox id in a short-lived cookie;
    the next requests' searches wait (bounded) until the index has applied it. The value only
    makes its own searches wait, so it needs no signature."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.COOKIES.get(OUTBOX_COOKIE, "")
        outbox_require(int(raw) if raw.isdigit() and len(raw) < 19 else 0)
        response = self.get_response(request)
        if outbox_wrote():
            response.set_cookie(OUTBOX_COOKIE, str(outbox_last_id()), max_age=OUTBOX_COOKIE_AGE_S,
                                httponly=True, samesite="Lax")
        outbox_require(0)
        return response


class CompressionMiddleware(GZipMiddleware):
    """gzip for pages, API answers and static files (Django's, with its BREACH length padding),
    except the reader's account pages, which reflect personal data next to secrets."""

    exclude_prefixes = ("/account/",)

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if request.path.startswith(self.exclude_prefixes):
            return response
        return super().process_response(request, response)


class IndexUnavailableMiddleware:
    """Whatever searches while the machine's indexer (re)builds the index and does not say so
    itself (SRU, a staff list...) answers 503 with Retry-After rather than 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, IndexUnavailable):
            return None
        return HttpResponse(_("Chỉ mục tìm kiếm đang được dựng lại; xin thử lại sau ít phút."), status=503,
                            content_type="text/plain; charset=utf-8", headers={"Retry-After": "30"})


class SearchBulkheadMiddleware:
    """At most THUVIEN_SEARCH_CONCURRENCY searches compute at once in a web process; others wait
    their turn (at most THUVIEN_SEARCH_QUEUE_S, then 503 with Retry-After). Python runs one thread
    at a time, so running more searches side by side gains readers nothing, while the desk's
    checkout waiting behind them is what a busy OPAC used to slow down."""

    prefixes = ("/search/", "/api/v1/search", "/sru")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.slots = threading.BoundedSemaphore(max(1, int(settings.THUVIEN_SEARCH_CONCURRENCY)))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(self.prefixes):
            return self.get_response(request)
        if not self.slots.acquire(timeout=float(settings.THUVIEN_SEARCH_QUEUE_S)):
            return JsonResponse({"detail": _("Máy chủ đang bận; xin thử lại sau ít giây.")}, status=503,
                                headers={"Retry-After": "5"})
        try:
            return self.get_response(request)
        finally:
            self.slots.release()
