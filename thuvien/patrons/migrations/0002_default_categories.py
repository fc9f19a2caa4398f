from django.db import migrations

CATEGORIES = [
    ("adult", "Người lớn", "Adult", False, 10),
    ("child", "Thiếu nhi", "Child", True, 20),
    ("pupil", "Học sinh", "Pupil", True, 30),
    ("student", "Sinh viên", "Student", False, 40),
    ("elderly", "Người cao tuổi", "Elderly", False, 50),
    ("disabled", "Người khuyết tật", "Person with disability", False, 60),
    ("agency_staff", "Cán bộ cơ quan", "Staff of an agency", False, 70),
]


def add_categories(apps, schema_editor):
    PatronCategory = apps.get_model("patrons", "PatronCategory")
    for code, name, name_en, is_child, order in CATEGORIES:
        PatronCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "is_child": is_child, "sort_order": order})


def remove_categories(apps, schema_editor):
    PatronCategory = apps.get_model("patrons", "PatronCategory")
    PatronCategory.objects.filter(code__in=[c[0] for c in CATEGORIES], patrons__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("patrons", "0001_patrons_consent_requests")]
    operations = [migrations.RunPython(add_categories, remove_categories)]
