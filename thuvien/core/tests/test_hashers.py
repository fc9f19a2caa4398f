"""Password hashes computed at a lower CPU priority, in a thread of their own, with Django's Argon2 form."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from django.contrib.auth.hashers import check_password, make_password

from thuvien.core.hashers import at_low_priority

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")


def _where() -> tuple[int, int]:
    tid = threading.get_native_id()
    return tid, os.getpriority(os.PRIO_PROCESS, tid)


@linux_only
def test_the_work_runs_in_another_thread_at_a_lower_priority(settings):
    settings.THUVIEN_PASSWORD_HASH_NICE = 10
    here = _where()
    tid, nice = at_low_priority(_where)
    assert tid != here[0] and nice == min(19, here[1] + 10)
    assert _where() == here  # the request's own thread keeps its priority


def test_with_zero_the_work_runs_in_the_callers_thread(settings):
    settings.THUVIEN_PASSWORD_HASH_NICE = 0
    assert at_low_priority(_where) == _where()


def test_errors_reach_the_caller(settings):
    settings.THUVIEN_PASSWORD_HASH_NICE = 10

    def broken() -> None:
        raise ValueError("hỏng")

    with pytest.raises(ValueError, match="hỏng"):
        at_low_priority(broken)


def test_the_hasher_stores_djangos_argon2_form_and_checks_both_ways(settings):
    settings.PASSWORD_HASHERS = ["thuvien.core.hashers.Argon2PasswordHasher",
                                 "django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.THUVIEN_PASSWORD_HASH_NICE = 10
    ours = make_password("mật khẩu dài")
    assert ours.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    assert check_password("mật khẩu dài", ours) and not check_password("sai", ours)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert check_password("mật khẩu dài", ours)  # a hash stored before or after the change reads the same
    djangos = make_password("mật khẩu dài")
    settings.PASSWORD_HASHERS = ["thuvien.core.hashers.Argon2PasswordHasher"]
    assert check_password("mật khẩu dài", djangos)
