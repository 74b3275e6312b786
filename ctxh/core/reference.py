"""Reference lists shared by every app that records people: sex, and the ethnic groups (loaded from data).

The lists themselves are data (ctxh/core/data/*.csv), loaded by data migrations; only the choices that code
branches on (sex, used to check a CCCD) are written here.
"""

import csv
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctxh.core.text import fold, nfc

DATA_DIR = Path(__file__).resolve().parent / "data"
ETHNICITIES_CSV = DATA_DIR / "ethnicities.csv"

# The one entry of the ethnicity list that is not a GSO ethnic group: a foreign national. Its code is ours,
# chosen so that it can never collide with a GSO code (two digits).
FOREIGN_NATIONAL_CODE = "NN"


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


def read_ethnicities(path: Path = ETHNICITIES_CSV) -> list[tuple[str, str]]:
    """(code, name) pairs: the 54 groups of the GSO list (01-54) and foreign nationals."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["code"].strip(), nfc(row["name"])) for row in csv.DictReader(handle)]


def load_ethnicities(model) -> int:
    """Create or update the ethnicity rows from the data file; idempotent. `model` may be historical."""
    rows = read_ethnicities()
    for position, (code, name) in enumerate(rows, start=1):
        model.objects.update_or_create(
            code=code, defaults={"name": name, "search_name": fold(name), "sort_order": position}
        )
    return len(rows)
