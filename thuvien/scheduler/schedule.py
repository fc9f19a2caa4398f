"""The scheduler's own periodic jobs (plain data, like every app's schedule.py)."""

SCHEDULE = [
    {"name": "scheduler.resume_interrupted", "title": "Tiếp tục các lượt nhập, thu hoạch bị gián đoạn",
     "callable": "thuvien.scheduler.jobs.resume_interrupted", "every": 300},
    {"name": "scheduler.forget_old_runs", "title": "Xoá lịch sử chạy cũ hơn 30 ngày",
     "callable": "thuvien.scheduler.jobs.forget_old_runs", "every": "daily", "at": "03:30"},
]
