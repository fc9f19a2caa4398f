"""A deterministic, realistic stream of anonymised activity for a network (demo, tests, benchmark):
loans with their returns, renewals and holds, in-house use, head counts, new cards, portal visits
and searches, digital use, events, van trips. Volumes follow the unit's kind, the weekday and the
season, and grow ~8% a year, so every report and chart shows something plausible."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from thuvien.core.models import OrgUnit
from thuvien.reports.facts import HCM, events_bulk_insert

# loans per open day by unit kind
LOANS_PER_DAY = {"provincial_library": 60, "district_library": 14, "commune_reading_room": 4,
                 "mobile_library": 8, "border_post_bookshelf": 2, "post_office_point": 2,
                 "community_bookshelf": 2, "school_library": 6}
CATEGORIES = [("adult", 40), ("pupil", 25), ("child", 15), ("student", 8), ("elderly", 6), ("agency_staff", 5),
              ("disabled", 1)]
CATEGORY_AGES = {"adult": ["25-59"], "pupil": ["12-15", "16-24"], "child": ["6-11", "0-5"], "student": ["16-24"],
                 "elderly": ["60+"], "agency_staff": ["25-59"], "disabled": ["25-59", "60+"]}
ETHNICITIES = [("Tày", 40), ("Nùng", 30), ("Kinh", 12), ("H'Mông", 10), ("Dao", 6), ("", 2)]
DDC = [("8", 35), ("3", 15), ("9", 12), ("6", 10), ("5", 8), ("0", 6), ("7", 6), ("4", 4), ("1", 2), ("2", 2)]
LANGS = [("vie", 88), ("eng", 6), ("chi", 3), ("fre", 2), ("rus", 1)]
SEASON = [0.8, 0.6, 1.0, 1.0, 1.0, 1.3, 1.4, 1.3, 1.0, 1.0, 1.0, 0.9]  # Tết in Feb, summer reading


def _pick(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _w in table], weights=[w for _v, w in table])[0]


def _reader(rng: random.Random) -> dict[str, str]:
    category = _pick(rng, CATEGORIES)
    tags = {"category": category, "age_band": rng.choice(CATEGORY_AGES[category]),
            "gender": rng.choice("ffm"), "ethnicity": _pick(rng, ETHNICITIES)}
    return {k: v for k, v in tags.items() if v}


def _title(rng: random.Random) -> dict[str, str]:
    return {"ddc_class": _pick(rng, DDC), "language": _pick(rng, LANGS)}


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7 + rng.randrange(10), rng.randrange(60)), tzinfo=HCM)


def unit_day_events(unit: OrgUnit, kind_code: str, day: dt.date, rng: random.Random, scale: float,
                    root_id: int) -> Iterator[tuple[dt.datetime, int, str, dict[str, Any]]]:
    """The events of one unit on one day."""
    base = LOANS_PER_DAY.get(kind_code, 0) * scale
    if base <= 0:
        return
    growth = 1.08 ** (day.year - 2024)
    weekday = 0.35 if day.weekday() == 6 else 1.0
    mean = base * SEASON[day.month - 1] * weekday * growth
    loans = max(0, round(rng.gauss(mean, mean ** 0.5)))
    u = unit.pk
    for _i in range(loans):
        reader, title = _reader(rng), _title(rng)
        yield _at(day, rng), u, "loan", {**reader, **title}
        yield _at(day, rng), u, "return", {"category": reader["category"]}
        if rng.random() < 0.15:
            yield _at(day, rng), u, "renewal", {"category": reader["category"]}
        if rng.random() < 0.05:
            yield _at(day, rng), u, "hold", {"category": reader["category"]}
    for _i in range(round(loans * 0.4)):
        yield _at(day, rng), u, "in_house", _title(rng)
    if loans:
        yield _at(day, rng), u, "visit", {"count": round(loans * 2.5) + rng.randrange(5), "source": "manual"}
    for _i in range(rng.randrange(max(1, round(base / 6)) + 1) if rng.random() < 0.5 else 0):
        yield _at(day, rng), u, "card_new", _reader(rng)
    if rng.random() < 0.1:
        yield _at(day, rng), u, "card_renewal", _reader(rng)
    if rng.random() < 0.04:
        yield _at(day, rng), u, "event", {}
        yield _at(day, rng), u, "attendance", {"count": 20 + rng.randrange(80)}
    if day.day == 1 and rng.random() < 0.5:
        yield _at(day, rng), u, "item_added", {"count": round(base * 10)}
    if kind_code == "mobile_library" and day.weekday() in (1, 4):
        yield _at(day, rng), u, "van_trip", {}
        yield _at(day, rng), u, "van_stop", {"count": 3}
    if kind_code == "provincial_library":
        yield _at(day, rng), u, "digital_view", {"count": round(base * 1.5) + rng.randrange(10)}
        yield _at(day, rng), u, "digital_download", {"count": round(base * 0.3) + rng.randrange(3)}
        yield _at(day, rng), root_id, "portal_visit", {"count": round(base * 12 * weekday) + rng.randrange(50)}
        yield _at(day, rng), root_id, "search", {"count": round(base * 6 * weekday) + rng.randrange(30)}


def activity_generate(*, network: OrgUnit, first: dt.date, last: dt.date, scale: float = 1.0, seed: int = 2026,
                      batch: int = 20000) -> int:
    """Insert generated events for every active unit of `network` from `first` to `last`; returns how many."""
    units = list(OrgUnit.objects.filter(path__startswith=network.path, is_active=True).select_related("kind")
                 .order_by("path"))
    rng = random.Random(seed)
    rows: list[tuple[dt.datetime, int, str, dict[str, Any]]] = []
    total = 0
    day = first
    while day <= last:
        for unit in units:
            rows.extend(unit_day_events(unit, unit.kind.code, day, rng, scale, network.pk))
        if len(rows) >= batch:
            total += events_bulk_insert(rows)
            rows = []
        day += dt.timedelta(days=1)
    total += events_bulk_insert(rows)
    return total
