import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctxh.orgs.models import Organization, OrgKind, Ownership, SchoolLevel, Sector
from ctxh.orgs.services import (
    OrganizationConflict,
    organization_close,
    organization_create,
    organization_move,
    organization_update,
)
from ctxh.testing import make_org

D = dt.date


def create(user, unit, **overrides):
    values = dict(
        code="TRUONG-01",
        name="Trường Tiểu học Nông Tiến",
        kind=OrgKind.SCHOOL,
        school_level=SchoolLevel.PRIMARY,
        sector=Sector.EDUCATION,
        ownership=Ownership.PUBLIC,
        unit=unit,
        valid_from=D(2025, 8, 1),
    )
    values.update(overrides)
    return organization_create(user=user, **values)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_create_records_the_organization_its_first_location_and_who_did_it(small_geo, people):
    org = create(people.officer, small_geo.n2)

    assert org.version == 1
    assert list(org.locations.values_list("unit_id", "valid_from", "valid_to")) == [
        (small_geo.n2.pk, D(2025, 8, 1), None)
    ]
    assert org.history.get().history_user == people.officer


def test_create_normalizes_the_name_to_nfc(small_geo, people):
    org = create(people.officer, small_geo.n2, name="Tru\u031bo\u031b\u0300ng Mầm non")
    assert org.name == "Trường Mầm non"


def test_the_unit_must_exist_on_the_first_day(small_geo, people):
    with pytest.raises(ValidationError) as excinfo:
        create(people.manager, small_geo.n2, valid_from=D(2020, 1, 1))
    assert "không có hiệu lực vào ngày 01/01/2020" in errors_of(excinfo)["unit"][0]
    assert not Organization.objects.exists()


def test_an_old_unit_is_accepted_for_an_organization_that_started_before_the_merger(small_geo, people):
    org = create(people.manager, small_geo.x3, valid_from=D(2010, 9, 5))
    assert org.unit == small_geo.x3


def test_the_parent_must_exist_at_the_organizations_dates(small_geo, people):
    old_department = make_org(small_geo.old08, kind=OrgKind.DEPARTMENT, valid_to=D(2025, 6, 30))
    with pytest.raises(ValidationError) as excinfo:
        create(people.manager, small_geo.n2, parent=old_department)
    assert "không hoạt động vào ngày 01/08/2025" in errors_of(excinfo)["parent"][0]


def test_valid_to_may_not_come_before_valid_from(small_geo, people):
    with pytest.raises(ValidationError) as excinfo:
        create(people.manager, small_geo.n2, valid_to=D(2025, 7, 15))
    assert "không được trước ngày bắt đầu" in errors_of(excinfo)["valid_to"][0]


def test_codes_are_unique_ignoring_case(small_geo, people):
    make_org(small_geo.n2, code="TRUONG-01")
    with pytest.raises(ValidationError) as excinfo:
        create(people.manager, small_geo.n2, code="truong-01")
    assert "đã được dùng" in errors_of(excinfo)["code"][0]


def test_a_code_with_spaces_is_refused(small_geo, people):
    with pytest.raises(ValidationError) as excinfo:
        create(people.manager, small_geo.n2, code="TRUONG 01")
    assert "code" in errors_of(excinfo)


def test_a_school_needs_a_level_and_only_a_school_has_one(small_geo, people):
    with pytest.raises(ValidationError) as excinfo:
        create(people.manager, small_geo.n2, school_level="")
    assert errors_of(excinfo)["school_level"] == ["Trường học phải có cấp học."]

    with pytest.raises(ValidationError) as excinfo:
        create(people.manager, small_geo.n2, kind=OrgKind.COMMUNE_COMMITTEE, sector=Sector.LOCAL_GOVERNMENT)
    assert errors_of(excinfo)["school_level"] == ["Chỉ trường học mới có cấp học."]


def test_only_a_health_facility_has_a_health_level(small_geo, people):
    with pytest.raises(ValidationError) as excinfo:
        create(people.manager, small_geo.n2, health_level="hospital")
    assert errors_of(excinfo)["health_level"] == ["Chỉ cơ sở y tế mới có loại cơ sở y tế."]
    org = create(
        people.manager,
        small_geo.n2,
        kind=OrgKind.HEALTH,
        school_level="",
        health_level="health_station",
        sector=Sector.HEALTH,
    )
    assert org.get_health_level_display() == "Trạm y tế"


def test_a_user_creates_only_in_units_of_their_scope(small_geo, people):
    with pytest.raises(ValidationError) as excinfo:
        create(people.officer, small_geo.n1)
    assert "nằm ngoài phạm vi của bạn" in errors_of(excinfo)["unit"][0]


def test_a_user_without_the_capability_may_not_create(small_geo, people):
    with pytest.raises(PermissionDenied):
        create(people.leader, small_geo.n2)


def test_update_changes_fields_bumps_the_version_and_keeps_history(small_geo, people):
    org = create(people.officer, small_geo.n2)
    org = organization_update(
        user=people.officer,
        organization=org,
        expected_version=1,
        name="Trường Tiểu học Nông Tiến 2",
        phone="0207 3822 123",
    )
    assert org.version == 2
    assert org.history.count() == 2
    latest = org.history.first()
    assert latest.history_user == people.officer
    assert {c.field for c in latest.diff_against(latest.prev_record).changes} >= {"name", "phone"}


def test_update_with_nothing_changed_writes_nothing(small_geo, people):
    org = create(people.officer, small_geo.n2)
    org = organization_update(user=people.officer, organization=org, expected_version=1, name=org.name)
    assert org.version == 1
    assert org.history.count() == 1


