"""Seed or change the second thuvien database (run with `thuvien shell -c` style: python -m this)."""

from __future__ import annotations

import sys

import django


def main(action: str) -> None:
    django.setup()
    from django.utils import timezone

    from thuvien.catalog.models import BibRecord
    from thuvien.core.models import OrgUnit, UnitKind, User
    from thuvien.core.services import unit_create
    from thuvien.protocols.tests.fixtures import SAMPLE, make_bib

    if action == "seed":
        actor = User.objects.create(username="seed", is_superuser=True)
        root = unit_create(actor=actor, code="Q", name="Mạng lưới thư viện tỉnh Q",
                           kind=UnitKind.objects.get(code="network"), parent=None)
        lib = unit_create(actor=actor, code="QX", name="Thư viện tỉnh Q",
                          kind=UnitKind.objects.get(code="provincial_library"), parent=root)
        for c, t, a, y, _i, s, p in SAMPLE:
            make_bib(library=lib, control="Q" + c, title=t + " (tỉnh Q)", author=a, year=y, isbn="", subjects=s,
                     publisher=p)
        make_bib(library=lib, control="QEXTRA", title="Sách riêng tỉnh Q", author="Tác giả Q", year=2020)
        print(OrgUnit.objects.count(), BibRecord.objects.count())
    elif action == "dc":  # for the oai_dc harvest: an ISBN, two authors, and a record without a title
        lib = OrgUnit.objects.get(code="QX")
        bib = make_bib(library=lib, control="QISBN", title="Sổ tay thư viện xã", author="Lê Văn Thư", year=2019,
                       isbn="9786042000031", publisher="Văn hoá dân tộc")
        bib.marc["fields"].append({"700": {"ind1": "0", "ind2": " ", "subfields": [{"a": "Nông Thị Hà"}]}})
        bib.save(update_fields=["marc"])
        make_bib(library=lib, control="QNOTITLE", title="", author="Tác giả vô danh", year=2001)
        print(BibRecord.objects.count())
    elif action == "delete":
        bib = BibRecord.objects.get(control_number="QTV0002")
        bib.is_deleted, bib.deleted_at = True, timezone.now()
        bib.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
        print("deleted", bib.pk)


if __name__ == "__main__":
    main(sys.argv[1])
