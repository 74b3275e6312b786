"""Workers with their positions in Excel: the export, the import template, and the import.

One row per position; the worker's columns repeat on each of that worker's rows (a worker without any
position has one row with the position columns empty). The export and the template share one layout, so an
exported file imports back without any change.

The import runs as an import job (ctxh.imports.jobs): `WORKER_IMPORT.validate` checks every row and builds a
preview without writing anything; `WORKER_IMPORT.apply` writes it all in one transaction through the
services (ctxh.workforce.services), or nothing.

Who is who (`WorkerMatcher`, also used by the attendance import):
- a person whose CCCD is registered is that worker;
- otherwise the worker with the same name (diacritics and case ignored), the same date of birth and a position
  in one of the person's organizations;
- otherwise a near match is asked, never guessed: the same name and birth year with another day of birth; the
  same name and date of birth in another organization; a similar name (rapidfuzz) with the same date of birth
  and organization. A person answers "same person" or "new person" before the file is written;
- otherwise a new worker.
The rows of one person in a file are grouped by CCCD, else by name and date of birth.

Re-import: the same position (worker, organization, start date) is updated, never duplicated; an allowance
with a new "from" date adds an allowance change (the history is kept). An empty optional cell keeps what is
registered.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from ctxh.accounts.scoping import scope_for
from ctxh.audit.masking import mask_cccd
from ctxh.core.cccd import normalize_cccd
from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.core.text import fold, nfc
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
    parse_row,
    read_rows,
)
from ctxh.orgs.models import Organization
from ctxh.workforce.models import (
    AllowanceChange,
    Category,
    Dedication,
    Position,
    ProfessionalTitle,
    Qualification,
    Worker,
)
from ctxh.workforce.services import (
    allowance_correct,
    allowance_set,
    position_create,
    position_update,
    worker_create,
    worker_update,
)

KIND = "workers"
HANDLER = "ctxh.workforce.spreadsheets.WORKER_IMPORT"
PREVIEW_ROWS = 500
FUZZY_THRESHOLD = 85  # rapidfuzz ratio of the folded names, 0-100

WORKER_KEYS = (
    "full_name",
    "sex",
    "date_of_birth",
    "ethnicity",
    "cccd",
    "phone",
    "sw_qualification",
    "professional_title",
)
POSITION_KEYS = (
    "org_code",
    "category",
    "dedication",
    "title",
    "start_date",
    "end_date",
    "allowance",
    "allowance_from",
)


def _short(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _money(amount: int | None) -> str:
    return number_format(amount, force_grouping=True) if amount is not None else ""


def worker_sheet() -> SheetSpec:
    """The sheet layout (its ethnicity list is data, read from the database)."""
    ethnicities = tuple(Ethnicity.objects.order_by("sort_order", "code").values_list("code", "name"))
    return SheetSpec(
        title="Người làm CTXH",
        columns=(
            Column(
                "full_name",
                "Họ và tên",
                required=True,
                max_length=150,
                width=28,
                help="Họ và tên đầy đủ, có dấu. Mỗi dòng là một vị trí công tác; người giữ nhiều vị trí "
                "ghi nhiều dòng, lặp lại các cột thông tin cá nhân.",
            ),
            Column("sex", "Giới tính", ValueKind.CHOICE, required=True, choices=Sex.choices, width=10),
            Column(
                "date_of_birth",
                "Ngày sinh",
                ValueKind.DATE,
                required=True,
                width=13,
                help="Ngày/tháng/năm, ví dụ 17/05/1990.",
            ),
            Column("ethnicity", "Dân tộc", ValueKind.CHOICE, choices=ethnicities, width=14),
            Column(
                "cccd",
                "Số CCCD",
                ValueKind.CODE,
                width=16,
                help="12 chữ số. Người đã có số CCCD trong hệ thống được nhận ra theo số này.",
            ),
            Column("phone", "Điện thoại", ValueKind.CODE, max_length=30, width=14),
            Column(
                "sw_qualification",
                "Trình độ CTXH",
                ValueKind.CHOICE,
                choices=Qualification.choices,
                width=22,
                help="Trình độ đào tạo công tác xã hội. Để trống: giữ như đã có.",
            ),
            Column(
                "professional_title",
                "Chức danh nghề nghiệp",
                ValueKind.CHOICE,
                choices=ProfessionalTitle.choices,
                width=30,
            ),
            Column(
                "org_code",
                "Mã tổ chức",
                ValueKind.CODE,
                max_length=40,
                width=16,
                help="Mã của tổ chức nơi người này làm việc (xem trang Tổ chức).",
            ),
            Column("category", "Loại cán bộ", ValueKind.CHOICE, choices=Category.choices, width=16),
            Column(
                "dedication",
                "Hình thức",
                ValueKind.CHOICE,
                choices=Dedication.choices,
                width=22,
                help="Chuyên trách; Không chuyên trách, kiêm nhiệm; Cộng tác viên.",
            ),
            Column("title", "Chức vụ", max_length=200, width=24),
            Column(
                "start_date",
                "Ngày bắt đầu",
                ValueKind.DATE,
                width=13,
                help="Ngày bắt đầu giữ vị trí. Cùng người, cùng tổ chức, cùng ngày bắt đầu là cùng một vị "
                "trí: nhập lại thì cập nhật, không thêm mới.",
            ),
            Column(
                "end_date",
                "Ngày kết thúc",
                ValueKind.DATE,
                width=13,
                help="Ngày làm việc cuối cùng; để trống nếu vẫn đang làm.",
            ),
            Column(
                "allowance",
                "Phụ cấp hằng tháng (VND)",
                width=16,
                help="Số nguyên đồng, ví dụ 2530000 hoặc 2.530.000.",
            ),
            Column(
                "allowance_from",
                "Áp dụng phụ cấp từ ngày",
                ValueKind.DATE,
                width=14,
                help="Ngày bắt đầu áp dụng mức phụ cấp. Một ngày mới thêm một lần thay đổi phụ cấp (giữ "
                "lịch sử). Để trống với vị trí mới: từ ngày bắt đầu.",
            ),
            Column(
                "org_name", "Tên tổ chức", width=34, read_only=True, help="Chỉ để đọc: không dùng khi nhập."
            ),
        ),
    )


# Other ways people write the choices, by column (diacritics and case ignored).
ALIASES: dict[str, dict[str, str]] = {
    "dedication": {
        "kiem nhiem": Dedication.PART_TIME,
        "khong chuyen trach": Dedication.PART_TIME,
        "ctv": Dedication.COLLABORATOR,
    },
    "category": {"ctv": Category.COLLABORATOR},
    "sw_qualification": {
        "khong": Qualification.NONE,
        "chua": Qualification.NONE,
        "chua qua dao tao": Qualification.NONE,
    },
    "professional_title": {
        "khong": ProfessionalTitle.NONE,
        "chua": ProfessionalTitle.NONE,
        "hang ii": ProfessionalTitle.GRADE_II,
        "ii": ProfessionalTitle.GRADE_II,
        "hang iii": ProfessionalTitle.GRADE_III,
        "iii": ProfessionalTitle.GRADE_III,
        "hang iv": ProfessionalTitle.GRADE_IV,
        "iv": ProfessionalTitle.GRADE_IV,
    },
}


def with_aliases(row: Row, aliases: dict[str, dict[str, str]] = ALIASES) -> Row:
    values = dict(row.values)
    for key, table in aliases.items():
        raw = values.get(key)
        if isinstance(raw, str) and fold(raw) in table:
            values[key] = table[fold(raw)]
    return Row(row.number, values)


_GROUPED = re.compile(r"-?\d{1,3}(?:[.,]\d{3})+")
_CURRENCY = re.compile(r"(₫|đồng|đ|vnđ|vnd)$", re.IGNORECASE)


def parse_amount(raw: Any) -> int | None:
    """Whole đồng from a cell: 2530000, "2.530.000", "2 530 000 đ"; None when blank."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise CellValueError(_("“%(value)s” không phải là số tiền.") % {"value": raw})
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellValueError(
                _("phụ cấp phải là số nguyên đồng, không có phần lẻ (“%(value)s”).") % {"value": raw}
            )
        raw = int(raw)
    if isinstance(raw, int):
        amount = raw
    else:
        text = "".join(_CURRENCY.sub("", nfc(str(raw))).split())
        if _GROUPED.fullmatch(text):
            text = text.replace(".", "").replace(",", "")
        if not re.fullmatch(r"-?\d+", text):
            if re.fullmatch(r"-?\d+[.,]\d+", text):
                raise CellValueError(
                    _("phụ cấp phải là số nguyên đồng, không có phần lẻ (“%(value)s”).") % {"value": raw}
                )
            raise CellValueError(
                _("“%(value)s” không phải là số tiền (số nguyên đồng, ví dụ 2.530.000).") % {"value": raw}
            )
        amount = int(text)
    if amount < 0:
        raise CellValueError(_("phụ cấp không được âm (“%(value)s”).") % {"value": raw})
    return amount


