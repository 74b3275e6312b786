"""Cases in a real headless Chromium (Debian's /usr/bin/chromium, via Playwright).

1. On a phone (390 x 844, touch), an organization officer registers a new person and opens a case: the form
   fits the screen, the date of birth is typed day/month/year, a double tap on "Tiếp nhận" opens one case,
   and the case page shows its number and the stage "Tiếp nhận".
2. An officer of organization A sends a case to organization B (sharing the person's data needs a recorded
   consent first); an officer of B accepts it from the referral inbox, and then sees the case page with the
   referral "Đã tiếp nhận".
Screenshots go to /tmp/ctxh-shots/ (not part of the project) for a person to look at.
"""

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from ctxh.accounts.roles import Role
from ctxh.cases.models import Case, Person, Referral, ReferralStatus, Stage
from ctxh.cases.testing import at, make_case, make_person
from ctxh.testing import TEST_PASSWORD, make_org, make_user
from ctxh.web.tests.conftest import PHONE
from ctxh.workforce.testing import make_position, make_worker

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

@pytest.fixture
def two_organizations(transactional_db, small_geo):
    minh_xuan = make_org(small_geo.n1, "UBND phường Minh Xuân", code="UB-MX")
    nong_tien = make_org(small_geo.n2, "UBND xã Nông Tiến", code="UB-NT")
    worker = make_worker("Lê Thị Minh")
    make_position(worker, minh_xuan, start=dt.date(2020, 1, 1))
    child = make_person("Nguyễn Thị Hoà", date_of_birth=dt.date(2015, 3, 9), unit=small_geo.n1)
    return SimpleNamespace(
        minh_xuan=minh_xuan, nong_tien=nong_tien,
        officer_a=make_user("canbo.minhxuan", Role.ORG_OFFICER, organizations=[minh_xuan],
                            full_name="Hoàng Thu Trang"),
        officer_b=make_user("canbo.nongtien", Role.ORG_OFFICER, organizations=[nong_tien],
                            full_name="Đặng Văn Sơn"),
        case=make_case(child, minh_xuan, worker, opened_at=at(2025, 8, 1), intake_summary="Bị bỏ rơi"),
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


def test_intake_of_a_new_person_on_a_phone(phone_page, shots, live_server, two_organizations):
    from playwright.sync_api import expect

    page = phone_page
    _sign_in(page, live_server.url, two_organizations.officer_a)
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/")
    expect(page.get_by_role("heading", name="Tiếp nhận trường hợp", level=1)).to_be_visible()
    _no_horizontal_scroll(page)

    form = page.get_by_test_id("intake-form")
    form.get_by_label("Họ và tên").fill("Lò Văn Páo")
    form.get_by_label("Giới tính").select_option(label="Nam")
    # Typed as a person in Vietnam reads it: day, month, year.
    birth = form.get_by_label("Ngày sinh", exact=True)
    expect(birth).to_have_attribute("placeholder", "dd/mm/yyyy")
    birth.fill("02/04/2016")
    form.get_by_label("Nơi cư trú (xã, phường)").select_option(label="Phường Minh Xuân")
    expect(form.get_by_label("Tổ chức tiếp nhận")).to_have_value(str(two_organizations.minh_xuan.pk))
    form.get_by_label("Mức độ nguy cơ ban đầu").select_option(label="Cao")
    form.get_by_label("Lý do tiếp nhận, tóm tắt hoàn cảnh").fill("Mồ côi cả cha và mẹ, ở với bà ngoại")
    _no_horizontal_scroll(page)

    submit = form.get_by_role("button", name="Tiếp nhận")
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_in_viewport()
    expect(submit).to_be_enabled()
    box = submit.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 44  # big enough for a thumb
    page.screenshot(path=str(shots / "case-intake-phone.png"), full_page=True)

    submit.dblclick()  # two quick taps
    expect(page).to_have_url(re.compile(r"/ho-so/\d+/$"))
    case = Case.objects.get(person__full_name="Lò Văn Páo")
    expect(page.get_by_role("heading", name=f"Hồ sơ {case.number}", level=1)).to_be_visible()
    expect(page.get_by_test_id("stage")).to_have_text("Tiếp nhận")
    expect(page.get_by_text(f"Đã tiếp nhận hồ sơ {case.number}.")).to_be_visible()
    expect(page.get_by_test_id("person-summary")).to_contain_text("02/04/2016")
    _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "case-detail-phone.png"), full_page=True)

    assert Case.objects.filter(person__full_name="Lò Văn Páo").count() == 1
    assert Person.objects.filter(full_name="Lò Văn Páo").count() == 1
    assert case.stage == Stage.INTAKE and case.organization == two_organizations.minh_xuan
    assert case.risk_level == "high" and case.person.date_of_birth == dt.date(2016, 4, 2)
    assert case.person.addresses.get().unit.name == "Phường Minh Xuân"


