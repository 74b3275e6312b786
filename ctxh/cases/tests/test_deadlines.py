import datetime as dt

import pytest

from ctxh.cases import services
from ctxh.cases.models import Case, RiskLevel, Stage
from ctxh.cases.selectors import add_working_days, case_deadlines, overdue_cases, plan_due
from ctxh.cases.testing import at, make_case, make_person

pytestmark = pytest.mark.django_db


def test_working_days_skip_the_weekend():
    friday = dt.date(2025, 1, 3)
    assert add_working_days(friday, 1) == dt.date(2025, 1, 6)  # Monday
    assert plan_due(friday) == dt.date(2025, 1, 10)  # the next Friday
    assert plan_due(dt.date(2025, 1, 2)) == dt.date(2025, 1, 9)  # Thursday -> Thursday, across a weekend


def test_a_child_at_serious_risk_needs_emergency_measures_within_12_hours(world):
    child = make_person(date_of_birth=dt.date(2015, 5, 1))
    adult = make_person(date_of_birth=dt.date(1980, 5, 1))
    opened = at(2025, 9, 1, 8)
    case = make_case(child, world.org_a, opened_at=opened, risk_level=RiskLevel.SERIOUS)
    make_case(adult, world.org_a, opened_at=opened, risk_level=RiskLevel.SERIOUS)
    assert not overdue_cases(opened + dt.timedelta(hours=11, minutes=59)).filter(emergency_overdue=True)
    late = overdue_cases(opened + dt.timedelta(hours=12, minutes=1))
    assert [(c.pk, c.emergency_overdue) for c in late.filter(emergency_overdue=True)] == [(case.pk, True)]
    services.emergency_measures_record(case=case, at=opened + dt.timedelta(hours=13))
    assert not overdue_cases(opened + dt.timedelta(hours=14)).filter(emergency_overdue=True).exists()
    deadline = case_deadlines(Case.objects.get(pk=case.pk), opened + dt.timedelta(hours=14))[0]
    assert deadline.kind == "emergency" and not deadline.overdue and deadline.met_at is not None


def test_a_childs_plan_is_due_within_5_working_days_across_a_weekend(world):
    friday = at(2025, 1, 3, 16)
    case = make_case(make_person(date_of_birth=dt.date(2014, 1, 1)), world.org_a, world.worker_a,
                     opened_at=friday, stage=Stage.PLANNING)
    make_case(make_person(date_of_birth=dt.date(1970, 1, 1)), world.org_a, opened_at=friday)  # adult: no rule
    assert not overdue_cases(dt.date(2025, 1, 10)).exists()  # the next Friday is still on time
    overdue = list(overdue_cases(dt.date(2025, 1, 11)))
    assert [(c.pk, c.plan_overdue) for c in overdue] == [(case.pk, True)]
    assert [d.overdue for d in case_deadlines(case, at(2025, 1, 13))] == [True]
    services.plan_draft(case=case, goals=["Mục tiêu"], drafted_at=at(2025, 1, 13))
    assert not overdue_cases(dt.date(2025, 1, 14)).exists()


def test_closed_cases_are_never_overdue_and_scoping_applies(world):
    case = make_case(make_person(), world.org_a, opened_at=at(2025, 1, 3), risk_level=RiskLevel.SERIOUS,
                     stage=Stage.CLOSED)
    assert not overdue_cases(dt.date(2025, 2, 1)).filter(pk=case.pk).exists()
    open_case = make_case(make_person(), world.org_a, opened_at=at(2025, 1, 3))
    assert overdue_cases(dt.date(2025, 2, 1)).filter(pk=open_case.pk).exists()
    assert not overdue_cases(dt.date(2025, 2, 1), Case.objects.for_user(world.officer_b)).exists()
