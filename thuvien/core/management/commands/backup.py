"""`thuvien backup [--to DIR] [--verify FILE] [--prune]`: make, check or prune backups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thuvien.core.backup import BackupError, backup_create, backup_prune, backup_verify


class Command(BaseCommand):
    help = "Back up the database and THUVIEN_HOME's files into one compressed (optionally encrypted) file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, help="folder for the backup (default THUVIEN_HOME/backups)")
        parser.add_argument("--verify", type=Path, metavar="FILE",
                            help="restore FILE into a scratch place and compare row counts and checksums")
        parser.add_argument("--no-prune", action="store_true", help="keep every older backup in the folder")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["verify"]:
                report = backup_verify(opts["verify"])
                for problem in report.mismatches:
                    self.stderr.write(problem)
                self.stdout.write(json.dumps({"ok": report.ok, "tables": report.tables, "rows": report.rows,
                                              "mismatches": len(report.mismatches), "seconds": report.seconds}))
                if not report.ok:
                    raise CommandError("the backup does not match its manifest")
                return
            path, manifest = backup_create(to=opts["to"])
            pruned = [] if opts["no_prune"] else backup_prune(
                path.parent, daily=settings.THUVIEN_BACKUP_KEEP_DAILY, monthly=settings.THUVIEN_BACKUP_KEEP_MONTHLY)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"file": str(path), "bytes": manifest["bytes"], "seconds": manifest["seconds"],
                                      "tables": len(manifest["tables"]), "files": manifest["files"],
                                      "pruned": len(pruned)}))
