"""Periodic jobs of the digital library (discovered by the scheduler)."""

SCHEDULE = [
    {"name": "digital.downloads_prune", "callable": "thuvien.digital.services.downloads_prune",
     "every": "daily", "at": "03:10"},
]
