"""Settings for the test suite: fast hashing, in-memory mail, tasks run at once."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("THUVIEN_HOME", tempfile.mkdtemp(prefix="thuvien-test-"))

from thuvien.config.base import *  # noqa: E402, F403
from thuvien.config.base import THUVIEN_HOME  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests post several wrong passwords within a second to reach a lockout; the budget for suspect attempts
# has its own tests (core/tests/test_login_storm.py), which turn it on.
THUVIEN_LOGIN_SUSPECT_CHECKS_PER_S = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
THUVIEN_INDEX_DIR = Path(THUVIEN_HOME) / "index"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# Explicit: each test process writes its own index and applies the outbox in-process right after
# commit (the tests rely on a write being searchable at once); `thuvien serve` uses "indexer".
THUVIEN_INDEX_WRITER = "self"
# The interop tests harvest a second thuvien on 127.0.0.1; the outbound guard's own tests clear this.
THUVIEN_OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# Portal page views are counted per process and flushed as events every 50 hits: off in tests, so
# no test sees events written by another's page views (reports' own test turns it on).
THUVIEN_PORTAL_COUNTER = False
