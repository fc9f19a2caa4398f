"""Each run of a periodic job: one row per job and due time, so one server runs it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """One run of a periodic job for the slot `due_at`. The unique (name, due_at) pair is the claim:
    of several processes or servers that find the slot due, only the one whose insert succeeds runs it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    name = models.CharField(_("việc"), max_length=120)
    due_at = models.DateTimeField(_("đến hạn lúc"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    host = models.CharField(_("máy chủ"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    summary = models.TextField(_("kết quả"), blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="scheduledrun_one_per_slot")]
        indexes = [models.Index(fields=["name", "-due_at"], name="scheduledrun_name_due")]
        verbose_name = _("lượt chạy định kỳ")
        verbose_name_plural = _("lượt chạy định kỳ")

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at:%Y-%m-%d %H:%M} {self.status}"
