from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatronsConfig(AppConfig):
    name = "thuvien.patrons"
    label = "patrons"
    verbose_name = _("Bạn đọc")

    def ready(self) -> None:
        from thuvien.patrons import conf  # noqa: F401  (registers inherited settings)
