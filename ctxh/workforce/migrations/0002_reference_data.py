"""Reference data: the statutory base salary table, the two phases of the programme and the STAFFING rules.

All of it is editable data afterwards (with history); this only loads the defaults. Idempotent.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

BASE_SALARIES = [
    (dt.date(2019, 7, 1), 1_490_000, "Nghị định 38/2019/NĐ-CP", "", True),
    (dt.date(2023, 7, 1), 1_800_000, "Nghị định 24/2023/NĐ-CP", "", True),
    (dt.date(2024, 7, 1), 2_340_000, "Nghị định 73/2024/NĐ-CP", "", True),
    (dt.date(2026, 7, 1), 2_530_000, "", "Mức đã được công bố; chưa xác nhận số hiệu nghị định.", False),
]

PHASES = [
    ("1", "Giai đoạn 2021-2025", dt.date(2021, 1, 1), dt.date(2025, 12, 31)),
    ("2", "Giai đoạn 2026-2030", dt.date(2026, 1, 1), dt.date(2030, 12, 31)),
]

# (phase, organization kind or "" for the phase's default, people required)
STAFFING_RULES = [
    ("1", "", 1, "Kế hoạch 154: ít nhất 01 người."),
    ("2", "", 1, "Kế hoạch 154: 01 đến 02 người; mặc định 01."),
    ("2", "commune_committee", 2, "Mặc định 02 người cho cấp xã; cán bộ quản lý chương trình có thể sửa."),
    ("2", "social_assistance", 2, "Mặc định 02 người cho cơ sở trợ giúp xã hội; có thể sửa."),
]


def _record_history(apps, model_name, row, fields):
    """The first history entry ("+", created), so that the first correction keeps the loaded value."""
    historical = apps.get_model("workforce", f"Historical{model_name}")
    if not historical.objects.filter(id=row.pk).exists():
        historical.objects.create(
            id=row.pk, history_date=timezone.now(), history_type="+",
            history_change_reason="Dữ liệu mặc định", **{name: getattr(row, name) for name in fields},
        )


def load(apps, schema_editor):
    BaseSalary = apps.get_model("workforce", "BaseSalary")
    ProgrammePhase = apps.get_model("workforce", "ProgrammePhase")
    StaffingRule = apps.get_model("workforce", "StaffingRule")
    for day, amount, instrument, note, confirmed in BASE_SALARIES:
        row, _ = BaseSalary.objects.get_or_create(
            effective_date=day,
            defaults={"amount_vnd": amount, "instrument": instrument, "note": note, "confirmed": confirmed},
        )
        _record_history(apps, "BaseSalary", row, ("effective_date", "amount_vnd", "instrument", "note", "confirmed"))
    phases = {}
    for code, name, start, end in PHASES:
        phases[code], _ = ProgrammePhase.objects.get_or_create(
            code=code, defaults={"name": name, "start_date": start, "end_date": end}
        )
    for code, kind, required, note in STAFFING_RULES:
        rule, _ = StaffingRule.objects.get_or_create(
            phase=phases[code], org_kind=kind, defaults={"required_positions": required, "note": note}
        )
        _record_history(apps, "StaffingRule", rule, ("phase_id", "org_kind", "required_positions", "note"))


class Migration(migrations.Migration):

    dependencies = [
        ("workforce", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
