"""Periodic jobs of the portal (discovered by the scheduler)."""

SCHEDULE = [
    {"name": "portal.forget_visitor_contacts", "title": "Xoá liên hệ của khách đăng ký sự kiện sau 30 ngày",
     "callable": "thuvien.portal.jobs.forget_visitor_contacts",
     "every": "daily", "at": "03:10"},
    {"name": "portal.fetch_covers", "title": "Tải ảnh bìa còn thiếu",
     "callable": "thuvien.portal.jobs.fetch_covers", "every": "daily", "at": "03:40"},
]
