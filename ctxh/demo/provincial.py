"""Province-level organizations from the data files: the departments named in section IV of Plan 154 with
their 2025 successions (data/departments.csv), and the provincial facilities, judicial bodies, university,
mass organizations and NGOs (data/facilities.csv). The columns are described in data/README.md.

A row belongs to an old province (its code as of 2025-06-30) and has a seat: the province itself, the
provincial capital, or an old district; the organization stands there until 2025-06-30 and, if it keeps
running, in the unit that took over from 2025-07-01. Rows of provinces that are not being loaded are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from ctxh.core.text import nfc
from ctxh.demo.builder import (
    BuildStats,
    DemoDataError,
    OrgSpec,
    ensure_organizations,
    places_across_reorganization,
)
from ctxh.demo.geography import REORG_DAY, Geography, OldProvince
from ctxh.geo.models import Unit
from ctxh.orgs.models import HealthLevel, OrgKind, Ownership, SchoolLevel, Sector

DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_FILES = (DATA_DIR / "departments.csv", DATA_DIR / "facilities.csv")
COLUMNS = (
    "code", "name", "kind", "sector", "ownership", "health_level", "school_level", "province", "seat",
    "valid_from", "valid_to", "parent", "successor", "succession_note", "closed_reason", "note",
)
_CHOICES = {
    "kind": OrgKind.values, "sector": Sector.values, "ownership": Ownership.values,
    "health_level": ["", *HealthLevel.values], "school_level": ["", *SchoolLevel.values],
}


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def error(self, column: str, message: str) -> DemoDataError:
        return DemoDataError(_("Tệp %(file)s, dòng %(line)s, cột “%(column)s”: %(message)s") % {
            "file": self.file, "line": self.line, "column": column, "message": message})

    def date(self, column: str) -> dt.date | None:
        text = self[column]
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            message = _("ngày “%(text)s” không đúng dạng YYYY-MM-DD.") % {"text": text}
            raise self.error(column, message) from None


def read_rows(paths=DATA_FILES) -> list[Row]:
    """Every row of the data files, checked column by column."""
    rows = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise DemoDataError(_("Tệp %(file)s: tiêu đề phải là %(columns)s.") % {
                    "file": path.name, "columns": ",".join(COLUMNS)})
            for values in reader:
                row = Row(path.name, reader.line_num, {k: nfc(v or "") for k, v in values.items() if k})
                _check(row)
                rows.append(row)
    return rows


def _check(row: Row) -> None:
    for column in ("code", "name", "province", "seat"):
        if not row[column]:
            raise row.error(column, _("không được để trống."))
    for column, allowed in _CHOICES.items():
        if row[column] not in allowed:
            raise row.error(column, _("giá trị “%(value)s” không có; các giá trị: %(allowed)s.") % {
                "value": row[column], "allowed": ", ".join(v for v in allowed if v)})
    start, end = row.date("valid_from"), row.date("valid_to")
    if start and end and end < start:
        raise row.error("valid_to", _("ngày chấm dứt trước ngày bắt đầu."))
    if row["successor"] and not end:
        raise row.error("successor", _("chỉ tổ chức đã chấm dứt (có valid_to) mới có tổ chức kế thừa."))
    seat = row["seat"]
    if seat not in ("province", "capital") and not (seat.startswith("district:") and seat[9:].isdigit()):
        raise row.error("seat", _("phải là province, capital hoặc district:<mã huyện>."))


def provincial_organizations(geo: Geography, *, stats: BuildStats,
                             rows: list[Row] | None = None) -> dict[str, int]:
    rows = read_rows() if rows is None else rows
    specs = []
    for row in rows:
        province = geo.old_province(row["province"])
        if province is None:
            continue
        specs.append(_spec(geo, province, row, stats))
    return ensure_organizations(specs, stats=stats)


def _spec(geo: Geography, province: OldProvince, row: Row, stats: BuildStats) -> OrgSpec:
    start, end = row.date("valid_from"), row.date("valid_to")
    old = _seat(province, row, stats)
    choice = geo.main_successor(old) if old is not None else None
    new = choice.unit if choice else None
    places = places_across_reorganization(old, new, valid_from=start, valid_to=end, reorg_day=REORG_DAY)
    if not places:
        raise row.error("seat", _("không tìm thấy đơn vị hành chính đặt trụ sở."))
    return OrgSpec(
        code=row["code"], name=row["name"], kind=row["kind"], sector=row["sector"],
        ownership=row["ownership"], health_level=row["health_level"], school_level=row["school_level"],
        valid_from=start, valid_to=end,
        places=places, parent_code=row["parent"], successor_code=row["successor"],
        succession_note=row["succession_note"], closed_reason=row["closed_reason"],
    )


def _seat(province: OldProvince, row: Row, stats: BuildStats) -> Unit | None:
    seat = row["seat"]
    if seat == "province":
        return province.unit
    district = None
    if seat.startswith("district:"):
        district = province.district_by_code(seat.removeprefix("district:"))
        if district is None:
            stats.warnings.append(
                _("%(code)s: không có huyện %(seat)s trong %(province)s; đặt tại tỉnh lỵ.")
                % {"code": row["code"], "seat": seat, "province": province.unit.name}
            )
    district = district or province.capital()
    return province.seat_of(district) if district is not None else None
