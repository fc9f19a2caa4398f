"""`thuvien serve` as `make run` starts it: the indexer, the web processes (sized from the machine,
warmed before the first request, gzip), the worker and the scheduler; each log line once."""

from __future__ import annotations

import gzip
import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.wsgi import get_wsgi_application

from thuvien.config.warmup import warm_up
from thuvien.core.management.commands.serve import web_sizing


def test_web_processes_and_threads_follow_the_cores():
    assert web_sizing(1) == (1, 3)
    assert web_sizing(2) == (1, 5)  # granian warns above 2 x cores + 1 threads; one is the desk's
    assert web_sizing(4) == (2, 5)
    assert web_sizing(32) == (8, 9)


def test_django_log_lines_have_one_handler():
    assert logging.getLogger("django").handlers == []  # the root handler writes them, once
    assert logging.getLogger("django").propagate


@pytest.mark.django_db
def test_warm_up_answers_the_first_pages_in_process(settings):
    settings.ALLOWED_HOSTS = ["bibliotheque.example.vn", "*"]
    assert warm_up(get_wsgi_application()) == {"/": 200, "/search/?q=sach": 200, "/staff/login/": 200}


@pytest.mark.django_db
def test_pages_are_compressed_but_not_the_readers_account(client):
    page = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(page.content)
    login = client.get("/account/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert login.status_code == 200 and not login.has_header("Content-Encoding")


def _get(port: int, path: str) -> tuple[int, dict[str, str], float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.monotonic()
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    resp.read()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, time.monotonic() - started


@pytest.mark.slow
def test_serve_starts_everything_warm_and_logs_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(THUVIEN_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="thuvien.config.base", THUVIEN_DEBUG="1")
    subprocess.run([sys.executable, "-m", "thuvien", "migrate", "--noinput", "-v0"], env=env, check=True, timeout=300)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "thuvien", "serve", "--port", str(port)], env=env,  # noqa: S603
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "web process warmed" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(0.5)
        status, headers, took = _get(port, "/")
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert took < 2.0  # warmed: the first request does not load the index, templates, translations
        assert _get(port, "/nope/")[0] == 404
        deadline = time.monotonic() + 60
        while "scheduler.resume_interrupted" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    with socket.socket() as sock:  # nothing is left listening: a web worker outliving serve held the port
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    text = log.read_text()
    assert text.count("Not Found: /nope/") == 1
    assert "Python threads" not in text and "Rust threads" not in text  # granian's sizing warnings
    assert "Watching for file changes" not in text  # the worker does not run the autoreloader
    assert "scheduler: circulation.daily" in text and "scheduler: search.outbox_prune" in text
    assert (Path(tmp_path) / "index" / "slot-indexer" / "state.json").exists()
    assert not (Path(tmp_path) / "index" / "slot-0").exists()  # no web process built an index of its own
    assert text.rstrip().endswith("Đã dừng.")


def test_searches_take_turns_and_leave_the_desk_alone(settings):
    import threading

    from django.http import HttpResponse
    from django.test import RequestFactory

    from thuvien.config.middleware import SearchBulkheadMiddleware

    settings.THUVIEN_SEARCH_CONCURRENCY, settings.THUVIEN_SEARCH_QUEUE_S = 1, 0.2
    inside, leave = threading.Event(), threading.Event()

    def view(request):  # type: ignore[no-untyped-def]
        if request.path.startswith("/search/"):
            inside.set()
            leave.wait(5)
        return HttpResponse("ok")

    middleware = SearchBulkheadMiddleware(view)
    factory = RequestFactory()
    first = threading.Thread(target=middleware, args=(factory.get("/search/?q=a"),))
    first.start()
    assert inside.wait(5)
    busy = middleware(factory.get("/api/v1/search?q=b"))  # the one slot is taken: waits 0.2 s, then 503
    assert busy.status_code == 503 and busy["Retry-After"] == "5"
    assert middleware(factory.post("/api/v1/circ/checkout")).status_code == 200  # the desk never waits
    leave.set()
    first.join(5)
    assert middleware(factory.get("/search/?q=c")).status_code == 200
