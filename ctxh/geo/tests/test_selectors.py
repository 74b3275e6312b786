"""Selectors on the small two-generation geography (conftest.small_geo), and across a later change-set."""

import datetime as dt
from pathlib import Path

import pytest

from ctxh.geo.models import Level, UnitKind
from ctxh.geo.selectors import (
    UnitNotFound,
    ancestors,
    children_as_of,
    current_successors,
    predecessors,
    unit_by_code,
    unit_path,
    units_as_of,
)
from ctxh.geo.services import changeset_apply

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "changeset_example_small_geo.json"
LAST_DAY_2025 = dt.date(2025, 6, 30)
FIRST_DAY_2025 = dt.date(2025, 7, 1)
AFTER_2026 = dt.date(2026, 5, 1)


def test_provinces_as_of_either_side_of_1_july_2025(small_geo):
    assert set(units_as_of(LAST_DAY_2025, level=Level.PROVINCE)) == {small_geo.old08, small_geo.old02}
    assert set(units_as_of(FIRST_DAY_2025, level=Level.PROVINCE)) == {small_geo.new08}


def test_units_as_of_filters_by_kind_and_parent(small_geo):
    assert set(units_as_of(small_geo.before, kind=UnitKind.WARD)) == {
        small_geo.x1,
        small_geo.x2,
        small_geo.y1,
    }
    assert set(units_as_of(small_geo.after, kind=UnitKind.WARD)) == {small_geo.n1}
    assert set(units_as_of(small_geo.after, parent=small_geo.new08)) == {small_geo.n1, small_geo.n2}
    assert not units_as_of(small_geo.after, level=Level.DISTRICT).exists()


def test_reused_codes_name_different_units_on_different_days(small_geo):
    assert unit_by_code("08", small_geo.before) == small_geo.old08
    assert unit_by_code("08", small_geo.after) == small_geo.new08
    assert unit_by_code("02200", LAST_DAY_2025) == small_geo.x1
    assert unit_by_code("02200", FIRST_DAY_2025, level=Level.COMMUNE) == small_geo.n1
    assert unit_by_code("02200", FIRST_DAY_2025).name == "Phường Minh Xuân"


def test_unit_by_code_says_which_code_and_day_are_missing(small_geo):
    with pytest.raises(UnitNotFound, match="02206.*01/07/2025"):
        unit_by_code("02206", FIRST_DAY_2025)
    with pytest.raises(UnitNotFound, match="070"):
        unit_by_code("070", small_geo.after)


def test_children_as_of(small_geo):
    assert list(children_as_of(small_geo.old08, small_geo.before)) == [small_geo.d070]
    assert set(children_as_of(small_geo.d070, small_geo.before)) == {small_geo.x1, small_geo.x2, small_geo.x3}
    assert set(children_as_of(small_geo.new08, small_geo.after)) == {small_geo.n1, small_geo.n2}
    assert not children_as_of(small_geo.d070, small_geo.after).exists()


def test_current_successors_of_old_units(small_geo):
    assert set(current_successors(small_geo.x3, small_geo.after)) == {small_geo.n1, small_geo.n2}
    assert set(current_successors(small_geo.old02, small_geo.after)) == {small_geo.new08}
    # The district level was abolished: no succession, so no current successor.
    assert not current_successors(small_geo.d070, small_geo.after).exists()
    # Before the change a unit is its own current successor.
    assert list(current_successors(small_geo.x1, small_geo.before)) == [small_geo.x1]


def test_predecessors_and_ancestors(small_geo):
    assert set(predecessors(small_geo.new08)) == {small_geo.old08, small_geo.old02}
    assert set(predecessors(small_geo.n2)) == {small_geo.x3, small_geo.y1}
    assert not predecessors(small_geo.x1).exists()
    assert list(ancestors(small_geo.x3)) == [small_geo.old08, small_geo.d070]
    assert list(ancestors(small_geo.n2)) == [small_geo.new08]
    assert [u.name for u in unit_path(small_geo.x1)] == [
        "Tỉnh Tuyên Quang",
        "Thành phố Tuyên Quang",
        "Phường Phan Thiết",
    ]


def test_successions_are_followed_through_two_reorganizations(small_geo):
    changeset_apply(path=EXAMPLE)
    minh_xuan_2026 = unit_by_code("02200", AFTER_2026)
    assert minh_xuan_2026 not in (small_geo.x1, small_geo.n1)
    # Code 02200 names three units over time.
    assert unit_by_code("02200", small_geo.before) == small_geo.x1
    assert unit_by_code("02200", small_geo.after) == small_geo.n1
    # Old communes of both old provinces end up in the 2026 ward...
    for old in (small_geo.x1, small_geo.x3, small_geo.y1):
        assert list(current_successors(old, AFTER_2026)) == [minh_xuan_2026]
    # ...but as of August 2025 they lead to the 2025 units.
    assert set(current_successors(small_geo.x3, small_geo.after)) == {small_geo.n1, small_geo.n2}
    assert set(predecessors(minh_xuan_2026)) == {
        small_geo.n1,
        small_geo.n2,
        small_geo.x1,
        small_geo.x2,
        small_geo.x3,
        small_geo.y1,
    }
    assert set(children_as_of(small_geo.new08, AFTER_2026)) == {minh_xuan_2026}
    assert unit_path(minh_xuan_2026) == [small_geo.new08, minh_xuan_2026]
