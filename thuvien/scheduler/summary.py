"""A job's summary in words: the counts a job returns (a dict, stored as JSON on its run) shown as
"Giữ chỗ hết hạn: 0 · Bạn đọc được nhắc quá hạn: 3", not as JSON. One table of labels for every
job's keys; an unknown key is shown as it is, so a new job is never hidden."""

from __future__ import annotations

import json

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

LABELS = {
    # circulation.daily, circulation.notices
    "holds_expired": _("Giữ chỗ hết hạn"),
    "overdue_readers_notified": _("Bạn đọc được nhắc quá hạn"),
    "loans_anonymised": _("Lượt mượn được ẩn danh"),
    "notices_sent": _("Thông báo đã gửi"),
    # core.backup
    "file": _("Tệp"),
    "bytes": _("Dung lượng"),
    "seconds": _("Số giây"),
    "pruned": _("Bản cũ đã xoá"),
    # digital, digitisation
    "download_rows_pruned": _("Lượt tải đã quên"),
    "objects_checked": _("Đối tượng đã kiểm tra"),
    "objects_total": _("Tổng số đối tượng"),
    "damaged": _("Bị hỏng"),
    "damaged_objects": _("Đối tượng hỏng"),
    "projects_counted": _("Dự án đã đếm"),
    # patrons.retention, portal
    "erased": _("Bạn đọc đã xoá dữ liệu"),
    "kept_open_business": _("Giữ lại vì còn nợ, còn mượn"),
    "cutoff": _("Thẻ hết hạn trước ngày"),
    "forgotten": _("Liên hệ khách đã xoá"),
    "fetched": _("Ảnh bìa đã tải"),
    # protocols, reports, scheduler, search
    "harvests_queued": _("Lượt thu hoạch đã giao"),
    "sources": _("Nguồn"),
    "days": _("Số ngày"),
    "rows": _("Số dòng"),
    "last_event_id": _("Sự kiện cuối"),
    "sent": _("Đã gửi"),
    "failed": _("Lỗi"),
    "imports_resumed": _("Lượt nhập tiếp tục"),
    "harvests_resumed": _("Lượt thu hoạch tiếp tục"),
    "runs_interrupted": _("Lượt chạy bị gián đoạn"),
    "runs_forgotten": _("Lượt chạy cũ đã xoá"),
    "outbox_pruned": _("Mục hàng đợi đã dọn"),
}


def _value(key: str, value: object) -> str:
    if key == "bytes" and isinstance(value, int):
        return str(filesizeformat(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)  # Vietnamese: 131.835 and 1,21
    return str(value)


def summary_text(text: str) -> str:
    """A JSON object summary as "label: value · …"; any other summary (plain text) as it is."""
    try:
        data = json.loads(text) if text.startswith("{") else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return text
    return " · ".join(f"{LABELS.get(key, key)}: {_value(key, value)}" for key, value in data.items())
