"""Users shared by the organization tests: a provincial manager, a commune officer and a read-only leader."""

from types import SimpleNamespace

import pytest

from ctxh.accounts.roles import Role
from ctxh.testing import make_user


@pytest.fixture
def people(small_geo):
    """manager: new province 08 (so every old unit merged into it); officer: new commune 02210 only."""
    return SimpleNamespace(
        manager=make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08]),
        officer=make_user("canboxa", Role.ORG_OFFICER, units=[small_geo.n2]),
        leader=make_user("lanhdao", Role.LEADER, units=[small_geo.new08]),
    )
