from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "thuvien.circulation"
    label = "circulation"
    verbose_name = _("Lưu thông")

    def ready(self) -> None:
        from thuvien.circulation import conf  # noqa: F401  (registers inherited settings)
        from thuvien.circulation.jobs import _on_reading_history_withdrawn
        from thuvien.patrons.signals import reading_history_withdrawn

        reading_history_withdrawn.connect(_on_reading_history_withdrawn, dispatch_uid="circulation.anonymise")
