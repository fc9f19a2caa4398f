"""Searches yield to the desk inside a web process (config/middleware.py `DeskFirst`)."""

from __future__ import annotations

import threading
import time

from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from thuvien.config.middleware import SearchBulkheadMiddleware


def _middleware(settings, desk_leave: threading.Event, searched: list[float]):  # type: ignore[no-untyped-def]
    settings.THUVIEN_SEARCH_CONCURRENCY, settings.THUVIEN_SEARCH_QUEUE_S = 1, 5
    desk_inside = threading.Event()

    def view(request):  # type: ignore[no-untyped-def]
        if request.path.startswith("/search/"):
            searched.append(time.monotonic())
            with connection.cursor() as cursor:  # a yield point: pauses again if the desk came back
                cursor.execute("SELECT 1")
            searched.append(time.monotonic())
        else:
            desk_inside.set()
            desk_leave.wait(5)
        return HttpResponse("ok")

    return SearchBulkheadMiddleware(view), desk_inside


def test_a_search_waits_while_a_desk_request_is_in_flight(settings, db):
    settings.THUVIEN_SEARCH_YIELD_S = 5
    leave, searched = threading.Event(), []
    middleware, desk_inside = _middleware(settings, leave, searched)
    factory = RequestFactory()
    desk = threading.Thread(target=middleware, args=(factory.post("/api/v1/circ/checkout"),))
    desk.start()
    assert desk_inside.wait(5)
    search = threading.Thread(target=middleware, args=(factory.get("/search/?q=a"),))
    search.start()
    time.sleep(0.3)
    assert searched == []  # paused at its start while the checkout runs
    released = time.monotonic()
    leave.set()
    desk.join(5)
    search.join(5)
    assert len(searched) == 2 and searched[0] >= released


def test_a_search_yields_at_most_its_budget(settings, db):
    settings.THUVIEN_SEARCH_YIELD_S = 0.2
    leave, searched = threading.Event(), []
    middleware, desk_inside = _middleware(settings, leave, searched)
    factory = RequestFactory()
    desk = threading.Thread(target=middleware, args=(factory.post("/staff/export/"),))  # a long request
    desk.start()
    assert desk_inside.wait(5)
    started = time.monotonic()
    response = middleware(factory.get("/search/?q=a"))
    took = time.monotonic() - started
    leave.set()
    desk.join(5)
    assert response.status_code == 200 and len(searched) == 2
    assert 0.2 <= took < 1.0  # waited its 0.2 s budget in all (start and query), then ran
    assert middleware.first.busy == 0
