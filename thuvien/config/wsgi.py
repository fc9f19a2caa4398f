import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuvien.config.base")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - configured by the line above

sys.setswitchinterval(settings.THUVIEN_THREAD_SWITCH_S)

if os.environ.get("THUVIEN_WARM_UP") == "1":  # set by `thuvien serve` for its web processes
    from thuvien.config.warmup import warm_up

    warm_up(application)
