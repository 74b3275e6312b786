"""The subject access export (Law 91/2025/QH15): everything ctxh holds about one person, for that person.

One XLSX workbook, one sheet per kind of data (identity, addresses, statuses, household memberships, cases,
assessments, plans, services, referrals, consents), Vietnamese headers, dates as real dates shown dd/mm/yyyy.
Nothing is masked: the file is for the person themself. Who may build it (VIEW_SENSITIVE and EXPORT_CASES,
the person in scope) and the access log entry are the view's business.
"""

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ctxh.cases.models import (
    Assessment,
    CarePlanGoal,
    Case,
    Consent,
    EmergencyMeasure,
    HouseholdMember,
    Person,
    PersonAddress,
    PersonStatus,
    Referral,
    ServiceDelivery,
)

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


@dataclass(frozen=True)
class Sheet:
    title: Any
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]


def _cell(value: Any) -> Any:
    """A value openpyxl writes as is: aware datetimes become local naive ones, booleans Có/Không."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if value is None:
        return None
    if isinstance(value, int | float | dt.date | str):
        return value
    return str(value)


def _yes_no(value: bool) -> str:
    return _("Có") if value else _("Không")


def _name(obj: Any) -> str:
    return str(obj) if obj is not None else ""


def _identity(person: Person) -> Sheet:
    unit = person.unit_on(timezone.localdate())
    pairs = [
        (_("Họ và tên"), person.full_name),
        (_("Giới tính"), person.get_sex_display()),
        (_("Ngày sinh"), person.date_of_birth),
        (_("Năm sinh"), person.birth_year),
        (_("Dân tộc"), _name(person.ethnicity)),
        (_("Số CCCD"), person.cccd or ""),
        (_("Điện thoại"), person.phone),
        (_("Địa chỉ liên hệ"), person.address_text),
        (_("Đơn vị hành chính hiện tại"), _name(unit)),
        (_("Người giám hộ"), _name(person.guardian) or person.guardian_name),
        (_("Quan hệ với người giám hộ"), person.guardian_relationship),
        (_("Ghi chú"), person.note),
        (_("Đã ẩn danh"), _yes_no(person.is_pseudonymized)),
        (_("Ngày lập hồ sơ"), person.created_at),
        (_("Ngày xuất tệp"), timezone.localdate()),
    ]
    return Sheet(_("Thông tin cá nhân"), [_("Thông tin"), _("Giá trị")], pairs)


def _addresses(person: Person) -> Sheet:
    rows = ((a.unit.name, a.valid_from, a.valid_to)
            for a in PersonAddress.objects.filter(person=person).select_related("unit")
            .order_by("valid_from"))
    return Sheet(_("Địa bàn cư trú"), [_("Đơn vị hành chính"), _("Từ ngày"), _("Đến ngày")], rows)


def _statuses(person: Person) -> Sheet:
    statuses = PersonStatus.objects.filter(person=person).select_related("category", "verified_by") \
        .order_by("start_date", "pk")
    rows = ((s.category.name, s.start_date, s.end_date, s.get_severity_display(), s.event, s.evidence,
             _name(s.verified_by), s.verified_on, s.note) for s in statuses)
    return Sheet(_("Tình trạng"), [
        _("Nhóm đối tượng"), _("Từ ngày"), _("Đến ngày"), _("Mức độ"), _("Sự kiện"),
        _("Căn cứ, giấy tờ chứng minh"), _("Người xác minh"), _("Ngày xác minh"), _("Ghi chú"),
    ], rows)


def _memberships(person: Person) -> Sheet:
    members = HouseholdMember.objects.filter(person=person).select_related("household", "household__unit") \
        .order_by("start_date", "pk")
    rows = ((_name(m.household), _name(m.household.unit), m.household.address_text,
             _yes_no(m.household.is_poor), _yes_no(m.household.is_near_poor), m.get_relationship_display(),
             m.start_date, m.end_date) for m in members)
    return Sheet(_("Hộ gia đình"), [
        _("Hộ"), _("Đơn vị hành chính"), _("Địa chỉ"), _("Hộ nghèo"), _("Hộ cận nghèo"),
        _("Quan hệ với chủ hộ"), _("Từ ngày"), _("Đến ngày"),
    ], rows)


def _cases(cases: Sequence[Case]) -> Sheet:
    rows = ((c.number, c.opening_organization.name, c.organization.name, _name(c.assigned_worker),
             c.opened_at, c.get_stage_display(), c.get_risk_level_display(), c.intake_summary,
             c.emergency_measures_at, c.closed_at, c.get_closure_reason_display(), c.outcome) for c in cases)
    return Sheet(_("Hồ sơ trường hợp"), [
        _("Số hồ sơ"), _("Tổ chức tiếp nhận"), _("Tổ chức quản lý"), _("Người quản lý trường hợp"),
        _("Thời điểm tiếp nhận"), _("Giai đoạn"), _("Mức độ nguy cơ"), _("Tóm tắt hoàn cảnh"),
        _("Thời điểm áp dụng biện pháp khẩn cấp"), _("Thời điểm kết thúc"), _("Lý do kết thúc"), _("Kết quả"),
    ], rows)


def _assessments(case_ids: list[int]) -> Sheet:
    assessments = Assessment.objects.filter(case_id__in=case_ids).select_related("case", "worker") \
        .order_by("assessed_on", "pk")
    rows = ((a.case.number, a.assessed_on, a.get_kind_display(), a.get_risk_level_display(), a.needs,
             _name(a.worker)) for a in assessments)
    return Sheet(_("Đánh giá"), [
        _("Số hồ sơ"), _("Ngày đánh giá"), _("Loại đánh giá"), _("Mức độ nguy cơ"), _("Nhu cầu"),
        _("Người đánh giá"),
    ], rows)


def _plans(case_ids: list[int]) -> Sheet:
    goals = CarePlanGoal.objects.filter(plan__case_id__in=case_ids) \
        .select_related("plan", "plan__case", "plan__drafted_by") \
        .order_by("plan__drafted_at", "plan_id", "pk")
    rows = ((g.plan.case.number, g.plan.drafted_at, _name(g.plan.drafted_by), g.plan.approver_name,
             g.plan.decision_number, g.plan.approved_at, g.text, g.get_status_display(), g.target_date)
            for g in goals)
    return Sheet(_("Kế hoạch trợ giúp"), [
        _("Số hồ sơ"), _("Thời điểm lập"), _("Người lập"), _("Người phê duyệt"), _("Số quyết định phê duyệt"),
        _("Thời điểm phê duyệt"), _("Mục tiêu"), _("Tình trạng"), _("Thời hạn"),
    ], rows)


def _emergency_measures(case_ids: list[int]) -> Sheet:
    measures = EmergencyMeasure.objects.filter(case_id__in=case_ids).select_related("case") \
        .order_by("taken_at", "pk")
    rows = ((m.case.number, m.taken_at, m.measures) for m in measures)
    return Sheet(_("Biện pháp khẩn cấp"), [_("Số hồ sơ"), _("Thời điểm áp dụng"), _("Biện pháp đã áp dụng")],
                 rows)


def _services(person: Person) -> Sheet:
    services = ServiceDelivery.objects.filter(person=person).select_related("case", "provider", "worker") \
        .order_by("delivered_on", "pk")
    rows = ((s.case.number, s.delivered_on, s.get_service_type_display(), s.provider.name, _name(s.worker),
             s.get_funding_source_display(), s.amount_vnd, s.note) for s in services)
    return Sheet(_("Dịch vụ đã nhận"), [
        _("Số hồ sơ"), _("Ngày cung cấp"), _("Loại dịch vụ"), _("Tổ chức cung cấp"), _("Người thực hiện"),
        _("Nguồn kinh phí"), _("Giá trị (đồng)"), _("Ghi chú"),
    ], rows)


def _referrals(case_ids: list[int]) -> Sheet:
    referrals = Referral.objects.filter(case_id__in=case_ids).select_related("case", "from_org", "to_org") \
        .order_by("sent_at", "pk")
    rows = ((r.case.number, r.sent_at, r.from_org.name, r.to_org.name, r.reason, r.deadline,
             r.get_status_display(), _yes_no(r.shares_data), r.responded_at, r.response_note, r.closed_at)
            for r in referrals)
    return Sheet(_("Chuyển tuyến"), [
        _("Số hồ sơ"), _("Thời điểm gửi"), _("Tổ chức chuyển"), _("Tổ chức nhận"), _("Lý do chuyển"),
        _("Thời hạn trả lời"), _("Tình trạng"), _("Chia sẻ thông tin"), _("Thời điểm trả lời"),
        _("Ý kiến trả lời"), _("Thời điểm hoàn thành hoặc rút"),
    ], rows)


def _consents(person: Person) -> Sheet:
    consents = Consent.objects.filter(person=person).order_by("given_at", "pk")
    rows = ((c.given_at, _yes_no(c.given_by_person), c.representative_name, c.representative_relationship,
             _yes_no(c.for_services), _yes_no(c.for_sharing), c.withdrawn_at, c.note) for c in consents)
    return Sheet(_("Sự đồng ý"), [
        _("Thời điểm đồng ý"), _("Đối tượng tự đồng ý"), _("Người đại diện hợp pháp"),
        _("Quan hệ với đối tượng"),
        _("Đồng ý nhận dịch vụ"), _("Đồng ý chia sẻ thông tin"), _("Thời điểm rút lại"), _("Ghi chú"),
    ], rows)


def subject_cases(person: Person) -> list[Case]:
    """All the person's cases, whoever holds them: the export is the person's whole record."""
    return list(Case.objects.filter(person=person)
                .select_related("opening_organization", "organization", "assigned_worker")
                .order_by("opened_at", "pk"))


def subject_sheets(person: Person, cases: Sequence[Case] | None = None) -> list[Sheet]:
    cases = subject_cases(person) if cases is None else cases
    case_ids = [c.pk for c in cases]
    builders: list[Callable[[], Sheet]] = [
        lambda: _identity(person), lambda: _addresses(person), lambda: _statuses(person),
        lambda: _memberships(person), lambda: _cases(cases), lambda: _assessments(case_ids),
        lambda: _emergency_measures(case_ids), lambda: _plans(case_ids), lambda: _services(person),
        lambda: _referrals(case_ids),
        lambda: _consents(person),
    ]
    return [build() for build in builders]


def build_subject_export(person: Person, cases: Sequence[Case] | None = None) -> bytes:
    """The workbook's bytes: one sheet per kind of data, bold headers, real dates in dd/mm/yyyy."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in subject_sheets(person, cases):
        sheet = workbook.create_sheet(str(spec.title)[:31])
        sheet.append([str(header) for header in spec.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in spec.rows:
            sheet.append([_cell(value) for value in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(cell.value, dt.date):
                    cell.number_format = DATE_FORMAT
        for index, header in enumerate(spec.headers, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = \
                max(12, min(50, len(str(header)) + 4))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["Sheet", "build_subject_export", "subject_cases", "subject_sheets"]
