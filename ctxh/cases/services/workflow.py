"""The case workflow (Circular 02/2020/TT-BLĐTBXH; Decree 56/2017/NĐ-CP for children).

Stages: intake → assessment → planning → intervention → review → (intervention again, or closed). A skip is
refused with the missing step named; leaving intake needs an assigned case manager, planning needs an
assessment, intervention needs an approved plan. A case closes from review for any reason, or from any open
stage for a reason that ends the work early (the person died, moved away, refused, was transferred). A closed
case can be reopened (it goes back to assessment).

Every function is atomic, keyword-only, raises ValidationError keyed by field with a Vietnamese message and
writes nothing when it refuses; every change writes a CaseEvent. `version`, when given (forms and the API
give it), is the version the user read: a stale one is refused with what changed (ConcurrentEditError).
Authorization (which user may act on which case) is the caller's: it reaches the case through
`Case.objects.for_user`; only the acts done in the name of another organization (approving a plan, answering
a referral) are checked here.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctxh.cases.models import (
    Assessment,
    AssessmentKind,
    CarePlan,
    CarePlanGoal,
    Case,
    CaseSequence,
    ClosureReason,
    EmergencyMeasure,
    EventKind,
    FundingSource,
    Person,
    RiskLevel,
    ServiceDelivery,
    ServiceType,
    Stage,
)
from ctxh.cases.scoping import can_act_for
from ctxh.cases.services.common import (
    bump,
    check_not_before_opening,
    check_not_future,
    dmy,
    local_day,
    lock_case,
    now_or,
    record_event,
    refuse_closed,
    save,
)
from ctxh.orgs.models import Organization
from ctxh.workforce.models import Position, Worker
from ctxh.workforce.services import parse_vnd

STAGE_ORDER = [Stage.INTAKE, Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION, Stage.REVIEW, Stage.CLOSED]
ALLOWED: dict[str, frozenset[str]] = {
    Stage.INTAKE: frozenset({Stage.ASSESSMENT}),
    Stage.ASSESSMENT: frozenset({Stage.PLANNING}),
    Stage.PLANNING: frozenset({Stage.INTERVENTION}),
    Stage.INTERVENTION: frozenset({Stage.REVIEW}),
    Stage.REVIEW: frozenset({Stage.INTERVENTION, Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
}
EARLY_CLOSURE_REASONS: frozenset[str] = frozenset(
    {ClosureReason.DIED, ClosureReason.MOVED_AWAY, ClosureReason.REFUSED, ClosureReason.TRANSFERRED}
)
NUMBER_PREFIX = "CTXH"


# --- numbers ---


def next_case_number(year: int) -> str:
    """"CTXH-2025-000123": the next number of the year, from an atomic UPDATE (a row lock on PostgreSQL, the
    database write lock on SQLite), so two intakes at the same moment never get the same number."""
    for _attempt in range(3):
        if CaseSequence.objects.filter(year=year).update(last=F("last") + 1):
            last = CaseSequence.objects.get(year=year).last
            return f"{NUMBER_PREFIX}-{year}-{last:06d}"
        try:
            with transaction.atomic():
                CaseSequence.objects.create(year=year, last=1)
            return f"{NUMBER_PREFIX}-{year}-{1:06d}"
        except IntegrityError:
            continue  # another intake created the year's row first: take the next number from it
    raise RuntimeError("case number sequence: could not take a number")


# --- checks ---


def _check_worker(worker: Worker, organization: Organization, day: dt.date, field: str = "worker") -> None:
    if not Position.objects.active_on(day).filter(worker=worker, organization=organization).exists():
        raise ValidationError({field: _(
            "%(worker)s không giữ vị trí công tác nào tại %(org)s vào ngày %(day)s: chỉ phân công người "
            "làm công tác xã hội của tổ chức."
        ) % {"worker": worker.full_name, "org": organization.name, "day": dmy(day)}})


def _check_org_active(organization: Organization, day: dt.date, field: str) -> None:
    if not organization.is_valid_on(day):
        raise ValidationError({field: _("Tổ chức “%(org)s” không hoạt động vào ngày %(day)s.")
                               % {"org": organization.name, "day": dmy(day)}})


# --- intake and assignment ---


@transaction.atomic
def case_open(*, person: Person, organization: Organization, by=None, opened_at: dt.datetime | None = None,
              intake_summary: str = "", risk_level: str = "", worker: Worker | None = None,
              idempotency_key: str = "") -> Case:
    """Open a case (tiếp nhận). With an `idempotency_key` (the form's one-time token), a second submission
    for the same person and organization returns the case the first one opened."""
    key = (idempotency_key or "").strip()[:64]
    if key:
        existing = Case.objects.filter(person=person, opening_organization=organization,
                                       idempotency_key=key).first()
        if existing is not None:
            return existing
    opened_at = now_or(opened_at)
    if opened_at > timezone.now():
        raise ValidationError({"opened_at": _("Thời điểm tiếp nhận không được sau thời điểm hiện tại.")})
    if person.merged_into_id:
        raise ValidationError({"person": _("Hồ sơ đối tượng này đã được gộp vào hồ sơ khác; hãy dùng hồ sơ "
                                           "được giữ lại.")})
    if risk_level and risk_level not in RiskLevel.values:
        raise ValidationError({"risk_level": _("Mức độ nguy cơ không hợp lệ.")})
    day = local_day(opened_at)
    _check_org_active(organization, day, "organization")
    if worker is not None:
        _check_worker(worker, organization, day)
    case = Case(
        person=person, opening_organization=organization, organization=organization, opened_at=opened_at,
        intake_summary=intake_summary, risk_level=risk_level, is_child_at_intake=person.is_child_on(day),
        assigned_worker=worker, assigned_on=day if worker else None, idempotency_key=key, created_by=by,
        number=next_case_number(day.year),
    )
    try:
        save(case, exclude=["number"])
    except IntegrityError:
        if key:  # the same form submitted twice at the same moment: the first one won
            return Case.objects.get(person=person, opening_organization=organization, idempotency_key=key)
        raise
    record_event(case, EventKind.OPENED, by=by, at=opened_at, organization=organization,
                 risk_level=risk_level)
    if worker is not None:
        record_event(case, EventKind.ASSIGNED, by=by, at=opened_at, worker=worker, on=day)
    return case


@transaction.atomic
def case_assign(*, case: Case, worker: Worker, by=None, on: dt.date | None = None,
                version: int | None = None) -> Case:
    """Assign the case manager: a worker holding a position in the case's organization on that day."""
    case = lock_case(case, version)
    refuse_closed(case)
    day = on or timezone.localdate()
    check_not_future(day, "on")
    check_not_before_opening(case, day, "on")
    _check_worker(worker, case.organization, day)
    case.assigned_worker = worker
    case.assigned_on = day
    bump(case, "assigned_worker", "assigned_on")
    record_event(case, EventKind.ASSIGNED, by=by, worker=worker, on=day)
    return case


CASE_UPDATE_FIELDS = ("intake_summary", "risk_level")


@transaction.atomic
def case_update(*, case: Case, version: int, data: dict[str, Any], by=None) -> Case:
    unknown = set(data) - set(CASE_UPDATE_FIELDS)
    if unknown:
        raise ValueError(f"case_update: unknown fields {sorted(unknown)}")
    case = lock_case(case, version)
    for name, value in data.items():
        setattr(case, name, value)
    case.full_clean()
    bump(case, *data)
    record_event(case, EventKind.UPDATED, by=by, fields=sorted(data))
    return case


# --- stages ---


def _missing_steps(current: str, target: str) -> list[str]:
    start, end = STAGE_ORDER.index(current), STAGE_ORDER.index(target)
    return [str(Stage(stage).label) for stage in STAGE_ORDER[start + 1:end]]


def _check_transition(case: Case, target: str) -> None:
    if target not in Stage.values:
        raise ValidationError({"stage": _("Giai đoạn không hợp lệ.")})
    if target == Stage.CLOSED:
        raise ValidationError({"stage": _("Để kết thúc hồ sơ, hãy dùng chức năng kết thúc (ghi lý do và kết "
                                          "quả).")})
    current = case.stage
    if target in ALLOWED[current]:
        return
    labels = {"current": Stage(current).label, "target": Stage(target).label}
    if current == Stage.CLOSED:
        raise ValidationError({"stage": _("Hồ sơ đã kết thúc; hãy mở lại hồ sơ trước.")})
    if STAGE_ORDER.index(target) > STAGE_ORDER.index(current):
        missing = ", ".join(_missing_steps(current, target))
        raise ValidationError({"stage": _(
            "Chưa thể chuyển từ giai đoạn “%(current)s” sang “%(target)s”: còn thiếu bước %(missing)s."
        ) % {**labels, "missing": missing}})
    raise ValidationError({"stage": _(
        "Không thể chuyển từ giai đoạn “%(current)s” về “%(target)s”."
    ) % labels})


def _check_requirements(case: Case, target: str) -> None:
    if target == Stage.ASSESSMENT and case.assigned_worker_id is None:
        raise ValidationError({"stage": _("Hãy phân công người quản lý trường hợp trước khi đánh giá.")})
    if target == Stage.PLANNING and not case.assessments.exists():
        raise ValidationError({"stage": _("Hãy ghi kết quả đánh giá nhu cầu trước khi lập kế hoạch.")})
    if target == Stage.INTERVENTION and not case.plans.filter(approved_at__isnull=False).exists():
        raise ValidationError({"stage": _(
            "Kế hoạch trợ giúp phải được người đứng đầu tổ chức phê duyệt trước khi thực hiện.")})


@transaction.atomic
def case_advance(*, case: Case, to: str, by=None, at: dt.datetime | None = None,
                 version: int | None = None) -> Case:
    """Move the case to the next stage (`to`); only the allowed transitions, with their requirements."""
    case = lock_case(case, version)
    _check_transition(case, to)
    _check_requirements(case, to)
    previous = case.stage
    case.stage = to
    bump(case, "stage")
    record_event(case, EventKind.ADVANCED, by=by, at=at, **{"from": previous, "to": to})
    return case


@transaction.atomic
def emergency_measures_record(*, case: Case, at: dt.datetime, by=None, note: str = "",
                              version: int | None = None) -> Case:
    """Emergency protection measures taken (Decree 56/2017: within 12 hours for a child at serious risk).

    Each call keeps what was done (`note`, an EmergencyMeasure row: sensitive text, not in the timeline's
    payload); the earliest moment is the case's `emergency_measures_at`, which meets the deadline."""
    case = lock_case(case, version)
    refuse_closed(case)
    if at > timezone.now():
        raise ValidationError({"at": _("Thời điểm áp dụng biện pháp không được sau thời điểm hiện tại.")})
    if at < case.opened_at:
        raise ValidationError({"at": _("Thời điểm áp dụng biện pháp không được trước thời điểm tiếp nhận.")})
    measure = EmergencyMeasure.objects.create(case=case, taken_at=at, measures=note.strip(), recorded_by=by)
    if case.emergency_measures_at is None or at < case.emergency_measures_at:
        case.emergency_measures_at = at
        bump(case, "emergency_measures_at")
    record_event(case, EventKind.EMERGENCY, by=by, at=at, measure=measure, has_note=bool(note.strip()))
    return case


# --- assessments and plans ---


@transaction.atomic
def assessment_add(*, case: Case, kind: str, assessed_on: dt.date, risk_level: str, needs: str = "",
                   worker: Worker | None = None, by=None) -> Assessment:
    """An assessment; its risk level becomes the case's. An initial risk assessment may be made at intake;
    the others once the case is in assessment or later."""
    case = lock_case(case)
    refuse_closed(case)
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": _("Loại đánh giá không hợp lệ.")})
    if case.stage == Stage.INTAKE and kind != AssessmentKind.INITIAL_RISK:
        raise ValidationError({"kind": _(
            "Hồ sơ đang ở giai đoạn tiếp nhận: chỉ ghi được đánh giá ban đầu về nguy cơ; hãy chuyển sang "
            "giai đoạn đánh giá nhu cầu.")})
    check_not_future(assessed_on, "assessed_on")
    check_not_before_opening(case, assessed_on, "assessed_on")
    assessment = Assessment(case=case, kind=kind, assessed_on=assessed_on, risk_level=risk_level, needs=needs,
                            worker=worker)
    save(assessment)
    case.risk_level = risk_level
    bump(case, "risk_level")
    record_event(case, EventKind.ASSESSED, by=by, assessment=assessment, kind=kind, risk_level=risk_level,
                 on=assessed_on)
    return assessment


@transaction.atomic
def plan_draft(*, case: Case, goals: Sequence[str], by=None, drafted_by: Worker | None = None,
               drafted_at: dt.datetime | None = None, note: str = "") -> CarePlan:
    """A support plan with its goals, in planning (or in review, to re-plan)."""
    case = lock_case(case)
    if case.stage not in (Stage.PLANNING, Stage.REVIEW):
        raise ValidationError({"case": _(
            "Chỉ lập kế hoạch khi hồ sơ ở giai đoạn lập kế hoạch hoặc rà soát (hiện tại: %(stage)s)."
        ) % {"stage": Stage(case.stage).label}})
    texts = [text.strip() for text in goals if text and text.strip()]
    if not texts:
        raise ValidationError({"goals": _("Kế hoạch cần ít nhất một mục tiêu.")})
    drafted_at = now_or(drafted_at)
    if drafted_at > timezone.now():
        raise ValidationError({"drafted_at": _("Thời điểm lập kế hoạch không được sau thời điểm hiện tại.")})
    if drafted_at < case.opened_at:
        raise ValidationError({"drafted_at": _("Thời điểm lập kế hoạch không được trước khi tiếp nhận.")})
    plan = CarePlan.objects.create(case=case, drafted_at=drafted_at, drafted_by=drafted_by, note=note)
    CarePlanGoal.objects.bulk_create([CarePlanGoal(plan=plan, text=text[:500]) for text in texts])
    record_event(case, EventKind.PLAN_DRAFTED, by=by, at=drafted_at, plan=plan, goals=len(texts))
    return plan


@transaction.atomic
def plan_approve(*, plan: CarePlan, by, approver_name: str, decision_number: str = "",
                 approved_at: dt.datetime | None = None) -> CarePlan:
    """Record the approval of the organization's head (see CarePlan). `by` must act for the organization."""
    plan = CarePlan.objects.select_for_update().select_related("case__organization").get(pk=plan.pk)
    case = plan.case
    refuse_closed(case)
    if plan.is_approved:
        raise ValidationError({"plan": _("Kế hoạch này đã được phê duyệt.")})
    if not can_act_for(by, case.organization):
        raise ValidationError({"approved_by": _(
            "Chỉ cán bộ của %(org)s (ghi nhận quyết định của người đứng đầu) mới phê duyệt được kế hoạch."
        ) % {"org": case.organization.name}})
    if not approver_name.strip():
        raise ValidationError({"approver_name": _("Hãy ghi họ tên, chức vụ người phê duyệt.")})
    approved_at = now_or(approved_at)
    if approved_at < plan.drafted_at or approved_at > timezone.now():
        raise ValidationError({"approved_at": _(
            "Thời điểm phê duyệt phải sau khi lập kế hoạch và không sau thời điểm hiện tại.")})
    plan.approved_by = by
    plan.approver_name = approver_name.strip()
    plan.decision_number = decision_number.strip()
    plan.approved_at = approved_at
    plan.save()
    record_event(case, EventKind.PLAN_APPROVED, by=by, at=approved_at, plan=plan)
    return plan


# --- services ---


@transaction.atomic
def service_record(*, case: Case, service_type: str, delivered_on: dt.date, funding_source: str,
                   provider: Organization | None = None, worker: Worker | None = None, amount_vnd: Any = None,
                   note: str = "", by=None) -> ServiceDelivery:
    """A service delivered: not before the case was opened, not in the future, not after it closed."""
    case = lock_case(case)
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": _("Loại dịch vụ không hợp lệ.")})
    if funding_source not in FundingSource.values:
        raise ValidationError({"funding_source": _("Nguồn kinh phí không hợp lệ.")})
    check_not_future(delivered_on, "delivered_on")
    check_not_before_opening(case, delivered_on, "delivered_on")
    if case.stage == Stage.CLOSED and case.closed_at and delivered_on > local_day(case.closed_at):
        raise ValidationError({"delivered_on": _("Hồ sơ đã kết thúc ngày %(day)s; hãy mở lại hồ sơ trước.")
                               % {"day": dmy(local_day(case.closed_at))}})
    amount = None if amount_vnd in (None, "") else parse_vnd(amount_vnd, field="amount_vnd")
    service = ServiceDelivery(case=case, person=case.person, service_type=service_type,
                              delivered_on=delivered_on, provider=provider or case.organization,
                              worker=worker, funding_source=funding_source, amount_vnd=amount, note=note,
                              created_by=by)
    save(service)
    record_event(case, EventKind.SERVICE, by=by, service=service, service_type=service_type, on=delivered_on,
                 funding_source=funding_source, provider=service.provider)
    return service


# --- closing, reopening, transfer ---


@transaction.atomic
def case_close(*, case: Case, reason: str, outcome: str, by=None, at: dt.datetime | None = None,
               version: int | None = None) -> Case:
    case = lock_case(case, version)
    refuse_closed(case)
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": _("Hãy chọn lý do kết thúc hồ sơ.")})
    if not outcome.strip():
        raise ValidationError({"outcome": _("Hãy ghi kết quả trợ giúp khi kết thúc hồ sơ.")})
    if case.stage != Stage.REVIEW and reason not in EARLY_CLOSURE_REASONS:
        raise ValidationError({"reason": _(
            "Hồ sơ đang ở giai đoạn “%(stage)s”: chỉ kết thúc sau bước theo dõi, rà soát, trừ khi đối tượng "
            "qua đời, chuyển đi, từ chối trợ giúp hoặc hồ sơ đã chuyển cho cơ sở khác."
        ) % {"stage": Stage(case.stage).label}})
    at = now_or(at)
    if at < case.opened_at or at > timezone.now():
        raise ValidationError({"at": _("Thời điểm kết thúc phải sau khi tiếp nhận và không sau hiện tại.")})
    previous = case.stage
    case.stage = Stage.CLOSED
    case.closure_reason = reason
    case.outcome = outcome.strip()
    case.closed_at = at
    bump(case, "stage", "closure_reason", "outcome", "closed_at")
    record_event(case, EventKind.CLOSED, by=by, at=at, reason=reason, **{"from": previous})
    return case


@transaction.atomic
def case_reopen(*, case: Case, reason: str, by=None, version: int | None = None) -> Case:
    """Reopen a closed case: back to assessment (the situation is assessed again)."""
    case = lock_case(case, version)
    if case.stage != Stage.CLOSED:
        raise ValidationError({"case": _("Hồ sơ chưa kết thúc nên không cần mở lại.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do mở lại hồ sơ.")})
    previous = {"reason": case.closure_reason, "closed_at": case.closed_at}
    case.stage = Stage.ASSESSMENT
    case.closure_reason = ""
    case.outcome = ""
    case.closed_at = None
    bump(case, "stage", "closure_reason", "outcome", "closed_at")
    record_event(case, EventKind.REOPENED, by=by, previous_reason=previous["reason"],
                 previous_closed_at=previous["closed_at"])
    return case


@transaction.atomic
def case_transfer(*, case: Case, to_org: Organization, reason: str, by=None, worker: Worker | None = None,
                  on: dt.date | None = None, version: int | None = None) -> Case:
    """Hand the case over to another organization (it holds the case from now on; the stage is kept)."""
    case = lock_case(case, version)
    refuse_closed(case)
    day = on or timezone.localdate()
    check_not_future(day, "on")
    if to_org.pk == case.organization_id:
        raise ValidationError({"to_org": _("Hồ sơ đang do chính tổ chức này quản lý.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do chuyển hồ sơ.")})
    _check_org_active(to_org, day, "to_org")
    if worker is not None:
        _check_worker(worker, to_org, day)
    previous = case.organization
    case.organization = to_org
    case.assigned_worker = worker
    case.assigned_on = day if worker else None
    bump(case, "organization", "assigned_worker", "assigned_on")
    record_event(case, EventKind.TRANSFERRED, by=by, from_org=previous, to_org=to_org, on=day,
                 worker=worker)
    return case
