"""`thuvien sip2_terminal add LOGIN --library CODE --password PW`, `list`, `set LOGIN ...`: SIP2 terminals."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit
from thuvien.protocols.models import Sip2Terminal
from thuvien.protocols.sip2.services import terminal_create, terminal_update


class Command(BaseCommand):
    help = "Quản lý máy tự phục vụ SIP2: add (thêm), set (sửa), list (liệt kê)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["add", "set", "list"])
        parser.add_argument("login", nargs="?", default="")
        parser.add_argument("--library", default="", help="mã thư viện (ISIL) nơi đặt máy")
        parser.add_argument("--password", default="")
        parser.add_argument("--location", default=None)
        parser.add_argument("--encoding", choices=Sip2Terminal.Encoding.values, default=None)
        parser.add_argument("--line-end", choices=Sip2Terminal.LineEnd.values, default=None)
        parser.add_argument("--no-error-detection", action="store_true")
        parser.add_argument("--no-pin", action="store_true", help="bạn đọc không cần nhập PIN")
        parser.add_argument("--tls", action="store_true", help="chỉ chấp nhận kết nối TLS")
        parser.add_argument("--disable", action="store_true")

    def _options(self, o: dict[str, Any]) -> dict[str, Any]:
        options: dict[str, Any] = {}
        for key in ("location", "encoding", "line_end"):
            if o[key] is not None:
                options[key] = o[key]
        if o["no_error_detection"]:
            options["error_detection"] = False
        if o["no_pin"]:
            options["patron_pin_required"] = False
        if o["tls"]:
            options["tls_required"] = True
        if o["disable"]:
            options["is_active"] = False
        return options

    def handle(self, *args: Any, **o: Any) -> None:
        if o["action"] == "list":
            for t in Sip2Terminal.objects.select_related("library"):
                seen = t.last_login_at.isoformat(timespec="seconds") if t.last_login_at else "-"
                self.stdout.write(f"{t.login}\t{t.library.code}\t{t.encoding}\t{t.line_end}\t"
                                  f"{'on' if t.is_active else 'off'}\t{seen}")
            return
        if not o["login"]:
            raise CommandError("LOGIN?")
        try:
            if o["action"] == "add":
                library = OrgUnit.objects.filter(code=o["library"]).first()
                if library is None:
                    raise CommandError(f"Không có thư viện mã {o['library']!r}.")
                terminal = terminal_create(actor=system_user(), login=o["login"], library=library,
                                           password=o["password"], **self._options(o))
            else:
                found = Sip2Terminal.objects.select_related("library", "account").filter(login=o["login"]).first()
                if found is None:
                    raise CommandError(f"Không có máy {o['login']!r}.")
                terminal = terminal_update(actor=system_user(), terminal=found, password=o["password"],
                                           **self._options(o))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{terminal.login} @ {terminal.library.code}")
