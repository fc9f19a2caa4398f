"""Run a real `thuvien sip2_server` on its own migrated and seeded SQLite database (tests and bench)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sip2Process:
    def __init__(self, home: Path, port: int | None = None, settings: str = "thuvien.config.test",
                 keep_database_url: bool = False) -> None:
        self.home = home
        self.port = port or free_port()
        self.env = {k: v for k, v in os.environ.items() if keep_database_url or k != "DATABASE_URL"}
        self.env.update(THUVIEN_HOME=str(home), DJANGO_SETTINGS_MODULE=settings, PYTHONPATH=str(REPO))
        self.proc: subprocess.Popen[bytes] | None = None

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, *args], env=self.env, cwd=REPO, capture_output=True, text=True,
                              timeout=600, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout

    def prepare(self, items: int = 200, readers: int = 30, template: Path | None = None) -> None:
        if template is not None and template.exists():
            shutil.copy(template, self.home / "thuvien.sqlite3")
            return
        self.run("-m", "thuvien", "migrate", "--noinput", "-v", "0")
        self.run("-m", "thuvien.protocols.sip2.tests.seed", str(items), str(readers))

    def start(self, *extra: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "thuvien", "sip2_server", "--port", str(self.port), *extra],
                                     env=self.env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read().decode() if self.proc.stderr else "sip2_server stopped")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("sip2_server did not start")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> str:
        if self.proc is None:
            return ""
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        self.proc = None
        return err.decode(errors="replace") if err else ""
