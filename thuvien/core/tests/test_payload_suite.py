"""The payload suite (issue 12, item 8), generated from the URL conf: every GET route (path converters
filled with real objects made here) with hostile values in its query parameters and path segments, and
every form the rendered pages contain POSTed back with a hostile value in every field; as an anonymous
visitor, a reader and staff. Nothing may answer 5xx, no payload may come back unescaped in HTML, and no
file outside the media folder may be served."""

from __future__ import annotations

import datetime as dt
import html.parser
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from thuvien.api.devices import token_create
from thuvien.catalog.models import AuthorityRecord, ImportJob, QuarantinedRecord
from thuvien.circulation import services as circ
from thuvien.circulation.models import CirculationRule
from thuvien.circulation.tests.fixtures import make_item, make_record
from thuvien.core.models import Role, User
from thuvien.core.tests.fixtures import make_staff
from thuvien.patrons.tests.fixtures import make_patron
from thuvien.protocols.sip2.services import terminal_create

XSS = ["<script>alert(1)</script>", '"><svg onload=alert(1)>', "javascript:alert(1)"]
SQLI = ["' OR 1=1--", "1;DROP TABLE core_orgunit"]
TRAVERSAL = ["../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..\\..\\windows\\win.ini"]
NUMBERS = ["9" * 40, "NaN", "Infinity", "-1e309", "-0"]
OTHER = ["not-a-uuid", "2026-02-31", "31/13/2026T99:99", "%00", "{{7*7}}", "Ⅷ\u202e\ufeff"]
# invalid UTF-8 and a NUL, as raw bytes in the query; a NUL anywhere is a 400 (core.middleware.NulByteMiddleware),
# so it gets requests of its own instead of masking the other payloads
BAD_BYTES = "q=%ff%fe&page=%c0%af&year=%00&f=%e0%80"
PAYLOADS = XSS + SQLI + TRAVERSAL + NUMBERS + OTHER
UNESCAPED = ["<script>alert(1)</script>", "<svg onload=alert(1)>"]
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
SECRET_FILES = ("root:x:0:0", "[fonts]", "SECRET_KEY")
QUERY_NAMES = ["q", "page", "year", "f", "sort", "kind", "desk", "all", "from", "to", "until", "format", "request_id",
               "id", "limit", "offset", "library", "status", "type", "verb", "query", "operation", "version",
               "metadataPrefix", "identifier", "set", "resumptionToken", "recordSchema", "maximumRecords",
               "startRecord", "next", "lang", "code", "card", "barcode", "date", "month", "unit", "scope", "fmt"]
SKIP_POST = ("/logout/", "/i18n/setlang/", "/account/logout/")


@dataclass
class World:
    values: dict[str, str]
    pks: dict[str, int]
    staff: User
    reader: User


def _world(net: Any) -> World:
    admin = make_staff("payload_admin", net.province, Role.NETWORK_ADMIN)
    make_staff("desk_a", net.a, Role.CIRCULATION)
    CirculationRule.objects.create(unit=net.province, loan_days=14, renewals=2, max_loans=5, max_holds=3,
                                   fine_per_day=1000, fine_cap=20000, grace_days=0)
    record = make_record("Truyện Kiều")
    item = make_item("VN0001", net.a, record)
    make_item("VN0002", net.a, record)
    patron = make_patron("P001", net.a, full_name="Nguyễn Văn A", email="a@example.vn")
    reader = User.objects.create_user(username="reader-p001", password="mat-khau-dai-2026", email="a@example.vn")
    patron.user = reader
    patron.save(update_fields=["user"])
    loan = circ.loan_checkout(actor=admin, item=item, patron=patron, desk=net.a)
    circ.loan_checkin(actor=admin, item=item, desk=net.a, now=loan.due_at + dt.timedelta(days=3))
    terminal = terminal_create(actor=admin, login="kiosk1", library=net.a, password="secret1")
    token, _key = token_create(actor=admin, name="Cổng", library=net.a, scopes=["visits"])
    pks = {"record": record.pk, "item": item.pk, "terminals": terminal.pk, "tokens": token.pk}
    for name, model in (("authorities", AuthorityRecord), ("import", ImportJob), ("quarantine", QuarantinedRecord)):
        first = model.objects.order_by("pk").values_list("pk", flat=True).first()
        pks[name] = first or 1
    values = {"code": net.a.code, "username": "desk_a", "card": "P001", "fmt": "marcxml", "library_code": net.a.code,
              "record_id": str(record.pk), "uuid": str(record.uuid), "name": "circulation", "order": "1",
              "obj_uuid": str(record.uuid), "page_uuid": str(record.uuid), "region": "full", "size": "max",
              "rotation": "0", "quality_format": "default.jpg", "uidb64": "MQ", "token": "set-password",
              "barcode": "VN0001"}
    return World(values=values, pks=pks, staff=admin, reader=reader)


def _routes() -> Iterator[str]:
    """The route text of every URL pattern (prefixes joined)."""
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)
    yield from walk(get_resolver().url_patterns, "")


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _fill(route: str, world: World, payload: str | None = None) -> str:
    """A concrete path for `route`: real objects' keys, or `payload` in every str segment."""
    if route.startswith("^"):  # the IIIF image regex
        route = route.strip("^$")

    def value(match: re.Match[str]) -> str:
        conv, name = match.group(1) or "str", match.group(2) or match.group(3)
        if payload is not None and conv in ("str", "path", None):
            return _quote(payload)
        if conv == "int":
            for key, pk in world.pks.items():
                if f"/{key}/" in route or route.startswith(f"{key}/") or f"{key}/<int" in route:
                    return str(pk)
            return str(world.pks["record"])
        return world.values.get(name, "1")
    return "/" + _CONVERTER.sub(value, route).replace("\\", "")


