"""Fixtures of the indicator tests (the data: ctxh/indicators/testing.py)."""

import pytest

from ctxh.indicators.testing import build_world, make_commune_officer, make_province_manager


@pytest.fixture
def world(small_geo):
    """See ctxh/indicators/testing.py: organizations A-F, their staff and three training sessions."""
    return build_world(small_geo)


@pytest.fixture
def province_manager(world):
    return make_province_manager(world)


@pytest.fixture
def commune_officer(world):
    return make_commune_officer(world)
