"""Load the ethnicity list (ctxh/core/data/ethnicities.csv): the 54 groups of the GSO list and foreign nationals."""

from django.db import migrations

from ctxh.core.reference import load_ethnicities


def load(apps, schema_editor):
    load_ethnicities(apps.get_model("core", "Ethnicity"))


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_ethnicity"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
