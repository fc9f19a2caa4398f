"""Give every record without an owner one: ownership decides who may edit it (issue 12, V1).

The rule, in order: the library that holds the record's oldest item (the library that imported it
with its holdings), else the home unit of the staff member who created it, else the network root
(so only network-level cataloguers edit it). Batched; reversing leaves the owners in place.
"""

from django.db import migrations

BATCH = 2000


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    BibRecord = apps.get_model("catalog", "BibRecord")
    Item = apps.get_model("catalog", "Item")
    OrgUnit = apps.get_model("core", "OrgUnit")
    User = apps.get_model("core", "User")
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True).first()
    last = 0
    while True:
        rows = list(BibRecord.objects.filter(owner__isnull=True, pk__gt=last).order_by("pk")
                    .values_list("pk", "created_by_id")[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        holders: dict[int, int] = {}
        for record_id, library_id in (Item.objects.filter(record_id__in=[r[0] for r in rows])
                                      .order_by("-pk").values_list("record_id", "library_id")):
            holders[record_id] = library_id  # ordered newest first: the oldest item wins
        homes = dict(User.objects.filter(pk__in={r[1] for r in rows if r[1]}).values_list("pk", "home_unit_id"))
        by_owner: dict[int, list[int]] = {}
        for pk, creator in rows:
            owner = holders.get(pk) or homes.get(creator) or root
            if owner is not None:
                by_owner.setdefault(owner, []).append(pk)
        for owner, pks in by_owner.items():
            BibRecord.objects.filter(pk__in=pks).update(owner_id=owner)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0005_drop_unread_indexes"),
        ("core", "0001_network_staff_audit"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
