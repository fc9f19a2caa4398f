"""The outbound request guard (issue 12, V2): internal addresses are refused before any connection."""

from __future__ import annotations

import http.server
import select
import socket
import threading
from collections.abc import Iterator

import pytest

from thuvien.core.outbound import OutboundRefused, address_refused, fetch
from thuvien.protocols.remote import RemoteError, http_get

pytestmark = pytest.mark.django_db  # the allow-list is also read from the database


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listening socket on 127.0.0.1 that nobody accepts from: a connection attempt would queue."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.setblocking(False)
    yield s
    s.close()


def _connected(s: socket.socket) -> bool:
    readable, _w, _x = select.select([s], [], [], 0.2)
    return bool(readable)


@pytest.fixture
def no_allow_list(settings):  # type: ignore[no-untyped-def]
    settings.THUVIEN_OUTBOUND_ALLOWED_HOSTS = []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0"])  # noqa: S104
def test_loopback_names_are_refused_without_a_connection(listener, no_allow_list, host):
    port = listener.getsockname()[1]
    with pytest.raises(RemoteError, match="internal addresses are refused"):
        http_get(f"http://{host}:{port}/oai", {"verb": "Identify"}, timeout=2)
    assert not _connected(listener)


@pytest.mark.parametrize("url", ["http://10.0.0.1/oai", "http://169.254.169.254/latest/meta-data/",
                                 "http://192.168.1.1:8080/sru", "http://172.16.0.5/", "http://224.0.0.1/",
                                 "http://100.64.0.1/", "https://[fe80::1]/"])
def test_private_link_local_multicast_refused(no_allow_list, url):
    with pytest.raises(OutboundRefused):
        fetch(url, timeout=0.5)


def test_reasons():
    assert address_refused("169.254.169.254") == "link-local"
    assert address_refused("10.0.0.1") == "private"
    assert address_refused("::1") == "loopback"
    assert address_refused("8.8.8.8") == ""


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x/", "http://user:pw@example.org/", "http://h:99999/"])
def test_other_schemes_and_credentials_refused(no_allow_list, url):
    with pytest.raises(OutboundRefused):
        fetch(url, timeout=0.5)


class _Redirect(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/ok"):
            body = b"<ok/>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(302)
        self.send_header("Location", self.target)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirector() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_allow_listed_host_is_fetched_and_redirects_are_rechecked(settings, redirector, listener):
    settings.THUVIEN_OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    port = redirector.server_address[1]
    assert fetch(f"http://127.0.0.1:{port}/ok") == b"<ok/>"
    # The allowed host redirects to a name that is not allowed: refused before connecting there.
    _Redirect.target = f"http://localhost:{listener.getsockname()[1]}/secret"
    with pytest.raises(OutboundRefused, match="localhost"):
        fetch(f"http://127.0.0.1:{port}/start")
    assert not _connected(listener)
    _Redirect.target = f"http://127.0.0.1:{port}/ok"  # a redirect to an allowed place is followed
    assert fetch(f"http://127.0.0.1:{port}/start") == b"<ok/>"


@pytest.mark.django_db
def test_harvest_and_sru_to_internal_addresses_fail_without_a_connection(net, admin_user, listener, no_allow_list):
    from django.core.exceptions import ValidationError

    from thuvien.protocols.harvest.services import harvest_run_execute, harvest_source_create
    from thuvien.protocols.models import HarvestRun, HarvestSource
    from thuvien.protocols.sru.client import sru_search

    port = listener.getsockname()[1]
    for n, host in enumerate(("127.0.0.1", "localhost", "10.0.0.1", "169.254.169.254", "[::1]")):
        with pytest.raises(ValidationError) as refused:
            harvest_source_create(actor=admin_user, code=f"x{n}", name="X", library=net.a,
                                  base_url=f"http://{host}:{port}/oai")
        assert "base_url" in refused.value.message_dict
        # A source saved before the guard existed is refused again by the worker.
        source = HarvestSource.objects.create(code=f"old{n}", name="Old", library=net.a,
                                              base_url=f"http://{host}:{port}/oai")
        run = HarvestRun.objects.create(source=source, started_by=admin_user)
        run = harvest_run_execute(run=run, timeout=1)
        assert run.status == HarvestRun.Status.FAILED
        assert "internal addresses are refused" in run.error
        with pytest.raises(RemoteError, match="internal addresses are refused"):
            sru_search(url=f"http://{host}:{port}/sru", query="dc.title=x", timeout=1)
    assert not _connected(listener)
    assert not HarvestSource.objects.filter(code__startswith="x").exists()
