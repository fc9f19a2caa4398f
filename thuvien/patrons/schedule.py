"""Periodic jobs of the patrons app (discovered by the scheduler; see docs/architecture.md)."""

SCHEDULE = [
    # The consent wording promises deletion two years after the card expired.
    {"name": "patrons.retention", "title": "Xoá dữ liệu bạn đọc hết hạn lưu giữ (2 năm sau khi thẻ hết hạn)",
     "callable": "thuvien.patrons.privacy.retention_erase_expired",
     "every": "daily", "at": "03:10"},
]
