from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "thuvien.core"
    label = "core"
    verbose_name = _("Mạng lưới thư viện")

    def ready(self) -> None:
        from thuvien.core import signals  # noqa: F401 - connects the logout recorder
