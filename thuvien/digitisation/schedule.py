"""Periodic jobs of the digitisation projects (discovered by the scheduler)."""

SCHEDULE = [
    {"name": "digitisation.holdings_count", "title": "Đếm vốn tài liệu của các dự án số hoá",
     "callable": "thuvien.digitisation.services.projects_holdings_refresh",
     "every": "daily", "at": "02:40"},
]
