"""STAFFING, hand-counted on the small_geo fixture. Base salary: 1,800,000 until 30/06/2024, 2,340,000 from
01/07/2024, 2,530,000 from 01/07/2026 (the default table)."""

import datetime as dt

import pytest

from ctxh.orgs.models import OrganizationLocation, OrgKind
from ctxh.testing import LAST_OLD_DAY, REORG_DAY, make_org
from ctxh.workforce.models import Dedication, ProgrammePhase
from ctxh.workforce.selectors import StaffingGap, staffing, staffing_for_org
from ctxh.workforce.services import staffing_rule_set
from ctxh.workforce.testing import make_position, make_worker, set_allowance, staff

pytestmark = pytest.mark.django_db

JUNE_30 = dt.date(2024, 6, 30)
JULY_1 = dt.date(2024, 7, 1)


def continuing_org(old_unit, new_unit, kind=OrgKind.SCHOOL):
    """An organization that kept running when its commune was merged on 01/07/2025."""
    org = make_org(new_unit, kind=kind)
    OrganizationLocation.objects.filter(organization=org).update(unit=old_unit, valid_to=LAST_OLD_DAY)
    OrganizationLocation.objects.create(organization=org, unit=new_unit, valid_from=REORG_DAY)
    return org


def test_allowance_exactly_equal_to_the_base_salary_qualifies(small_geo):
    org = make_org(small_geo.x1)
    staff(org, allowance=2_340_000)
    result = staffing(small_geo.old08, JULY_1)
    assert (result.numerator, result.denominator, result.value) == (1, 1, 1.0)
    assert result.base_salary_vnd == 2_340_000


def test_the_2024_rise_flips_an_organization_paying_2_000_000(small_geo):
    org = make_org(small_geo.x1)
    staff(org, allowance=2_000_000)
    assert staffing(small_geo.old08, JUNE_30).numerator == 1
    result = staffing(small_geo.old08, JULY_1)
    assert (result.numerator, result.denominator) == (0, 1)
    [missing] = result.non_qualifying
    assert missing == org and missing.gap == StaffingGap.BELOW_BASE
    assert missing.best_allowance == 2_000_000
    assert result.reason(missing) == (
        "Phụ cấp cao nhất 2.000.000 đồng/tháng, thấp hơn mức lương cơ sở 2.340.000 đồng.")


def test_a_raise_of_the_allowance_on_the_day_of_the_base_salary_rise_keeps_it_qualifying(small_geo):
    position = staff(make_org(small_geo.x1), allowance=2_000_000)
    set_allowance(position, JULY_1, 2_340_000)
    assert staffing(small_geo.old08, JULY_1).numerator == 1


def test_a_position_that_ends_mid_period(small_geo):
    org = make_org(small_geo.x1)
    staff(org, end=dt.date(2024, 3, 31))
    assert staffing(small_geo.old08, dt.date(2024, 3, 31)).numerator == 1
    result = staffing(small_geo.old08, dt.date(2024, 4, 1))
    assert (result.numerator, result.denominator) == (0, 1)
    [missing] = result.non_qualifying
    assert missing.gap == StaffingGap.POSITION_ENDED
    assert result.reason(missing) == (
        "Vị trí công tác xã hội đã kết thúc ngày 31/03/2024; chưa bố trí người thay.")


def test_one_worker_in_two_organizations_counts_for_both(small_geo):
    worker = make_worker()
    make_position(worker, make_org(small_geo.x1), dedication=Dedication.FULL_TIME)
    make_position(worker, make_org(small_geo.x2, kind=OrgKind.HEALTH), dedication=Dedication.COLLABORATOR)
    result = staffing(small_geo.old08, JUNE_30)
    assert (result.numerator, result.denominator) == (2, 2)


def test_a_closed_organization_leaves_the_denominator(small_geo):
    closed = make_org(small_geo.x1, valid_to=dt.date(2024, 12, 31))
    staff(closed)
    make_org(small_geo.x2)
    assert (staffing(small_geo.old08, dt.date(2024, 12, 31)).denominator) == 2
    result = staffing(small_geo.old08, dt.date(2025, 1, 1))
    assert (result.numerator, result.denominator) == (0, 1)


