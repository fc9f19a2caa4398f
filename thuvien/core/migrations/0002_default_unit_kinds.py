"""The kinds of unit a Vietnamese public library network has today. They are data: administrators
rename, add or retire kinds without a code change."""

from django.db import migrations

KINDS = [
    # code, name, name_en, holds_items, circulates, order
    ("network", "Mạng lưới thư viện (tỉnh/thành)", "Library network (province)", False, False, 10),
    ("provincial_library", "Thư viện tỉnh", "Provincial library", True, True, 20),
    ("district_library", "Thư viện huyện", "District library", True, True, 30),
    ("commune_reading_room", "Phòng đọc xã/phường", "Commune/ward reading room", True, True, 40),
    ("border_post_bookshelf", "Tủ sách đồn biên phòng", "Border-post bookshelf", True, True, 50),
    ("post_office_point", "Điểm bưu điện văn hóa xã", "Post-office culture point", True, True, 60),
    ("community_bookshelf", "Tủ sách cộng đồng/tư nhân", "Community/private bookshelf", True, True, 70),
    ("school_library", "Thư viện trường học", "School library", True, True, 80),
    ("mobile_library", "Thư viện lưu động (xe)", "Mobile library (van)", True, True, 90),
]


def add_kinds(apps, schema_editor):
    UnitKind = apps.get_model("core", "UnitKind")
    for code, name, name_en, holds, circ, order in KINDS:
        UnitKind.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "holds_items": holds, "circulates": circ, "sort_order": order},
        )


def remove_kinds(apps, schema_editor):
    UnitKind = apps.get_model("core", "UnitKind")
    UnitKind.objects.filter(code__in=[k[0] for k in KINDS], units__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_network_staff_audit")]
    operations = [migrations.RunPython(add_kinds, remove_kinds)]
