"""Local mapping files: successions for the 2025 reorganization that the official table leaves out.

A local mapping file is a small UTF-8 CSV with the header `old_code,new_code,kind,partly_merged,note`:

- `old_code`: a legacy commune (valid on 30/06/2025), `new_code`: a commune valid from 01/07/2025; codes may
  lose their leading zeros in a spreadsheet, so "2482" is read as "02482";
- `kind`: merge, split, rename or reparent; `partly_merged`: true/false (also 1/0, có/không; empty: false);
- `note`: why, and on what authority (stored on the succession).

A row only completes the official table: a row for an old commune that the table already maps is refused.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from ctxh.geo.models import Level, SuccessionKind, Unit, format_code
from ctxh.geo.package import LAST_LEGACY_DAY, REORG_2025
from ctxh.geo.sync import SuccessionRow

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_MAPPINGS: tuple[Path, ...] = (DATA_DIR / "local_mapping_tuyen_quang.csv",)
HEADER = ["old_code", "new_code", "kind", "partly_merged", "note"]
MAX_BYTES = 1024 * 1024
TRUE_WORDS = {"true", "1", "yes", "có", "x"}
FALSE_WORDS = {"false", "0", "no", "không", ""}


class MappingError(Exception):
    """A local mapping file is wrong; the message (Vietnamese) names the file, the row and the column."""


@dataclass(frozen=True)
class MappingRow:
    file: str
    line: int
    old_code: str
    new_code: str
    kind: str
    partly_merged: bool
    note: str

    @property
    def source(self) -> str:
        return _("Bản đối chiếu địa phương %(file)s") % {"file": self.file}


def _where(file: str, line: int, column: str) -> str:
    return _("Tệp %(file)s, dòng %(line)s, cột %(column)s") % {"file": file, "line": line, "column": column}


def parse_code(value: str, where: str) -> str:
    value = value.strip()
    if not value.isdigit() or len(value) > 5:
        raise MappingError(
            _("%(where)s: mã xã «%(value)s» không hợp lệ (cần tối đa 5 chữ số).")
            % {"where": where, "value": value}
        )
    return format_code(value, Level.COMMUNE)


def parse_bool(value: str, where: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise MappingError(
        _("%(where)s: giá trị «%(value)s» không hợp lệ (cần true hoặc false).")
        % {"where": where, "value": value}
    )


def read_mapping(path: Path) -> list[MappingRow]:
    """Parse and check the form of a mapping file (codes are checked against the database later)."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MappingError(
            _("Không đọc được tệp đối chiếu %(file)s: %(error)s.")
            % {"file": path, "error": exc.strerror or exc}
        ) from exc
    if len(raw) > MAX_BYTES:
        raise MappingError(_("Tệp đối chiếu %(file)s quá lớn (tối đa 1 MB).") % {"file": name})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MappingError(_("Tệp đối chiếu %(file)s không phải văn bản UTF-8.") % {"file": name}) from exc
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(reader, [])]
    if header[:4] != HEADER[:4] or header[4:] not in ([], ["note"]):
        raise MappingError(
            _("Tệp đối chiếu %(file)s: dòng tiêu đề phải là «%(header)s», nhưng là «%(found)s».")
            % {"file": name, "header": ",".join(HEADER), "found": ",".join(header)}
        )
    rows: list[MappingRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise MappingError(
                _("Tệp %(file)s, dòng %(line)s: có %(count)s cột, nhiều hơn dòng tiêu đề.")
                % {"file": name, "line": line, "count": len(cells)}
            )
        cells = [*cells, *[""] * (len(HEADER) - len(cells))]
        old_code = parse_code(cells[0], _where(name, line, "old_code"))
        new_code = parse_code(cells[1], _where(name, line, "new_code"))
        kind = cells[2].strip().lower()
        if kind not in SuccessionKind.values:
            raise MappingError(
                _("%(where)s: hình thức «%(value)s» không hợp lệ (cần một trong: %(allowed)s).")
                % {
                    "where": _where(name, line, "kind"),
                    "value": cells[2],
                    "allowed": ", ".join(SuccessionKind.values),
                }
            )
        partly = parse_bool(cells[3], _where(name, line, "partly_merged"))
        if (old_code, new_code) in seen:
            raise MappingError(
                _("Tệp %(file)s, dòng %(line)s: cặp %(old)s → %(new)s đã có ở dòng %(first)s.")
                % {
                    "file": name,
                    "line": line,
                    "old": old_code,
                    "new": new_code,
                    "first": seen[(old_code, new_code)],
                }
            )
        seen[(old_code, new_code)] = line
        rows.append(MappingRow(name, line, old_code, new_code, kind, partly, cells[4].strip()))
    return rows


def resolve_mapping(rows: list[MappingRow], *, officially_mapped: set[str]) -> list[SuccessionRow]:
    """Turn mapping rows into successions, looking the codes up as of 30/06/2025 and 01/07/2025."""
    olds = {
        code: (level, code, since)
        for level, code, since in Unit.objects.as_of(LAST_LEGACY_DAY)
        .filter(level=Level.COMMUNE, code__in={r.old_code for r in rows})
        .values_list("level", "code", "valid_from")
    }
    news = {
        code: (level, code, since)
        for level, code, since in Unit.objects.as_of(REORG_2025)
        .filter(level=Level.COMMUNE, code__in={r.new_code for r in rows})
        .values_list("level", "code", "valid_from")
    }
    successions = []
    for row in rows:
        if row.old_code in officially_mapped:
            raise MappingError(
                _(
                    "%(where)s: xã cũ %(code)s đã có trong bảng chuyển đổi chính thức; bản đối chiếu "
                    "địa phương chỉ bổ sung, không sửa bảng chính thức."
                )
                % {"where": _where(row.file, row.line, "old_code"), "code": row.old_code}
            )
        if row.old_code not in olds:
            raise MappingError(
                _("%(where)s: không có xã cũ mã %(code)s có hiệu lực ngày 30/06/2025.")
                % {"where": _where(row.file, row.line, "old_code"), "code": row.old_code}
            )
        if row.new_code not in news:
            raise MappingError(
                _("%(where)s: không có xã mới mã %(code)s có hiệu lực ngày 01/07/2025.")
                % {"where": _where(row.file, row.line, "new_code"), "code": row.new_code}
            )
        successions.append(
            SuccessionRow(
                predecessor=olds[row.old_code],
                successor=news[row.new_code],
                effective_date=REORG_2025,
                kind=row.kind,
                partly_merged=row.partly_merged,
                source=row.source,
                note=row.note,
            )
        )
    return successions