def test_organizations_outside_the_plan_scope_are_not_counted(small_geo):
    staff(make_org(small_geo.x1, kind=OrgKind.DEPARTMENT))
    make_org(small_geo.x1, kind=OrgKind.BUSINESS)
    assert staffing(small_geo.old08, JUNE_30).denominator == 0
    assert staffing(small_geo.old08, JUNE_30).value is None


def test_phase_two_asks_two_people_of_a_commune_and_one_of_a_school(small_geo):
    commune = make_org(small_geo.n1, kind=OrgKind.COMMUNE_COMMITTEE, valid_from=REORG_DAY)
    school = make_org(small_geo.n1, kind=OrgKind.SCHOOL, valid_from=REORG_DAY)
    staff(commune, start=REORG_DAY)
    staff(school, start=REORG_DAY)
    end_of_phase_1, in_phase_2 = dt.date(2025, 12, 31), dt.date(2026, 3, 1)
    assert staffing(small_geo.new08, end_of_phase_1).numerator == 2
    result = staffing(small_geo.new08, in_phase_2)
    assert (result.numerator, result.denominator) == (1, 2)
    [missing] = result.non_qualifying
    assert missing == commune and missing.gap == StaffingGap.NOT_ENOUGH
    assert result.reason(missing) == "Mới có 1/2 người đạt yêu cầu."
    staff(commune, start=REORG_DAY)
    assert staffing(small_geo.new08, in_phase_2).numerator == 2
    # The rule is data: a manager asks three people of communes.
    staffing_rule_set(phase=ProgrammePhase.objects.get(code="2"), org_kind=OrgKind.COMMUNE_COMMITTEE,
                      required_positions=3)
    assert staffing(small_geo.new08, in_phase_2).numerator == 1
    # The phase can be chosen: phase 1's rule on a phase 2 day.
    assert staffing(small_geo.new08, in_phase_2, phase="1").numerator == 2


def test_two_positions_of_one_person_in_one_organization_count_once(small_geo):
    commune = make_org(small_geo.n1, kind=OrgKind.COMMUNE_COMMITTEE, valid_from=REORG_DAY)
    worker = make_worker()
    make_position(worker, commune, start=REORG_DAY, dedication=Dedication.PART_TIME)
    make_position(worker, commune, start=REORG_DAY, dedication=Dedication.COLLABORATOR)
    result = staffing(small_geo.n1, dt.date(2026, 3, 1))
    assert result.numerator == 0
    assert result.non_qualifying.get().qualifying_count == 1


def test_breakdown_by_kind_and_by_commune(small_geo):
    staff(make_org(small_geo.x1, kind=OrgKind.COMMUNE_COMMITTEE))
    make_org(small_geo.x1, kind=OrgKind.SCHOOL)  # no staff
    staff(make_org(small_geo.x2, kind=OrgKind.SCHOOL), allowance=1_000_000)  # paid below
    staff(make_org(small_geo.x2, kind=OrgKind.HEALTH))
    staff(make_org(small_geo.y1, kind=OrgKind.COMMUNE_COMMITTEE))  # old Hà Giang: outside old08
    result = staffing(small_geo.old08, JUNE_30)
    assert (result.numerator, result.denominator) == (2, 4)
    assert result.value == 0.5
    kinds = {row.key: (row.numerator, row.denominator) for row in result.by_kind}
    assert kinds == {OrgKind.SCHOOL: (0, 2), OrgKind.HEALTH: (1, 1), OrgKind.COMMUNE_COMMITTEE: (1, 1)}
    communes = {row.label: (row.numerator, row.denominator) for row in result.by_commune}
    assert communes == {
        "Phường Phan Thiết (đến 30/06/2025)": (1, 2), "Phường Minh Xuân (đến 30/06/2025)": (1, 2)}
    gaps = sorted((row.gap, row.reason) for row in result.gaps)
    assert gaps == [
        (StaffingGap.BELOW_BASE,
         "Phụ cấp cao nhất 1.000.000 đồng/tháng, thấp hơn mức lương cơ sở 1.800.000 đồng."),
        (StaffingGap.NO_STAFF, "Chưa bố trí người làm công tác xã hội."),
    ]


