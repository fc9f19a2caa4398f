"""Periodic jobs of the portal (discovered by the scheduler)."""

SCHEDULE = [
    {"name": "portal.forget_visitor_contacts", "callable": "thuvien.portal.jobs.forget_visitor_contacts",
     "every": "daily", "at": "03:10"},
    {"name": "portal.fetch_covers", "callable": "thuvien.portal.jobs.fetch_covers", "every": "daily", "at": "03:40"},
]
