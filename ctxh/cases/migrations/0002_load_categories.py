"""Load the vulnerability categories (ctxh/cases/data/vulnerability_categories.csv)."""

from django.db import migrations

from ctxh.cases.reference import load_categories


def load(apps, schema_editor):
    load_categories(apps.get_model("cases", "VulnerabilityCategory"))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
