"""Working days: weekends, Vietnamese public holidays and the yearly swaps (Labour Code 2019, Art. 111-112).

The days off and the weekend days worked instead are rows of `PublicHoliday`, loaded from
ctxh/cases/data/public_holidays.csv (years 2020-2030; the years without an official notice yet are marked
unconfirmed) and corrected by administrators in the admin site. A working day is Monday to Friday unless it is
a day off, or a Saturday or Sunday recorded as a make-up working day (ngày làm bù).

`WorkingCalendar.load()` reads the table once (a few hundred rows); pass the calendar on when computing many
deadlines in one request.
"""

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ctxh.core.text import nfc

HOLIDAYS_CSV = Path(__file__).resolve().parent / "data" / "public_holidays.csv"
MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    makeup_days: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def load(cls) -> "WorkingCalendar":
        from ctxh.cases.models import PublicHoliday

        off, makeup = set(), set()
        for day, kind in PublicHoliday.objects.values_list("date", "kind"):
            (makeup if kind == MAKEUP_WORKDAY else off).add(day)
        return cls(frozenset(off), frozenset(makeup))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.makeup_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (the day itself does not count, whatever it is)."""
        current = day
        while count > 0:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, current = 0, start
        while current < end:
            current += dt.timedelta(days=1)
            count += self.is_working_day(current)
        return count


def calendar(calendar_: WorkingCalendar | None = None) -> WorkingCalendar:
    return calendar_ if calendar_ is not None else WorkingCalendar.load()


# --- the data file ---


def read_holidays(path: Path = HOLIDAYS_CSV) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append({
                "date": dt.date.fromisoformat(row["date"].strip()),
                "name": nfc(row["name"]),
                "kind": row["kind"].strip(),
                "confirmed": row["confirmed"].strip() == "1",
                "note": nfc(row["note"]),
            })
    return rows


def load_holidays(model, *, overwrite: bool = False) -> tuple[int, int]:
    """Add the days of the data file that are not in the table yet; with `overwrite`, also put back the
    file's values on days already there (an administrator's corrections are kept otherwise). `model` may be
    historical (a migration). Returns (created, updated)."""
    created = updated = 0
    for values in read_holidays():
        day = values.pop("date")
        if overwrite:
            _obj, made = model.objects.update_or_create(date=day, defaults=values)
            created, updated = created + made, updated + (not made)
        else:
            _obj, made = model.objects.get_or_create(date=day, defaults=values)
            created += made
    return created, updated