def test_a_stale_version_is_a_conflict_that_names_the_changes_and_overwrites_nothing(small_geo, people):
    org = create(people.manager, small_geo.n2)
    organization_update(user=people.officer, organization=org, expected_version=1, name="Tên mới của trường")

    with pytest.raises(OrganizationConflict) as excinfo:
        organization_update(user=people.manager, organization=org, expected_version=1, phone="0988")

    text = " ".join(excinfo.value.messages)
    assert "canboxa" in text
    assert "“Tên tổ chức” trước là “Trường Tiểu học Nông Tiến”, nay là “Tên mới của trường”" in text
    org.refresh_from_db()
    assert org.phone == "" and org.name == "Tên mới của trường" and org.version == 2


def test_a_user_may_not_change_an_organization_outside_their_scope(small_geo, people):
    elsewhere = make_org(small_geo.n1)
    with pytest.raises(PermissionDenied):
        organization_update(user=people.officer, organization=elsewhere, expected_version=None, name="X")


def test_moving_an_organization_out_of_scope_is_refused(small_geo, people):
    org = create(people.officer, small_geo.n2)
    with pytest.raises(ValidationError) as excinfo:
        organization_update(user=people.officer, organization=org, expected_version=1, unit=small_geo.n1)
    assert "unit" in errors_of(excinfo)


def test_close_with_a_successor(small_geo, people):
    old = make_org(small_geo.old08, name="Sở Lao động - Thương binh và Xã hội", kind=OrgKind.DEPARTMENT)
    new = make_org(small_geo.new08, name="Sở Y tế", kind=OrgKind.DEPARTMENT, valid_from=D(2025, 3, 1))

    org = organization_close(
        user=people.manager,
        organization=old,
        valid_to=D(2025, 2, 28),
        reason="Sắp xếp tổ chức bộ máy",
        successor=new,
        succession_note="Chức năng bảo trợ xã hội chuyển sang Sở Y tế",
    )

    assert (org.valid_to, org.successor, org.closed_reason) == (D(2025, 2, 28), new, "Sắp xếp tổ chức bộ máy")
    assert org.locations.get().valid_to == D(2025, 2, 28)
    assert list(new.predecessors.all()) == [org]
    assert org.history.first().history_user == people.manager


def test_the_successor_must_exist_after_the_close_date(small_geo, people):
    old = make_org(small_geo.old08, kind=OrgKind.DEPARTMENT)
    late = make_org(small_geo.new08, kind=OrgKind.DEPARTMENT, valid_from=D(2025, 7, 1))
    with pytest.raises(ValidationError) as excinfo:
        organization_close(
            user=people.manager, organization=old, valid_to=D(2025, 2, 28), reason="Sáp nhập", successor=late
        )
    assert "không hoạt động vào ngày 01/03/2025" in errors_of(excinfo)["successor"][0]
    old.refresh_from_db()
    assert old.valid_to is None


def test_close_needs_a_reason_and_a_date_not_before_the_start(small_geo, people):
    org = make_org(small_geo.n2, valid_from=D(2025, 7, 1))
    with pytest.raises(ValidationError) as excinfo:
        organization_close(user=people.officer, organization=org, valid_to=D(2025, 6, 1), reason="")
    assert set(errors_of(excinfo)) == {"valid_to", "reason"}


def test_a_closed_organization_cannot_be_closed_again(small_geo, people):
    org = make_org(small_geo.n2, valid_from=D(2025, 7, 1), valid_to=D(2025, 12, 31))
    with pytest.raises(ValidationError) as excinfo:
        organization_close(user=people.officer, organization=org, valid_to=D(2026, 1, 31), reason="Giải thể")
    assert "đã chấm dứt hoạt động từ ngày 31/12/2025" in excinfo.value.messages[0]


def test_move_adds_a_location_and_keeps_the_old_one(small_geo, people):
    school = make_org(
        small_geo.x3, kind=OrgKind.SCHOOL, school_level=SchoolLevel.PRIMARY, valid_from=D(2010, 9, 5)
    )

    school = organization_move(
        user=people.manager, organization=school, unit=small_geo.n2, effective_date=D(2025, 7, 1)
    )

    assert school.unit == small_geo.n2
    assert list(school.locations.order_by("valid_from").values_list("unit_id", "valid_from", "valid_to")) == [
        (small_geo.x3.pk, D(2010, 9, 5), D(2025, 6, 30)),
        (small_geo.n2.pk, D(2025, 7, 1), None),
    ]
    assert school.version == 2


def test_move_to_a_unit_that_does_not_exist_on_that_day_is_refused(small_geo, people):
    school = make_org(small_geo.x3, valid_from=D(2010, 9, 5))
    with pytest.raises(ValidationError) as excinfo:
        organization_move(
            user=people.manager, organization=school, unit=small_geo.n2, effective_date=D(2025, 6, 1)
        )
    assert "không có hiệu lực vào ngày 01/06/2025" in errors_of(excinfo)["unit"][0]
    with pytest.raises(ValidationError) as excinfo:
        organization_move(
            user=people.manager, organization=school, unit=small_geo.y1, effective_date=D(2005, 1, 1)
        )
    assert "effective_date" in errors_of(excinfo)
    assert school.locations.count() == 1


def test_after_a_move_the_unit_is_not_edited_in_place(small_geo, people):
    school = make_org(small_geo.x3, valid_from=D(2010, 9, 5))
    school = organization_move(
        user=people.manager, organization=school, unit=small_geo.n2, effective_date=D(2025, 7, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        organization_update(user=people.manager, organization=school, expected_version=2, unit=small_geo.n1)
    assert "chuyển địa bàn" in errors_of(excinfo)["unit"][0]
