"""Fixtures for the digital library's tests (registered in the root conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from thuvien.core.models import OrgUnit, Role
from thuvien.core.tests.fixtures import make_staff
from thuvien.digital.models import Collection, DigitalObject
from thuvien.digital.services import collection_create, object_ingest, object_process
from thuvien.digital.synthetic import render_page


def make_collection(unit: OrgUnit, code: str = "dia-chi") -> Collection:
    actor = make_staff(f"digi_{code}_{unit.code}".lower(), unit, Role.DIGITISATION)
    return collection_create(actor=actor, code=code, name="Tài liệu địa chí", unit=unit)


def make_object(folder: Path, collection: Collection, *, texts: list[str] | None = None, title: str = "Địa chí",
                ocr: str = "vie", pdf: bool = False, size: tuple[int, int] = (900, 500), **fields: object) -> DigitalObject:
    """Render one small page per text into `folder`, ingest and process it (tiles, OCR, PDF)."""
    from thuvien.core.models import User

    folder.mkdir(parents=True, exist_ok=True)
    for n, text in enumerate(texts or ["Cao Bằng"], 1):
        render_page(text, folder / f"Trang {n}.png", width=size[0], height=size[1], font_size=26, seed=n,
                    noise=False)
    actor = User.objects.filter(grants__unit=collection.unit).first() or make_staff("digi", collection.unit,
                                                                                     Role.DIGITISATION)
    result = object_ingest(actor=actor, source=folder, collection=collection, title=title, ocr_profile=ocr,
                           process=False, **fields)  # type: ignore[arg-type]
    return object_process(obj=result.obj, pdf=pdf)


@pytest.fixture
def digital_object_factory(net, tmp_path) -> Callable[..., DigitalObject]:  # type: ignore[no-untyped-def]
    """make(texts=[...], ocr="vie", pdf=False, access=..., unit=net.a) -> a processed DigitalObject."""
    counter = iter(range(1000))

    def make(*, unit: OrgUnit | None = None, **kwargs: object) -> DigitalObject:
        n = next(counter)
        unit = unit or net.a
        coll = Collection.objects.filter(unit=unit).first() or make_collection(unit, f"c{n}-{unit.code.lower()}")
        return make_object(tmp_path / f"obj{n}", coll, **kwargs)  # type: ignore[arg-type]

    return make
