"""Alias of bench/circulation.py (checkout and check-in latency, service and HTTP, 500-loan reader).

    uv run python bench/checkout.py [--rounds 200] [--loans 500]
"""

from __future__ import annotations

import runpy
from pathlib import Path

if __name__ == "__main__":
    runpy.run_path(str(Path(__file__).with_name("circulation.py")), run_name="__main__")