def test_a_referral_is_accepted_by_the_receiving_organization(browser_page, shots, live_server,
                                                             two_organizations):
    from playwright.sync_api import expect

    world = two_organizations
    case_url = f"{live_server.url}/ho-so/{world.case.pk}/"
    page = browser_page
    _sign_in(page, live_server.url, world.officer_a)
    page.goto(case_url)
    expect(page.get_by_role("heading", name=f"Hồ sơ {world.case.number}", level=1)).to_be_visible()
    referrals = page.get_by_test_id("referrals")
    expect(referrals).to_contain_text("Chưa có.")

    # Sharing the child's data without a recorded consent is refused, with the reason.
    referral_form = page.locator("form#referral")
    referral_form.get_by_label("Chuyển đến tổ chức").select_option(label="UBND xã Nông Tiến")
    referral_form.get_by_label("Lý do chuyển").fill("Cần chăm sóc thay thế tại xã nơi bà ngoại sống")
    referral_form.get_by_label("Chia sẻ thông tin của đối tượng").check()
    referral_form.get_by_role("button", name="Gửi chuyển tuyến").click()
    expect(page.get_by_text(re.compile("Chưa lưu được:.*sự đồng ý"))).to_be_visible()
    assert not Referral.objects.filter(case=world.case).exists()

    # The consent of the child (11 years old) and of her legal representative.
    consent_form = page.locator("form#consent")
    consent_form.get_by_label("Đối tượng tự đồng ý").check()
    consent_form.get_by_label("Người đại diện hợp pháp").fill("Lò Thị Mai")
    consent_form.get_by_label("Quan hệ với đối tượng").fill("Bà ngoại")
    consent_form.get_by_label("Đồng ý chia sẻ thông tin với tổ chức khác").check()
    consent_form.get_by_role("button", name="Lưu sự đồng ý").click()
    expect(page.get_by_text("Đã ghi nhận sự đồng ý.")).to_be_visible()

    referral_form = page.locator("form#referral")
    referral_form.get_by_label("Chuyển đến tổ chức").select_option(label="UBND xã Nông Tiến")
    referral_form.get_by_label("Lý do chuyển").fill("Cần chăm sóc thay thế tại xã nơi bà ngoại sống")
    referral_form.get_by_label("Chia sẻ thông tin của đối tượng").check()
    referral_form.get_by_role("button", name="Gửi chuyển tuyến").click()
    expect(page.get_by_text("Đã gửi chuyển tuyến đến UBND xã Nông Tiến.")).to_be_visible()
    expect(referrals).to_contain_text("UBND phường Minh Xuân → UBND xã Nông Tiến: Đã gửi")

    page.locator("#ctxh-user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    # Organization B: the case is not theirs yet; the inbox offers to accept it.
    _sign_in(page, live_server.url, world.officer_b)
    response = page.goto(case_url)
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/ho-so/chuyen-tuyen/")
    incoming = page.get_by_test_id("incoming")
    item = incoming.get_by_role("listitem").filter(has_text=world.case.number)
    expect(item).to_contain_text("Nguyễn Thị Hoà")
    expect(item).to_contain_text("từ UBND phường Minh Xuân → UBND xã Nông Tiến")
    expect(item).to_contain_text("Cần chăm sóc thay thế tại xã nơi bà ngoại sống")
    expect(item).to_contain_text("Đã gửi")
    page.screenshot(path=str(shots / "referral-inbox-desktop.png"), full_page=True)
    item.get_by_role("button", name="Tiếp nhận").click()
    item = page.get_by_test_id("incoming").get_by_role("listitem").filter(has_text=world.case.number)
    expect(item).to_contain_text("Đã tiếp nhận")
    expect(item.get_by_role("button", name="Tiếp nhận")).to_have_count(0)

    # Now organization B sees the case, with the referral accepted.
    page.goto(case_url)
    expect(page.get_by_role("heading", name=f"Hồ sơ {world.case.number}", level=1)).to_be_visible()
    expect(page.get_by_test_id("referrals")).to_contain_text(
        "UBND phường Minh Xuân → UBND xã Nông Tiến: Đã tiếp nhận")
    page.screenshot(path=str(shots / "referral-accepted-desktop.png"), full_page=True)

    referral = Referral.objects.get(case=world.case)
    assert referral.status == ReferralStatus.ACCEPTED and referral.to_org == world.nong_tien
