from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlineConfig(AppConfig):
    name = "thuvien.online"
    label = "online"
    verbose_name = _("Dịch vụ trực tuyến")

    def ready(self) -> None:
        from thuvien.online import conf  # noqa: F401  (registers inherited settings)
