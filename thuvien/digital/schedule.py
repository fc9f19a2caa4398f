"""Periodic jobs of the digital library (discovered by the scheduler)."""

SCHEDULE = [
    {"name": "digital.downloads_prune", "title": "Quên lượt tải tài liệu số cũ hơn 2 ngày",
     "callable": "thuvien.digital.services.downloads_prune",
     "every": "daily", "at": "03:10"},
    # A rolling slice (count/365, at least THUVIEN_FIXITY_MIN_SLICE) so every preserved object's
    # masters are re-read within a year; damage marks the object and stops it being served.
    {"name": "digital.fixity_check", "title": "Kiểm tra toàn vẹn bản lưu trữ (một phần mỗi ngày)",
     "callable": "thuvien.digital.preservation.fixity_scheduled",
     "every": "daily", "at": "02:40"},
]
