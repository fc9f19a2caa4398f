"""thuvien harvest SOURCE [--full] | --due: run an OAI-PMH harvest in the foreground."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thuvien.core.demo import system_user
from thuvien.protocols.harvest.services import harvest_due_sources, harvest_run_execute, harvest_start
from thuvien.protocols.models import HarvestRun, HarvestSource


class Command(BaseCommand):
    help = "Harvest an OAI-PMH source (by code) into its library; --due harvests every scheduled source due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", nargs="*", help="source code(s)")
        parser.add_argument("--full", action="store_true", help="ignore the last datestamp: harvest everything")
        parser.add_argument("--due", action="store_true", help="harvest the scheduled sources that are due")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["due"]:
            sources = harvest_due_sources()
        else:
            if not opts["source"]:
                raise CommandError("give a source code or --due")
            sources = []
            for code in opts["source"]:
                source = HarvestSource.objects.filter(code=code).select_related("library").first()
                if source is None:
                    known = ", ".join(HarvestSource.objects.values_list("code", flat=True)) or "-"
                    raise CommandError(f"no harvest source {code!r} (known: {known})")
                sources.append(source)
        actor = system_user()
        failed = 0
        for source in sources:
            run = harvest_start(actor=actor, source=source, full=opts["full"], background=False)
            if run.status == HarvestRun.Status.RUNNING:
                self.stderr.write(f"{source.code}: run #{run.pk} is already running")
                continue
            run = harvest_run_execute(run=run, actor=actor)
            self.stdout.write(
                f"{source.code}: {run.get_status_display()} - pages {run.pages}, records {run.records_seen}, "
                f"imported {run.imported}, updated {run.updated}, unchanged {run.unchanged}, "
                f"deleted {run.deleted}, rejected {run.rejected}"
                + (f", error: {run.error}" if run.error else "")
            )
            failed += run.status == HarvestRun.Status.FAILED
        if failed:
            raise CommandError(f"{failed} harvest(s) failed; run the command again to resume")
