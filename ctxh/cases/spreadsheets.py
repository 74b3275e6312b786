"""Beneficiary lists in Excel (the way communes keep them today): the import template and the import.

One row per person, with the groups they belong to ("Nhóm đối tượng", several separated by ";"). The import
runs as an import job (ctxh.imports.jobs): `BENEFICIARY_IMPORT.validate` checks every row and builds a preview
without writing anything; `BENEFICIARY_IMPORT.apply` writes it all in one transaction through the services
(ctxh.cases.services.persons), or nothing.

Who is who: a person with the same CCCD; otherwise the person with the same name (diacritics and case
ignored), the same birth (date or year) and an address in the row's unit; otherwise the near matches of
`find_duplicates` (as on the intake form) are asked, never guessed ("same person" / "new person");
otherwise a new person.
Re-import: an existing person who already has the group from the same "Từ ngày" (or, without a date, a
status of that group in force today) is unchanged, so importing the same file twice creates nothing new.

Export (`beneficiary_export`): the person list as filtered on its page, in this same layout, so a file
exported and imported back changes nothing. Cells masked for the reader (a CCCD "********3456", a sensitive
group or a note "•••") are read back as "not given", never as values.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ctxh.audit.masking import TEXT_MASK, MaskKind, is_masked, mask
from ctxh.audit.models import AccessAction
from ctxh.audit.services import log_access
from ctxh.cases.models import Person, PersonStatus, VulnerabilityCategory
from ctxh.cases.selectors import visible_candidates
from ctxh.cases.services.persons import _validate, find_duplicates, person_create, status_add
from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.core.text import fold, nfc
from ctxh.geo.models import Unit
from ctxh.geo.selectors import UnitNotFound, unit_by_code
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

KIND = "beneficiaries"
HANDLER = "ctxh.cases.spreadsheets.BENEFICIARY_IMPORT"
PREVIEW_ROWS = 500
EXPORT_CHUNK = 2000
FIELD_COLUMNS = {
    "full_name": "full_name", "sex": "sex", "date_of_birth": "birth", "birth_year": "birth",
    "ethnicity": "ethnicity", "cccd": "cccd", "address_text": "address_text", "unit": "unit_code",
    "note": "note", "category": "categories", "start_date": "status_from", "severity": "categories",
    "event": "categories",
}


def _short(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def beneficiary_sheet() -> SheetSpec:
    ethnicities = tuple(Ethnicity.objects.order_by("sort_order", "code").values_list("code", "name"))
    return SheetSpec(
        title="Danh sách đối tượng",
        columns=(
            Column("full_name", "Họ và tên", required=True, max_length=150, width=28,
                   help="Họ và tên đầy đủ, có dấu. Mỗi dòng là một người."),
            Column("sex", "Giới tính", ValueKind.CHOICE, required=True, choices=Sex.choices, width=10),
            Column("birth", "Ngày sinh / Năm sinh", ValueKind.CODE, required=True, width=14,
                   help="Ngày/tháng/năm (17/05/2015), hoặc chỉ năm sinh (2015) nếu không biết ngày."),
            Column("ethnicity", "Dân tộc", ValueKind.CHOICE, choices=ethnicities, width=14),
            Column("cccd", "Số CCCD", ValueKind.CODE, width=16,
                   help="12 chữ số. Người đã có số CCCD trong hệ thống được nhận ra theo số này."),
            Column("unit_code", "Mã xã/phường", ValueKind.CODE, required=True, max_length=10, width=14,
                   help="Mã đơn vị hành chính nơi cư trú (5 chữ số), có hiệu lực vào “Từ ngày” "
                   "hoặc hôm nay."),
            Column("address_text", "Địa chỉ", max_length=300, width=30),
            Column("categories", "Nhóm đối tượng", max_length=500, width=30,
                   help="Tên hoặc mã nhóm đối tượng; nhiều nhóm cách nhau bằng dấu “;”."),
            Column("status_from", "Từ ngày", ValueKind.DATE, width=13,
                   help="Ngày bắt đầu thuộc nhóm đối tượng; để trống: hôm nay."),
            Column("note", "Ghi chú", width=30),
        ),
    )


def beneficiary_import_template() -> bytes:
    with translation.override("vi"):
        return build_workbook(beneficiary_sheet())


@dataclass
class ExportResult:
    content: bytes
    person_ids: list[int]


def _export_row(person: Person, *, today: dt.date, whole: bool) -> dict[str, Any]:
    """One person in the import layout. The groups are the statuses in force today; "Từ ngày" is their common
    start when they share one (so a re-import finds them), else empty; the commune is the address on that day
    (the unit valid then, as the import reads the code)."""
    statuses = [st for st in person.export_statuses if st.end_date is None or st.end_date >= today]
    starts = {st.start_date for st in statuses}
    since = starts.pop() if len(starts) == 1 else None
    addresses = person.export_addresses
    unit = next((a.unit for a in addresses if a.valid_from <= (since or today)
                 and (a.valid_to is None or a.valid_to >= (since or today))), None)
    if unit is None and since is not None:  # no address known on that day: list the groups without a date
        since = None
        unit = next((a.unit for a in addresses if a.valid_to is None or a.valid_to >= today), None)
    groups = []
    for status in statuses:
        name = status.category.name
        groups.append(TEXT_MASK if status.category.is_sensitive and not whole else name)
    return {
        "full_name": person.full_name,
        "sex": person.sex,
        "birth": _short(person.date_of_birth) or (str(person.birth_year) if person.birth_year else ""),
        "ethnicity": person.ethnicity.code if person.ethnicity_id else "",
        "cccd": (person.cccd if whole else mask(person.cccd, MaskKind.CCCD)) if person.cccd else "",
        "unit_code": unit.code if unit else "",
        "address_text": person.address_text,
        "categories": "; ".join(groups),
        "status_from": since,
        "note": (person.note if whole else mask(person.note)) if person.note else "",
    }


def beneficiary_export(*, user, people) -> ExportResult:
    """The people (already scoped and filtered by the caller) as a beneficiary list that imports back
    unchanged. Sensitive cells (CCCD, note, a sensitive group) are masked for a user who may not see them,
    by the same rule as pages and the API (ctxh.cases.sensitive). Log the export with the returned ids."""
    from django.db.models import Prefetch

    from ctxh.cases.models import PersonAddress
    from ctxh.cases.sensitive import persons_seen_whole

    today = timezone.localdate()
    statuses = PersonStatus.objects.filter(start_date__lte=today).select_related("category") \
        .order_by("category__sort_order", "start_date", "pk")
    addresses = PersonAddress.objects.select_related("unit").order_by("valid_from", "pk")
    queryset = people.select_related("ethnicity").prefetch_related(
        Prefetch("statuses", queryset=statuses, to_attr="export_statuses"),
        Prefetch("addresses", queryset=addresses, to_attr="export_addresses"),
    ).order_by("search_name", "pk")
    ids: list[int] = []

    def rows():
        chunk: list[Person] = []
        for person in queryset.iterator(chunk_size=EXPORT_CHUNK):
            chunk.append(person)
            if len(chunk) == EXPORT_CHUNK:
                yield from _rows(chunk)
                chunk = []
        yield from _rows(chunk)

    def _rows(chunk: list[Person]):
        whole = persons_seen_whole(user, [person.pk for person in chunk])
        for person in chunk:
            ids.append(person.pk)
            yield _export_row(person, today=today, whole=person.pk in whole)

    with translation.override("vi"):
        content = build_workbook(beneficiary_sheet(), rows())
    return ExportResult(content, ids)


def parse_birth(raw: Any) -> tuple[dt.date | None, int | None]:
    """A birth date, or only a year (2015, "2015")."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = nfc(str(raw)) if isinstance(raw, int | str) else ""
    if text.isdigit() and len(text) == 4:
        return None, int(text)
    return parse_date(raw), None


