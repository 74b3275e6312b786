"""Load the public holidays 2020-2030 (ctxh/cases/data/public_holidays.csv)."""

from django.db import migrations

from ctxh.cases.holidays import load_holidays


def load(apps, schema_editor):
    load_holidays(apps.get_model("cases", "PublicHoliday"))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0003_household_version_emergency_measures_holidays"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
