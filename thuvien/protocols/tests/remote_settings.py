"""Settings for the second thuvien server started by the harvest tests (own SQLite in THUVIEN_HOME)."""

from thuvien.config.test import *  # noqa: F403

THUVIEN_OAI_PAGE_SIZE = 4
