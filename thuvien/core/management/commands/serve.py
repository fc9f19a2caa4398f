"""`thuvien serve`: start everything the system needs in one go (web server, background worker and
any protocol servers), print where to find them, and stop them all on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from thuvien.core import demo as core_demo
from thuvien.core.management.commands.demo import app_demo_modules


def _thuvien(*args: str) -> list[str]:
    return [sys.executable, "-m", "thuvien", *args]


def web_sizing(cpus: int) -> tuple[int, int]:
    """(web processes, threads each) for a machine with `cpus` cores: the indexer, the background
    worker and the database need a core too, and Python threads past ~2 per core only queue; plus
    one thread, so that the searches a busy OPAC keeps in a process (one computing, the others
    waiting for their turn in the search bulkhead) do not hold every thread while a desk request
    waits for one (docs/performance.md: checkout HTTP p95 152-284 ms with 4 threads, 48-67 ms
    with 5, 4 searchers, 2 cores). Granian warns only above 2 × cores + 1."""
    cpus = max(1, cpus)
    workers = max(1, min(cpus // 2, 8))
    threads = max(2, min(2 * cpus // workers, 8)) + 1
    return workers, threads


def _app_login_lines() -> list[str]:
    """Demo logins that apps other than core offer (e.g. the demo reader), via `demo.login_lines()`."""
    return [line for module in app_demo_modules() for line in getattr(module, "login_lines", list)()]


class Command(BaseCommand):
    help = "Chạy máy chủ web, tiến trình nền và các máy chủ giao thức; Ctrl-C dừng tất cả."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=None,
                            help="số tiến trình web (mặc định: theo số lõi CPU của máy)")
        parser.add_argument("--threads", type=int, default=None, help="số luồng mỗi tiến trình web")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        workers, threads = web_sizing(os.cpu_count() or 1)
        workers, threads = options["workers"] or workers, options["threads"] or threads
        procs: dict[str, list[str]] = {
            # The indexer first: the web processes read the index it writes.
            "indexer": _thuvien("indexer"),
            "web": [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
                    "--workers", str(workers), "--blocking-threads", str(threads),
                    "--log-level", "warning", "thuvien.config.wsgi:application"],
            "worker": _thuvien("db_worker", "--no-reload"),
            "scheduler": _thuvien("scheduler"),
        }
        # Protocol servers (SIP2, Z39.50...) register themselves here: {"name": ["thuvien", "cmd", ...]}.
        for name, argv in getattr(settings, "THUVIEN_EXTRA_SERVERS", {}).items():
            procs[name] = _thuvien(*argv)
        running: dict[str, subprocess.Popen[bytes]] = {}
        # Every child but the indexer reads the machine's index; the web processes warm up first.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "THUVIEN_INDEX_WRITER": "indexer", "THUVIEN_WARM_UP": "1"}
        stop = False

        def _stop(signum: int, frame: Any) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        try:
            for name, argv in procs.items():
                # Each child leads its own process group, so that at the end the group goes too: a web
                # server's forked workers were left listening (holding the port) when granian's main
                # process died before them. Ctrl-C reaches this supervisor, which stops the children.
                running[name] = subprocess.Popen(argv, env=env, start_new_session=True)  # noqa: S603
            base = f"http://{host}:{port}"
            self.stdout.write(self.style.SUCCESS("\nthuvien đang chạy:"))
            self.stdout.write(f"  Cổng tra cứu (OPAC):   {base}/")
            self.stdout.write(f"  Nghiệp vụ (cán bộ):    {base}/staff/")
            self.stdout.write(f"  API (OpenAPI):         {base}/api/v1/docs")
            self.stdout.write(f"  Web: {workers} tiến trình × {threads} luồng; chỉ mục: thuvien indexer; "
                              "việc định kỳ: thuvien scheduler")
            for line in getattr(settings, "THUVIEN_EXTRA_URLS", []):
                self.stdout.write(f"  {line.format(base=base, host=host)}")
            if settings.THUVIEN_SHOW_DEMO_LOGINS:  # never in production (config/production.py)
                self.stdout.write(f"\nTài khoản demo (mật khẩu: {core_demo.DEMO_PASSWORD}):")
                for username, roles, unit in core_demo.logins():
                    self.stdout.write(f"  {username:10} {roles} @ {unit}")
                for line in _app_login_lines():
                    self.stdout.write(f"  {line}")
            self.stdout.write("\nNhấn Ctrl-C để dừng.\n")
            while not stop:
                for name, proc in running.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} đã dừng (mã {proc.returncode}); dừng tất cả.")
                        stop = True
                        break
                time.sleep(0.5)
        finally:
            for proc in running.values():
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 10
            for proc in running.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # the child if it hung, and whatever it left behind
                proc.wait()
        self.stdout.write("Đã dừng.")
