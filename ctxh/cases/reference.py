"""The reference list of vulnerability categories, kept as data
(ctxh/cases/data/vulnerability_categories.csv).

A province can add categories by editing the file and running the loader again, or through the admin site.
"""

import csv
from pathlib import Path

from ctxh.core.text import nfc

CATEGORIES_CSV = Path(__file__).resolve().parent / "data" / "vulnerability_categories.csv"
_FLAGS = ("is_sensitive", "plan154_severe_only", "requires_severity", "requires_event")


def read_categories(path: Path = CATEGORIES_CSV) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for position, row in enumerate(csv.DictReader(handle), start=1):
            values = {
                "code": row["code"].strip(),
                "group": row["group"].strip(),
                "name": nfc(row["name"]),
                "art10_number": int(row["art10_number"]) if row["art10_number"].strip() else None,
                "plan154_child_group": row["plan154_child_group"].strip(),
                "note": nfc(row["note"]),
                "sort_order": position,
            }
            values.update({flag: row[flag].strip() == "1" for flag in _FLAGS})
            rows.append(values)
    return rows


def load_categories(model) -> int:
    """Create or update the category rows from the data file; idempotent. `model` may be historical."""
    rows = read_categories()
    for values in rows:
        code = values.pop("code")
        model.objects.update_or_create(code=code, defaults=values)
    return len(rows)
