"""`thuvien device_token add NAME --library CODE --scopes visits,circulation` (prints the token once),
`revoke PREFIX`, `list`; `thuvien device_token import-visits FILE.csv --library CODE` for gate counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from thuvien.api.devices import token_create, token_revoke, visits_import_csv
from thuvien.api.models import DeviceToken
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit


class Command(BaseCommand):
    help = "Khoá API cho thiết bị (cổng đếm lượt, máy tự phục vụ): add, revoke, list, import-visits."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["add", "revoke", "list", "import-visits"])
        parser.add_argument("name", nargs="?", default="", help="tên thiết bị / mã khoá / tệp CSV")
        parser.add_argument("--library", default="")
        parser.add_argument("--scopes", default="visits")

    def _library(self, code: str) -> OrgUnit:
        library = OrgUnit.objects.filter(code=code).first()
        if library is None:
            raise CommandError(f"Không có thư viện mã {code!r}.")
        return library

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            if o["action"] == "list":
                for t in DeviceToken.objects.select_related("library"):
                    used = t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "-"
                    state = "revoked" if t.revoked_at else "active"
                    self.stdout.write(f"{t.prefix}\t{t.name}\t{t.library.code}\t{','.join(t.scopes)}\t{state}\t{used}")
            elif o["action"] == "add":
                _, key = token_create(actor=system_user(), name=o["name"], library=self._library(o["library"]),
                                      scopes=[s.strip() for s in o["scopes"].split(",") if s.strip()])
                self.stdout.write(key)
            elif o["action"] == "revoke":
                token = DeviceToken.objects.select_related("library", "account").filter(prefix=o["name"]).first()
                if token is None:
                    raise CommandError(f"Không có khoá {o['name']!r}.")
                token_revoke(actor=system_user(), token=token)
            else:
                text = Path(o["name"]).read_text(encoding="utf-8-sig")
                total = visits_import_csv(actor=None, library=self._library(o["library"]), text=text)
                self.stdout.write(f"{total}")
        except (ValidationError, OSError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