# ----------------------------------------------------------------------------------------------------
# Who is who


@dataclass
class PersonQuery:
    """What a file says about one person (possibly over several rows)."""

    key: str  # "r<first row>", stable for one file: the decisions are keyed by it
    full_name: str
    date_of_birth: dt.date | None = None
    birth_year: int | None = None
    cccd: str = ""
    org_ids: set[int] = field(default_factory=set)

    @property
    def search_name(self) -> str:
        return fold(self.full_name)

    @property
    def year(self) -> int | None:
        return self.date_of_birth.year if self.date_of_birth else self.birth_year


@dataclass
class Candidate:
    worker: Worker
    reason: str


@dataclass
class Match:
    """The answer for one person: a worker, a question (candidates), a new person, or an error."""

    worker: Worker | None = None
    how: str = "new"  # cccd | name | decision | new | ask | error
    candidates: list[Candidate] = field(default_factory=list)
    restricted: bool = False  # a worker outside the user's scope: linked, but their details are not changed
    error: str = ""
    error_column: str = ""

    def signature(self) -> str:
        """What the registry answered before any decision: the check and the apply must agree on it."""
        if self.how == "ask" or self.candidates:
            return "ask:" + ",".join(str(c.worker.pk) for c in self.candidates)
        if self.worker is not None and self.how != "decision":
            return f"{self.how}:{self.worker.pk}"
        return self.how


