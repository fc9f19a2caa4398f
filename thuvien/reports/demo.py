"""Demo statistics: population and budget per unit, and about thirteen months of activity up to
yesterday, rolled up, so every report, chart and the dashboard show data."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction

from thuvien.core.models import OrgUnit
from thuvien.reports.facts import HCM
from thuvien.reports.generate import activity_generate
from thuvien.reports.models import UnitYearData
from thuvien.reports.rollup import rollup_rebuild

POPULATION = {"CB-TVT": 75000, "CB-BLAM": 68000, "CB-BLAC": 56000, "CB-HQ": 62000, "CB-TK": 70000, "CB-HL": 25000,
              "CB-QH": 65000, "CB-HA": 72000, "CB-NB": 41000, "CB-TA": 32000}


def load(*, network: OrgUnit, stdout: TextIO) -> None:
    """Add the demo statistics to `network` (skipped when it already has generated activity)."""
    if UnitYearData.objects.filter(unit__path__startswith=network.path).exists():
        return
    today = dt.datetime.now(tz=HCM).date()
    first = (today.replace(day=1) - dt.timedelta(days=366)).replace(day=1)
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=network.path)}
    with transaction.atomic():
        for code, population in POPULATION.items():
            if code not in units:
                continue
            for year in range(first.year, today.year + 1):
                UnitYearData.objects.create(
                    unit=units[code], year=year, population=population,
                    expenditure=3_000_000_000 if code == "CB-TVT" else 250_000_000,
                    staff=22 if code == "CB-TVT" else 3, seats=180 if code == "CB-TVT" else 40,
                    digitisation_target=50000 if code == "CB-TVT" else 0)
        n = activity_generate(network=network, first=first, last=today - dt.timedelta(days=1), scale=0.5)
    result = rollup_rebuild()
    stdout.write(f"  thống kê: {n} sự kiện từ {first:%d/%m/%Y}, {result['rows']} dòng tổng hợp\n")
