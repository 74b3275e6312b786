"""Attendance lists of a session in Excel: the export, the template and the import.

One row per participant. A participant is matched to a registered worker like in the workers import
(ctxh.workforce.spreadsheets.WorkerMatcher: CCCD; else name, birth date or year and organization; near
matches are asked), among the workers of the user's scope; anyone else is an external person, recorded with
the name, sex, organization and position given.

A person twice in the file is an error (both rows named). A person already on the session's list is not
added again: the row reports it, and updates the result (completed, certificate number) when it differs, so
that re-importing a list (for instance after the exam) changes nothing else and duplicates nothing.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from ctxh.audit.masking import is_masked, mask_cccd
from ctxh.core.cccd import normalize_cccd, validate_cccd
from ctxh.core.reference import Sex
from ctxh.core.text import nfc
from ctxh.imports.jobs import Progress, error_dicts
from ctxh.imports.models import ImportJob, JobStatus
from ctxh.imports.spreadsheet import (
    CellValueError,
    Column,
    ErrorReport,
    Row,
    SheetSpec,
    ValueKind,
    build_workbook,
    parse_date,
    parse_row,
    read_rows,
)
from ctxh.orgs.models import Organization
from ctxh.training.models import Attendance, Session
from ctxh.training.services import (
    AttendanceEntry,
    AttendanceListError,
    attendance_add_list,
    attendance_set_result,
)
from ctxh.workforce.models import Position
from ctxh.workforce.spreadsheets import (
    Match,
    PersonQuery,
    WorkerMatcher,
    candidate_dict,
    visible_org_names,
)

KIND = "attendance"
HANDLER = "ctxh.training.spreadsheets.ATTENDANCE_IMPORT"
PREVIEW_ROWS = 500
YES, NO = "yes", "no"

ATTENDANCE_SHEET = SheetSpec(
    title="Danh sách dự lớp",
    columns=(
        Column("full_name", "Họ và tên", required=True, max_length=150, width=28),
        Column(
            "sex",
            "Giới tính",
            ValueKind.CHOICE,
            choices=Sex.choices,
            width=10,
            help="Bắt buộc với người chưa có trong danh sách người làm CTXH.",
        ),
        Column(
            "birth",
            "Năm sinh / Ngày sinh",
            width=14,
            help="Năm sinh (ví dụ 1990) hoặc ngày sinh (17/05/1990): để nhận ra người đã có trong danh sách.",
        ),
        Column("cccd", "Số CCCD", ValueKind.CODE, width=16),
        Column(
            "org_code",
            "Mã tổ chức",
            ValueKind.CODE,
            max_length=40,
            width=16,
            help="Mã của cơ quan, đơn vị nơi người dự làm việc (trong phạm vi của bạn).",
        ),
        Column(
            "org_name",
            "Tên tổ chức",
            max_length=255,
            width=34,
            help="Chỉ dùng khi không có mã tổ chức: tên cơ quan, đơn vị như trên giấy tờ.",
        ),
        Column("position_title", "Chức vụ", max_length=200, width=22),
        Column(
            "completed",
            "Hoàn thành",
            ValueKind.CHOICE,
            choices=((YES, "Có"), (NO, "Không")),
            width=12,
            help="Có: đã hoàn thành lớp (được tính vào chỉ tiêu đào tạo). Để trống: không.",
        ),
        Column(
            "certificate",
            "Số chứng chỉ",
            max_length=100,
            width=16,
            help="Chỉ ghi khi người dự đã hoàn thành lớp.",
        ),
    ),
)
COLUMNS = {c.key: c.header for c in ATTENDANCE_SHEET.columns}
ENTRY_COLUMNS = {
    "worker": "full_name",
    "person_name": "full_name",
    "sex": "sex",
    "certificate_number": "certificate",
    "organization": "org_code",
}


def parse_birth(raw: Any) -> tuple[dt.date | None, int | None]:
    """A birth date, or only a year; (None, None) when blank."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = nfc(str(raw)) if not isinstance(raw, dt.date) else ""
    if isinstance(raw, int) or text.isdigit():
        year = int(raw) if isinstance(raw, int) else int(text)
        if 1900 <= year <= dt.date.today().year:
            return None, year
        raise CellValueError(_("“%(value)s” không phải năm sinh hợp lệ (ví dụ 1990).") % {"value": raw})
    try:
        day = parse_date(raw)
    except CellValueError:
        raise CellValueError(
            _("“%(value)s” không phải năm sinh (ví dụ 1990) hay ngày sinh (ví dụ 17/05/1990).")
            % {"value": raw}
        ) from None
    if day > dt.date.today():
        raise CellValueError(_("ngày sinh %(day)s sau ngày hôm nay.") % {"day": day.strftime("%d/%m/%Y")})
    return day, day.year


