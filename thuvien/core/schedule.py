"""Periodic jobs of the core app (discovered by the scheduler; see docs/architecture.md)."""

SCHEDULE = [
    # Daily backup into THUVIEN_HOME/backups, pruned to THUVIEN_BACKUP_KEEP_DAILY / _MONTHLY
    # (docs/operations.md: copy that folder off the machine for 3-2-1).
    {"name": "core.backup", "title": "Sao lưu hằng ngày (cơ sở dữ liệu, tệp, kho số)",
     "callable": "thuvien.core.backup.scheduled_backup", "every": "daily", "at": "01:30"},
]
