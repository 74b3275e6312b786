"""People and emergencies on a phone, in a real headless Chromium (Debian's /usr/bin/chromium, Playwright).

1. A social worker on a phone (390 x 844, touch) opens the case of a child at serious risk taken in two hours
   ago, sees the 12-hour deadline counting down, records the emergency measures typed day/month/year and
   hour:minute (a double tap records them once), and the case page shows the deadline met.
2. An officer on a phone compares two records of the same child side by side (stacked on a narrow screen),
   keeps one and confirms: the other is marked merged and its case now belongs to the kept record.
Screenshots go to /tmp/ctxh-shots/ (not part of the project) for a person to look at.
"""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone

from ctxh.accounts.roles import Role
from ctxh.cases.models import Case, EmergencyMeasure, Person
from ctxh.cases.testing import make_case, make_person
from ctxh.testing import REORG_DAY, TEST_PASSWORD, make_org, make_user
from ctxh.web.tests.conftest import PHONE
from ctxh.workforce.testing import make_position, make_worker

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

@pytest.fixture
def at_risk(transactional_db, small_geo):
    org = make_org(small_geo.n1, "UBND phường Minh Xuân", code="UB-MX")
    worker = make_worker("Lê Thị Minh")
    make_position(worker, org, start=dt.date(2020, 1, 1))
    social_worker = make_user("ctxh.minh", Role.SOCIAL_WORKER, organizations=[org], full_name="Lê Thị Minh")
    worker.user = social_worker
    worker.save()
    child = make_person("Nguyễn Thị Hoà", date_of_birth=dt.date(2015, 3, 9), unit=small_geo.n1,
                        unit_from=REORG_DAY)
    twin = make_person("Nguyen Thi Hoa", date_of_birth=dt.date(2015, 3, 9), unit=small_geo.n1,
                       unit_from=REORG_DAY)
    opened = timezone.now() - dt.timedelta(hours=2)
    return SimpleNamespace(
        org=org, worker=worker, social_worker=social_worker, child=child, twin=twin,
        officer=make_user("canbo.minhxuan", Role.ORG_OFFICER, units=[small_geo.n1],
                          full_name="Hoàng Thu Trang"),
        case=make_case(child, org, worker, opened_at=opened, risk_level="serious",
                       intake_summary="Bị bạo hành, cần đưa ra khỏi gia đình ngay"),
        twin_case=make_case(twin, org, opened_at=opened - dt.timedelta(days=30)),
    )


def _sign_in(page, url: str, user) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.get_by_role("heading", name=f"Xin chào, {user.full_name}")).to_be_visible()


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"


def test_emergency_measures_within_12_hours_on_a_phone(phone_page, shots, live_server, at_risk):
    from playwright.sync_api import expect

    page = phone_page
    _sign_in(page, live_server.url, at_risk.social_worker)
    page.goto(f"{live_server.url}/ho-so/{at_risk.case.pk}/")
    expect(page.get_by_test_id("deadline-emergency")).to_contain_text("hạn")
    page.get_by_test_id("emergency-link").click()
    expect(page.get_by_role("heading", name="Biện pháp khẩn cấp", level=1)).to_be_visible()
    expect(page.get_by_test_id("emergency-deadline")).to_contain_text("còn 9 giờ")
    _no_horizontal_scroll(page)

    taken = timezone.localtime(at_risk.case.opened_at + dt.timedelta(minutes=90))
    form = page.get_by_test_id("emergency-form")
    day = form.get_by_label("Ngày áp dụng")
    expect(day).to_have_attribute("placeholder", "dd/mm/yyyy")
    day.fill(taken.strftime("%d/%m/%Y"))
    form.get_by_label("Giờ áp dụng (giờ:phút)").fill(taken.strftime("%H:%M"))
    form.get_by_label("Biện pháp đã áp dụng").fill("Đưa trẻ đến nhà tạm lánh của phường, khám sức khỏe")
    submit = form.get_by_role("button", name="Lưu biện pháp khẩn cấp")
    submit.scroll_into_view_if_needed()
    box = submit.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 38  # big enough for a thumb
    _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "emergency-phone.png"), full_page=True)

    submit.dblclick()  # two quick taps
    expect(page).to_have_url(re.compile(rf"/ho-so/{at_risk.case.pk}/(#emergency)?$"))
    expect(page.get_by_text("Đã ghi biện pháp khẩn cấp.")).to_be_visible()
    expect(page.get_by_test_id("deadline-emergency")).to_contain_text("đã thực hiện")
    expect(page.get_by_test_id("measures")).to_contain_text("Đưa trẻ đến nhà tạm lánh của phường")
    _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "emergency-recorded-phone.png"), full_page=True)

    assert EmergencyMeasure.objects.filter(case=at_risk.case).count() == 1
    case = Case.objects.get(pk=at_risk.case.pk)
    assert timezone.localtime(case.emergency_measures_at).strftime("%d/%m/%Y %H:%M") == \
        taken.strftime("%d/%m/%Y %H:%M")


def test_merge_confirmation_side_by_side_on_a_phone(phone_page, shots, live_server, at_risk):
    from playwright.sync_api import expect

    page = phone_page
    _sign_in(page, live_server.url, at_risk.officer)
    page.goto(f"{live_server.url}/ho-so/doi-tuong/{at_risk.child.pk}/")
    duplicates = page.get_by_test_id("duplicates")
    expect(duplicates).to_contain_text("Nguyen Thi Hoa")
    duplicates.get_by_role("link", name="So sánh và gộp").click()
    expect(page.get_by_role("heading", name="Gộp hai hồ sơ của cùng một người", level=1)).to_be_visible()
    first, second = page.get_by_test_id("side-1"), page.get_by_test_id("side-2")
    expect(first).to_contain_text("Nguyễn Thị Hoà")
    expect(second).to_contain_text("Nguyen Thi Hoa")
    expect(second.get_by_test_id("totals-2")).to_contain_text("1 hồ sơ trường hợp")
    one, two = first.bounding_box(), second.bounding_box()
    assert one is not None and two is not None and two["y"] >= one["y"] + one["height"] - 1  # stacked
    _no_horizontal_scroll(page)

    expect(page.get_by_label("Giữ lại: Nguyễn Thị Hoà")).to_be_checked()
    page.get_by_label(re.compile("Tôi đã đối chiếu hai hồ sơ")).check()
    page.screenshot(path=str(shots / "merge-phone.png"), full_page=True)
    page.get_by_role("button", name="Gộp hồ sơ").click()
    expect(page.get_by_text("Đã gộp hai hồ sơ")).to_be_visible()
    expect(page.get_by_role("heading", name="Nguyễn Thị Hoà", level=1)).to_be_visible()
    expect(page.get_by_test_id("cases")).to_contain_text(at_risk.twin_case.number)

    assert Person.objects.get(pk=at_risk.twin.pk).merged_into_id == at_risk.child.pk
    assert Case.objects.get(pk=at_risk.twin_case.pk).person_id == at_risk.child.pk