# ----------------------------------------------------------------------------------------------------
# Export and template


def _worker_orgs(attendances: list[Attendance], day: dt.date) -> dict[int, Organization]:
    """For each worker without an organization on the attendance: where they worked on `day` (else latest)."""
    worker_ids = {a.worker_id for a in attendances if a.worker_id and not a.organization_id}
    found: dict[int, tuple[bool, dt.date, Organization]] = {}
    for position in Position.objects.filter(worker_id__in=worker_ids).select_related("organization"):
        key = (position.is_active_on(day), position.start_date)
        if position.worker_id not in found or key > found[position.worker_id][:2]:
            found[position.worker_id] = (*key, position.organization)
    return {worker_id: value[2] for worker_id, value in found.items()}


def attendance_export(
    *, session: Session, attendances: QuerySet[Attendance], show_cccd: bool = True
) -> bytes:
    """The session's (already scoped) attendance in the import layout: export, then import, changes
    nothing."""
    rows_in = list(attendances.select_related("worker", "organization").order_by("pk"))
    worker_orgs = _worker_orgs(rows_in, session.start_date)

    def rows():
        for attendance in rows_in:
            worker = attendance.worker
            org = attendance.organization or (worker_orgs.get(worker.pk) if worker else None)
            cccd = (worker.cccd or "") if worker else ""
            if cccd and not show_cccd:
                cccd = mask_cccd(cccd)
            yield {
                "full_name": attendance.display_name,
                "sex": worker.sex if worker else attendance.sex,
                "birth": worker.date_of_birth.strftime("%d/%m/%Y") if worker else "",
                "cccd": cccd,
                "org_code": org.code if org else "",
                "org_name": org.name if org else attendance.organization_name,
                "position_title": attendance.position_title,
                "completed": YES if attendance.completed else NO,
                "certificate": attendance.certificate_number,
            }

    with translation.override("vi"):
        return build_workbook(ATTENDANCE_SHEET, rows())


def attendance_import_template() -> bytes:
    with translation.override("vi"):
        return build_workbook(ATTENDANCE_SHEET)


# ----------------------------------------------------------------------------------------------------
# Checking and applying a list


@dataclass
class ListRow:
    number: int
    values: dict[str, Any]
    query: PersonQuery | None = None
    organization: Organization | None = None
    match: Match | None = None
    action: str = ""  # add | update | unchanged | ask
    entry: AttendanceEntry | None = None
    existing: Attendance | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _yes_no(value: bool) -> str:
    return _("Có") if value else _("Không")