class WorkerMatcher:
    """Finds the registered worker for each person of a file, with a handful of queries for the whole file.

    `cccd_anywhere`: a CCCD is looked up among all workers (the workers import: a person who moves to the
    user's commune keeps one record), else only among the workers of the user's scope (attendance lists).
    """

    def __init__(
        self, *, user, persons: Sequence[PersonQuery], cccd_anywhere: bool, preferred_ids: Iterable[int] = ()
    ):
        self.user = user
        self.preferred_ids = set(preferred_ids)  # e.g. the workers already on a session's list
        self.unrestricted = scope_for(user).unrestricted
        self.cccd_anywhere = cccd_anywhere
        cccds = {p.cccd for p in persons if p.cccd}
        names = {p.search_name for p in persons}
        dobs = {p.date_of_birth for p in persons if p.date_of_birth}
        org_ids = set().union(*(p.org_ids for p in persons)) if persons else set()
        visible = Worker.objects.for_user(user)
        by_cccd = Worker.objects.filter(cccd__in=cccds) if cccd_anywhere else visible.filter(cccd__in=cccds)
        self.by_cccd = {w.cccd: w for w in by_cccd.select_related("ethnicity")}
        same_name = list(Worker.objects.filter(search_name__in=names).select_related("ethnicity"))
        similar = list(
            visible.filter(date_of_birth__in=dobs)
            .exclude(search_name__in=names)
            .filter(positions__organization_id__in=org_ids)
            .distinct()
            .select_related("ethnicity")
        )
        self.workers = {w.pk: w for w in [*self.by_cccd.values(), *same_name, *similar]}
        self.visible_ids = set(visible.filter(pk__in=self.workers).values_list("pk", flat=True))
        self.orgs_of: dict[int, set[int]] = defaultdict(set)
        for worker_id, org_id in Position.objects.filter(worker_id__in=self.workers).values_list(
            "worker_id", "organization_id"
        ):
            self.orgs_of[worker_id].add(org_id)
        self.by_name: dict[str, list[Worker]] = defaultdict(list)
        for worker in same_name:
            self.by_name[worker.search_name].append(worker)
        self.similar_by_dob: dict[dt.date, list[Worker]] = defaultdict(list)
        for worker in similar:
            self.similar_by_dob[worker.date_of_birth].append(worker)

    def is_visible(self, worker: Worker) -> bool:
        return self.unrestricted or worker.pk in self.visible_ids

    def _same_birth(self, person: PersonQuery, worker: Worker) -> bool:
        if person.date_of_birth:
            return worker.date_of_birth == person.date_of_birth
        return person.birth_year is not None and worker.date_of_birth.year == person.birth_year

    def match(self, person: PersonQuery, decision: str | None = None) -> Match:
        found = self._auto(person)
        if found.how != "ask":
            return found
        if decision == "new":
            found.how, found.worker = "new", None
        elif decision and decision.isdigit() and any(c.worker.pk == int(decision) for c in found.candidates):
            found.how, found.worker = "decision", self.workers[int(decision)]
        return found

    def _auto(self, person: PersonQuery) -> Match:
        if person.cccd and person.cccd in self.by_cccd:
            worker = self.by_cccd[person.cccd]
            birth_known = person.date_of_birth is not None or person.birth_year is not None
            if worker.search_name != person.search_name or (
                birth_known and not self._same_birth(person, worker)
            ):
                if self.is_visible(worker):
                    message = _(
                        "số CCCD %(cccd)s đã được ghi cho “%(name)s”, sinh ngày %(day)s; hãy kiểm tra "
                        "lại số CCCD, họ tên và ngày sinh."
                    ) % {"cccd": person.cccd, "name": worker.full_name, "day": _short(worker.date_of_birth)}
                else:
                    message = _(
                        "số CCCD %(cccd)s đã được ghi cho một người khác (khác họ tên hoặc ngày sinh); "
                        "hãy kiểm tra lại."
                    ) % {"cccd": person.cccd}
                return Match(how="error", error=message, error_column="cccd")
            return Match(worker=worker, how="cccd", restricted=not self.is_visible(worker))

        def other_cccd(worker: Worker) -> bool:
            return bool(person.cccd and worker.cccd and worker.cccd != person.cccd)

        namesakes = self.by_name.get(person.search_name, [])
        exact = [
            w
            for w in namesakes
            if self._same_birth(person, w)
            and (self.orgs_of[w.pk] & person.org_ids or w.pk in self.preferred_ids)
        ]
        if len([w for w in exact if not other_cccd(w)]) > 1:
            return Match(
                how="error",
                error_column="full_name",
                error=_("có nhiều người cùng họ tên, ngày sinh ở tổ chức này; hãy ghi số CCCD để phân biệt."),
            )
        sure = [w for w in exact if not other_cccd(w)]
        if sure:
            return Match(worker=sure[0], how="name")

        candidates: list[Candidate] = []
        for worker in namesakes:
            if not self.is_visible(worker):
                continue
            if worker in exact:
                candidates.append(
                    Candidate(worker, _("cùng họ tên, ngày sinh và tổ chức nhưng khác số CCCD"))
                )
            elif other_cccd(worker):
                continue
            elif self._same_birth(person, worker):
                candidates.append(
                    Candidate(
                        worker,
                        _("cùng họ tên và ngày sinh, ở tổ chức khác")
                        if person.date_of_birth
                        else _("cùng họ tên và năm sinh"),
                    )
                )
            elif person.year is not None and worker.date_of_birth.year == person.year:
                candidates.append(
                    Candidate(
                        worker,
                        _("cùng họ tên và năm sinh, khác ngày sinh (%(day)s)")
                        % {"day": _short(worker.date_of_birth)},
                    )
                )
        if person.date_of_birth:
            for worker in self.similar_by_dob.get(person.date_of_birth, []):
                if (
                    self.orgs_of[worker.pk] & person.org_ids
                    and not other_cccd(worker)
                    and fuzz.ratio(worker.search_name, person.search_name) >= FUZZY_THRESHOLD
                ):
                    candidates.append(Candidate(worker, _("họ tên gần giống, cùng ngày sinh và tổ chức")))
        if candidates:
            return Match(how="ask", candidates=candidates)
        return Match(how="new")


