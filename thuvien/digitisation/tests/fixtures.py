"""Fixtures for the digitisation projects' tests (registered in the root conftest.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from thuvien.catalog.models import BibRecord
from thuvien.catalog.services import bib_create
from thuvien.catalog.tests.fixtures import make_book
from thuvien.core.models import Role, User
from thuvien.core.tests.fixtures import make_staff
from thuvien.digital.models import Collection
from thuvien.digital.tests.fixtures import make_collection
from thuvien.digitisation.models import Measure, Project
from thuvien.digitisation.services import project_create, target_create


@dataclass
class Proj:
    project: Project
    collection: Collection
    sohoa: User  # the digitisation operator at the collection's library
    reviewer: User  # a second operator there
    outsider: User  # the digitisation operator of another library
    records: list[BibRecord]


@pytest.fixture
def proj(net, admin_user) -> Proj:  # type: ignore[no-untyped-def]
    """A local-history project at library A with a 1-title and a 50% target and three local-history
    records owned by A (plus one novel, not local history)."""
    coll = make_collection(net.a, "dia-chi-a")
    sohoa = make_staff("sohoa_a", net.a, Role.DIGITISATION)
    reviewer = make_staff("qc_a", net.a, Role.DIGITISATION)
    outsider = make_staff("sohoa_b", net.b, Role.DIGITISATION)
    records = [bib_create(actor=admin_user, owner=net.a, record=make_book(
        f"Địa chí huyện A tập {n}", subjects=["Địa chí", "Cao Bằng"], isbn="", ddc="915.9712")) for n in (1, 2, 3)]
    records.append(bib_create(actor=admin_user, owner=net.a, record=make_book("Truyện ngắn", isbn="")))
    project = project_create(actor=sohoa, collection=coll)
    target_create(actor=sohoa, project=project, measure=Measure.TITLES, value=1, deadline=dt.date(2030, 12, 31),
                  phase="Giai đoạn 1")
    target_create(actor=sohoa, project=project, measure=Measure.PERCENT, value=50, deadline=dt.date(2030, 12, 31))
    return Proj(project=project, collection=coll, sohoa=sohoa, reviewer=reviewer, outsider=outsider,
                records=records)


def snapshot_db(item: Any) -> tuple[Any, ...]:
    """Everything a transition may write: the item row, the log, the audit, the object's flag, marks."""
    from thuvien.core.models import AuditEntry
    from thuvien.digital.models import DigitalObject
    from thuvien.digitisation.models import PlanItem, RescanMark, Transition

    row = PlanItem.objects.filter(pk=item.pk).values().get()
    objs = tuple(DigitalObject.objects.order_by("pk").values_list("pk", "published", "updated_at"))
    return (tuple(sorted(row.items())), Transition.objects.count(), AuditEntry.objects.count(), objs,
            tuple(RescanMark.objects.order_by("pk").values_list("pk", "resolved_at")))
