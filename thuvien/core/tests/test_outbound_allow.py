"""The network administrator's outbound allow-list (stored, audited, used by core.outbound next to the
environment setting): an allowed private host passes, any other internal address is refused before a
connection is made."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuvien.core.models import AuditEntry, OutboundAllow, Role
from thuvien.core.outbound import OutboundRefused, check_url, fetch
from thuvien.core.services import outbound_allow_add, outbound_allow_remove
from thuvien.core.tests.fixtures import make_staff


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"<ok/>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[http.server.HTTPServer]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _resolving(table: dict[str, str]):  # type: ignore[no-untyped-def]
    """getaddrinfo answering from `table` (a LAN's DNS), so no real resolver is asked."""
    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        ip = table.get(host, host)  # an address literal resolves to itself
        return [(2, 1, 6, "", (ip, port))]
    return mock.patch("thuvien.core.outbound.socket.getaddrinfo", side_effect=getaddrinfo)


def test_allowed_private_host_passes_and_others_are_refused_without_a_connection(settings, net, admin_user):
    settings.THUVIEN_OUTBOUND_ALLOWED_HOSTS = []
    lan = {"opac.thuvien.lan": "10.20.0.5", "other.lan": "10.30.0.1", "block.lan": "10.40.1.2",
           "metadata.lan": "169.254.169.254"}
    with _resolving(lan), mock.patch("thuvien.core.outbound.socket.create_connection") as connect:
        for url in ("http://opac.thuvien.lan/oai", "http://other.lan/", "http://block.lan/", "http://10.40.9.9/"):
            with pytest.raises(OutboundRefused):
                fetch(url, timeout=0.5)
        outbound_allow_add(actor=admin_user, entry="OPAC.thuvien.lan", note="Mục lục liên hợp")
        outbound_allow_add(actor=admin_user, entry="10.40.0.0/16")
        check_url("http://opac.thuvien.lan/oai")  # allowed by name
        check_url("http://block.lan/")  # its address is in an allowed block
        check_url("http://10.40.9.9/sru")
        outbound_allow_add(actor=admin_user, entry="10.30.0.1")  # a single address: that URL host only
        check_url("http://10.30.0.1/")
        for url in ("http://other.lan/", "http://metadata.lan/latest/", "http://10.41.0.1/", "http://127.0.0.1/"):
            with pytest.raises(OutboundRefused, match="internal addresses are refused"):
                fetch(url, timeout=0.5)
        connect.assert_not_called()
    assert list(OutboundAllow.objects.values_list("entry", flat=True)) == ["10.30.0.1", "10.40.0.0/16",
                                                                           "opac.thuvien.lan"]
    assert list(AuditEntry.objects.filter(action="outbound.allow").values_list("object_repr", flat=True)
                .order_by("id")) == ["opac.thuvien.lan", "10.40.0.0/16", "10.30.0.1"]
    outbound_allow_remove(actor=admin_user, allow=OutboundAllow.objects.get(entry="opac.thuvien.lan"))
    with _resolving(lan), pytest.raises(OutboundRefused):
        check_url("http://opac.thuvien.lan/oai")
    assert AuditEntry.objects.filter(action="outbound.disallow", object_repr="opac.thuvien.lan").exists()


def test_allowed_address_is_really_fetched_and_env_setting_still_honoured(settings, net, admin_user, server):
    port = server.server_address[1]
    settings.THUVIEN_OUTBOUND_ALLOWED_HOSTS = []
    with pytest.raises(OutboundRefused):
        fetch(f"http://127.0.0.1:{port}/", timeout=2)
    outbound_allow_add(actor=admin_user, entry="127.0.0.1")
    assert fetch(f"http://127.0.0.1:{port}/", timeout=2) == b"<ok/>"
    OutboundAllow.objects.all().delete()
    settings.THUVIEN_OUTBOUND_ALLOWED_HOSTS = ["127.0.0.0/8"]  # an address block in the environment too
    assert fetch(f"http://127.0.0.1:{port}/", timeout=2) == b"<ok/>"
    assert fetch(f"http://localhost:{port}/", timeout=2) == b"<ok/>"  # a block allows every name in it


def test_only_network_administrators_edit_the_list_and_entries_are_checked(net, admin_user):
    manager = make_staff("mgr_a", net.a, Role.LIBRARY_MANAGER)
    with pytest.raises(PermissionDenied):
        outbound_allow_add(actor=manager, entry="10.0.0.1")
    for bad in ("", "http://x/", "a b", "10.0.0.0/33", "-bad-.lan", "x" * 300):
        with pytest.raises(ValidationError):
            outbound_allow_add(actor=admin_user, entry=bad)
    outbound_allow_add(actor=admin_user, entry="10.1.0.0/16")
    with pytest.raises(ValidationError):
        outbound_allow_add(actor=admin_user, entry="10.1.0.0/16")
    assert OutboundAllow.objects.count() == 1 and not AuditEntry.objects.filter(actor=manager).exists()


def test_staff_page(client, net, admin_user):
    manager = make_staff("mgr_a", net.a, Role.LIBRARY_MANAGER)
    client.force_login(manager)
    assert client.get("/staff/outbound/").status_code == 403
    assert client.post("/staff/outbound/", {"entry": "10.0.0.1"}).status_code == 403
    assert not OutboundAllow.objects.exists()
    client.force_login(admin_user)
    page = client.get("/staff/outbound/")
    assert page.status_code == 200 and "127.0.0.1" in page.content.decode()  # the test settings' env entries
    r = client.post("/staff/outbound/", {"entry": "10.9.0.0/24", "note": "Z39.50 nội bộ"})
    assert r.status_code == 302
    bad = client.post("/staff/outbound/", {"entry": "not a host", "note": ""})
    assert bad.status_code == 200 and "Hãy nhập một tên máy chủ" in bad.content.decode()
    allow = OutboundAllow.objects.get()
    assert (allow.entry, allow.note, allow.created_by) == ("10.9.0.0/24", "Z39.50 nội bộ", admin_user)
    assert "10.9.0.0/24" in client.get("/staff/outbound/").content.decode()
    assert client.post("/staff/outbound/", {"remove": str(allow.pk)}).status_code == 302
    assert client.post("/staff/outbound/", {"remove": "x' OR 1=1"}).status_code == 302
    assert not OutboundAllow.objects.exists()
