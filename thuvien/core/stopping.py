"""Stopping a long-running command (the indexer, the scheduler, `thuvien serve`) cleanly."""

from __future__ import annotations

import signal
import threading
from typing import Any


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT (Ctrl-C); loops wait on it instead of sleeping."""
    stop = threading.Event()

    def _set(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _set)
    signal.signal(signal.SIGINT, _set)
    return stop
