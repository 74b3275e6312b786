"""/api/v1/units/: units as of a date across the reorganization of 1 July 2025, filters, successions."""

import datetime as dt

import pytest
import time_machine

from ctxh.api.tests.helpers import codes, errors, names, results

URL = "/api/v1/units/"
pytestmark = pytest.mark.django_db


def detail(api, unit):
    response = api.get(f"{URL}{unit.id}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_province_code_08_is_the_old_province_before_and_the_new_one_after(api, small_geo):
    before = results(api.get(URL, {"as_of": "2024-06-01", "level": 1}))
    after = results(api.get(URL, {"as_of": "2025-08-01", "level": 1}))

    g = small_geo
    assert [(row["code"], row["id"]) for row in before] == [("02", g.old02.id), ("08", g.old08.id)]
    assert [(row["code"], row["id"]) for row in after] == [("08", g.new08.id)]


def test_last_old_day_and_first_new_day(api, small_geo):
    assert codes(api.get(URL, {"as_of": "2025-06-30", "level": 3})) == ["00700", "02200", "02203", "02206"]
    assert codes(api.get(URL, {"as_of": "2025-07-01", "level": 3})) == ["02200", "02210"]


@time_machine.travel(dt.date(2025, 8, 1))
def test_as_of_defaults_to_today(api, small_geo):
    assert codes(api.get(URL)) == ["08", "02200", "02210"]


def test_parent_code_is_read_as_of_the_date(api, small_geo):
    new_communes = results(api.get(URL, {"parent": "08", "as_of": "2025-08-01"}))
    old_wards = names(api.get(URL, {"parent": "070", "as_of": "2024-06-01"}))
    old_districts = names(api.get(URL, {"parent": "08", "as_of": "2024-06-01"}))

    assert [(row["code"], row["name"]) for row in new_communes] == [
        ("02200", "Phường Minh Xuân"), ("02210", "Xã Nông Tiến"),
    ]
    assert old_wards == ["Phường Phan Thiết", "Phường Minh Xuân", "Xã Tràng Đà"]
    assert old_districts == ["Thành phố Tuyên Quang"]


def test_list_fields(api, small_geo):
    [row] = results(api.get(URL, {"as_of": "2025-08-01", "q": "nong tien"}))

    assert row == {
        "id": small_geo.n2.id, "code": "02210", "name": "Xã Nông Tiến", "kind": "commune", "kind_label": "Xã",
        "level": 3, "parent": {"id": small_geo.new08.id, "code": "08", "name": "Tỉnh Tuyên Quang"},
        "valid_from": "2025-07-01", "valid_to": None,
    }


def test_search_ignores_diacritics(api, small_geo):
    assert names(api.get(URL, {"as_of": "2024-06-01", "q": "trang da"})) == ["Xã Tràng Đà"]
    assert names(api.get(URL, {"as_of": "2024-06-01", "q": "TRÀNG ĐÀ"})) == ["Xã Tràng Đà"]
    assert names(api.get(URL, {"as_of": "2025-08-01", "q": "minh xuan"})) == ["Phường Minh Xuân"]


def test_kind_and_level_filters(api, small_geo):
    assert codes(api.get(URL, {"as_of": "2024-06-01", "kind": "ward"})) == ["00700", "02200", "02203"]
    assert codes(api.get(URL, {"as_of": "2024-06-01", "level": 2})) == ["024", "070"]
    assert codes(api.get(URL, {"as_of": "2025-08-01", "kind": "commune", "parent": "08"})) == ["02210"]


def test_detail_of_a_split_commune_lists_its_successors(api, small_geo):
    body = detail(api, small_geo.x3)

    assert body["valid_to"] == "2025-06-30"
    assert body["parent"]["code"] == "070"
    assert body["predecessors"] == []
    assert body["successors"] == [
        {"id": small_geo.n1.id, "code": "02200", "name": "Phường Minh Xuân", "effective_date": "2025-07-01",
         "kind": "split", "kind_label": "Chia tách", "partly_merged": True},
        {"id": small_geo.n2.id, "code": "02210", "name": "Xã Nông Tiến", "effective_date": "2025-07-01",
         "kind": "split", "kind_label": "Chia tách", "partly_merged": True},
    ]
    assert [unit["code"] for unit in body["current_successors"]] == ["02200", "02210"]


def test_detail_of_a_new_commune_lists_its_predecessors(api, small_geo):
    body = detail(api, small_geo.n1)

    assert body["successors"] == []
    # A unit still valid today is its own current successor.
    assert body["current_successors"] == [
        {"id": small_geo.n1.id, "code": "02200", "name": "Phường Minh Xuân"},
    ]
    rows = body["predecessors"]
    assert [(row["code"], row["name"], row["kind"], row["partly_merged"]) for row in rows] == [
        ("02200", "Phường Phan Thiết", "merge", False),
        ("02203", "Phường Minh Xuân", "merge", False),
        ("02206", "Xã Tràng Đà", "split", True),
    ]
    assert {row["id"] for row in body["predecessors"]} == {small_geo.x1.id, small_geo.x2.id, small_geo.x3.id}


def test_current_successors_follow_successions_transitively(api, small_geo):
    """An old province leads to the new one; the new one's id stays distinct although the code is the same."""
    assert detail(api, small_geo.old02)["current_successors"] == [
        {"id": small_geo.new08.id, "code": "08", "name": "Tỉnh Tuyên Quang"},
    ]
    # An old district has no succession of its own: its communes' do not make it the new province's.
    assert detail(api, small_geo.d070)["current_successors"] == []


def test_detail_ignores_the_date_filters(api, small_geo):
    """A unit id names one generation for good: an old unit opens whatever the date."""
    response = api.get(f"{URL}{small_geo.old08.id}/", {"as_of": "2025-08-01"})

    assert response.status_code == 200
    assert response.json()["valid_to"] == "2025-06-30"


@pytest.mark.parametrize(
    ("params", "param", "fragment"),
    [
        ({"as_of": "2025-13-01"}, "as_of", "2025-13-01"),
        ({"as_of": "01/07/2025"}, "as_of", "YYYY-MM-DD"),
        ({"kind": "village"}, "kind", "village"),
        ({"level": "9"}, "level", "9"),
        ({"parent": "99"}, "parent", "99"),
        ({"parent": "070", "as_of": "2025-08-01"}, "parent", "2025-08-01"),
    ],
)
def test_bad_filter_values_answer_400_naming_the_parameter(api, small_geo, params, param, fragment):
    message = errors(api.get(URL, params), param)

    assert f"Tham số {param}" in message
    assert fragment in message


def test_a_bad_date_is_reported_without_a_confusing_parent_error(api, small_geo):
    response = api.get(URL, {"as_of": "2025-02-30", "parent": "08"})

    assert response.status_code == 400
    assert set(response.json()) == {"as_of"}


def test_a_page_of_units_costs_a_constant_number_of_queries(api, small_geo, django_assert_max_num_queries):
    api.get(URL)  # warm up: the user's scope is computed once and kept on the user
    with django_assert_max_num_queries(3):  # the unit "08" as of the date, the count, the page with parents
        rows = results(api.get(URL, {"parent": "08", "as_of": "2024-06-01"}))
    assert [(row["code"], row["parent"]["code"]) for row in rows] == [("070", "08")]
