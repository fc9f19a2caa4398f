from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitisationConfig(AppConfig):
    name = "thuvien.digitisation"
    label = "digitisation"
    verbose_name = _("Dự án số hoá")
