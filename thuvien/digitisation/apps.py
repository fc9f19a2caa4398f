from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitisationConfig(AppConfig):
    name = "thuvien.digitisation"
    label = "digitisation"
    verbose_name = _("Dự án số hoá")

    def ready(self) -> None:
        from thuvien.digital import storage
        from thuvien.digitisation.storage_targets import targets_in_pages

        storage.register_target_provider(targets_in_pages)
