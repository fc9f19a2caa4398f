# Merges the preservation (OCFL, fixity) and publication-flag branches.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('digital', '0002_object_published'),
        ('digital', '0002_preservation_ocfl_fixity'),
    ]

    operations = [
    ]
