"""Statistics at scale: N years of anonymised activity for a network of 200 units, generated with
one bulk SQL statement per year, rolled up, then timed: the annual report for the whole network and
for one library, cold (fresh database connection, each year once) and warm (repeated), and the
roll-up of one day of events.

    uv run python bench/reports.py [--events 10000000] [--years 5] [--units 200] [--rounds 20]
    bash scripts/with-postgres.sh uv run python bench/reports.py --events 2000000

Fresh SQLite database in a temporary THUVIEN_HOME (DATABASE_URL selects PostgreSQL instead).
Last line: JSON with the figures (milliseconds, seconds, counts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 1)


KINDS_SQL = "CASE n % 20 WHEN 0 THEN 'visit' WHEN 1 THEN 'in_house' WHEN 2 THEN 'renewal' WHEN 3 THEN 'hold' " \
            "WHEN 4 THEN 'card_new' WHEN 5 THEN 'return' WHEN 6 THEN 'return' WHEN 7 THEN 'return' " \
            "WHEN 8 THEN 'return' WHEN 9 THEN 'in_house' ELSE 'loan' END"
CATS = "CASE n % 5 WHEN 0 THEN 'adult' WHEN 1 THEN 'pupil' WHEN 2 THEN 'child' WHEN 3 THEN 'student' ELSE 'elderly' END"
AGES = "CASE n % 6 WHEN 0 THEN '0-5' WHEN 1 THEN '6-11' WHEN 2 THEN '12-15' WHEN 3 THEN '16-24' " \
       "WHEN 4 THEN '25-59' ELSE '60+' END"


def generate(connection, first_unit: int, units: int, start: dt.date, days: int, n: int) -> None:  # noqa: ANN001
    """Insert `n` events spread evenly over `days` days from `start` and over the units, in one
    INSERT ... SELECT per year (recursive CTE on SQLite, generate_series on PostgreSQL)."""
    epoch = int(dt.datetime.combine(start, dt.time(0), tzinfo=dt.UTC).timestamp())
    step = days * 86400 / n
    per = 2_000_000
    with connection.cursor() as cursor:
        for lo in range(0, n, per):
            hi = min(n, lo + per)
            if connection.vendor == "postgresql":
                cursor.execute(f"""
                    INSERT INTO core_activityevent (at, unit_id, kind, attributes)
                    SELECT to_timestamp({epoch} + n * {step}), {first_unit} + (n * 7919) % {units}, {KINDS_SQL},
                           jsonb_build_object('category', {CATS}, 'age_band', {AGES},
                                              'gender', CASE WHEN n % 3 = 0 THEN 'm' ELSE 'f' END,
                                              'ddc_class', ((n / 7) % 10)::text, 'language', 'vie')
                    FROM generate_series({lo}::bigint, {hi - 1}::bigint) AS n""")
            else:
                cursor.execute(f"""
                    WITH RECURSIVE seq(n) AS (SELECT {lo} UNION ALL SELECT n + 1 FROM seq WHERE n < {hi - 1})
                    INSERT INTO core_activityevent (at, unit_id, kind, attributes)
                    SELECT strftime('%Y-%m-%d %H:%M:%f', {epoch} + n * {step}, 'unixepoch'),
                           {first_unit} + (n * 7919) % {units}, {KINDS_SQL},
                           json_object('category', {CATS}, 'age_band', {AGES},
                                       'gender', CASE WHEN n % 3 = 0 THEN 'm' ELSE 'f' END,
                                       'ddc_class', CAST((n / 7) % 10 AS TEXT), 'language', 'vie')
                    FROM seq""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print the slowest queries of one warm report")
    args = parser.parse_args()
    os.environ["THUVIEN_HOME"] = tempfile.mkdtemp(prefix="thuvien-bench-reports-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "thuvien.config.base"
    os.environ.setdefault("THUVIEN_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from thuvien.core.models import ActivityEvent, OrgUnit, UnitKind, User
    from thuvien.core.services import unit_create
    from thuvien.reports.catalogue import report_build
    from thuvien.reports.models import DailyRollup, MonthlyRollup
    from thuvien.reports.periods import period_parse
    from thuvien.reports.rollup import rollup_range, rollup_rebuild

    actor = User.objects.create(username="bench", is_superuser=True)
    kinds = {k.code: k for k in UnitKind.objects.all()}
    root = unit_create(actor=actor, code="BN", name="Mạng lưới bench", kind=kinds["network"], parent=None)
    districts = max(1, args.units // 10)
    created: list[OrgUnit] = []
    with transaction.atomic():
        for d in range(districts):
            lib = unit_create(actor=actor, code=f"BN-{d:02d}", name=f"Thư viện huyện {d}",
                              kind=kinds["district_library"], parent=root)
            created.append(lib)
            for p in range(args.units // districts - 1):
                created.append(unit_create(actor=actor, code=f"BN-{d:02d}-{p:02d}", name=f"Phòng đọc {d}-{p}",
                                           kind=kinds["commune_reading_room"], parent=lib))
    ids = sorted(u.pk for u in created)
    assert ids == list(range(ids[0], ids[0] + len(ids))), "units need consecutive ids"
    last_year = dt.date.today().year - 1
    start = dt.date(last_year - args.years + 1, 1, 1)
    days = (dt.date(last_year, 12, 31) - start).days + 1

    t0 = time.perf_counter()
    with transaction.atomic():
        generate(connection, ids[0], len(ids), start, days, args.events)
    generate_s = time.perf_counter() - t0
    events = ActivityEvent.objects.count()
    t0 = time.perf_counter()
    rollup_rebuild()
    rebuild_s = time.perf_counter() - t0
    daily_rows, monthly_rows = DailyRollup.objects.count(), MonthlyRollup.objects.count()

    # the roll-up of one day (delete and recompute it, then its month), several different days
    day_times = []
    for i in range(min(args.rounds, 10)):
        day = start + dt.timedelta(days=37 * i + 11)
        t0 = time.perf_counter()
        rollup_range(day, day)
        day_times.append(time.perf_counter() - t0)

    library = OrgUnit.objects.get(code="BN-03")
    results: dict[str, float] = {}
    for label, unit in (("network", root), ("library", library)):
        cold = []
        for year in range(start.year, last_year + 1):
            connection.close()  # a new connection: no statement or page cache of ours
            t0 = time.perf_counter()
            report_build(name="annual", unit=unit, period=period_parse(str(year)))
            cold.append((time.perf_counter() - t0) * 1000)
        warm = []
        for _i in range(args.rounds):
            t0 = time.perf_counter()
            report_build(name="annual", unit=unit, period=period_parse(str(last_year)))
            warm.append((time.perf_counter() - t0) * 1000)
        results[f"annual_{label}_cold_p95_ms"] = pct(cold, 95)
        results[f"annual_{label}_warm_p50_ms"] = round(statistics.median(warm), 1)
        results[f"annual_{label}_warm_p95_ms"] = pct(warm, 95)
    if args.profile:
        from django.test.utils import CaptureQueriesContext

        for unit in (root, library):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                report_build(name="annual", unit=unit, period=period_parse(str(last_year)))
                took = time.perf_counter() - t0
            print(f"{unit.code}: {len(queries)} queries, {took * 1000:.0f} ms")
            for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:6]:
                print(f"  {float(q['time']) * 1000:.0f} ms  {q['sql'][:160]}")
    load = os.getloadavg()[0]
    print(f"database: {connection.vendor}; {len(ids) + 1} units; {events} events over {args.years} years "
          f"generated in {generate_s:.1f} s; rebuild of every roll-up {rebuild_s:.1f} s "
          f"({daily_rows} daily rows, {monthly_rows} monthly); load average {load:.1f}")
    for k, v in results.items():
        print(f"  {k}: {v}")
    print(json.dumps({"database": connection.vendor, "units": len(ids) + 1, "events": events, "years": args.years,
                      "generate_s": round(generate_s, 1), "rebuild_s": round(rebuild_s, 1),
                      "daily_rollup_rows": daily_rows,
                      "rollup_one_day_p50_s": round(statistics.median(day_times), 3),
                      "rollup_one_day_max_s": round(max(day_times), 3), **results, "load_average": round(load, 1)}))


if __name__ == "__main__":
    main()
