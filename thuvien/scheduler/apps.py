from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulerConfig(AppConfig):
    name = "thuvien.scheduler"
    label = "scheduler"
    verbose_name = _("Lịch chạy việc định kỳ")
