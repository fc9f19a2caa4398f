"""Import benchmark: N generated records (bench/make_catalogue.py) into a fresh SQLite database
with items (952) and the search outbox, against bare pymarc parsing of the same file.

    uv run python bench/import.py [--records 100000] [--batch-size 1000] [--file existing.mrc]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--file")
    parser.add_argument("--workers", type=int, default=None, help="default: services.default_workers()")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="thuvien-bench-import-")
    os.environ["THUVIEN_HOME"] = home
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "thuvien.config.base"
    os.environ.setdefault("THUVIEN_DEBUG", "0")  # as in production: no per-query debug logging
    import django

    django.setup()
    from django.core.management import call_command

    from bench.make_catalogue import generate

    path = Path(args.file) if args.file else Path(home) / "catalogue.mrc"
    libraries = ["CB-TVT", "CB-HA", "CB-TK", "CB-HA-DC"]
    if not args.file:
        started = time.monotonic()
        path.write_bytes(generate(args.records, seed=2026, libraries=libraries))
        print(f"generated {args.records} records ({path.stat().st_size / 1e6:.1f} MB) in "
              f"{time.monotonic() - started:.1f} s")

    import pymarc

    started = time.monotonic()
    with open(path, "rb") as fh:
        parsed = sum(1 for r in pymarc.MARCReader(fh, to_unicode=True) if r is not None)
    pymarc_rate = parsed / (time.monotonic() - started)
    print(f"pymarc MARCReader: {parsed} records, {pymarc_rate:,.0f} records/s")

    from thuvien.catalog.marc.reader import iter_records

    started = time.monotonic()
    ours = sum(1 for r in iter_records(path) if r.record is not None)
    reader_rate = ours / (time.monotonic() - started)
    print(f"thuvien reader:    {ours} records, {reader_rate:,.0f} records/s")

    call_command("migrate", verbosity=0)
    from thuvien.catalog import services
    from thuvien.catalog.models import BibRecord, Item
    from thuvien.core.demo import system_user
    from thuvien.core.models import UnitKind
    from thuvien.core.services import unit_create
    from thuvien.search.models import OutboxEntry

    actor = system_user()
    kinds = {k.code: k for k in UnitKind.objects.all()}
    root = unit_create(actor=actor, code="CB", name="Mạng lưới", kind=kinds["network"], parent=None)
    tvt = unit_create(actor=actor, code="CB-TVT", name="TV tỉnh", kind=kinds["provincial_library"], parent=root)
    ha = unit_create(actor=actor, code="CB-HA", name="TV Hòa An", kind=kinds["district_library"], parent=root)
    unit_create(actor=actor, code="CB-TK", name="TV Trùng Khánh", kind=kinds["district_library"], parent=root)
    unit_create(actor=actor, code="CB-HA-DC", name="Phòng đọc Dân Chủ", kind=kinds["commune_reading_room"], parent=ha)
    del tvt

    job = services.import_job_create(actor=actor, library=root, path=path)
    started, cpu_started = time.monotonic(), time.process_time()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    job = services.import_job_run(job=job, actor=actor, batch_size=args.batch_size, workers=args.workers)
    took = time.monotonic() - started
    cpu = time.process_time() - cpu_started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker processes, ended and reaped by now
    worker_cpu = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    rate = job.records_read / took
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker process
    print(job.summary + f", items {job.items_created}")
    print(f"import: {job.records_read} records in {took:.1f} s = {rate:,.0f} records/s "
          f"(bibs {BibRecord.objects.count()}, items {Item.objects.count()}, outbox {OutboxEntry.objects.count()}); "
          f"peak RSS {peak_mb:.0f} MB; CPU {cpu:.1f} s here + {worker_cpu:.1f} s in workers")
    print(json.dumps({"records": job.records_read, "records_per_s": round(rate),
                      "pymarc_parse_records_per_s": round(pymarc_rate), "reader_records_per_s": round(reader_rate),
                      "items": job.items_created, "workers": args.workers if args.workers is not None
                      else services.default_workers(), "seconds": round(took, 1), "cpu_seconds": round(cpu, 1),
                      "worker_cpu_seconds": round(worker_cpu, 1), "peak_rss_mb": round(peak_mb),
                      "worker_peak_rss_mb": round(worker_mb)}))


if __name__ == "__main__":
    main()
