"""Organizations in Excel: the export, the import template, and the import (check, preview, apply).

The export and the template share one sheet layout, so an exported file imports back without changes.
An import is all-or-nothing: every row goes through the same services as the forms inside one transaction,
which is rolled back for a preview (a dry run) or when any row has an error.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ctxh.geo.models import Unit
from ctxh.imports.spreadsheet import (
    CellError,
    Column,
    ErrorReport,
    SheetSpec,
    ValueKind,
    build_workbook,
    parse_row,
    read_rows,
)
from ctxh.orgs.models import HealthLevel, Organization, OrgKind, Ownership, SchoolLevel, Sector
from ctxh.orgs.presentation import display_value, field_label
from ctxh.orgs.services import organization_create, organization_update

ORG_SHEET = SheetSpec(
    title="Tổ chức",
    columns=(
        Column(
            "code",
            "Mã tổ chức",
            ValueKind.CODE,
            required=True,
            max_length=40,
            width=16,
            help="Mã duy nhất của tổ chức. Mã đã có thì dòng này cập nhật tổ chức đó.",
        ),
        Column("name", "Tên tổ chức", required=True, max_length=255, width=42),
        Column("kind", "Loại tổ chức", ValueKind.CHOICE, required=True, choices=OrgKind.choices, width=34),
        Column(
            "school_level",
            "Cấp học",
            ValueKind.CHOICE,
            choices=SchoolLevel.choices,
            width=22,
            help="Bắt buộc với trường học; để trống với các loại tổ chức khác.",
        ),
        Column(
            "health_level",
            "Loại cơ sở y tế",
            ValueKind.CHOICE,
            choices=HealthLevel.choices,
            width=18,
            header_optional=True,
            help="Chỉ dùng cho bệnh viện, trung tâm y tế, trạm y tế.",
        ),
        Column("sector", "Ngành", ValueKind.CHOICE, required=True, choices=Sector.choices, width=24),
        Column(
            "ownership",
            "Loại hình sở hữu",
            ValueKind.CHOICE,
            required=True,
            choices=Ownership.choices,
            width=20,
        ),
        Column(
            "unit_code",
            "Mã đơn vị hành chính",
            ValueKind.CODE,
            required=True,
            max_length=10,
            width=14,
            help="Mã đơn vị hành chính (xã, phường, huyện, tỉnh) có hiệu lực vào ngày “Hiệu lực từ ngày”.",
        ),
        Column(
            "parent_code",
            "Mã tổ chức cấp trên",
            ValueKind.CODE,
            max_length=40,
            width=16,
            help="Mã của tổ chức cấp trên (đã có, hoặc ở một dòng khác của tệp này).",
        ),
        Column(
            "valid_from",
            "Hiệu lực từ ngày",
            ValueKind.DATE,
            width=14,
            help="Ngày/tháng/năm, ví dụ 01/07/2025.",
        ),
        Column(
            "valid_to",
            "Hiệu lực đến ngày",
            ValueKind.DATE,
            width=14,
            help="Ngày cuối cùng tổ chức hoạt động; để trống nếu còn hoạt động.",
        ),
        Column("address", "Địa chỉ", max_length=255, width=36),
        Column("phone", "Điện thoại", max_length=30, width=14),
        Column("email", "Thư điện tử", max_length=254, width=26),
        Column(
            "unit_name",
            "Tên đơn vị hành chính",
            width=30,
            read_only=True,
            help="Chỉ để đọc: không dùng khi nhập.",
        ),
        Column("status", "Trạng thái", width=16, read_only=True, help="Chỉ để đọc: không dùng khi nhập."),
    ),
)

# Service field -> spreadsheet column key, to place a service's error in the right column.
FIELD_COLUMNS = {
    "unit": "unit_code",
    "parent": "parent_code",
    "reason": "",
    NON_FIELD_ERRORS: "",
}
# Spreadsheet columns that map one-to-one onto organization fields.
PLAIN_FIELDS = (
    "code",
    "name",
    "kind",
    "school_level",
    "health_level",
    "sector",
    "ownership",
    "valid_from",
    "valid_to",
    "address",
    "phone",
    "email",
)


def _header(field_name: str) -> str:
    key = FIELD_COLUMNS.get(field_name, field_name)
    if not key:
        return ""
    try:
        return ORG_SHEET.column(key).header
    except KeyError:
        return field_label(field_name)


def _status(org: Organization, today: dt.date) -> str:
    if org.valid_to and org.valid_to < today:
        return _("Đã chấm dứt")
    if org.valid_from and org.valid_from > today:
        return _("Chưa hoạt động")
    return _("Đang hoạt động")


def organization_export(queryset: QuerySet[Organization]) -> bytes:
    """The (already scoped and filtered) organizations as an .xlsx workbook in the import layout."""
    today = timezone.localdate()
    with translation.override("vi"):
        rows = (
            {
                "code": org.code,
                "name": org.name,
                "kind": org.kind,
                "school_level": org.school_level,
                "health_level": org.health_level,
                "sector": org.sector,
                "ownership": org.ownership,
                "unit_code": org.unit.code,
                "parent_code": org.parent.code if org.parent_id else "",
                "valid_from": org.valid_from,
                "valid_to": org.valid_to,
                "address": org.address,
                "phone": org.phone,
                "email": org.email,
                "unit_name": org.unit.label,
                "status": _status(org, today),
            }
            for org in queryset.select_related("unit", "parent").iterator(chunk_size=2000)
        )
        return build_workbook(ORG_SHEET, rows)


def organization_import_template() -> bytes:
    with translation.override("vi"):
        return build_workbook(ORG_SHEET)


@dataclass(frozen=True)
class PlannedChange:
    label: str
    before: str
    after: str


@dataclass
class PlannedRow:
    number: int
    code: str
    name: str
    action: str  # "create", "update" or "unchanged"
    changes: list[PlannedChange] = field(default_factory=list)


@dataclass
class ImportOutcome:
    errors: list[CellError] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)  # versions of the existing organizations read
    stale: list[str] = field(default_factory=list)  # codes changed by someone else since the preview
    committed: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


class _UnitResolver:
    """Unit codes as of a day, cached: codes are reused across generations."""

    def __init__(self):
        self.cache: dict[tuple[str, dt.date], list[Unit]] = {}

    def find(self, code: str, day: dt.date) -> list[Unit]:
        key = (code, day)
        if key not in self.cache:
            candidates = {code}
            if code.isdigit():
                candidates |= {code.zfill(width) for width in (2, 3, 5)}
            units = list(Unit.objects.as_of(day).filter(code__in=candidates))
            exact = [u for u in units if u.code == code]
            self.cache[key] = exact or units
        return self.cache[key]


def _reference_day(values: dict[str, Any]) -> dt.date:
    if values.get("valid_from"):
        return values["valid_from"]
    today = timezone.localdate()
    end = values.get("valid_to")
    return end if end and end < today else today


def _topological(
    rows: list[tuple[int, dict[str, Any]]], report: ErrorReport
) -> list[tuple[int, dict[str, Any]]]:
    """Rows ordered so that a parent created by the file comes before its children."""
    by_code = {values["code"]: (number, values) for number, values in rows}
    ordered: list[tuple[int, dict[str, Any]]] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done

    def visit(code: str, chain: list[int]) -> None:
        if state.get(code) == 2:
            return
        number, values = by_code[code]
        if state.get(code) == 1:
            report.add(
                number,
                _header("parent"),
                _("vòng lặp tổ chức cấp trên giữa các dòng %(rows)s.")
                % {"rows": ", ".join(str(n) for n in chain)},
            )
            return
        state[code] = 1
        parent = values.get("parent_code")
        if parent and parent in by_code and parent != code:
            visit(parent, [*chain, number])
        state[code] = 2
        ordered.append((number, values))

    for number, values in rows:
        visit(values["code"], [number])
    return ordered


def organization_import(
    *, user, data: bytes, commit: bool, expected_versions: dict[str, int] | None = None
) -> ImportOutcome:
    """Checks every row of an uploaded workbook and, with `commit`, applies them all or none.

    Raises SpreadsheetError when the file as a whole cannot be read. With `expected_versions` (from the
    preview), an organization changed by someone else since then stops the import (`stale`).
    """
    with translation.override("vi"):
        rows = read_rows(data, ORG_SHEET)
        return _import_rows(user=user, rows=rows, commit=commit, expected_versions=expected_versions)


def _import_rows(*, user, rows, commit: bool, expected_versions: dict[str, int] | None) -> ImportOutcome:
    outcome = ImportOutcome()
    report = ErrorReport()
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen_codes: dict[str, int] = {}
    for row in rows:
        errors_before = len(report)
        values = parse_row(ORG_SHEET, row, report)
        code = values.get("code") or ""
        if code:
            first = seen_codes.get(code.lower())
            if first is not None:
                report.add(
                    row.number,
                    _header("code"),
                    _("mã “%(code)s” trùng với dòng %(row)s.") % {"code": code, "row": first},
                )
            else:
                seen_codes[code.lower()] = row.number
        if len(report) == errors_before:
            parsed.append((row.number, values))

    codes = [values["code"] for _n, values in parsed]
    parent_codes = {values["parent_code"] for _n, values in parsed if values.get("parent_code")}
    existing = {
        o.code: o for o in Organization.objects.filter(code__in=codes).select_related("unit", "parent")
    }
    visible = set(
        Organization.objects.for_user(user)
        .filter(code__in=set(codes) | parent_codes)
        .values_list("code", flat=True)
    )
    known_parents = set(Organization.objects.filter(code__in=parent_codes).values_list("code", flat=True))
    file_codes = set(codes)
    resolver = _UnitResolver()
    ready: list[tuple[int, dict[str, Any]]] = []
    for number, values in parsed:
        code = values["code"]
        org = existing.get(code)
        ok = True
        if org is not None and code not in visible:
            report.add(
                number,
                _header("code"),
                _("mã “%(code)s” đã được dùng cho một tổ chức ngoài phạm vi của bạn.") % {"code": code},
            )
            ok = False
        unit_code = values["unit_code"]
        if org is not None and unit_code == org.unit.code:
            values["unit"] = org.unit
        else:
            day = _reference_day(values)
            units = resolver.find(unit_code, day)
            if not units:
                report.add(
                    number,
                    _header("unit"),
                    _("không tìm thấy đơn vị hành chính mã “%(code)s” có hiệu lực vào ngày %(day)s.")
                    % {"code": unit_code, "day": day.strftime("%d/%m/%Y")},
                )
                ok = False
            elif len(units) > 1:
                report.add(
                    number,
                    _header("unit"),
                    _("mã “%(code)s” ứng với nhiều đơn vị hành chính vào ngày %(day)s: %(names)s.")
                    % {
                        "code": unit_code,
                        "day": day.strftime("%d/%m/%Y"),
                        "names": ", ".join(u.name for u in units),
                    },
                )
                ok = False
            else:
                values["unit"] = units[0]
        parent_code = values.get("parent_code")
        if parent_code:
            if parent_code == code:
                report.add(number, _header("parent"), _("tổ chức không thể là cấp trên của chính nó."))
                ok = False
            elif parent_code not in file_codes and parent_code not in known_parents:
                report.add(
                    number,
                    _header("parent"),
                    _("không tìm thấy tổ chức mã “%(code)s”.") % {"code": parent_code},
                )
                ok = False
        if org is not None:
            outcome.versions[code] = org.version
        if ok:
            ready.append((number, values))

    if expected_versions is not None:
        outcome.stale = sorted(
            code
            for code, version in outcome.versions.items()
            if code in expected_versions and expected_versions[code] != version
        )
        outcome.stale += sorted(code for code in outcome.versions if code not in expected_versions)
    failed_codes = {values["code"] for number, values in parsed if number in report.rows_with_errors()}

    with transaction.atomic():
        for number, values in _topological(ready, report):
            if number in report.rows_with_errors():
                continue
            planned = _apply_row(
                user=user,
                number=number,
                values=values,
                existing=existing.get(values["code"]),
                report=report,
                failed_codes=failed_codes,
            )
            if planned is None:
                failed_codes.add(values["code"])
            else:
                outcome.rows.append(planned)
        if not commit or report or outcome.stale:
            transaction.set_rollback(True)
        else:
            outcome.committed = True
    outcome.errors = report.sorted()
    outcome.rows.sort(key=lambda r: r.number)
    return outcome


def _apply_row(
    *,
    user,
    number: int,
    values: dict[str, Any],
    existing: Organization | None,
    report: ErrorReport,
    failed_codes: set[str],
) -> PlannedRow | None:
    fields = {name: values[name] for name in PLAIN_FIELDS if name in values}
    fields["unit"] = values["unit"]
    parent_code = values.get("parent_code")
    fields["parent"] = None
    if parent_code:
        parent = Organization.objects.filter(code=parent_code).first()
        if parent is None:
            if parent_code in failed_codes:
                report.add(
                    number,
                    _header("parent"),
                    _("tổ chức cấp trên “%(code)s” chưa nhập được vì dòng của nó có lỗi.")
                    % {"code": parent_code},
                )
            else:
                report.add(
                    number,
                    _header("parent"),
                    _("không tìm thấy tổ chức mã “%(code)s”.") % {"code": parent_code},
                )
            return None
        fields["parent"] = parent
    try:
        if existing is None:
            org = organization_create(user=user, **fields)
            return PlannedRow(number, org.code, org.name, "create")
        changes = {name: value for name, value in fields.items() if getattr(existing, name) != value}
        if "valid_from" not in values:
            changes.pop("valid_from", None)
        if not changes:
            return PlannedRow(number, existing.code, existing.name, "unchanged")
        before = {name: getattr(existing, name) for name in changes}
        org = organization_update(
            user=user, organization=existing, expected_version=existing.version, **changes
        )
        return PlannedRow(
            number,
            org.code,
            org.name,
            "update",
            [
                PlannedChange(
                    field_label(name), display_value(name, before[name]), display_value(name, value)
                )
                for name, value in changes.items()
            ],
        )
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            for message in messages:
                report.add(number, _header(field_name), message)
    except PermissionDenied as exc:
        report.add(number, "", str(exc))
    return None