def test_new_units_include_the_old_communes_merged_into_them(small_geo):
    """A user of the new province sees phase 1 in the old communes of both old provinces, restated."""
    school = continuing_org(small_geo.x1, small_geo.n1)
    staff(school)
    staff(make_org(small_geo.x3, kind=OrgKind.HEALTH, valid_to=LAST_OLD_DAY))
    make_org(small_geo.y1, kind=OrgKind.COMMUNE_COMMITTEE, valid_to=LAST_OLD_DAY)
    before = staffing(small_geo.new08, small_geo.before)
    assert (before.numerator, before.denominator) == (2, 3)
    # The commune breakdown of a historical day is in the old communes.
    assert {row.key for row in before.by_commune} == {small_geo.x1.pk, small_geo.x3.pk, small_geo.y1.pk}
    # New commune n1 = x1 + x2 + part of x3; y1 went to n2.
    assert (staffing(small_geo.n1, small_geo.before).denominator) == 2
    assert (staffing(small_geo.n2, small_geo.before).denominator) == 2  # x3 (partly) and y1
    after = staffing(small_geo.new08, small_geo.after)
    assert (after.numerator, after.denominator) == (1, 1)
    assert [row.key for row in after.by_commune] == [small_geo.n1.pk]
    # A precomputed set of unit ids is accepted as it is.
    assert staffing({small_geo.x3.pk}, small_geo.before).denominator == 1


def test_staffing_for_one_organization(small_geo):
    org = make_org(small_geo.x1)
    paid = staff(org, allowance=2_340_000)
    staff(org, allowance=2_000_000)
    outcome = staffing_for_org(org, JULY_1)
    assert outcome.qualifies and outcome.qualifying_count == 1 and outcome.required == 1
    by_worker = {p.worker_id: (p.allowance_vnd, p.qualifies) for p in outcome.positions}
    assert by_worker[paid.worker_id] == (2_340_000, True)
    assert sorted(by_worker.values()) == [(2_000_000, False), (2_340_000, True)]
    empty = staffing_for_org(make_org(small_geo.x2), JULY_1)
    assert not empty.qualifies and empty.reason == "Chưa bố trí người làm công tác xã hội."
    department = staffing_for_org(make_org(small_geo.x2, kind=OrgKind.DEPARTMENT), JULY_1)
    assert not department.in_scope


def test_no_base_salary_before_the_table_starts_is_a_clear_error(small_geo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Chưa có mức lương cơ sở áp dụng vào ngày 01/01/2019"):
        staffing(small_geo.old08, dt.date(2019, 1, 1))


def _populate(geo, copies: int) -> None:
    for i in range(copies):
        for unit in (geo.x1, geo.x2, geo.y1):
            worker = make_worker()
            position = make_position(worker, make_org(unit, kind=OrgKind.SCHOOL), end=dt.date(2025, 6, 30))
            set_allowance(position, dt.date(2024, 1, 1), 1_000_000 * (i % 3))
            make_org(unit, kind=OrgKind.HEALTH)


@pytest.mark.parametrize("copies", [1, 12])
def test_the_number_of_queries_does_not_depend_on_the_number_of_rows(small_geo, copies,
                                                                    django_assert_max_num_queries):
    _populate(small_geo, copies)
    with django_assert_max_num_queries(12):
        result = staffing(small_geo.new08, JUNE_30)
        list(result.non_qualifying)
    assert result.denominator == 6 * copies
    org = result.organizations.first()
    with django_assert_max_num_queries(5):
        staffing_for_org(org, JUNE_30)
