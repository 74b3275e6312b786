"""Fixtures shared by every app's tests."""

import datetime as dt
from types import SimpleNamespace

import pytest

from ctxh.geo.models import SuccessionKind, UnitKind
from ctxh.testing import LAST_OLD_DAY, REORG_DAY, make_succession, make_unit


@pytest.fixture
def small_geo(db):
    """Two generations of a small province, shaped like the 2025 reorganization of Tuyên Quang.

    Before 2025-07-01: old province "08" (district "070" with communes 02200, 02203, 02206) and old
    province "02" (district "024" with commune 00700). From 2025-07-01: new province "08" with two communes:
    02200 (kept code; = 02200 + 02203 + part of 02206) and 02210 (= rest of 02206 + 00700).
    """
    old08 = make_unit("08", "Tỉnh Tuyên Quang", UnitKind.PROVINCE, valid_to=LAST_OLD_DAY)
    old02 = make_unit("02", "Tỉnh Hà Giang", UnitKind.PROVINCE, valid_to=LAST_OLD_DAY)
    d070 = make_unit("070", "Thành phố Tuyên Quang", UnitKind.PROVINCIAL_CITY, old08, valid_to=LAST_OLD_DAY)
    d024 = make_unit("024", "Thành phố Hà Giang", UnitKind.PROVINCIAL_CITY, old02, valid_to=LAST_OLD_DAY)
    x1 = make_unit("02200", "Phường Phan Thiết", UnitKind.WARD, d070, valid_to=LAST_OLD_DAY)
    x2 = make_unit("02203", "Phường Minh Xuân", UnitKind.WARD, d070, valid_to=LAST_OLD_DAY)
    x3 = make_unit("02206", "Xã Tràng Đà", UnitKind.COMMUNE, d070, valid_to=LAST_OLD_DAY)
    y1 = make_unit("00700", "Phường Quang Trung", UnitKind.WARD, d024, valid_to=LAST_OLD_DAY)
    new08 = make_unit("08", "Tỉnh Tuyên Quang", UnitKind.PROVINCE, valid_from=REORG_DAY)
    n1 = make_unit("02200", "Phường Minh Xuân", UnitKind.WARD, new08, valid_from=REORG_DAY)
    n2 = make_unit("02210", "Xã Nông Tiến", UnitKind.COMMUNE, new08, valid_from=REORG_DAY)
    make_succession(old08, new08)
    make_succession(old02, new08)
    make_succession(x1, n1)
    make_succession(x2, n1)
    make_succession(x3, n1, SuccessionKind.SPLIT, partly=True)
    make_succession(x3, n2, SuccessionKind.SPLIT, partly=True)
    make_succession(y1, n2)
    return SimpleNamespace(
        old08=old08,
        old02=old02,
        d070=d070,
        d024=d024,
        x1=x1,
        x2=x2,
        x3=x3,
        y1=y1,
        new08=new08,
        n1=n1,
        n2=n2,
        before=dt.date(2024, 6, 1),
        after=dt.date(2025, 8, 1),
    )


# --- Indicator definitions, programmes and targets (ctxh/indicators/data/*.json) in every test database ---

_DB_FIXTURES = ("db", "transactional_db", "live_server", "django_db_reset_sequences",
                "django_db_serialized_rollback")
_flushing_tests: dict[str, object] = {}  # nodeid -> django_db_blocker, for the reload after a flush


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the data files loaded once: each test's transaction rolls back to it."""
    from ctxh.indicators.definitions import ensure_indicator_data

    with django_db_blocker.unblock():
        ensure_indicator_data()


@pytest.fixture(autouse=True)
def indicator_data(request):
    """Tests that use the database see the definitions and the programmes' targets, as in production.

    Usually one query (they are there since `django_db_setup`); a test that empties the database (a
    transactional test flushes it when it ends) gets them loaded again, from the parsed files kept in memory.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not any(name in request.fixturenames for name in _DB_FIXTURES):
        return
    from ctxh.indicators.definitions import ensure_indicator_data

    request.getfixturevalue("_django_db_helper")
    ensure_indicator_data()
    if _is_transactional(request, marker):
        _flushing_tests[request.node.nodeid] = request.getfixturevalue("django_db_blocker")


def _is_transactional(request, marker) -> bool:
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
                               or (marker.args and marker.args[0])):
        return True
    return any(name in request.fixturenames
               for name in ("transactional_db", "live_server", "django_db_reset_sequences"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has flushed the database, load the migrations' reference data and the
    indicator data files again for the tests that follow (outside their transactions, so that it stays)."""
    result = yield
    blocker = _flushing_tests.pop(item.nodeid, None)
    # After the last test the test database is gone already (session teardown).
    if blocker is not None and nextitem is not None:
        from ctxh.indicators.definitions import ensure_indicator_data
        from ctxh.testing import reload_migration_data

        with blocker.unblock():
            reload_migration_data()
            ensure_indicator_data()
    return result
