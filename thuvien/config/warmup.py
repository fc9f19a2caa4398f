"""Warm a web process before its first request: open the search index, load URL patterns,
templates, translations and the database connection, so the first reader does not wait for them."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.test import RequestFactory

log = logging.getLogger("thuvien.warmup")

WARM_PATHS = ("/", "/search/?q=sach", "/staff/login/")


def _host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host != "*" and not host.startswith("."):
            return host.strip("[]") if host.startswith("[") else host
    return "localhost"


def warm_up(application: WSGIHandler) -> dict[str, int]:
    """Answer a few pages in-process (nothing is written); returns {path: status}."""
    started = time.monotonic()
    factory = RequestFactory(HTTP_HOST=_host())
    statuses: dict[str, int] = {}
    for path in WARM_PATHS:
        response = application.get_response(factory.get(path))
        statuses[path] = response.status_code
    connections.close_all()  # the serving threads open their own
    log.info("web process warmed in %.2f s: %s", time.monotonic() - started, statuses)
    return statuses