@dataclass
class PlanRow:
    number: int
    values: dict[str, Any]
    unit: Unit | None = None
    categories: list[VulnerabilityCategory] = field(default_factory=list)
    person: Person | None = None
    how: str = ""  # cccd | name | decision | new | ask
    candidates: list = field(default_factory=list)
    action: str = ""  # create | unchanged | ask
    statuses: list[VulnerabilityCategory] = field(default_factory=list)  # to add

    @property
    def key(self) -> str:
        return f"r{self.number}"


class Planner:
    def __init__(self, *, user, spec: SheetSpec):
        self.user, self.spec = user, spec
        self.today = timezone.localdate()
        self.categories = list(VulnerabilityCategory.objects.filter(is_active=True))
        self.ethnicities = {e.code: e for e in Ethnicity.objects.all()}
        self.visible_units = Unit.objects.for_user(user)
        self.visible_persons = Person.objects.for_user(user).live()
        self._unit_in_scope: dict[int, bool] = {}

    def header(self, key: str) -> str:
        return self.spec.column(key).header

    def unit_in_scope(self, unit: Unit) -> bool:
        """Whether the user works in `unit`: asked once per unit, not once per row."""
        if unit.pk not in self._unit_in_scope:
            self._unit_in_scope[unit.pk] = self.visible_units.filter(pk=unit.pk).exists()
        return self._unit_in_scope[unit.pk]

    def category(self, text: str) -> VulnerabilityCategory | None:
        key = fold(text)
        return next((c for c in self.categories if key in (fold(c.code), fold(c.name))), None)

    def plan(self, rows: list[Row], decisions: dict | None = None, progress: Progress | None = None):
        report, planned, seen = ErrorReport(), [], {}
        if progress:
            progress.start(len(rows))
        for row in rows:
            item = self._row(row, report, decisions or {}, seen)
            if item:
                planned.append(item)
            if progress:
                progress.advance()
        return planned, report

    def _row(self, row: Row, report: ErrorReport, decisions: dict, seen: dict) -> PlanRow | None:
        raw = dict(row.values)
        birth_raw = raw.pop("birth", None)
        values = parse_row(self.spec, Row(row.number, raw), report)
        item = PlanRow(row.number, values)
        errors_before = len(report)
        date_of_birth = birth_year = None
        try:
            if birth_raw in (None, "") or (isinstance(birth_raw, str) and not birth_raw.strip()):
                raise CellValueError(_("hãy nhập giá trị (cột bắt buộc)."))
            date_of_birth, birth_year = parse_birth(birth_raw)
        except CellValueError as exc:
            report.add(row.number, self.header("birth"), str(exc))
        values["date_of_birth"], values["birth_year"] = date_of_birth, birth_year
        day = values.get("status_from") or self.today
        if values.get("status_from") and values["status_from"] > self.today:
            report.add(row.number, self.header("status_from"), _("“Từ ngày” không được sau ngày hôm nay."))
        code = values.get("unit_code", "")
        if code:
            try:
                unit = unit_by_code(code, day)
            except UnitNotFound as exc:
                report.add(row.number, self.header("unit_code"), str(exc.args[0] if exc.args else exc))
            else:
                if self.unit_in_scope(unit):
                    item.unit = unit
                else:
                    report.add(row.number, self.header("unit_code"),
                               _("đơn vị hành chính mã %(code)s không thuộc phạm vi của bạn.")
                               % {"code": code})
        if is_masked(values.get("cccd")):
            values["cccd"] = ""  # an export made for a reader who may not see it: the number is unknown
        if values.get("note") == TEXT_MASK:
            values["note"] = ""
        for text in (values.get("categories") or "").split(";"):
            if not text.strip() or text.strip() == TEXT_MASK:
                continue
            category = self.category(text)
            if category is None:
                report.add(row.number, self.header("categories"),
                           _("không có nhóm đối tượng “%(value)s” (ghi tên hoặc mã nhóm).")
                           % {"value": text.strip()})
            elif category not in item.categories:
                item.categories.append(category)
        if len(report) > errors_before or not values.get("full_name") or not values.get("sex"):
            return None
        person = Person(full_name=nfc(values["full_name"]), sex=values["sex"], date_of_birth=date_of_birth,
                        birth_year=birth_year, cccd=values.get("cccd") or "")
        try:
            _validate(person)
        except ValidationError as exc:
            self._report(report, row.number, exc)
            return None
        values["cccd"] = person.cccd or ""
        fingerprint = person.cccd or (fold(person.full_name), date_of_birth, birth_year, item.unit.pk)
        if fingerprint in seen:
            report.add(row.number, self.header("full_name"),
                       _("người này đã có ở dòng %(row)s.") % {"row": seen[fingerprint]})
            return None
        seen[fingerprint] = row.number
        self._match(item, person, report, decisions)
        if item.how == "error":
            return None
        self._plan_statuses(item)
        return item

    def _match(self, item: PlanRow, person: Person, report: ErrorReport, decisions: dict) -> None:
        if person.cccd:
            same = Person.objects.live().filter(cccd=person.cccd).first()
            if same is not None:
                if not self.visible_persons.filter(pk=same.pk).exists():
                    report.add(item.number, self.header("cccd"),
                               _("số CCCD này đã ghi cho một người ngoài phạm vi của bạn."))
                    item.how = "error"
                    return
                item.person, item.how = same, "cccd"
                return
        birth = Q(birth_year=person.birth_year or (person.date_of_birth and person.date_of_birth.year),
                  date_of_birth__isnull=True)
        if person.date_of_birth:
            birth |= Q(date_of_birth=person.date_of_birth)
        else:
            birth |= Q(birth_year=person.birth_year)
        same = self.visible_persons.filter(birth, search_name=fold(person.full_name),
                                           addresses__unit=item.unit).distinct().first()
        if same is not None:
            item.person, item.how = same, "name"
            return
        candidates = find_duplicates(full_name=person.full_name, date_of_birth=person.date_of_birth,
                                     birth_year=person.birth_year, cccd=person.cccd or "", unit=item.unit)
        item.candidates = visible_candidates(self.visible_persons, candidates)
        if not item.candidates:
            item.how = "new"
            return
        answer = decisions.get(item.key)
        if answer == "new":
            item.how = "new"
        elif answer and any(str(c.person.pk) == answer for c in item.candidates):
            item.person = next(c.person for c in item.candidates if str(c.person.pk) == answer)
            item.how = "decision"
        else:
            item.how = "ask"

    def _plan_statuses(self, item: PlanRow) -> None:
        if item.how == "ask":
            item.action = "ask"
            return
        start = item.values.get("status_from")
        if item.person is None:
            item.action, item.statuses = "create", list(item.categories)
            return
        existing = PersonStatus.objects.filter(person=item.person, category__in=item.categories)
        if start:
            have = set(existing.filter(start_date=start).values_list("category_id", flat=True))
        else:
            have = set(existing.active_on(self.today).values_list("category_id", flat=True))
        item.statuses = [c for c in item.categories if c.pk not in have]
        item.action = "update" if item.statuses else "unchanged"

    def _report(self, report: ErrorReport, number: int, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                report.add(number, "", message)
            return
        for name, messages in exc.message_dict.items():
            key = FIELD_COLUMNS.get(name, "")
            for message in messages:
                report.add(number, self.header(key) if key else "", message)


def _signature(planned: list[PlanRow]) -> str:
    return "|".join(
        f"{p.number}:{p.how if p.how != 'decision' else 'ask'}:"
        f"{p.person.pk if p.person and p.how != 'decision' else ''}"
        f":{','.join(str(c.person.pk) for c in p.candidates)}"
        for p in planned
    )


def _preview(planned: list[PlanRow], report: ErrorReport, total: int) -> dict[str, Any]:
    rows = [
        {
            "number": p.number,
            "name": p.values.get("full_name", ""),
            "unit": p.unit.name if p.unit else "",
            "person_action": p.action if p.action in ("create", "ask") else ("unchanged" if p.person else ""),
            "status_action": "create" if p.statuses else "unchanged",
            "changes": [[_("Nhóm đối tượng"), "", c.name] for c in p.statuses],
        }
        for p in planned
        if p.action != "unchanged"
    ]
    questions = [
        {
            "key": p.key,
            "rows": [p.number],
            "name": p.values.get("full_name", ""),
            "birth": _short(p.values.get("date_of_birth")) or str(p.values.get("birth_year") or ""),
            "cccd": p.values.get("cccd", ""),
            "orgs": [p.unit.name] if p.unit else [],
            "candidates": [
                {
                    "id": c.person.pk,
                    "name": c.person.full_name,
                    "birth": _short(c.person.date_of_birth) or str(c.person.birth_year or ""),
                    "cccd": f"…{c.person.cccd[-4:]}" if c.person.cccd else "",
                    "orgs": [],
                    "reason": "; ".join(str(r) for r in c.reasons),
                }
                for c in p.candidates
            ],
        }
        for p in planned
        if p.candidates
    ]
    return {
        "errors": error_dicts(report.sorted()),
        "summary": {
            "rows": total,
            "persons_create": sum(1 for p in planned if p.action == "create"),
            "persons_existing": sum(1 for p in planned if p.person is not None),
            "persons_ask": sum(1 for p in planned if p.action == "ask"),
            "statuses_create": sum(len(p.statuses) for p in planned if p.action != "ask"),
            "unchanged": sum(1 for p in planned if p.action == "unchanged"),
        },
        "rows": rows[:PREVIEW_ROWS],
        "rows_total": len(rows),
        "questions": questions,
        "signature": _signature(planned),
    }


class BeneficiaryImport:
    """The import job handler for beneficiary lists (ctxh.imports.jobs.ImportHandler)."""

    def validate(self, job: ImportJob, progress: Progress) -> dict[str, Any]:
        spec = beneficiary_sheet()
        rows = read_rows(bytes(job.data), spec)
        planned, report = Planner(user=job.owner, spec=spec).plan(rows, progress=progress)
        return _preview(planned, report, len(rows))

    def apply(self, job: ImportJob) -> tuple[str, dict[str, Any]]:
        spec = beneficiary_sheet()
        rows = read_rows(bytes(job.data), spec)
        planner = Planner(user=job.owner, spec=spec)
        with transaction.atomic():
            planned, report = planner.plan(rows, decisions=job.decisions)
            preview = _preview(planned, report, len(rows))
            if report:
                transaction.set_rollback(True)
                return JobStatus.INVALID, preview
            if preview["signature"] != job.report.get("signature") or any(p.action == "ask" for p in planned):
                transaction.set_rollback(True)
                return JobStatus.VALIDATED, {**preview, "stale": True}
            errors, touched = _write(planned, planner)
            if errors:
                transaction.set_rollback(True)
                return JobStatus.INVALID, {**preview, "errors": error_dicts(errors.sorted())}
            log_access(request_or_user=job.owner, action=AccessAction.IMPORT, objects=touched, model=Person,
                       description=_("Nhập danh sách đối tượng từ Excel: %(file)s") % {"file": job.filename})
        return JobStatus.DONE, {**preview, "applied": True}


def _write(planned: list[PlanRow], planner: Planner) -> tuple[ErrorReport, list[int]]:
    errors, touched = ErrorReport(), []
    for item in planned:
        values = item.values
        start = values.get("status_from") or planner.today
        try:
            person = item.person
            if item.action == "create":
                result = person_create(
                    full_name=values["full_name"], sex=values["sex"], date_of_birth=values["date_of_birth"],
                    birth_year=values["birth_year"],
                    ethnicity=planner.ethnicities.get(values.get("ethnicity")),
                    cccd=values.get("cccd") or "", address_text=values.get("address_text") or "",
                    unit=item.unit, unit_from=start, note=values.get("note") or "", by=planner.user,
                    confirmed=True,
                )
                person = result.person
            for category in item.statuses:
                status_add(person=person, category=category, start_date=start)
        except ValidationError as exc:
            planner._report(errors, item.number, exc)
            continue
        touched.append(person.pk)
    return errors, touched


BENEFICIARY_IMPORT = BeneficiaryImport()
