"""Periodic jobs of the reports app (discovered by the scheduler; contract in docs/architecture.md)."""

SCHEDULE = [
    {"name": "reports.rollup", "callable": "thuvien.reports.jobs.rollup", "every": "hourly"},
    {"name": "reports.subscriptions", "callable": "thuvien.reports.jobs.send_subscriptions", "every": "daily",
     "at": "02:30"},
]