def candidate_dict(candidate: Candidate, org_names: dict[int, str], orgs_of: dict[int, set[int]]) -> dict:
    worker = candidate.worker
    return {
        "id": worker.pk,
        "name": worker.full_name,
        "birth": _short(worker.date_of_birth),
        "cccd": f"…{worker.cccd[-4:]}" if worker.cccd else "",
        "orgs": sorted(org_names[o] for o in orgs_of.get(worker.pk, ()) if o in org_names),
        "reason": str(candidate.reason),
    }


def visible_org_names(user, org_ids: Iterable[int]) -> dict[int, str]:
    return dict(Organization.objects.for_user(user).filter(pk__in=set(org_ids)).values_list("pk", "name"))


# ----------------------------------------------------------------------------------------------------
# Export and template


def worker_export(*, user, workers: QuerySet[Worker], show_cccd: bool = True) -> bytes:
    """The (already scoped and filtered) workers with their positions in the user's scope, in the import
    layout. Without `show_cccd` (a user who may not change the workforce) CCCD numbers are masked."""
    spec = worker_sheet()
    latest = AllowanceChange.objects.filter(position=OuterRef("pk")).order_by("-effective_date", "-pk")
    positions = (
        Position.objects.for_user(user)
        .select_related("organization")
        .annotate(
            allowance=Subquery(latest.values("monthly_allowance_vnd")[:1]),
            allowance_from=Subquery(latest.values("effective_date")[:1]),
        )
        .order_by("start_date", "pk")
    )
    queryset = workers.select_related("ethnicity").prefetch_related(
        Prefetch("positions", queryset=positions, to_attr="export_positions")
    )

    def rows():
        for worker in queryset.iterator(chunk_size=1000):
            person = {
                "full_name": worker.full_name,
                "sex": worker.sex,
                "date_of_birth": worker.date_of_birth,
                "ethnicity": worker.ethnicity.code if worker.ethnicity_id else "",
                "cccd": (worker.cccd if show_cccd else mask_cccd(worker.cccd)) if worker.cccd else "",
                "phone": worker.phone,
                "sw_qualification": worker.sw_qualification,
                "professional_title": worker.professional_title,
            }
            if not worker.export_positions:
                yield person
            for position in worker.export_positions:
                yield {
                    **person,
                    "org_code": position.organization.code,
                    "org_name": position.organization.name,
                    "category": position.category,
                    "dedication": position.dedication,
                    "title": position.title,
                    "start_date": position.start_date,
                    "end_date": position.end_date,
                    "allowance": position.allowance,
                    "allowance_from": position.allowance_from,
                }

    with translation.override("vi"):
        return build_workbook(spec, rows())


def worker_import_template() -> bytes:
    with translation.override("vi"):
        return build_workbook(worker_sheet())


# ----------------------------------------------------------------------------------------------------
# Checking and applying a file


@dataclass
class FileRow:
    number: int
    values: dict[str, Any]
    person: "FilePerson | None" = None
    organization: Organization | None = None
    position: Position | None = None  # the registered position this row is
    action: str = ""  # create | update | unchanged | "" (no position on this row)
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    position_data: dict[str, Any] = field(default_factory=dict)
    allowance: tuple[str, dt.date, int] | None = None  # (set | correct, from, amount)


@dataclass
class FilePerson:
    query: PersonQuery
    rows: list[FileRow]
    values: dict[str, Any]  # the worker's columns, merged over the person's rows (first non-empty wins)
    match: Match | None = None
    action: str = ""  # create | update | unchanged | ask
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # what to write on the worker

    @property
    def first_row(self) -> int:
        return self.rows[0].number


