"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, via Playwright).

A provincial leader opens the dashboard, sees the four indicators of Plan 154 with their statuses and the
trend charts, sorts the communes table, clicks a commune, sees that commune's dashboard, and follows an
indicator to its detail page, which computes live from records (the organizations of
ctxh/indicators/testing.py) and lists the organizations behind the number. Screenshots (the screen and the
printed page) go to /tmp/ctxh-shots/ for a person to look at.
"""

import datetime as dt
import re
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from ctxh.accounts.roles import Role
from ctxh.indicators.dashboard_testing import fact, facts, plan154
from ctxh.indicators.testing import build_world
from ctxh.testing import TEST_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def province(transactional_db, small_geo):
    # The base salaries and the programme's phases come from a data migration; a transactional test run
    # before this one in the same worker empties those tables. Loaded again (idempotent).
    import_module("ctxh.workforce.migrations.0002_reference_data").load(django_apps, None)
    g = small_geo
    world = build_world(g)  # organizations, their staff and training sessions: what the detail page counts
    plan154()
    year = dt.date.today().year
    for offset, (staffing, children) in enumerate([(0.40, 0.60), (0.48, 0.70), (0.55, 0.78)]):
        period = str(year - 2 + offset)
        fact("STAFFING", g.new08, period, staffing, numerator=staffing * 100, denominator=100)
        fact("CHILDREN", g.new08, period, children, numerator=children * 100, denominator=100)
    facts("TRAINING", g.new08, {str(year - 2): 300, str(year - 1): 400, str(year): 500})
    facts("COUNSELLED", g.new08, {str(y): 900 + 50 * (y - 2020) for y in range(2020, year + 1)})
    fact("STAFFING", g.n1, str(year), 0.25, numerator=1, denominator=4)
    fact("STAFFING", g.n2, str(year), 0.80, numerator=4, denominator=5, is_estimate=True)
    fact("COUNSELLED", g.n1, str(year), 30)
    fact("COUNSELLED", g.n2, str(year), 12)
    world.leader = make_user("lanhdao.tinh", Role.LEADER, units=[g.new08], full_name="Nguyễn Văn Lãnh")
    world.year = year
    return world


def _sign_in(page, url: str, user) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.get_by_role("heading", name=f"Xin chào, {user.full_name}")).to_be_visible()


def test_a_leader_drills_down_from_the_province_to_the_organizations(browser_page, shots, live_server,
                                                                   province):
    from playwright.sync_api import expect

    page = browser_page
    _sign_in(page, live_server.url, province.leader)
    # The first shortcut of the home page
    page.get_by_role("link", name="Bảng điều khiển").first.click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Bảng điều khiển: Tỉnh Tuyên Quang")

    for code in ("STAFFING", "TRAINING", "COUNSELLED", "CHILDREN"):
        card = page.get_by_test_id(f"card-{code}")
        expect(card).to_be_visible()
        expect(card.get_by_test_id("card-status")).not_to_be_empty()
    expect(page.get_by_test_id("card-STAFFING").get_by_test_id("card-value")).to_have_text("55,0\u00a0%")
    expect(page.get_by_test_id("card-TRAINING").get_by_test_id("card-value")).to_have_text("500")
    # The charts are drawn (their print images are refreshed at every render)
    expect(page.locator("#chart-STAFFING-print")).to_have_attribute("src", re.compile(r"^data:image/png"))

    # The communes table sorts on the client: by STAFFING, ascending then descending
    table = page.get_by_test_id("unit-table")
    rows = table.get_by_test_id("unit-row")
    expect(rows).to_have_count(2)
    staffing_header = table.locator("thead th").nth(3).get_by_role("button")
    staffing_header.click()
    expect(rows.first.get_by_test_id("unit-link")).to_have_text("Phường Minh Xuân")  # 25 %
    staffing_header.click()
    expect(rows.first.get_by_test_id("unit-link")).to_have_text("Xã Nông Tiến")  # 80 % ≈
    expect(rows.first.locator("td[data-code=STAFFING]")).to_contain_text("≈")
    expect(rows.last.locator("td[data-code=STAFFING]")).to_contain_text("Chậm tiến độ")
    page.screenshot(path=str(shots / "dashboard-province.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "dashboard-province-print.png"), full_page=True)
    expect(page.locator("#chart-STAFFING-print")).to_be_visible()  # the chart prints as an image
    expect(page.get_by_test_id("dashboard-form")).to_be_hidden()
    page.emulate_media(media="screen")

    # Down to a commune
    table.get_by_role("link", name="Phường Minh Xuân").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Bảng điều khiển: Phường Minh Xuân")
    expect(page.get_by_test_id("card-STAFFING").get_by_test_id("card-value")).to_have_text("25,0\u00a0%")
    expect(page.get_by_test_id("card-STAFFING").get_by_test_id("card-fraction")).to_have_text("1/4")
    expect(page.get_by_test_id("dashboard-parent")).to_have_text("Tỉnh Tuyên Quang")
    page.screenshot(path=str(shots / "dashboard-commune.png"), full_page=True)

    # ... and to the organizations behind the number (computed live from the records)
    page.get_by_test_id("card-STAFFING").get_by_test_id("card-detail").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Tỷ lệ cơ sở, đơn vị có người làm công tác xã hội")
    listing = page.get_by_test_id("actionable-list")
    expect(listing).to_contain_text("Trạm y tế phường Phan Thiết")
    expect(listing).to_contain_text("Trường THCS Minh Xuân")
    page.screenshot(path=str(shots / "dashboard-detail.png"), full_page=True)
