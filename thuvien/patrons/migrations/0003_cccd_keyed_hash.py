"""Stop keeping CCCD numbers: each becomes a keyed hash (duplicate checks) plus its last four digits
(issue 12, V10). Reversing restores the column empty: the numbers themselves are gone by design."""

from django.db import migrations, models

BATCH = 2000


def hash_numbers(apps, schema_editor):  # type: ignore[no-untyped-def]
    from thuvien.patrons.personal import id_number_parts

    Patron = apps.get_model("patrons", "Patron")
    last = 0
    while True:
        rows = list(Patron.objects.filter(pk__gt=last, id_number__isnull=False).order_by("pk")
                    .values_list("pk", "id_number")[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        for pk, number in rows:
            id_hash, last4 = id_number_parts(number)
            Patron.objects.filter(pk=pk).update(id_hash=id_hash, id_last4=last4)


class Migration(migrations.Migration):

    dependencies = [
        ("patrons", "0002_default_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="patron",
            name="id_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="patron",
            name="id_last4",
            field=models.CharField(blank=True, max_length=4, verbose_name="4 số cuối CCCD"),
        ),
        migrations.RunPython(hash_numbers, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="patron",
            name="id_number",
        ),
    ]
