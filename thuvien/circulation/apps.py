from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "thuvien.circulation"
    label = "circulation"
    verbose_name = _("Lưu thông")

    def ready(self) -> None:
        from thuvien.circulation import conf  # noqa: F401  (registers inherited settings)
        from thuvien.circulation.jobs import _on_reading_history_withdrawn
        from thuvien.circulation.services import _on_patron_erasing
        from thuvien.patrons.signals import patron_erasing, reading_history_withdrawn

        reading_history_withdrawn.connect(_on_reading_history_withdrawn, dispatch_uid="circulation.anonymise")
        patron_erasing.connect(_on_patron_erasing, dispatch_uid="circulation.erase")
