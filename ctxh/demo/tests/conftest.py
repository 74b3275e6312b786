from types import SimpleNamespace

import pytest

from ctxh.demo.services import demo_load


@pytest.fixture
def credentials(tmp_path, monkeypatch):
    monkeypatch.delenv("CTXH_DEMO_PASSWORD", raising=False)
    return tmp_path / "var" / "demo_credentials.txt"


@pytest.fixture
def demo(small_geo, credentials):
    """The demo data loaded on the small two-generation geography."""
    result = demo_load(province=small_geo.new08, password=None, credentials_path=credentials)
    return SimpleNamespace(geo=small_geo, result=result, credentials=credentials)
