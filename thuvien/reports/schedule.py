"""Periodic jobs of the reports app (discovered by the scheduler; contract in docs/architecture.md)."""

SCHEDULE = [
    {"name": "reports.rollup", "title": "Tổng hợp số liệu thống kê",
     "callable": "thuvien.reports.jobs.rollup", "every": "hourly"},
    {"name": "reports.subscriptions", "title": "Gửi báo cáo định kỳ đã đăng ký",
     "callable": "thuvien.reports.jobs.send_subscriptions", "every": "daily",
     "at": "02:30"},
]