@dataclass
class Plan:
    report: ErrorReport
    persons: list[FilePerson]
    rows: list[FileRow]

    def signature(self) -> list[str]:
        return [f"{p.query.key}={p.match.signature()}" for p in self.persons if p.match]

    def undecided(self) -> list[FilePerson]:
        return [p for p in self.persons if p.match and p.match.how == "ask"]


class WorkerPlanner:
    """Checks rows against the registry and plans every change, writing nothing."""

    def __init__(self, *, user, spec: SheetSpec):
        self.user = user
        self.spec = spec
        self.unrestricted = scope_for(user).unrestricted

    def header(self, key: str) -> str:
        return self.spec.column(key).header

    def label(self, key: str, value: Any) -> str:
        if value is None or value == "":
            return ""
        column = self.spec.column(key)
        if column.kind == ValueKind.CHOICE:
            return str(dict(column.choices).get(value, value))
        if isinstance(value, dt.date):
            return _short(value)
        if key == "allowance":
            return _money(value)
        return str(value)

    # -- reading rows

    def parse(self, rows: Sequence[Row], report: ErrorReport) -> list[FileRow]:
        parsed = []
        for row in rows:
            row = with_aliases(row)
            raw_amount = row.values.pop("allowance", None)
            values = parse_row(self.spec, row, report)
            try:
                values["allowance"] = parse_amount(raw_amount)
            except CellValueError as exc:
                report.add(row.number, self.header("allowance"), str(exc))
            values["cccd"] = normalize_cccd(values.get("cccd"))
            self._check_position_columns(row.number, values, report)
            parsed.append(FileRow(row.number, values))
        return parsed

    def _check_position_columns(self, number: int, values: dict[str, Any], report: ErrorReport) -> None:
        if values.get("org_code"):
            for key in ("category", "dedication", "start_date"):
                if not values.get(key):
                    report.add(number, self.header(key), _("hãy nhập giá trị (bắt buộc khi có mã tổ chức)."))
        elif any(values.get(key) not in (None, "") for key in POSITION_KEYS):
            report.add(number, self.header("org_code"), _("hãy nhập mã tổ chức của vị trí công tác."))
        elif not self.unrestricted:
            report.add(
                number,
                self.header("org_code"),
                _("hãy nhập mã tổ chức nơi người này làm việc (trong phạm vi của bạn)."),
            )
        if values.get("allowance_from") and values.get("allowance") is None and "allowance" in values:
            report.add(number, self.header("allowance"), _("hãy nhập mức phụ cấp áp dụng từ ngày này."))

    def group(self, rows: list[FileRow], report: ErrorReport) -> list[FilePerson]:
        """The persons of the file: rows grouped by CCCD, else by name and date of birth."""
        persons: list[FilePerson] = []
        by_cccd: dict[str, FilePerson] = {}
        by_name: dict[tuple[str, dt.date], list[FilePerson]] = defaultdict(list)
        failing = report.rows_with_errors()
        for row in rows:
            values = row.values
            if not values.get("full_name") or not values.get("date_of_birth"):
                continue
            name_key = (fold(values["full_name"]), values["date_of_birth"])
            person = None
            if values["cccd"]:
                person = by_cccd.get(values["cccd"])
            else:
                namesakes = by_name.get(name_key, [])
                if len({p.query.cccd for p in namesakes}) > 1:
                    report.add(
                        row.number,
                        self.header("cccd"),
                        _(
                            "các dòng %(rows)s cùng họ tên, ngày sinh nhưng khác số CCCD; hãy ghi số CCCD "
                            "ở dòng này."
                        )
                        % {"rows": ", ".join(str(p.first_row) for p in namesakes)},
                    )
                    continue
                person = namesakes[0] if namesakes else None
            if person is None:
                query = PersonQuery(
                    f"r{row.number}", values["full_name"], values["date_of_birth"], cccd=values["cccd"]
                )
                person = FilePerson(query, [], {})
                persons.append(person)
                if query.cccd:
                    by_cccd[query.cccd] = person
                by_name[name_key].append(person)
            self._merge(person, row, report, row.number in failing)
        return persons

    def _merge(self, person: FilePerson, row: FileRow, report: ErrorReport, failing: bool) -> None:
        row.person = person
        person.rows.append(row)
        for key in WORKER_KEYS:
            value = row.values.get(key)
            if value in (None, ""):
                continue
            known = person.values.get(key)
            if known in (None, ""):
                person.values[key] = value
            elif known != value and not failing:
                report.add(
                    row.number,
                    self.header(key),
                    _("“%(value)s” khác với dòng %(row)s (“%(known)s”) của cùng người này.")
                    % {
                        "value": self.label(key, value),
                        "row": person.first_row,
                        "known": self.label(key, known),
                    },
                )

    # -- the whole file

    def plan(
        self,
        rows: Sequence[Row],
        *,
        decisions: dict[str, str] | None = None,
        progress: Progress | None = None,
    ) -> Plan:
        decisions = decisions or {}
        report = ErrorReport()
        file_rows = self.parse(rows, report)
        codes = {r.values["org_code"] for r in file_rows if r.values.get("org_code")}
        organizations = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        visible = set(
            Organization.objects.for_user(self.user).filter(code__in=codes).values_list("code", flat=True)
        )
        for row in file_rows:
            code = row.values.get("org_code")
            if not code:
                continue
            if code in visible:
                row.organization = organizations[code]
            else:
                report.add(
                    row.number,
                    self.header("org_code"),
                    _("không tìm thấy tổ chức mã “%(code)s” trong phạm vi của bạn.") % {"code": code},
                )
        persons = self.group(file_rows, report)
        for person in persons:
            person.query.org_ids = {r.organization.pk for r in person.rows if r.organization}
        matcher = WorkerMatcher(user=self.user, persons=[p.query for p in persons], cccd_anywhere=True)
        for person in persons:
            person.match = matcher.match(person.query, decisions.get(person.query.key))
        self.positions = self._registered_positions(persons)
        self.ethnicity_objects = {e.pk: e for e in Ethnicity.objects.all()}
        ethnicities = {e.code: e.pk for e in self.ethnicity_objects.values()}
        if progress is not None:
            progress.start(len(file_rows))
        seen_positions: dict[tuple, int] = {}
        for person in persons:
            self._plan_person(person, report, ethnicities)
            for row in person.rows:
                self._plan_row(person, row, report, seen_positions)
                if progress is not None:
                    progress.advance()
        if progress is not None:
            progress.finish()
        self.matcher = matcher
        return Plan(report, persons, file_rows)

    def _registered_positions(self, persons: list[FilePerson]) -> dict[tuple, Position]:
        worker_ids = {p.match.worker.pk for p in persons if p.match and p.match.worker}
        latest = AllowanceChange.objects.filter(position=OuterRef("pk")).order_by("-effective_date", "-pk")
        positions = (
            Position.objects.filter(worker_id__in=worker_ids)
            .select_related("organization")
            .annotate(
                latest_amount=Subquery(latest.values("monthly_allowance_vnd")[:1]),
                latest_from=Subquery(latest.values("effective_date")[:1]),
            )
            .prefetch_related("allowances")
        )
        return {(p.worker_id, p.organization_id, p.start_date): p for p in positions}

    def _plan_person(self, person: FilePerson, report: ErrorReport, ethnicities: dict[str, int]) -> None:
        match = person.match
        if match.how == "error":
            report.add(person.first_row, self.header(match.error_column), match.error)
            return
        if match.how == "ask":
            person.action = "ask"
            return
        values = person.values
        data = {
            key: values[key]
            for key in (
                "full_name",
                "sex",
                "date_of_birth",
                "cccd",
                "phone",
                "sw_qualification",
                "professional_title",
            )
            if values.get(key)
        }
        if values.get("ethnicity"):
            data["ethnicity_id"] = ethnicities.get(values["ethnicity"])
        worker = match.worker
        if worker is None:
            person.action = "create"
            data.setdefault("sw_qualification", Qualification.NONE)
            data.setdefault("professional_title", ProfessionalTitle.NONE)
            candidate = Worker(**data)
        else:
            changed = {key: value for key, value in data.items() if getattr(worker, key) != value}
            if "full_name" in changed and fold(changed["full_name"]) == worker.search_name:
                del changed["full_name"]  # the same name written another way (no diacritics, "Hoà"/"Hòa")
            if match.restricted:
                changed = {}  # a worker outside the user's scope: only the new position is added
            if not changed:
                person.action = "unchanged"
                return
            person.action = "update"
            person.changes = [
                (
                    self._field_label(key),
                    self._worker_value(key, getattr(worker, key)),
                    self._worker_value(key, value),
                )
                for key, value in changed.items()
            ]
            data = changed
            candidate = Worker(
                **{f.attname: getattr(worker, f.attname) for f in Worker._meta.concrete_fields}
            )
            for key, value in changed.items():
                setattr(candidate, key, value)
        person.data = data
        try:
            candidate.clean_fields(exclude=["ethnicity", "search_name", "version"])
            candidate.clean()
        except ValidationError as exc:
            self._report(report, person.first_row, exc, WORKER_FIELD_COLUMNS)

    def _field_label(self, key: str) -> str:
        column = {"ethnicity_id": "ethnicity"}.get(key, key)
        return self.header(column)

    def _worker_value(self, key: str, value: Any) -> str:
        if key == "ethnicity_id":
            ethnicity = self.ethnicity_objects.get(value)
            return ethnicity.name if ethnicity else ""
        return self.label(key, value)

    def _plan_row(
        self, person: FilePerson, row: FileRow, report: ErrorReport, seen: dict[tuple, int]
    ) -> None:
        values = row.values
        org = row.organization
        if org is None or row.number in report.rows_with_errors():
            return
        key = (person.query.key, org.pk, values["start_date"])
        if key in seen:
            report.add(
                row.number,
                self.header("start_date"),
                _("vị trí này (cùng người, cùng tổ chức, cùng ngày bắt đầu) đã có ở dòng %(row)s.")
                % {"row": seen[key]},
            )
            return
        seen[key] = row.number
        if person.action == "ask":
            row.action = "ask"
            return
        if person.match.how == "error":
            return
        worker = person.match.worker
        existing = self.positions.get((worker.pk, org.pk, values["start_date"])) if worker else None
        wanted = {k: values[k] for k in ("category", "dedication", "title", "end_date") if values.get(k)}
        if existing is None:
            row.action = "create"
            position = Position(organization=org, start_date=values["start_date"], **wanted)
        else:
            row.position = existing
            changed = {k: v for k, v in wanted.items() if getattr(existing, k) != v}
            row.position_data = changed
            row.changes = [
                (self.header(k), self.label(k, getattr(existing, k)), self.label(k, v))
                for k, v in changed.items()
            ]
            position = Position(
                organization=org,
                start_date=existing.start_date,
                category=existing.category,
                dedication=existing.dedication,
                title=existing.title,
                end_date=existing.end_date,
            )
            for k, v in changed.items():
                setattr(position, k, v)
        if row.action == "create" or row.position_data:
            try:
                position.clean()
            except ValidationError as exc:
                self._report(report, row.number, exc, POSITION_FIELD_COLUMNS)
                return
        self._plan_allowance(row, position, existing, report)
        if row.action != "create":
            row.action = "update" if row.changes else "unchanged"

    def _plan_allowance(
        self, row: FileRow, position: Position, existing: Position | None, report: ErrorReport
    ) -> None:
        amount = row.values.get("allowance")
        if amount is None:
            return
        day = row.values.get("allowance_from")
        start, end = position.start_date, position.end_date
        if existing is None:
            day = day or start
        elif day is None:
            if existing.latest_amount == amount:
                return
            if existing.latest_amount is not None:
                report.add(
                    row.number,
                    self.header("allowance_from"),
                    _(
                        "mức phụ cấp %(amount)s đồng khác mức đang áp dụng (%(current)s đồng từ ngày "
                        "%(day)s): hãy ghi ngày áp dụng mức mới."
                    )
                    % {
                        "amount": _money(amount),
                        "current": _money(existing.latest_amount),
                        "day": _short(existing.latest_from),
                    },
                )
                return
            day = start
        if day < start or (end and day > end):
            report.add(
                row.number,
                self.header("allowance_from"),
                _("ngày áp dụng phụ cấp %(day)s phải trong thời gian giữ vị trí (từ %(start)s đến %(end)s).")
                % {"day": _short(day), "start": _short(start), "end": _short(end) if end else _("nay")},
            )
            return
        if existing is not None:
            history = sorted(existing.allowances.all(), key=lambda a: a.effective_date)
            same_day = next((a for a in history if a.effective_date == day), None)
            if same_day is not None:
                if same_day.monthly_allowance_vnd == amount:
                    return
                row.allowance = ("correct", day, amount)
                row.changes.append(
                    (
                        _("Phụ cấp từ ngày %(day)s") % {"day": _short(day)},
                        _money(same_day.monthly_allowance_vnd),
                        _money(amount),
                    )
                )
                return
            in_force = [a for a in history if a.effective_date < day]
            if in_force and in_force[-1].monthly_allowance_vnd == amount:
                return
            row.changes.append(
                (
                    _("Phụ cấp từ ngày %(day)s") % {"day": _short(day)},
                    _money(in_force[-1].monthly_allowance_vnd) if in_force else "",
                    _money(amount),
                )
            )
        row.allowance = ("set", day, amount)

    def _report(
        self, report: ErrorReport, number: int, exc: ValidationError, columns: dict[str, str]
    ) -> None:
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                report.add(number, "", message)
            return
        for name, messages in exc.message_dict.items():
            key = columns.get(name, "")
            header = self.header(key) if key else ""
            for message in messages:
                report.add(number, header, message)


