"""The one crosswalk's speed, in process (no HTTP): records per second written as MARCXML (OAI-PMH
marc21, SRU marcxml), oai_dc and MODS from MARC-in-JSON, over the real records of ../shared/data
(Pride and Prejudice editions, Nepali, French). Best of three passes.

    uv run python bench/crosswalk.py

The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FILES = ["marc4j/pride-and-prejudice-fixed.mrc", "evergreen/nepali.marc", "evergreen/lul_fre_500.mrc"]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuvien.config.base")
    import django

    django.setup()
    from thuvien.catalog.marc.marcjson import to_json
    from thuvien.catalog.marc.reader import iter_records
    from thuvien.protocols import formats

    shared = ROOT.parent / "shared" / "data" / "marc"
    records = [to_json(r.record) for name in FILES for r in iter_records(shared / name) if r.record is not None]

    def rate(render) -> int:  # type: ignore[no-untyped-def]
        best = 0.0
        for _ in range(3):
            start = time.perf_counter()
            for marc in records:
                render(marc)
            best = max(best, len(records) / (time.perf_counter() - start))
        return round(best)

    print(json.dumps({"records": len(records), "marcxml_records_per_s": rate(formats.marcxml),
                      "oai_dc_records_per_s": rate(formats.oai_dc), "mods_records_per_s": rate(formats.mods_xml)}))


if __name__ == "__main__":
    main()
