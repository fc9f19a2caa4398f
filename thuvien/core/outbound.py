"""The one way thuvien fetches a URL somebody typed (harvest sources, SRU targets, later webhooks).

A URL entered by staff must not make the server talk to itself or to the internal network (SSRF):
the host name is resolved once, EVERY address it resolves to is checked (loopback, private,
link-local incl. the cloud metadata address 169.254.169.254, multicast, reserved, unspecified,
shared carrier-grade NAT), and the connection goes to the checked address itself, so a DNS answer
that changes between check and connect cannot slip through. Redirects are followed by hand and
checked the same way. Hosts and address blocks (CIDR) the network administrator allows, on the staff
page (core.OutboundAllow rows) or in the THUVIEN_OUTBOUND_ALLOWED_HOSTS environment setting (e.g. a
union catalogue inside the provincial LAN), are exempt from the address check: a host name by name, an
address block for every address in it.

Endpoints the operator sets in the environment (the S3 endpoint of the OCFL storage root,
THUVIEN_OCFL_S3_ENDPOINT) are not URLs somebody typed: `configured_endpoint` checks their form and
resolves them, and allows loopback and private addresses because the operator chose them (a MinIO on
the LAN is the usual case). That allowance is for that one client only: the endpoint is NOT added to
the allow-list, so a harvest or SRU URL pointing at it is still refused.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import urllib.parse
from collections.abc import Mapping

from django.conf import settings

USER_AGENT = "thuvien-interop/1.0 (+https://github.com/thuvien)"
MAX_REDIRECTS = 5
MAX_BYTES = 256 << 20


class OutboundError(Exception):
    """The remote server could not be reached, answered an error, or the URL was refused."""


class OutboundRefused(OutboundError):
    """The URL points at an address thuvien must not contact (nothing was sent)."""


_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def address_refused(ip: str) -> str:
    """Why `ip` may not be contacted ("" when it may): a public unicast address is the only kind allowed."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    for reason, hit in (("loopback", addr.is_loopback), ("link-local", addr.is_link_local),
                        ("multicast", addr.is_multicast), ("unspecified", addr.is_unspecified),
                        ("private", addr.is_private), ("reserved", addr.is_reserved),
                        ("shared (CGNAT)", isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT),
                        ("not global", not addr.is_global)):
        if hit:
            return reason
    return ""


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allow_entry(entry: str) -> str | Network:
    """An allow-list entry as a host name (lower case; a single address counts as the host of that name,
    e.g. http://10.20.0.5/) or, written with a prefix length (10.20.0.0/16), an address block that
    allows every address in it whatever the name; ValueError when it is neither."""
    text = entry.strip().lower().strip("[]")
    if not text:
        raise ValueError("empty entry")
    if "/" in text:
        return ipaddress.ip_network(text, strict=False)
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    labels = text.rstrip(".").split(".")
    if len(text) > 253 or not all(re.fullmatch(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?", label) for label in labels):
        raise ValueError(f"not a host name or address block: {entry!r}")
    return text.rstrip(".")


def allow_entries() -> list[str]:
    """Every allow-list entry: the environment setting's, then the administrator's (database) ones."""
    from thuvien.core.models import OutboundAllow  # noqa: PLC0415 - models import settings-dependent code

    env = [h for h in getattr(settings, "THUVIEN_OUTBOUND_ALLOWED_HOSTS", []) if h.strip()]
    return env + list(OutboundAllow.objects.values_list("entry", flat=True))


def allowed_hosts() -> set[str]:
    """Host names (lower case) the network administrator allowed even on internal addresses."""
    return {e for e in _parsed(allow_entries()) if isinstance(e, str)}


def _parsed(entries: list[str]) -> list[str | Network]:
    out: list[str | Network] = []
    for entry in entries:
        try:
            out.append(parse_allow_entry(entry))
        except ValueError:
            continue  # a malformed environment entry allows nothing
    return out


def _allowed(name: str, addresses: list[str]) -> bool:
    """True when the host name, or every address it resolves to, is on the allow-list."""
    entries = _parsed(allow_entries())
    if name in entries:
        return True
    networks = [e for e in entries if not isinstance(e, str)]
    ips = [ipaddress.ip_address(ip.split("%", 1)[0]) for ip in addresses]
    ips = [ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip for ip in ips]
    return bool(networks) and all(any(ip.version == net.version and ip in net for net in networks) for ip in ips)


def resolve_checked(host: str, port: int) -> str:
    """The address to connect to for host:port, after checking every address the name resolves to;
    OutboundRefused if any of them is internal (and the host is not allow-listed)."""
    name = host.strip("[]").lower()
    if not name:
        raise OutboundRefused("URL without a host")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"{host}: cannot resolve the name ({exc})") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise OutboundError(f"{host}: the name has no address")
    refused = [(ip, reason) for ip in addresses if (reason := address_refused(ip))]
    if refused and not _allowed(name, addresses):
        ip, reason = refused[0]
        raise OutboundRefused(f"{host} resolves to {ip} ({reason}); internal addresses are refused. "
                              "The network administrator may allow this host on the outbound allow-list page "
                              "or in THUVIEN_OUTBOUND_ALLOWED_HOSTS.")
    return addresses[0]


def configured_endpoint(url: str, *, purpose: str) -> list[str]:
    """Check an endpoint the operator configured (`purpose`: the setting's name): an http(s) URL without
    user or password whose host resolves; loopback, private and link-local addresses are an explicit
    allow (multicast and unspecified addresses are never a server). Returns the addresses; raises
    OutboundRefused for a malformed URL or impossible address, OutboundError when the name does not resolve."""
    try:
        parts = _split(url)
    except OutboundRefused as exc:
        raise OutboundRefused(f"{purpose}: {exc}") from exc
    host = (parts.hostname or "").strip("[]").lower()
    if not host:
        raise OutboundRefused(f"{purpose}: URL without a host")
    try:
        infos = socket.getaddrinfo(host, _port(parts), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"{purpose}: {host}: cannot resolve the name ({exc})") from exc
    addresses = [str(info[4][0]) for info in infos]
    for ip in addresses:
        reason = address_refused(ip)
        if reason in ("multicast", "unspecified"):
            raise OutboundRefused(f"{purpose}: {host} resolves to {ip} ({reason}), which is not a server")
    return addresses


def check_url(url: str) -> None:
    """Raise OutboundRefused/OutboundError unless `url` is an http(s) URL to an allowed address
    (used to validate forms before anything is fetched)."""
    parts = _split(url)
    resolve_checked(parts.hostname or "", _port(parts))


def _split(url: str) -> urllib.parse.SplitResult:
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise OutboundRefused(f"malformed URL {url!r}") from exc
    if parts.scheme not in ("http", "https"):
        raise OutboundRefused(f"unsupported URL scheme {parts.scheme!r}")
    if parts.username or parts.password:
        raise OutboundRefused("URLs with a user name or password are refused")
    return parts


def _port(parts: urllib.parse.SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch(url: str, params: Mapping[str, str] | None = None, *, timeout: float = 60.0) -> bytes:
    """GET url (plus params) through the guard; the body, or OutboundError/OutboundRefused."""
    if params:
        url = url + ("&" if urllib.parse.urlsplit(url).query else "?") + urllib.parse.urlencode(params)
    for _hop in range(MAX_REDIRECTS + 1):
        parts = _split(url)
        host, port = parts.hostname or "", _port(parts)
        ip = resolve_checked(host, port)
        cls = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        conn = cls(host, port, ip, timeout)
        path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urllib.parse.urljoin(url, response.getheader("Location", ""))
                continue
            if response.status >= 400:
                raise OutboundError(f"{url}: HTTP {response.status} {response.reason}")
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise OutboundError(f"{url}: the answer is larger than {MAX_BYTES >> 20} MB")
            return body
        except (OSError, http.client.HTTPException) as exc:
            raise OutboundError(f"{url}: {exc}") from exc
        finally:
            conn.close()
    raise OutboundError(f"{url}: more than {MAX_REDIRECTS} redirects")
