"""`thuvien restore FILE [--force]`: restore a backup into an empty installation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thuvien.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup (verified first) into this installation's empty database and THUVIEN_HOME."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true", help="overwrite a database that already holds data")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = backup_restore(opts["file"], force=opts["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result))
        self.stdout.write("Đã khôi phục. Hãy chạy `thuvien migrate` rồi `thuvien reindex` trước khi mở lại dịch vụ.")