class AttendancePlanner:
    def __init__(self, *, user, session: Session):
        self.user = user
        self.session = session

    def plan(
        self, rows: list[Row], *, decisions: dict[str, str] | None = None, progress: Progress | None = None
    ) -> tuple[ErrorReport, list[ListRow]]:
        decisions = decisions or {}
        report = ErrorReport()
        items = [self._parse(row, report) for row in rows]
        codes = {i.values["org_code"] for i in items if i.values.get("org_code")}
        organizations = {o.code: o for o in Organization.objects.for_user(self.user).filter(code__in=codes)}
        for item in items:
            code = item.values.get("org_code")
            if code and code not in organizations:
                report.add(
                    item.number,
                    COLUMNS["org_code"],
                    _(
                        "không tìm thấy tổ chức mã “%(code)s” trong phạm vi của bạn. Với cơ quan khác, "
                        "hãy để trống mã và ghi tên ở cột “%(column)s”."
                    )
                    % {"code": code, "column": COLUMNS["org_name"]},
                )
            elif code:
                item.organization = organizations[code]
        queries = []
        for item in items:
            values = item.values
            if not values.get("full_name"):
                continue
            item.query = PersonQuery(
                f"r{item.number}",
                values["full_name"],
                values.get("dob"),
                values.get("year"),
                values.get("cccd", ""),
                {item.organization.pk} if item.organization else set(),
            )
            queries.append(item.query)
        in_session = set(
            Attendance.objects.filter(session=self.session, worker__isnull=False).values_list(
                "worker_id", flat=True
            )
        )
        self.matcher = WorkerMatcher(
            user=self.user, persons=queries, cccd_anywhere=False, preferred_ids=in_session
        )
        existing = self._existing()
        if progress is not None:
            progress.start(len(items))
        seen: dict[tuple, int] = {}
        for item in items:
            if item.query is not None and item.number not in report.rows_with_errors():
                self._plan_row(item, decisions, existing, seen, report)
            if progress is not None:
                progress.advance()
        return report, items

    def _parse(self, row: Row, report: ErrorReport) -> ListRow:
        raw_birth = row.values.pop("birth", None)
        values = parse_row(ATTENDANCE_SHEET, row, report)
        try:
            values["dob"], values["year"] = parse_birth(raw_birth)
        except CellValueError as exc:
            report.add(row.number, COLUMNS["birth"], str(exc))
        cccd = normalize_cccd(values.get("cccd"))
        # A masked number (an export made for a reader) says nothing.
        values["cccd"] = "" if is_masked(cccd) else cccd
        if values["cccd"]:
            try:
                validate_cccd(
                    values["cccd"],
                    sex=values.get("sex") or None,
                    birth_date=values.get("dob") or values.get("year"),
                )
            except ValidationError as exc:
                report.add(row.number, COLUMNS["cccd"], " ".join(exc.messages))
        if values.get("certificate") and values.get("completed") != YES:
            report.add(
                row.number, COLUMNS["certificate"], _("chỉ ghi số chứng chỉ khi người dự đã hoàn thành lớp.")
            )
        return ListRow(row.number, values)

    def _existing(self) -> dict[tuple, Attendance]:
        rows = Attendance.objects.filter(session=self.session)
        return {
            (
                ("worker", a.worker_id)
                if a.worker_id
                else ("person", a.person_search_name, a.organization_key)
            ): a
            for a in rows
        }

    def _plan_row(
        self,
        item: ListRow,
        decisions: dict[str, str],
        existing: dict[tuple, Attendance],
        seen: dict[tuple, int],
        report: ErrorReport,
    ) -> None:
        values = item.values
        item.match = match = self.matcher.match(item.query, decisions.get(item.query.key))
        if match.how == "error":
            report.add(item.number, COLUMNS.get(match.error_column, ""), match.error)
            return
        if match.how == "ask":
            item.action = "ask"
            return
        worker = match.worker
        organization = item.organization
        if (
            worker is not None
            and organization is not None
            and organization.pk in self.matcher.orgs_of[worker.pk]
        ):
            organization = None  # the worker's own organization: derived from their position on the day
        entry = AttendanceEntry(
            worker=worker,
            person_name="" if worker else values["full_name"],
            organization=organization,
            organization_name="" if organization or worker else values.get("org_name", ""),
            position_title=values.get("position_title", ""),
            sex="" if worker else values.get("sex", ""),
            completed=values.get("completed") == YES,
            certificate_number=values.get("certificate", ""),
        )
        key = entry.key()
        if key in seen:
            report.add(
                item.number,
                COLUMNS["full_name"],
                _("%(name)s đã có ở dòng %(row)s của tệp.") % {"name": entry.label, "row": seen[key]},
            )
            return
        seen[key] = item.number
        item.entry = entry
        if worker is None and not entry.sex:
            report.add(
                item.number,
                COLUMNS["sex"],
                _("hãy chọn giới tính (người chưa có trong danh sách người làm CTXH)."),
            )
            return
        current = existing.get(key)
        if current is None:
            item.action = "add"
            return
        item.existing = current
        if (current.completed, current.certificate_number) == (entry.completed, entry.certificate_number):
            item.action = "unchanged"
            return
        item.action = "update"
        if current.completed != entry.completed:
            item.changes.append((COLUMNS["completed"], _yes_no(current.completed), _yes_no(entry.completed)))
        if current.certificate_number != entry.certificate_number:
            item.changes.append(
                (COLUMNS["certificate"], current.certificate_number, entry.certificate_number)
            )


