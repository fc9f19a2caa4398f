"""Periodic jobs of search (discovered by thuvien.scheduler; plain data)."""

SCHEDULE = [
    {"name": "search.outbox_prune", "title": "Dọn hàng đợi chỉ mục đã áp dụng",
     "callable": "thuvien.search.outbox.outbox_prune_scheduled", "every": "daily", "at": "03:00"},
]
