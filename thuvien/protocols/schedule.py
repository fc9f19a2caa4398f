"""Periodic jobs of protocols (discovered by thuvien.scheduler; plain data)."""

SCHEDULE = [
    {"name": "protocols.harvest_due", "title": "Thu hoạch OAI-PMH các nguồn đến hạn",
     "callable": "thuvien.protocols.harvest.jobs.harvest_due", "every": "hourly", "at": "00:10"},
]
