"""Aggregate reporting in a real headless Chromium (Debian's /usr/bin/chromium, via Playwright).

A commune officer of Minh Xuân (n1) opens the six-monthly report 2025S1 of the old Phan Thiết ward merged
into it, enters numbers, sees the refused rule (more children than people) next to the row, fixes it, saves,
and completes the report; then the same page on a phone does not scroll sideways. The clock is set to
15/07/2025 (the period is open until 30/07/2025); it keeps ticking, so the browser's timers work.
Screenshots go to /tmp/ctxh-shots/ for a person to look at.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ctxh.indicators.aggregate.testing import build_aggregate_world
from ctxh.indicators.models import CompleteDataSetRegistration, DataValue
from ctxh.testing import TEST_PASSWORD
from ctxh.web.tests.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

@pytest.fixture
def world(transactional_db, small_geo):
    return build_aggregate_world(small_geo)


def _sign_in(page, url: str, user) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.get_by_role("heading", name=f"Xin chào, {user.full_name}")).to_be_visible()


def cell(page, key: str):
    return page.locator(f'[name="v:{key}"]')


def test_an_officer_enters_fixes_a_refused_rule_saves_and_completes(browser_page, shots, live_server, world):
    from playwright.sync_api import expect

    page = browser_page
    with time_machine.travel(dt.datetime(2025, 7, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=True):
        _sign_in(page, live_server.url, world.officer_n1)
        page.get_by_role("link", name="Báo cáo số liệu").first.click()
        expect(page.get_by_role("heading", name="Báo cáo số liệu", level=1)).to_be_visible()
        expect(page.get_by_label("Kỳ báo cáo")).to_have_value("2025S1")  # the period just ended
        page.wait_for_load_state("load")  # HTMX listens to the search box once its script has run
        page.get_by_label("Tìm xã, phường").fill("phan thiet")  # without diacritics, HTMX filters the list
        expect(page.get_by_test_id("unit-table").locator("tbody tr")).to_have_count(1)
        page.get_by_role("link", name="Phường Phan Thiết (đến 30/06/2025)").click()
        expect(page.get_by_test_id("entry-status")).to_contain_text(
            "Hạn nhập số liệu 6 tháng đầu năm 2025: hết ngày 30/07/2025.")

        cell(page, "COUNSELLED_PEOPLE.MALE").fill("5")
        cell(page, "COUNSELLED_PEOPLE.FEMALE").fill("5")
        cell(page, "COUNSELLED_CHILDREN.MALE").fill("8")
        cell(page, "COUNSELLED_CHILDREN.FEMALE").fill("4")
        cell(page, "FACILITIES_TOTAL.default").fill("1.234")
        page.get_by_test_id("save").click()

        expect(page.get_by_test_id("refused")).to_contain_text("Chưa lưu gì.")
        cell_error = page.locator('[data-element="FACILITIES_TOTAL"]').get_by_test_id("cell-error")
        expect(cell_error).to_have_text("“1.234” có dấu phân cách hàng nghìn; hãy nhập chữ số liền nhau, "
                                        "ví dụ "
                                        "1234.")
        expect(cell(page, "COUNSELLED_CHILDREN.MALE")).to_have_value("8")  # what was typed stays
        page.screenshot(path=str(shots / "aggregate-refused-number.png"), full_page=True)
        assert not DataValue.objects.exists()

        cell(page, "FACILITIES_TOTAL.default").fill("1234")
        page.get_by_test_id("save").click()
        row_error = page.locator('[data-element="COUNSELLED_CHILDREN"]').get_by_test_id("row-error")
        expect(row_error).to_contain_text("Số trẻ em được tư vấn, hỗ trợ không được lớn hơn tổng số người")
        expect(row_error).to_contain_text("Trong đó: trẻ em dưới 16 tuổi = 12; Số người có hoàn cảnh khó "
                                          "khăn "
                                          "được tư vấn, hỗ trợ = 10.")
        page.screenshot(path=str(shots / "aggregate-refused-rule.png"), full_page=True)
        assert not DataValue.objects.exists()

        cell(page, "COUNSELLED_CHILDREN.MALE").fill("4")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("saved")).to_contain_text("Đã lưu: 5 ô nhập mới, 0 ô sửa, 0 ô xóa.")
        expect(page.get_by_test_id("row-error")).to_have_count(0)
        assert DataValue.objects.count() == 5

        page.get_by_test_id("complete").click()
        expect(page.get_by_test_id("completed")).to_contain_text(
            "Báo cáo đã hoàn thành ngày 15/07/2025 (Hoàng Thu Trang).")
        page.screenshot(path=str(shots / "aggregate-completed.png"), full_page=True)
        registration = CompleteDataSetRegistration.objects.get()
        assert (registration.unit, registration.period_code) == (world.geo.x1, "2025S1")

        # The same form on a phone: the table scrolls inside its card, the page does not scroll sideways.
        page.set_viewport_size(PHONE)
        page.reload()
        expect(page.get_by_test_id("completed")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"
        page.screenshot(path=str(shots / "aggregate-phone.png"), full_page=True)
