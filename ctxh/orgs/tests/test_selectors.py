import datetime as dt

import pytest

from ctxh.orgs.models import Organization, OrgKind, Ownership, Sector
from ctxh.orgs.selectors import (
    organization_counts,
    organization_detail,
    organization_history,
    organization_list,
)
from ctxh.orgs.services import organization_move, organization_update
from ctxh.testing import make_org

D = dt.date


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


@pytest.fixture
def network(small_geo, people):
    g = small_geo
    return {
        "committee": make_org(g.n2, "Ủy ban nhân dân xã Nông Tiến", valid_from=D(2025, 7, 1)),
        "old_committee": make_org(g.y1, "Ủy ban nhân dân phường Quang Trung", valid_to=D(2025, 6, 30)),
        "school": organization_move(
            user=people.manager,
            organization=make_org(
                g.x3,
                "Trường Tiểu học Tràng Đà",
                OrgKind.SCHOOL,
                school_level="primary",
                sector=Sector.EDUCATION,
            ),
            unit=g.n2,
            effective_date=D(2025, 7, 1),
        ),
        "ward_station": make_org(
            g.n1,
            "Trạm Y tế phường Minh Xuân",
            OrgKind.HEALTH,
            sector=Sector.HEALTH,
            ownership=Ownership.PUBLIC,
            valid_from=D(2025, 7, 1),
        ),
        "ngo": make_org(
            g.x1,
            "Trung tâm Hỗ trợ Cộng đồng",
            OrgKind.NGO,
            sector=Sector.SOCIAL_PROTECTION,
            ownership=Ownership.NGO,
        ),
    }


def test_search_ignores_diacritics_and_case(network, people):
    found = organization_list(user=people.manager, filters={"q": "uy ban nhan dan xa"})
    assert names(found) == {"Ủy ban nhân dân xã Nông Tiến"}
    assert names(organization_list(user=people.manager, filters={"q": "TRAM Y TE"})) == {
        "Trạm Y tế phường Minh Xuân"
    }


def test_search_matches_the_code_and_words_in_any_order(network, people):
    code = network["ngo"].code
    assert names(organization_list(user=people.manager, filters={"q": code.lower()})) == {
        "Trung tâm Hỗ trợ Cộng đồng"
    }
    assert names(organization_list(user=people.manager, filters={"q": "quang trung ủy ban"})) == {
        "Ủy ban nhân dân phường Quang Trung"
    }


def test_kind_sector_and_ownership_filters(network, people):
    assert names(organization_list(user=people.manager, filters={"kind": OrgKind.SCHOOL})) == {
        "Trường Tiểu học Tràng Đà"
    }
    assert names(organization_list(user=people.manager, filters={"sector": Sector.HEALTH})) == {
        "Trạm Y tế phường Minh Xuân"
    }
    assert names(organization_list(user=people.manager, filters={"ownership": Ownership.NGO})) == {
        "Trung tâm Hỗ trợ Cộng đồng"
    }


def test_the_unit_filter_follows_successions(small_geo, network, people):
    # New commune 02210 = part of old 02206 (Tràng Đà) + old 00700 (Quang Trung).
    assert names(organization_list(user=people.manager, filters={"unit": small_geo.n2.pk})) == {
        "Ủy ban nhân dân xã Nông Tiến",
        "Ủy ban nhân dân phường Quang Trung",
        "Trường Tiểu học Tràng Đà",
    }
    # An old unit: what was located there at any time.
    assert names(organization_list(user=people.manager, filters={"unit": small_geo.x3.pk})) == {
        "Trường Tiểu học Tràng Đà"
    }
    # The new province: everything, old and new.
    assert organization_list(user=people.manager, filters={"unit": small_geo.new08.pk}).count() == 5


def test_as_of_a_date_with_a_unit_uses_where_the_organization_was_that_day(small_geo, network, people):
    before, after = small_geo.before, small_geo.after
    assert names(
        organization_list(user=people.manager, filters={"unit": small_geo.x3.pk, "as_of": before})
    ) == {"Trường Tiểu học Tràng Đà"}
    assert not organization_list(
        user=people.manager, filters={"unit": small_geo.x3.pk, "as_of": after}
    ).exists()
    in_n2_after = organization_list(user=people.manager, filters={"unit": small_geo.n2.pk, "as_of": after})
    assert names(in_n2_after) == {"Ủy ban nhân dân xã Nông Tiến", "Trường Tiểu học Tràng Đà"}
    school = in_n2_after.get(kind=OrgKind.SCHOOL)
    assert school.located_unit_name == "Xã Nông Tiến"
    school_before = organization_list(user=people.manager, filters={"as_of": before}).get(kind=OrgKind.SCHOOL)
    assert school_before.located_unit_name == "Xã Tràng Đà"


def test_status_filter_and_counts(network, people):
    closed = organization_list(user=people.manager, filters={"status": "closed"})
    assert names(closed) == {"Ủy ban nhân dân phường Quang Trung"}
    assert organization_list(user=people.manager, filters={"status": "active"}).count() == 4
    assert organization_counts(organization_list(user=people.manager)) == {
        "total": 5,
        "active": 4,
        "closed": 1,
    }


def test_lists_stay_inside_the_users_scope(small_geo, network, people):
    visible = names(organization_list(user=people.officer))
    assert "Trạm Y tế phường Minh Xuân" not in visible
    assert "Ủy ban nhân dân xã Nông Tiến" in visible
    # The school was in old Tràng Đà, which was split into both new communes: it shows under 02200 too,
    # but the ward's health station stays out of the officer's reach.
    assert names(organization_list(user=people.officer, filters={"unit": small_geo.n1.pk})) == {
        "Trường Tiểu học Tràng Đà"
    }
    with pytest.raises(Organization.DoesNotExist):
        organization_detail(user=people.officer, pk=network["ward_station"].pk)


def test_history_says_who_changed_what(network, people):
    org = network["committee"]
    organization_update(
        user=people.manager,
        organization=org,
        expected_version=1,
        phone="0207 3822 000",
        ownership=Ownership.PUBLIC,
    )
    latest, first = organization_history(org)
    assert latest.who == "quanly"
    assert [(c.label, c.before, c.after) for c in latest.changes] == [("Điện thoại", "", "0207 3822 000")]
    assert first.changes == []
