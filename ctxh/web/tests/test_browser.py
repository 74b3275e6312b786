"""One journey through a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

An organization officer of a commune opens the site, gets the Vietnamese login page, signs in, sees the home
page, opens "Tổ chức" and an organization's page, then browses the units as of 01/01/2024 and finds an old
commune merged into theirs. Screenshots of the home page and of a unit page, at desktop (1280 px) and phone
(390 px) widths, go to /tmp/ctxh-shots/ (not part of the project) for a person to look at.
"""

import re

import pytest

from ctxh.accounts.roles import Role
from ctxh.testing import TEST_PASSWORD, make_org, make_user
from ctxh.web.tests.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

@pytest.fixture
def commune_officer(transactional_db, small_geo):
    committee = make_org(small_geo.n1, "UBND phường Minh Xuân", code="UB-02200")
    make_org(small_geo.n2, "UBND xã Nông Tiến", code="UB-02210")  # another commune, outside the scope
    user = make_user("canbo.minhxuan", Role.ORG_OFFICER, units=[small_geo.n1], full_name="Hoàng Thu Trang")
    return user, committee


def test_an_organization_officer_signs_in_and_browses(
    browser_page, shots, live_server, small_geo, commune_officer
):
    from playwright.sync_api import expect

    user, committee = commune_officer
    page = browser_page
    # The site sends a visitor to the Vietnamese login page.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("#id_password").press("Enter")

    # Home page: greeting, role, scope.
    expect(page.get_by_role("heading", name="Xin chào, Hoàng Thu Trang")).to_be_visible()
    expect(page.locator("#scope-title")).to_be_visible()
    expect(page.get_by_role("link", name="Phường Minh Xuân").first).to_be_visible()
    page.screenshot(path=str(shots / "home-desktop.png"), full_page=True)

    # The organizations of the commune, then one organization's page.
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Tổ chức").click()
    expect(page.get_by_role("heading", name="Tổ chức", exact=True)).to_be_visible()
    expect(page.get_by_text("UBND xã Nông Tiến")).to_have_count(0)
    page.get_by_role("link", name="UBND phường Minh Xuân").first.click()
    expect(page).to_have_url(re.compile(rf"/to-chuc/{committee.pk}/"))
    expect(page.get_by_role("heading", name="UBND phường Minh Xuân", level=1)).to_be_visible()

    # Units as of 01/01/2024: the old communes merged into Minh Xuân.
    main_nav = page.get_by_role("navigation", name="Điều hướng chính")
    main_nav.get_by_role("link", name="Đơn vị hành chính").click()
    page.get_by_role("link", name="Ngày 01/01/2024 (trước sắp xếp)").click()
    results = page.locator("#unit-results")
    expect(results.get_by_role("heading", name=re.compile("ngày 01.01.2024"))).to_be_visible()
    expect(results.get_by_role("link", name="Xã Tràng Đà")).to_be_visible()
    page.screenshot(path=str(shots / "units-desktop.png"), full_page=True)

    # The search box filters as one types (HTMX), ignoring diacritics.
    page.fill("#id_q", "trang da")
    expect(results.get_by_role("link", name="Phường Phan Thiết")).to_have_count(0)
    expect(results.get_by_role("link", name="Xã Tràng Đà")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=trang(\+|%20)da"))

    results.get_by_role("link", name="Xã Tràng Đà").click()
    expect(page.get_by_role("heading", name="Xã Tràng Đà", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Phường Minh Xuân").first).to_be_visible()
    page.screenshot(path=str(shots / "unit-desktop.png"), full_page=True)

    # On a phone the navigation folds behind the menu button.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/don-vi-hanh-chinh/{small_geo.n1.pk}/")
    nav_units = page.locator("#ctxh-nav").get_by_role("link", name="Tổ chức")
    expect(nav_units).to_be_hidden()
    page.screenshot(path=str(shots / "unit-phone.png"), full_page=True)
    page.get_by_role("button", name="Mở, đóng menu").click()
    expect(nav_units).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Xin chào, Hoàng Thu Trang")).to_be_visible()
    page.screenshot(path=str(shots / "home-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/don-vi-hanh-chinh/?as_of=2024-01-01")
    expect(page.locator("#unit-results").get_by_role("link", name="Xã Tràng Đà")).to_be_visible()
    page.screenshot(path=str(shots / "units-phone.png"), full_page=True)
