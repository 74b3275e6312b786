"""Load the training topics (ctxh/training/data/topics.csv): section II.4 of Plan 154. Idempotent."""

import csv
from pathlib import Path

from django.db import migrations

TOPICS_CSV = Path(__file__).resolve().parent.parent / "data" / "topics.csv"


def load(apps, schema_editor):
    Topic = apps.get_model("training", "Topic")
    with TOPICS_CSV.open(encoding="utf-8", newline="") as handle:
        for order, row in enumerate(csv.DictReader(handle), start=1):
            Topic.objects.get_or_create(code=row["code"], defaults={"name": row["name"], "sort_order": order})


class Migration(migrations.Migration):

    dependencies = [
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
