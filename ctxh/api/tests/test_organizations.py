"""/api/v1/organizations/: filters, fields, and a constant number of queries per page."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ctxh.api.tests.helpers import codes, errors, results
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org

URL = "/api/v1/organizations/"
pytestmark = pytest.mark.django_db


def test_list_is_sorted_by_name_with_every_field(api, network, small_geo):
    rows = results(api.get(URL, {"q": "Lao dong"}))

    assert rows == [{
        "id": network.old_department.id, "code": "SO-LDTBXH", "name": "Sở Lao động - Thương binh và Xã hội",
        "kind": "department", "kind_label": "Sở, ban, ngành", "school_level": "", "health_level": "",
        "sector": "labour", "sector_label": "Lao động, nội vụ",
        "ownership": "public", "ownership_label": "Công lập",
        "unit": {"id": small_geo.old08.id, "code": "08", "name": "Tỉnh Tuyên Quang"}, "parent": None,
        "valid_from": "2015-01-01", "valid_to": "2025-06-30",
        "successor": {"id": network.department.id, "code": "SO-YT", "name": "Sở Y tế"},
        "address": "", "phone": "", "email": "",
    }]
    assert len(results(api.get(URL))) == 10


def test_detail_shows_parent_and_successor(api, network):
    response = api.get(f"{URL}{network.centre.id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["parent"] == {"id": network.department.id, "code": "SO-YT", "name": "Sở Y tế"}
    assert body["kind_label"] == "Cơ sở trợ giúp xã hội"


def test_search_ignores_diacritics_and_finds_codes(api, network):
    assert codes(api.get(URL, {"q": "TRAM Y TE xa Nong Tien"})) == ["TYT-NT"]
    assert codes(api.get(URL, {"q": "nong tien tram"})) == ["TYT-NT"]
    assert codes(api.get(URL, {"q": "thcs-mx"})) == ["THCS-MX"]


def test_kind_sector_ownership_filters(api, network):
    assert sorted(codes(api.get(URL, {"kind": "school"}))) == ["MN-QT", "TH-PT", "THCS-MX"]
    assert sorted(codes(api.get(URL, {"sector": "health"}))) == ["SO-YT", "TYT-NT"]
    assert codes(api.get(URL, {"ownership": "ngo"})) == ["NGO-TE"]


def test_unit_code_is_read_as_of_the_date_and_covers_the_merged_units(api, network):
    # 02200 today is the new Minh Xuân: its own organizations and those of the three old communes merged in.
    assert sorted(codes(api.get(URL, {"unit": "02200"}))) == [
        "NGO-TE", "TH-PT", "THCS-MX", "UB-02200-MOI", "UB-02206",
    ]
    # 02200 in 2024 was Phan Thiết ward.
    assert codes(api.get(URL, {"unit": "02200", "as_of": "2024-06-01"})) == ["TH-PT"]
    # 02210 (Nông Tiến) took part of Tràng Đà and the whole of Quang Trung of the old Hà Giang.
    assert sorted(codes(api.get(URL, {"unit": "02210"}))) == ["MN-QT", "TYT-NT", "UB-02206"]
    # The old province 08: its departments and the organizations of its old communes, nothing new.
    assert sorted(codes(api.get(URL, {"unit": "08", "as_of": "2024-06-01"}))) == [
        "SO-LDTBXH", "TH-PT", "UB-02206",
    ]


def test_as_of_keeps_the_organizations_active_on_that_date(api, network):
    before = codes(api.get(URL, {"as_of": "2024-06-01"}))
    after = codes(api.get(URL, {"as_of": "2025-08-01"}))

    assert "SO-LDTBXH" in before and "UB-02206" in before and "UB-02200-MOI" not in before
    assert "SO-LDTBXH" not in after and "UB-02206" not in after and "UB-02200-MOI" in after
    assert "SO-YT" in before and "SO-YT" in after


@time_machine.travel(dt.date(2026, 3, 1))
def test_status_filter(api, network):
    closed = codes(api.get(URL, {"status": "closed"}))
    active = codes(api.get(URL, {"status": "active"}))

    assert sorted(closed) == ["MN-QT", "SO-LDTBXH", "TH-PT", "UB-02206"]
    assert sorted(active) == ["NGO-TE", "SO-YT", "THCS-MX", "TT-CTXH", "TYT-NT", "UB-02200-MOI"]


def test_in_plan_scope_filter(api, network):
    outside = codes(api.get(URL, {"in_plan_scope": "false"}))
    inside = codes(api.get(URL, {"in_plan_scope": "true"}))

    assert sorted(outside) == ["NGO-TE", "SO-LDTBXH", "SO-YT"]
    assert len(inside) == 7 and "TT-CTXH" in inside and "UB-02206" in inside


@pytest.mark.parametrize(
    ("params", "param", "fragment"),
    [
        ({"kind": "hospital"}, "kind", "hospital"),
        ({"sector": "x"}, "sector", "social_protection"),
        ({"ownership": "state"}, "ownership", "public"),
        ({"status": "open"}, "status", "active"),
        ({"in_plan_scope": "yes"}, "in_plan_scope", "true"),
        ({"as_of": "2025-02-30"}, "as_of", "YYYY-MM-DD"),
        ({"unit": "070"}, "unit", "070"),
        ({"unit": "02210", "as_of": "2024-06-01"}, "unit", "2024-06-01"),
    ],
)
def test_bad_filter_values_answer_400_naming_the_parameter(api, network, params, param, fragment):
    message = errors(api.get(URL, params), param)

    assert f"Tham số {param}" in message
    assert fragment in message


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(api, network, small_geo,
                                                                   django_assert_max_num_queries):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(URL, {"unit": "08"}).status_code == 200
        return len(ctx.captured_queries)

    page_queries()  # warm up: the user's scope is computed once and kept on the user
    small = page_queries()
    for number in range(60):
        make_org(small_geo.n1, f"Trường số {number}", OrgKind.SCHOOL, parent=network.department,
                 successor=network.school)
    full = page_queries()

    assert full == small
    with django_assert_max_num_queries(small):
        rows = results(api.get(URL, {"unit": "08"}))
    assert len(rows) == 50