WORKER_FIELD_COLUMNS = {
    "full_name": "full_name",
    "sex": "sex",
    "date_of_birth": "date_of_birth",
    "ethnicity": "ethnicity",
    "cccd": "cccd",
    "phone": "phone",
    "sw_qualification": "sw_qualification",
    "professional_title": "professional_title",
    NON_FIELD_ERRORS: "",
}
POSITION_FIELD_COLUMNS = {
    "organization": "org_code",
    "category": "category",
    "dedication": "dedication",
    "title": "title",
    "start_date": "start_date",
    "end_date": "end_date",
    "monthly_allowance_vnd": "allowance",
    "effective_date": "allowance_from",
    NON_FIELD_ERRORS: "",
}


def _preview(plan: Plan, planner: WorkerPlanner) -> dict[str, Any]:
    """The job report of a checked file: counts, the changed rows, the questions."""
    persons = plan.persons
    rows = []
    for person in persons:
        for index, row in enumerate(person.rows):
            worker_action = person.action if index == 0 else ""
            changes = (person.changes if index == 0 else []) + row.changes
            if worker_action in ("", "unchanged") and row.action in ("", "unchanged"):
                continue
            rows.append(
                {
                    "number": row.number,
                    "name": person.values.get("full_name", ""),
                    "org": row.organization.code if row.organization else "",
                    "worker_action": worker_action,
                    "position_action": row.action,
                    "changes": [list(change) for change in changes],
                }
            )
    rows.sort(key=lambda r: r["number"])
    matcher = planner.matcher
    org_ids = (
        set().union(
            *(matcher.orgs_of.get(c.worker.pk, set()) for p in persons if p.match for c in p.match.candidates)
        )
        if persons
        else set()
    )
    org_names = visible_org_names(
        planner.user, org_ids | {r.organization.pk for r in plan.rows if r.organization}
    )
    questions = [
        {
            "key": p.query.key,
            "rows": [r.number for r in p.rows],
            "name": p.values.get("full_name", ""),
            "birth": _short(p.query.date_of_birth),
            "cccd": p.query.cccd,
            "orgs": sorted({r.organization.name for r in p.rows if r.organization}),
            "candidates": [candidate_dict(c, org_names, matcher.orgs_of) for c in p.match.candidates],
        }
        for p in persons
        if p.match and p.match.candidates and not plan.report.rows_with_errors() & {r.number for r in p.rows}
    ]

    def count(items, attr, value):
        return sum(1 for item in items if getattr(item, attr) == value)

    return {
        "errors": error_dicts(plan.report.sorted()),
        "summary": {
            "rows": len(plan.rows),
            "persons": len(persons),
            "workers_create": count(persons, "action", "create"),
            "workers_update": count(persons, "action", "update"),
            "workers_unchanged": count(persons, "action", "unchanged"),
            "workers_ask": count(persons, "action", "ask"),
            "positions_create": count(plan.rows, "action", "create"),
            "positions_update": count(plan.rows, "action", "update"),
            "positions_unchanged": count(plan.rows, "action", "unchanged"),
            "allowances": sum(1 for r in plan.rows if r.allowance),
        },
        "rows": rows[:PREVIEW_ROWS],
        "rows_total": len(rows),
        "questions": questions,
        "signature": plan.signature(),
    }


