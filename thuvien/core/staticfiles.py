"""Static files storage for production: hashed names from the manifest when `collectstatic` has run,
the plain name otherwise (WhiteNoise then serves it from the app folders), never a 500."""

from __future__ import annotations

import logging

from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger("thuvien.static")


class ForgivingManifestStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
    _warned = False

    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return super().url(name, force)
        except ValueError:  # not collected yet
            if not ForgivingManifestStorage._warned:
                ForgivingManifestStorage._warned = True
                log.warning("static files are not collected (%s); serving them unhashed: run `thuvien collectstatic`",
                            name)
            return FileSystemStorage.url(self, name)
