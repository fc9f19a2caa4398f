from django.db import migrations

ITEM_TYPES = [
    # code, name, name_en, loanable
    ("book", "Sách", "Book", True),
    ("periodical", "Báo, tạp chí", "Periodical", True),
    ("reference", "Tài liệu tra cứu (đọc tại chỗ)", "Reference (not for loan)", False),
    ("audiovisual", "Tài liệu nghe nhìn", "Audiovisual", True),
    ("child_book", "Sách thiếu nhi", "Children's book", True),
    ("local_document", "Tài liệu địa chí", "Local studies", False),
]


def create_types(apps, schema_editor):
    ItemType = apps.get_model("catalog", "ItemType")
    for code, name, name_en, loanable in ITEM_TYPES:
        ItemType.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "loanable": loanable})


def remove_types(apps, schema_editor):
    ItemType = apps.get_model("catalog", "ItemType")
    ItemType.objects.filter(code__in=[t[0] for t in ITEM_TYPES], items__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_import_jobs_quarantine_identifiers")]
    operations = [migrations.RunPython(create_types, remove_types)]