def _preview(planner: AttendancePlanner, report: ErrorReport, items: list[ListRow]) -> dict[str, Any]:
    matcher = planner.matcher
    failing = report.rows_with_errors()
    asked = [i for i in items if i.match and i.match.candidates and i.number not in failing]
    org_ids = set().union(
        *(matcher.orgs_of.get(c.worker.pk, set()) for i in asked for c in i.match.candidates)
    )
    org_names = visible_org_names(planner.user, org_ids)
    questions = [
        {
            "key": i.query.key,
            "rows": [i.number],
            "name": i.values.get("full_name", ""),
            "birth": (
                i.query.date_of_birth.strftime("%d/%m/%Y")
                if i.query.date_of_birth
                else str(i.query.birth_year or "")
            ),
            "cccd": i.query.cccd,
            "orgs": [i.organization.name] if i.organization else [],
            "candidates": [candidate_dict(c, org_names, matcher.orgs_of) for c in i.match.candidates],
        }
        for i in asked
    ]
    rows = [
        {
            "number": i.number,
            "name": i.values.get("full_name", ""),
            "worker": bool(i.match and i.match.worker),
            "action": i.action,
            "changes": [list(c) for c in i.changes],
        }
        for i in items
        if i.action and i.number not in failing
    ]

    def count(action: str) -> int:
        return sum(1 for i in items if i.action == action)

    return {
        "errors": error_dicts(report.sorted()),
        "summary": {
            "rows": len(items),
            "add": count("add"),
            "update": count("update"),
            "unchanged": count("unchanged"),
            "ask": count("ask"),
            "workers": sum(1 for i in items if i.match and i.match.worker and i.action),
        },
        "rows": rows[:PREVIEW_ROWS],
        "rows_total": len(rows),
        "questions": questions,
        "signature": [f"{i.query.key}={i.match.signature()}" for i in items if i.match],
    }


def _session(job: ImportJob) -> Session:
    return Session.objects.get(pk=job.params["session_id"])


class AttendanceImport:
    """The import job handler for a session's attendance list (ctxh.imports.jobs.ImportHandler)."""

    def validate(self, job: ImportJob, progress: Progress) -> dict[str, Any]:
        rows = read_rows(bytes(job.data), ATTENDANCE_SHEET)
        planner = AttendancePlanner(user=job.owner, session=_session(job))
        report, items = planner.plan(rows, progress=progress)
        return _preview(planner, report, items)

    def apply(self, job: ImportJob) -> tuple[str, dict[str, Any]]:
        rows = read_rows(bytes(job.data), ATTENDANCE_SHEET)
        session = _session(job)
        planner = AttendancePlanner(user=job.owner, session=session)
        with transaction.atomic():
            report, items = planner.plan(rows, decisions=job.decisions)
            preview = _preview(planner, report, items)
            if report:
                transaction.set_rollback(True)
                return JobStatus.INVALID, preview
            asked = [i for i in items if i.action == "ask"]
            if preview["signature"] != job.report.get("signature") or asked:
                transaction.set_rollback(True)
                return JobStatus.VALIDATED, {**preview, "stale": True}
            errors = ErrorReport()
            added = [i for i in items if i.action == "add"]
            try:
                attendance_add_list(session=session, entries=[i.entry for i in added])
            except AttendanceListError as exc:
                for line, fields in exc.rows.items():
                    for name, message in fields.items():
                        errors.add(
                            added[line - 1].number, COLUMNS.get(ENTRY_COLUMNS.get(name, ""), ""), str(message)
                        )
            for item in items:
                if item.action != "update":
                    continue
                try:
                    attendance_set_result(
                        attendance=item.existing,
                        completed=item.entry.completed,
                        certificate_number=item.entry.certificate_number,
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        errors.add(item.number, COLUMNS["certificate"], message)
            if errors:
                transaction.set_rollback(True)
                return JobStatus.INVALID, {**preview, "errors": error_dicts(errors.sorted())}
        return JobStatus.DONE, {**preview, "applied": True}


ATTENDANCE_IMPORT = AttendanceImport()
