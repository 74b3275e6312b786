"""The attendance entry of a session in a real headless Chromium (Debian's /usr/bin/chromium, via Playwright).

A trainer signs in, opens a session, adds three registered workers by typing part of their name without
diacritics and pressing Enter (one of them picked among namesakes with the arrow key), adds one external
person in one line, ticks "hoàn thành" for two people, and after a reload the page shows 4 participants
and 2 completed. A screenshot goes to /tmp/ctxh-shots/ (not part of the project) for a person to look at.
"""

import datetime as dt

import pytest

from ctxh.accounts.roles import Role
from ctxh.core.reference import Sex
from ctxh.orgs.models import OrgKind
from ctxh.testing import TEST_PASSWORD, make_org, make_user
from ctxh.training.models import Attendance
from ctxh.training.testing import make_course, make_session
from ctxh.workforce.testing import make_position, make_worker

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

@pytest.fixture
def session_and_trainer(transactional_db, small_geo):
    department = make_org(small_geo.n1, "Sở Y tế tỉnh Tuyên Quang", OrgKind.DEPARTMENT, code="SYT")
    minh_xuan = make_org(small_geo.n1, "UBND phường Minh Xuân", code="UB-MX")
    nong_tien = make_org(small_geo.n2, "UBND xã Nông Tiến", code="UB-NT")
    for name, sex, born, organization in [
        ("Trần Văn Bình", Sex.MALE, dt.date(1988, 3, 4), nong_tien),
        ("Lê Thị Thu Hằng", Sex.FEMALE, dt.date(1990, 6, 7), minh_xuan),
        ("Nguyễn Thị Hoa", Sex.FEMALE, dt.date(1985, 2, 1), minh_xuan),  # namesakes, told apart by
        ("Nguyễn Thị Hòa", Sex.FEMALE, dt.date(1992, 8, 9), nong_tien),  # organization and birth year
    ]:
        make_position(make_worker(name, sex, born), organization)
    course = make_course(department, "CASE_MANAGEMENT", title="Quản lý trường hợp với trẻ em")
    session = make_session(course, dt.date(2025, 9, 10), dt.date(2025, 9, 12), place="Hội trường Sở")
    trainer = make_user("giangvien.tinh", Role.TRAINER, units=[small_geo.new08], full_name="Phạm Thị Hương")
    return session, trainer


def test_a_trainer_enters_the_attendance_of_a_session(browser_page, shots, live_server, session_and_trainer):
    from playwright.sync_api import expect

    session, trainer = session_and_trainer
    page = browser_page
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", trainer.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.get_by_role("heading", name="Xin chào, Phạm Thị Hương")).to_be_visible()

    page.goto(f"{live_server.url}/dao-tao/lop/{session.pk}/")
    expect(page.get_by_role("heading", name="Quản lý trường hợp với trẻ em", level=1)).to_be_visible()
    name_field = page.locator("#worker-q")
    options = page.locator("#worker-options [role=option]")
    rows = page.locator("#attendance-rows tr[data-testid=attendance-row]")
    summary = page.get_by_test_id("attendance-summary")

    # A few letters without diacritics, the suggestion shows up, Enter adds it; the field is emptied.
    name_field.fill("van binh")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Trần Văn Bình")
    expect(options.first).to_contain_text("UBND xã Nông Tiến · sinh năm 1988")
    name_field.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Trần Văn Bình")
    expect(name_field).to_have_value("")
    expect(name_field).to_be_focused()

    # Typed quickly and Enter at once: the only worker matching the words is added.
    name_field.press_sequentially("thu hang")
    name_field.press("Enter")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Lê Thị Thu Hằng")

    # Two namesakes: the arrow key picks the second one (Nông Tiến, born 1992).
    name_field.fill("nguyen thi hoa")
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_contain_text("UBND xã Nông Tiến · sinh năm 1992")
    name_field.press("ArrowDown")
    name_field.press("Enter")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("Nguyễn Thị Hòa")
    expect(rows.nth(2)).to_contain_text("UBND xã Nông Tiến")

    # An external person, in one line; Enter in the last field adds them.
    page.fill("#ext-person-name", "Vàng A Páo")
    page.fill("#ext-organization", "Đồn Biên phòng Thanh Thủy")
    page.select_option("#ext-sex", "male")
    page.fill("#ext-position", "Cán bộ")
    page.locator("#ext-position").press("Enter")
    expect(rows).to_have_count(4)
    expect(rows.nth(3)).to_contain_text("Vàng A Páo")
    expect(rows.nth(3)).to_contain_text("Đồn Biên phòng Thanh Thủy")
    expect(page.locator("#ext-person-name")).to_have_value("")
    expect(summary).to_contain_text("4 người dự, 0 hoàn thành")

    # "Hoàn thành" for two people, saved as soon as it is ticked.
    page.get_by_label("Hoàn thành: Trần Văn Bình").check()
    expect(summary).to_contain_text("4 người dự, 1 hoàn thành")
    page.get_by_label("Hoàn thành: Vàng A Páo").check()
    expect(summary).to_contain_text("4 người dự, 2 hoàn thành")
    page.screenshot(path=str(shots / "session-attendance-desktop.png"), full_page=True)

    page.reload()
    expect(summary).to_contain_text("4 người dự, 2 hoàn thành")
    expect(rows).to_have_count(4)
    expect(page.locator("#attendance-rows input[type=checkbox]:checked")).to_have_count(2)
    expect(page.get_by_label("Hoàn thành: Vàng A Páo")).to_be_checked()

    assert Attendance.objects.filter(session=session).count() == 4
    assert Attendance.objects.filter(session=session, completed=True).count() == 2