class WorkerImport:
    """The import job handler for workers with positions (ctxh.imports.jobs.ImportHandler)."""

    def validate(self, job: ImportJob, progress: Progress) -> dict[str, Any]:
        spec = worker_sheet()
        rows = read_rows(bytes(job.data), spec)
        planner = WorkerPlanner(user=job.owner, spec=spec)
        plan = planner.plan(rows, progress=progress)
        return _preview(plan, planner)

    def apply(self, job: ImportJob) -> tuple[str, dict[str, Any]]:
        spec = worker_sheet()
        rows = read_rows(bytes(job.data), spec)
        planner = WorkerPlanner(user=job.owner, spec=spec)
        with transaction.atomic():
            plan = planner.plan(rows, decisions=job.decisions)
            report = _preview(plan, planner)
            if plan.report:
                transaction.set_rollback(True)
                return JobStatus.INVALID, report
            if plan.signature() != job.report.get("signature") or plan.undecided():
                transaction.set_rollback(True)
                return JobStatus.VALIDATED, {**report, "stale": True}
            written = _write(plan, planner)
            if written:
                transaction.set_rollback(True)
                return JobStatus.INVALID, {**report, "errors": error_dicts(written.sorted())}
        return JobStatus.DONE, {**report, "applied": True}


def _write(plan: Plan, planner: WorkerPlanner) -> ErrorReport:
    """Every planned change through the services; the errors they raise, by row (the caller rolls back)."""
    errors = ErrorReport()
    for person in plan.persons:
        worker = person.match.worker
        try:
            if person.action == "create":
                data = dict(person.data)
                ethnicity_id = data.pop("ethnicity_id", None)
                worker = worker_create(ethnicity=planner.ethnicity_objects.get(ethnicity_id), **data)
            elif person.action == "update":
                data = dict(person.data)
                if "ethnicity_id" in data:
                    data["ethnicity"] = planner.ethnicity_objects.get(data.pop("ethnicity_id"))
                worker = worker_update(worker=worker, version=worker.version, data=data)
        except ValidationError as exc:
            planner._report(errors, person.first_row, exc, WORKER_FIELD_COLUMNS)
            continue
        for row in person.rows:
            try:
                _write_row(row, worker)
            except ValidationError as exc:
                planner._report(errors, row.number, exc, POSITION_FIELD_COLUMNS)
    return errors


def _write_row(row: FileRow, worker: Worker) -> None:
    values = row.values
    position = row.position
    if row.action == "create":
        from_start = row.allowance is not None and row.allowance[1] == values["start_date"]
        position = position_create(
            worker=worker,
            organization=row.organization,
            category=values["category"],
            dedication=values["dedication"],
            start_date=values["start_date"],
            end_date=values.get("end_date"),
            title=values.get("title") or "",
            monthly_allowance_vnd=row.allowance[2] if from_start else None,
        )
        if from_start:
            return
    elif row.position_data:
        position = position_update(position=position, data=row.position_data)
    if row.allowance is None or position is None:
        return
    what, day, amount = row.allowance
    if what == "correct":
        change = AllowanceChange.objects.get(position=position, effective_date=day)
        allowance_correct(change=change, monthly_allowance_vnd=amount, note=_("Sửa theo tệp nhập từ Excel."))
    else:
        allowance_set(position=position, effective_date=day, monthly_allowance_vnd=amount)


WORKER_IMPORT = WorkerImport()