def _quote(text: str) -> str:
    from urllib.parse import quote
    return quote(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), safe="")


class _Forms(html.parser.HTMLParser):
    """The forms of a page: method, action and fields (name -> (type, value)); selects keep their first option."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"method": a.get("method", "get").lower(), "action": a.get("action", ""), "fields": {}})
        elif not self.forms:
            return
        elif tag in ("input", "textarea", "button") and a.get("name"):
            kind = a.get("type", "text" if tag != "button" else "submit").lower()
            self.forms[-1]["fields"].setdefault(a["name"], (kind, a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1]["fields"].setdefault(a["name"], ("select", ""))
        elif tag == "option" and self._select and self.forms[-1]["fields"][self._select][1] == "":
            self.forms[-1]["fields"][self._select] = ("select", a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


@dataclass
class Probe:
    client: Client
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    def check(self, method: str, url: str, data: dict[str, str] | None = None) -> Any:
        self.requests += 1
        try:
            if method == "get":
                r = self.client.get(url, data)
            else:
                r = self.client.post(url, data or {})
        except Exception as exc:  # noqa: BLE001 - a crash is what we are looking for
            self.failures.append(f"{method.upper()} {url} {_short(data)}: raised {type(exc).__name__}: {exc}")
            return None
        where = f"{method.upper()} {url} {_short(data)}"
        if r.status_code >= 500:
            self.failures.append(f"{where}: {r.status_code}")
        if getattr(r, "streaming", False):
            return r
        body = r.content.decode("utf-8", "replace")
        if "html" in r.get("Content-Type", ""):
            for raw in UNESCAPED:
                if raw in body:
                    self.failures.append(f"{where}: {raw!r} came back unescaped")
            if JS_URL.search(body):
                self.failures.append(f"{where}: a javascript: URL in a link")
        for secret in SECRET_FILES:
            if secret in body:
                self.failures.append(f"{where}: served {secret!r}")
        return r


def _short(data: dict[str, str] | None) -> str:
    if not data:
        return ""
    return str({k: v[:20] for k, v in list(data.items())[:4]})[:120]


def _probe_all(client: Client, world: World, login: Any) -> Probe:
    probe = Probe(client)
    for route in sorted(set(_routes())):
        if "logout" in route or "setlang" in route:
            continue
        login()
        base = _fill(route, world)
        page = probe.check("get", base)
        forms: list[dict[str, Any]] = []
        if page is not None and not getattr(page, "streaming", False) and "html" in page.get("Content-Type", ""):
            parser = _Forms()
            parser.feed(page.content.decode("utf-8", "replace"))
            forms = parser.forms
        names = sorted(set(QUERY_NAMES) | {n for f in forms if f["method"] == "get" for n in f["fields"]})
        for k in range(2):  # every parameter gets a different payload in each round
            probe.check("get", base, {n: PAYLOADS[(i * 2 + k) % len(PAYLOADS)] for i, n in enumerate(names)})
        probe.check("get", f"{base}?{BAD_BYTES}")
        if "<" in route:
            for payload in (XSS[1], TRAVERSAL[0]):
                probe.check("get", _fill(route, world, payload))
        for form in forms:
            if form["method"] != "post":
                continue
            action = form["action"] or base
            if any(s in action for s in SKIP_POST) or action.startswith("http"):
                continue
            for k in range(2):
                data: dict[str, str] = {}
                for i, (fname, (kind, value)) in enumerate(form["fields"].items()):
                    keep = k == 1 and kind in ("hidden", "submit", "select", "radio", "checkbox")
                    data[fname] = value if keep else PAYLOADS[(i * 5 + k) % len(PAYLOADS)]
                data.pop("csrfmiddlewaretoken", None)
                login()
                probe.check("post", action, data)
            if form["fields"]:
                login()
                probe.check("post", action, {name: "a\x00b" for name in form["fields"]})
    return probe


ROLES = ["anonymous", "reader", "staff"]


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_payloads_on_every_route_and_form(net, role, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = _world(net)
    client = Client(raise_request_exception=False)

    user = {"staff": world.staff, "reader": world.reader}.get(role)

    def login() -> None:  # again after a form that logged the client out or changed its session
        if user is not None and client.session.get("_auth_user_id") != str(user.pk):
            client.force_login(user)

    probe = _probe_all(client, world, login)
    assert probe.requests > 400
    assert probe.failures == [], "\n".join(sorted(set(probe.failures))[:80])


def test_no_file_outside_media_is_served(client, net, settings, tmp_path):
    media = tmp_path / "media"
    (media / "patrons").mkdir(parents=True)
    (media / "patrons" / "ok.txt").write_text("in media")
    (tmp_path / "secret.txt").write_text("SECRET_KEY=outside")
    settings.MEDIA_ROOT = str(media)
    for url in ("/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/..%2fsecret.txt",
                "/static/../../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/media//etc/passwd",
                "/iiif/3/00000000-0000-0000-0000-000000000000/full/max/0/..%2f..%2fetc%2fpasswd"):
        r = client.get(url)
        assert r.status_code in (301, 302, 400, 403, 404), url
        body = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
        assert b"outside" not in body and b"root:x:0:0" not in body, url
