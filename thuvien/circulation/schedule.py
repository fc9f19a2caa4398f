"""Periodic jobs of circulation (discovered by thuvien.scheduler; plain data)."""

SCHEDULE = [
    {"name": "circulation.daily", "title": "Lưu thông hằng ngày: hết hạn giữ, nhắc quá hạn, ẩn danh",
     "callable": "thuvien.circulation.jobs.daily_run", "every": "daily", "at": "00:30"},
    {"name": "circulation.notices", "title": "Gửi thông báo còn chờ",
     "callable": "thuvien.circulation.notices.notices_send_scheduled", "every": 300},
]
