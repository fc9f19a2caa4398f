"""`thuvien indexer`: the one process per machine that writes the search index (started by `thuvien serve`)."""

from __future__ import annotations

import select
import socket
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from thuvien.core.stopping import stop_on_signals
from thuvien.search.engine import INDEXER_SLOT, IndexUnavailable, SearchIndex, prune_stale_slots
from thuvien.search.outbox import indexer_socket_path, indexer_state_save

POLL_S = 0.2  # how often the outbox table is asked for new entries (one indexed query); writers nudge
BATCH_S = 0.005  # after a nudge: a moment for the writes that come with it
PRUNE_EVERY_S = 86400.0  # stale numbered slots (whole index copies) are removed at start and then daily
STATE_EVERY_S = 10.0  # how often the cursor is recorded in the database for outbox pruning


class Command(BaseCommand):
    help = ("Tiến trình duy nhất ghi chỉ mục tìm kiếm trên máy này: áp dụng hàng đợi thay đổi, "
            "dựng lại chỉ mục khi thiếu hoặc hỏng. `thuvien serve` tự chạy nó.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="áp dụng những gì đang chờ rồi thoát")
        parser.add_argument("--poll", type=float, default=POLL_S, help="giây giữa hai lần hỏi hàng đợi")

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.THUVIEN_INDEX_DIR)
        index = SearchIndex(base)
        stop = stop_on_signals()
        while not stop.is_set():  # another indexer serves this machine: stand by, take over if it stops
            try:
                index._take_slot(only=INDEXER_SLOT)
                break
            except IndexUnavailable:
                if options["once"]:
                    self.stderr.write(f"Một tiến trình indexer khác đang chạy trên {base}.")
                    return
                stop.wait(5.0)
        name = f"{socket.gethostname()}:{base}"
        wake = _listen()
        saved_cursor, saved_at = -1, 0.0
        pruned_at = float("-inf")
        try:
            while not stop.is_set():
                if time.monotonic() - pruned_at > PRUNE_EVERY_S:
                    for slot in prune_stale_slots(base):
                        self.stdout.write(f"indexer: đã xoá chỉ mục cũ không dùng {base / slot}")
                    pruned_at = time.monotonic()
                try:
                    index.sync()  # opens, rebuilds when missing, broken or asked to; applies the outbox
                    if index.cursor != saved_cursor or time.monotonic() - saved_at > 60 * STATE_EVERY_S:
                        if time.monotonic() - saved_at > STATE_EVERY_S or options["once"]:
                            indexer_state_save(name=name, cursor=index.cursor)
                            saved_cursor, saved_at = index.cursor, time.monotonic()
                except DatabaseError as exc:  # database restarting: keep the index, try again
                    self.stderr.write(f"indexer: cơ sở dữ liệu lỗi ({exc}); thử lại.")
                    close_old_connections()
                    stop.wait(1.0)
                if options["once"]:
                    break
                _wait(wake, stop, options["poll"])
        finally:
            index.release()
            if wake is not None:
                wake.close()
                indexer_socket_path().unlink(missing_ok=True)


def _listen() -> socket.socket | None:
    """The socket writers on this machine nudge after a commit (None: polling only)."""
    path = indexer_socket_path()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        path.unlink(missing_ok=True)
        sock.bind(str(path))
    except OSError:  # e.g. a path longer than a socket address may be
        sock.close()
        return None
    sock.setblocking(False)
    return sock


def _wait(wake: socket.socket | None, stop: threading.Event, timeout: float) -> None:
    """Until a writer nudges, or `timeout` (writers on other servers are found by polling)."""
    if wake is None:
        stop.wait(timeout)
        return
    ready, _, _ = select.select([wake], [], [], timeout)
    if not ready:
        return
    while True:
        try:
            wake.recv(64)
        except BlockingIOError:
            break
    time.sleep(BATCH_S)  # let what arrives together be committed together
