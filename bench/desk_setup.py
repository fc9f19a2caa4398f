"""The bench network both desk benchmarks stand on (bench/circulation.py, bench/desk_first.py): a network
with one district library BN-A, a desk account there, a generous loan rule, the "book" item type and a
generated catalogue imported into BN-A. Call after django.setup() and migrate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class DeskBench:
    root: Any
    net: Any
    lib: Any
    desk: Any
    book: Any


def desk_bench(*, home: str, records: int) -> DeskBench:
    """Create the bench network in the configured database and import `records` generated records."""
    from bench.make_catalogue import generate
    from thuvien.catalog.models import ItemType
    from thuvien.catalog.services import import_job_create, import_job_run
    from thuvien.circulation.models import CirculationRule
    from thuvien.core.models import Role, UnitKind, User
    from thuvien.core.services import role_grant, unit_create

    root = User.objects.create(username="bench-root", is_superuser=True)
    net = unit_create(actor=root, code="BN", name="Bench", kind=UnitKind.objects.get(code="network"), parent=None)
    lib = unit_create(actor=root, code="BN-A", name="Thư viện A", kind=UnitKind.objects.get(code="district_library"),
                      parent=net)
    desk = User.objects.create_user(username="desk", password="x", home_unit=lib)
    role_grant(actor=root, user=desk, unit=lib, role=Role.CIRCULATION)
    CirculationRule.objects.create(unit=net, loan_days=14, renewals=2, max_loans=10000, fine_per_day=1000,
                                   fine_cap=20000)
    book = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách"})[0]
    marc = Path(home) / "catalogue.mrc"
    marc.write_bytes(generate(records, seed=11, libraries=["BN-A"]))
    import_job_run(job=import_job_create(actor=root, library=lib, path=marc, match="none"), actor=root)
    return DeskBench(root=root, net=net, lib=lib, desk=desk, book=book)
