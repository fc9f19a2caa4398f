from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "thuvien.portal"
    label = "portal"
    verbose_name = _("Cổng thông tin")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thuvien.patrons.signals import patron_erasing
        from thuvien.portal.services import _on_patron_erasing

        patron_erasing.connect(_on_patron_erasing, dispatch_uid="portal.erase")
