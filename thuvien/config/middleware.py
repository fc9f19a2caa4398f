"""Project middleware: read-your-writes for search, and response compression."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
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


class DeskFirst:
    """Requests other than searches go first in a web process. Python runs one thread at a time and
    hands the interpreter over only every few milliseconds, so a checkout sharing the process with a
    search waited for it at each of its dozen database calls. While any other request is in flight,
    a search pauses at its next yield point (its start and each of its database queries), for at most
    `budget_s` over the whole search, so a steady stream of other requests cannot starve it."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.busy = 0
        self.changed = threading.Condition()
        self.local = threading.local()

    def enter(self) -> None:
        with self.changed:
            self.busy += 1

    def leave(self) -> None:
        with self.changed:
            self.busy -= 1
            if not self.busy:
                self.changed.notify_all()

    def start_search(self) -> None:
        self.local.until = time.monotonic() + self.budget_s
        self.pause()

    def pause(self) -> None:
        """Wait while other requests are in flight (within what is left of this search's budget)."""
        if not self.busy or self.budget_s <= 0:  # (busy read without the lock: a stale answer costs one yield)
            return
        until = getattr(self.local, "until", 0.0)
        with self.changed:
            while self.busy:
                left = until - time.monotonic()
                if left <= 0:
                    return
                self.changed.wait(left)

    def wrap_query(self, execute: Callable[..., Any], sql: str, params: Any, many: bool,
                   context: dict[str, Any]) -> Any:
        """`connection.execute_wrapper` hook: a yield point before each query of a search."""
        self.pause()
        return execute(sql, params, many, context)


class SearchBulkheadMiddleware:
    """At most THUVIEN_SEARCH_CONCURRENCY searches compute at once in a web process; others wait
    their turn (at most THUVIEN_SEARCH_QUEUE_S, then 503 with Retry-After). Python runs one thread
    at a time, so running more searches side by side gains readers nothing, while the desk's
    checkout waiting behind them is what a busy OPAC used to slow down. Every other request goes
    first: searches yield to it (`DeskFirst`, at most THUVIEN_SEARCH_YIELD_S per search)."""

    prefixes = ("/search/", "/api/v1/search", "/sru")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.slots = threading.BoundedSemaphore(max(1, int(settings.THUVIEN_SEARCH_CONCURRENCY)))
        self.first = DeskFirst(float(settings.THUVIEN_SEARCH_YIELD_S))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(self.prefixes):
            self.first.enter()
            try:
                return self.get_response(request)
            finally:
                self.first.leave()
        if not self.slots.acquire(timeout=float(settings.THUVIEN_SEARCH_QUEUE_S)):
            return JsonResponse({"detail": _("Máy chủ đang bận; xin thử lại sau ít giây.")}, status=503,
                                headers={"Retry-After": "5"})
        try:
            if self.first.budget_s <= 0:  # DeskFirst off (the default)
                return self.get_response(request)
            self.first.start_search()
            with connection.execute_wrapper(self.first.wrap_query):
                return self.get_response(request)
        finally:
            self.slots.release()
