"""Password hashing that yields the CPU: each Argon2 hash (~0.15 s of CPU spread over both cores by its
8 lanes' threads) runs in a short-lived thread of its own at a lower scheduling priority, so that a burst
of logins (a storm's first wrong passwords, each from a new address) slows those logins and not the
searches and desks sharing the cores. The hash, its parameters and its stored form are Django's."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import hashers

T = TypeVar("T")


def at_low_priority(work: Callable[..., T], *args: Any) -> T:
    """Run `work(*args)` in a new thread whose niceness is raised by THUVIEN_PASSWORD_HASH_NICE (Linux keeps
    niceness per thread, and the threads libargon2 starts inherit it), the caller waiting for it; with 0,
    or where a thread's niceness cannot be set, the work runs at the usual priority."""
    nice = int(getattr(settings, "THUVIEN_PASSWORD_HASH_NICE", 0))
    if nice <= 0:
        return work(*args)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        except (OSError, AttributeError):  # not Linux: the priority stays as it is
            pass
        try:
            outcome["value"] = work(*args)
        except BaseException as exc:  # handed to the caller below  # noqa: BLE001
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="password-hash", daemon=True)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name, parameters and encoded form), hashing at a lower
    priority (`at_low_priority`)."""

    def encode(self, password: str, salt: str) -> str:
        return at_low_priority(super().encode, password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        return at_low_priority(super().verify, password, encoded)
