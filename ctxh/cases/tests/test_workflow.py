import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ctxh.cases import services
from ctxh.cases.models import (
    AssessmentKind,
    CaseEvent,
    ClosureReason,
    EventKind,
    FundingSource,
    RiskLevel,
    ServiceType,
    Stage,
)
from ctxh.cases.testing import at, make_case, make_person
from ctxh.core.concurrency import ConcurrentEditError
from ctxh.workforce.testing import make_worker

pytestmark = pytest.mark.django_db


def errors_of(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def open_case(world, **extra):
    person = extra.pop("person", None) or make_person(unit=world.geo.n1, unit_from=dt.date(2025, 7, 1))
    data = {"person": person, "organization": world.org_a, "by": world.sw_a, "opened_at": at(2025, 9, 1),
            "worker": world.worker_a} | extra
    return services.case_open(**data)


def to_intervention(world, case):
    case = services.case_advance(case=case, to=Stage.ASSESSMENT, by=world.sw_a)
    services.assessment_add(case=case, kind=AssessmentKind.NEEDS, assessed_on=dt.date(2025, 9, 2),
                            risk_level=RiskLevel.MEDIUM, needs="Hỗ trợ học tập", by=world.sw_a)
    case = services.case_advance(case=case, to=Stage.PLANNING, by=world.sw_a)
    plan = services.plan_draft(case=case, goals=["Đi học đều"], by=world.sw_a, drafted_at=at(2025, 9, 3))
    services.plan_approve(plan=plan, by=world.officer_a, approver_name="Nguyễn Văn Bình, Chủ tịch UBND",
                          approved_at=at(2025, 9, 4))
    return services.case_advance(case=case, to=Stage.INTERVENTION, by=world.sw_a)


def test_a_case_gets_a_readable_number_from_the_year_sequence_and_an_intake_event(world):
    first = open_case(world)
    second = open_case(world)
    assert (first.number, second.number) == ("CTXH-2025-000001", "CTXH-2025-000002")
    assert first.stage == Stage.INTAKE and first.is_child_at_intake
    assert list(first.events.values_list("kind", flat=True)) == [EventKind.OPENED, EventKind.ASSIGNED]


def test_a_double_submitted_intake_returns_the_same_case(world):
    person = make_person()
    first = open_case(world, person=person, idempotency_key="form-token-1")
    again = open_case(world, person=person, idempotency_key="form-token-1")
    assert again.pk == first.pk
    assert person.cases.count() == 1


def test_a_worker_without_a_position_in_the_organization_cannot_be_assigned(world):
    errors = errors_of(open_case, world=world, worker=world.worker_b)
    assert "không giữ vị trí công tác nào tại UBND phường Minh Xuân" in errors["worker"][0]
    case = open_case(world, worker=None)
    errors = errors_of(services.case_assign, case=case, worker=make_worker(), on=dt.date(2025, 9, 2))
    assert "worker" in errors
    case.refresh_from_db()
    assert case.assigned_worker is None


def test_a_case_runs_through_every_stage_to_closure_with_a_timeline(world):
    case = to_intervention(world, open_case(world))
    services.service_record(case=case, service_type=ServiceType.COUNSELLING, delivered_on=dt.date(2025, 9, 5),
                            funding_source=FundingSource.STATE_BUDGET, by=world.sw_a)
    case = services.case_advance(case=case, to=Stage.REVIEW, by=world.sw_a)
    case = services.case_advance(case=case, to=Stage.INTERVENTION, by=world.sw_a)  # adjust, act again
    case = services.case_advance(case=case, to=Stage.REVIEW, by=world.sw_a)
    case = services.case_close(case=case, reason=ClosureReason.GOALS_MET, outcome="Đã đi học lại",
                               by=world.sw_a, at=at(2025, 10, 1))
    assert case.stage == Stage.CLOSED and case.closure_reason == ClosureReason.GOALS_MET
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count(EventKind.ADVANCED) == 6
    assert {EventKind.ASSESSED, EventKind.PLAN_DRAFTED, EventKind.PLAN_APPROVED, EventKind.SERVICE,
            EventKind.CLOSED} <= set(kinds)
    assert case.history.count() >= 8  # every change is in the change history too


@pytest.mark.parametrize(("stage", "target", "missing"), [
    (Stage.INTAKE, Stage.PLANNING, "Đánh giá nhu cầu"),
    (Stage.INTAKE, Stage.INTERVENTION, "Đánh giá nhu cầu, Lập kế hoạch trợ giúp"),
    (Stage.ASSESSMENT, Stage.INTERVENTION, "Lập kế hoạch trợ giúp"),
    (Stage.PLANNING, Stage.REVIEW, "Thực hiện kế hoạch"),
])
def test_a_skipped_step_is_refused_with_the_missing_step_named(world, stage, target, missing):
    case = make_case(make_person(), world.org_a, world.worker_a, stage=stage)
    errors = errors_of(services.case_advance, case=case, to=target)
    assert f"còn thiếu bước {missing}" in errors["stage"][0]
    case.refresh_from_db()
    assert case.stage == stage and not case.events.exists()


def test_backward_moves_and_closing_by_advance_are_refused(world):
    case = make_case(make_person(), world.org_a, world.worker_a, stage=Stage.PLANNING)
    assert "về" in errors_of(services.case_advance, case=case, to=Stage.INTAKE)["stage"][0]
    assert "kết thúc" in errors_of(services.case_advance, case=case, to=Stage.CLOSED)["stage"][0]


def test_each_step_needs_what_comes_before_it(world):
    case = open_case(world, worker=None)
    assert "phân công" in errors_of(services.case_advance, case=case, to=Stage.ASSESSMENT)["stage"][0]
    case = make_case(make_person(), world.org_a, world.worker_a, stage=Stage.ASSESSMENT)
    assert "đánh giá" in errors_of(services.case_advance, case=case, to=Stage.PLANNING)["stage"][0]
    case = make_case(make_person(), world.org_a, world.worker_a, stage=Stage.PLANNING)
    services.plan_draft(case=case, goals=["Mục tiêu"], drafted_at=at(2025, 3, 4))
    assert "phê duyệt" in errors_of(services.case_advance, case=case, to=Stage.INTERVENTION)["stage"][0]


def test_only_someone_acting_for_the_organization_approves_a_plan(world):
    case = make_case(make_person(), world.org_a, world.worker_a, stage=Stage.PLANNING)
    plan = services.plan_draft(case=case, goals=["Mục tiêu"], drafted_at=at(2025, 3, 4))
    for user in (world.sw_a, world.officer_b):
        errors = errors_of(services.plan_approve, plan=plan, by=user, approver_name="Giám đốc")
        assert "approved_by" in errors
    services.plan_approve(plan=plan, by=world.officer_a, approver_name="Giám đốc", decision_number="12/QĐ")
    plan.refresh_from_db()
    assert plan.is_approved and plan.approved_by == world.officer_a


def test_a_service_before_the_case_was_opened_or_in_the_future_is_refused(world):
    case = open_case(world)
    errors = errors_of(services.service_record, case=case, service_type=ServiceType.COUNSELLING,
                       delivered_on=dt.date(2025, 8, 31), funding_source=FundingSource.STATE_BUDGET)
    assert "trước ngày tiếp nhận hồ sơ (01/09/2025)" in errors["delivered_on"][0]
    errors = errors_of(services.service_record, case=case, service_type=ServiceType.COUNSELLING,
                       delivered_on=dt.date.today() + dt.timedelta(days=1),
                       funding_source=FundingSource.STATE_BUDGET)
    assert "tương lai" in errors["delivered_on"][0]
    assert not case.services.exists()
    service = services.service_record(case=case, service_type=ServiceType.SOCIAL_ASSISTANCE,
                                      delivered_on=dt.date(2025, 9, 1), amount_vnd="500000",
                                      funding_source=FundingSource.SOCIAL_MOBILIZATION)
    assert service.amount_vnd == 500_000 and service.person == case.person and service.provider == world.org_a


def test_closing_early_needs_a_reason_that_ends_the_work(world):
    case = open_case(world)
    errors = errors_of(services.case_close, case=case, reason=ClosureReason.GOALS_MET, outcome="Xong")
    assert "reason" in errors
    case = services.case_close(case=case, reason=ClosureReason.MOVED_AWAY, outcome="Chuyển đi tỉnh khác",
                               at=at(2025, 10, 1))
    assert case.stage == Stage.CLOSED
    errors = errors_of(services.service_record, case=case, service_type=ServiceType.COUNSELLING,
                       delivered_on=dt.date.today(), funding_source=FundingSource.STATE_BUDGET)
    assert "mở lại" in errors["delivered_on"][0]


def test_a_closed_case_is_reopened_back_to_assessment(world):
    case = open_case(world)
    case = services.case_close(case=case, reason=ClosureReason.REFUSED, outcome="Gia đình từ chối")
    assert "lý do" in errors_of(services.case_reopen, case=case, reason=" ")["reason"][0]
    case = services.case_reopen(case=case, reason="Gia đình đồng ý trở lại", by=world.officer_a)
    assert case.stage == Stage.ASSESSMENT and case.closed_at is None and case.closure_reason == ""
    assert case.events.filter(kind=EventKind.REOPENED).exists()


def test_a_case_is_transferred_to_another_organization_but_not_to_its_own(world):
    case = open_case(world)
    errors = errors_of(services.case_transfer, case=case, to_org=world.org_a, reason="Chuyển")
    assert "to_org" in errors
    case = services.case_transfer(case=case, to_org=world.org_b, reason="Gia đình chuyển đến xã Nông Tiến",
                                  worker=world.worker_b, on=dt.date(2025, 9, 10))
    assert case.organization == world.org_b and case.opening_organization == world.org_a
    assert case.assigned_worker == world.worker_b


def test_a_stale_case_version_is_refused_with_what_changed(world):
    case = open_case(world)
    read_version = case.version
    services.case_update(case=case, version=read_version, data={"risk_level": RiskLevel.HIGH})
    with pytest.raises(ConcurrentEditError) as caught:
        services.case_update(case=case, version=read_version, data={"intake_summary": "Khác"})
    assert [change.field for change in caught.value.changes] == ["risk_level"]
    with pytest.raises(ConcurrentEditError):
        services.case_advance(case=case, to=Stage.ASSESSMENT, version=read_version)
    case.refresh_from_db()
    assert case.stage == Stage.INTAKE and case.intake_summary == ""
