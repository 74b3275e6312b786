"""The dashboard (`/bang-dieu-khien/`): values, statuses and colours against Plan 154's targets, the two
geographies, estimates, scope, the XLSX export and a fixed number of queries. Facts are written directly
(ctxh/indicators/dashboard_testing.py); today is 15/09/2026.

The province (today's Tuyên Quang, `new08`):
| year | STAFFING | TRAINING | COUNSELLED | CHILDREN |
| 2020 |          |          | 1,000      |          |
| 2021 | 40 %     | 300      | 1,050      |          |
| 2022 | 46 %     | 400      | 1,100      |          |
| 2023 | 52 %     | 500      | 1,150      | 70 %     |
| 2024 | 55 % ≈   | 500      | 1,180      | 76 %     |
| 2025 | 62 %     | 400      | 1,250      | 85 %     |
| 2026 | 65 %     | 600      | 700        | 92 %     |
"""

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ctxh.accounts.roles import Role
from ctxh.indicators.dashboard_testing import fact, facts, plan154, qd112
from ctxh.testing import make_unit, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 9, 15, 9, 0, tzinfo=dt.UTC)
URL = "/bang-dieu-khien/"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def board_world(small_geo):
    g = small_geo
    programme = plan154()
    qd112()
    facts("STAFFING", g.new08, {"2021": 0.40, "2022": 0.46, "2023": 0.52, "2025": 0.62, "2026": 0.65},
          denominator=100)
    fact("STAFFING", g.new08, "2024", 0.55, numerator=55, denominator=100, is_estimate=True)
    fact("STAFFING", g.new08, "2025", 0.62, numerator=62, denominator=100)
    facts("TRAINING", g.new08, {"2021": 300, "2022": 400, "2023": 500, "2024": 500, "2025": 400, "2026": 600})
    facts("COUNSELLED", g.new08, {"2020": 1000, "2021": 1050, "2022": 1100, "2023": 1150, "2024": 1180,
                                  "2025": 1250, "2026": 700})
    for year, value in {"2023": 0.70, "2024": 0.76, "2025": 0.85, "2026": 0.92}.items():
        fact("CHILDREN", g.new08, year, value, numerator=round(value * 100), denominator=100)
    # Today's communes in 2024 (restated through the old units)
    fact("STAFFING", g.n1, "2023", 0.50, numerator=1, denominator=2)
    fact("STAFFING", g.n1, "2024", 0.60, numerator=3, denominator=5)
    fact("STAFFING", g.n2, "2024", 0.50, numerator=1, denominator=2, is_estimate=True)
    fact("CHILDREN", g.n2, "2024", 0.85, numerator=17, denominator=20)
    facts("COUNSELLED", g.n1, {"2020": 100, "2021": 105, "2022": 110, "2023": 115, "2024": 120})
    fact("TRAINING", g.n1, "2024", 40)
    # The old units, as they were in 2024
    fact("STAFFING", g.x1, "2024", 0.25, numerator=1, denominator=4)
    facts("TRAINING", g.old08, {"2021": 250, "2022": 350, "2023": 450, "2024": 450})
    g.programme = programme
    g.leader = make_user("lanhdao", Role.LEADER, units=[g.new08], full_name="Lãnh đạo tỉnh")
    g.officer = make_user("canboxa", Role.ORG_OFFICER, units=[g.n1], full_name="Cán bộ xã")
    return g


def open_board(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:500]
    return response


def cards(response) -> dict:
    return {card.code: card for card in response.context["board"].cards}


def rows(response) -> dict:
    return {row.unit.code + ("*" if row.unit.valid_to else ""): row for row in response.context["board"].rows}


def test_a_leader_gets_plan_154_for_the_province_in_the_latest_year_with_data(client, board_world):
    response = open_board(client, board_world.leader)
    board = response.context["board"]
    assert board.programme.code == "PLAN154_TQ"  # the programme of the user's province
    assert board.unit == board_world.new08
    assert board.period.code == "2026"
    assert list(cards(response)) == ["STAFFING", "TRAINING", "COUNSELLED", "CHILDREN"]
    found = cards(response)
    # Phase 2 (deadline 2030), one point each: the projection is the point itself.
    staffing = found["STAFFING"].evaluation
    assert (staffing.status, staffing.projected) == ("off_track", 0.65)
    assert found["TRAINING"].headline == "600" and found["TRAINING"].evaluation.status == "off_track"
    assert found["COUNSELLED"].evaluation.expected == pytest.approx(1625)  # 2025's 1,250 x 1.3
    assert found["CHILDREN"].evaluation.status == "at_risk"  # 92 % of 100 %
    html = response.content.decode()
    assert "Bảng điều khiển: Tỉnh Tuyên Quang" in html
    assert "65,0\u00a0%" in html and "Mức cần đạt: <strong>1.625</strong>" in html
    assert "Có nguy cơ chậm" in html and "Chậm tiến độ" in html


def test_the_deadline_year_shows_achieved_and_not_achieved(client, board_world):
    response = open_board(client, board_world.leader, period="2025")
    found = cards(response)
    assert {code: card.evaluation.status for code, card in found.items()} == {
        "STAFFING": "achieved", "TRAINING": "achieved", "COUNSELLED": "achieved", "CHILDREN": "not_achieved"}
    assert found["TRAINING"].evaluation.current == 2100  # 300 + 400 + 500 + 500 + 400 > 2,000
    assert found["TRAINING"].headline == "2.100"
    assert found["TRAINING"].cumulative_label == "Lũy kế từ năm 2021"
    assert found["STAFFING"].fraction == "62/100"
    html = response.content.decode()
    assert 'data-status="achieved"' in html and "✔" in html and "Đã đạt" in html
    assert 'data-status="not_achieved"' in html and "Không đạt" in html
    assert "text-bg-success" in html and "text-bg-danger" in html


def test_a_year_inside_the_phase_shows_the_projection(client, board_world):
    response = open_board(client, board_world.leader, period="2024")
    found = cards(response)
    # STAFFING 40, 46, 52, 55 %: x̄ 2022.5, ȳ 48.25 %, slope 0.255 / 5 = 5.1 points; 2025: 48.25 + 12.75 = 61 %
    assert found["STAFFING"].evaluation.projected == pytest.approx(0.61)
    assert found["STAFFING"].evaluation.status == "on_track"
    # TRAINING cumulative 300, 700, 1,200, 1,700: slope 2,350 / 5 = 470; 2025: 975 + 1,175 = 2,150 > 2,000
    assert found["TRAINING"].evaluation.projected == pytest.approx(2150)
    assert found["TRAINING"].evaluation.status == "on_track"
    # COUNSELLED 1,050 .. 1,180: slope 220 / 5 = 44; 2025: 1,120 + 110 = 1,230 >= 1,200
    assert found["COUNSELLED"].evaluation.projected == pytest.approx(1230)
    # CHILDREN 70 %, 76 %: 2025: 82 %, 91 % of 90 %
    assert found["CHILDREN"].evaluation.projected == pytest.approx(0.82)
    assert found["CHILDREN"].evaluation.status == "at_risk"
    html = response.content.decode()
    assert "Dự báo năm 2025: <strong>61,0\u00a0%</strong>" in html
    assert "Đúng tiến độ" in html


def test_the_estimate_is_marked(client, board_world):
    response = open_board(client, board_world.leader, period="2024")
    assert cards(response)["STAFFING"].is_estimate is True
    assert cards(response)["CHILDREN"].is_estimate is False
    html = response.content.decode()
    assert 'data-testid="card-estimate"' in html and "Ước tính" in html
    n2 = rows(response)["02210"]
    assert n2.cells[0].is_estimate is True
    marker = '<span class="ctxh-estimate" title="Số liệu ước tính">≈</span>'
    assert f"{n2.cells[0].display}</span>{marker}" in html


def test_the_communes_table_today_with_values_statuses_and_colours(client, board_world):
    response = open_board(client, board_world.leader, period="2024")
    table = rows(response)
    assert set(table) == {"02200", "02210"}  # today's communes, restating 2024
    n1 = {cell.code: cell for cell in table["02200"].cells}
    n2 = {cell.code: cell for cell in table["02210"].cells}
    assert (n1["STAFFING"].display, n1["STAFFING"].fraction) == ("60,0\u00a0%", "3/5")
    assert n1["STAFFING"].evaluation.status == "on_track"  # 50 %, 60 %: 2025 at 70 %
    assert n2["STAFFING"].evaluation.status == "off_track"  # 50 % alone: 83 % of the target
    assert n1["CHILDREN"].display == "Chưa có số liệu" and n1["CHILDREN"].evaluation.status == "no_data"
    assert n2["CHILDREN"].evaluation.status == "at_risk"  # 85 % of 90 %: 94 %
    assert n1["COUNSELLED"].evaluation.status == "on_track"  # 105 .. 120: 125 in 2025 >= 100 x 1.2
    assert n2["COUNSELLED"].display == "0"  # a missing count is 0...
    assert n2["COUNSELLED"].evaluation.status == "no_data"  # ... and without a base year, no target to reach
    assert n1["TRAINING"].display == "40" and n1["TRAINING"].evaluation.status == "no_target"  # province only
    html = response.content.decode()
    assert 'class="text-end table-primary" data-sort="0.6" data-status="on_track"' in html
    assert 'class="text-end table-danger" data-sort="0.5" data-status="off_track"' in html
    assert 'class="text-end table-warning" data-sort="0.85" data-status="at_risk"' in html
    assert 'table-secondary" data-sort="" data-status="no_data"' in html
    # The legend counts the cells: n1 and n2 x 4 indicators
    legend = response.context["statuses"]
    assert {status: count for status, _label, _colour, _symbol, count in legend} == {
        "achieved": 0, "on_track": 2, "at_risk": 1, "off_track": 1, "not_achieved": 0, "no_data": 2,
        "no_target": 2}
    assert '<span aria-hidden="true">▲</span> Đúng tiến độ: 2</span>' in html


def test_the_historical_geography_shows_the_old_units_for_2024(client, board_world):
    response = open_board(client, board_world.leader, period="2024", geography="historical")
    table = rows(response)
    # The old provinces merged into today's Tuyên Quang, their districts and communes, as on 31/12/2024
    assert set(table) == {"08*", "02*", "070*", "024*", "02200*", "02203*", "02206*", "00700*"}
    assert [row.unit.level for row in response.context["board"].rows] == [1, 1, 2, 2, 3, 3, 3, 3]
    x1 = {cell.code: cell for cell in table["02200*"].cells}
    assert (x1["STAFFING"].display, x1["STAFFING"].fraction) == ("25,0\u00a0%", "1/4")
    old08 = {cell.code: cell for cell in table["08*"].cells}
    # The old province carries the programme's code: TRAINING's target applies. Cumulative 250, 600, 1,050,
    # 1,500: slope 2,100 / 5 = 420; 2025: 850 + 1,050 = 1,900: 95 % of 2,000
    assert old08["TRAINING"].evaluation.status == "at_risk"
    assert not any(row.partly for row in table.values())  # Xã Tràng Đà went wholly into the province
    old02 = {cell.code: cell for cell in table["02*"].cells}
    assert old02["TRAINING"].evaluation.status == "no_target"
    html = response.content.decode()
    assert "Phường Phan Thiết" in html and "Thành phố Hà Giang" in html
    assert "Các đơn vị trực thuộc (địa giới ngày 31/12/2024)" in html
    # The cards are still the province's (restated): the geography only changes the table
    assert cards(response)["STAFFING"].value == 0.55


def test_the_current_geography_shows_the_new_communes_for_2024(client, board_world):
    html = open_board(client, board_world.leader, period="2024", geography="current").content.decode()
    table = html[html.index('data-testid="unit-table"'):]
    assert "Xã Nông Tiến" in table and "Phường Phan Thiết" not in table
    assert "Các đơn vị trực thuộc (địa giới hiện nay)" in html


def test_a_commune_row_links_to_the_communes_dashboard_and_the_detail_page(client, board_world):
    response = open_board(client, board_world.leader, period="2024")
    n1 = rows(response)["02200"]
    assert n1.url.startswith(URL) and f"unit={board_world.n1.pk}" in n1.url and "period=2024" in n1.url
    commune = client.get(n1.url)
    assert commune.context["board"].unit == board_world.n1
    assert cards(commune)["STAFFING"].value == 0.60
    detail = cards(commune)["STAFFING"].detail_url
    assert detail == f"/chi-so/STAFFING/?unit={board_world.n1.pk}&period=2024"
    assert f'href="{URL}?' in commune.content.decode()  # the way back up (the province)


def test_a_commune_officer_sees_only_their_commune(client, board_world):
    response = open_board(client, board_world.officer, period="2024")
    assert response.context["board"].unit == board_world.n1
    assert response.context["board"].rows == []  # no subdivision today
    historical = open_board(client, board_world.officer, period="2024", geography="historical")
    table = rows(historical)
    assert set(table) == {"02200*", "02203*", "02206*"}  # the old wards and commune merged into it
    assert table["02206*"].partly is True and table["02200*"].partly is False
    assert "chỉ một phần đã nhập vào đơn vị đang xem" in historical.content.decode()
    for unit in (board_world.new08, board_world.n2, board_world.y1):
        assert client.get(URL, {"unit": unit.pk}).status_code == 404
    assert client.get(URL, {"unit": "abc"}).status_code == 404
    assert client.get(reverse("web:dashboard_export"), {"unit": board_world.new08.pk}).status_code == 404


def test_a_leader_sees_the_province_and_any_unit_in_it(client, board_world):
    client.force_login(board_world.leader)
    assert client.get(URL, {"unit": board_world.n2.pk}).status_code == 200
    assert client.get(URL, {"unit": board_world.x1.pk, "geography": "historical"}).status_code == 200
    outside = make_unit("99", "Tỉnh khác", "province")
    assert client.get(URL, {"unit": outside.pk}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, board_world):
    response = client.get(URL)
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_the_other_programme_and_the_default_by_province(client, board_world):
    from ctxh.indicators.models import Programme

    Programme.objects.filter(code="QD112").update(sort_order=0)  # first in the list, yet not the default
    assert open_board(client, board_world.leader).context["board"].programme.code == "PLAN154_TQ"
    response = open_board(client, board_world.leader, programme="QD112", period="2025")
    assert list(cards(response)) == ["STAFFING", "COUNSELLED", "CHILDREN", "SERVICE_FACILITIES"]
    assert cards(response)["STAFFING"].evaluation.status == "achieved"  # 62 % >= 60 %
    assert cards(response)["CHILDREN"].evaluation.status == "achieved"  # 85 % >= 85 % (Plan 154: 90 %)
    assert cards(response)["SERVICE_FACILITIES"].evaluation.status == "no_data"
    assert cards(response)["SERVICE_FACILITIES"].detail_url == ""  # no records page for it
    assert client.get(URL, {"programme": "NOPE"}).status_code == 404


def test_a_bad_period_falls_back_to_the_default_with_a_message(client, board_world):
    response = open_board(client, board_world.leader, period="2019")
    assert response.context["board"].period.code == "2026"
    assert "từ năm 2020 đến nay" in response.content.decode()
    response = open_board(client, board_world.leader, period="abc")
    assert "Mã kỳ “ABC” không hợp lệ" in response.content.decode()


def test_a_half_year_and_the_trend_by_half_year(client, board_world):
    fact("STAFFING", board_world.new08, "2026S1", 0.63, numerator=63, denominator=100)
    response = open_board(client, board_world.leader, period="2026S1", halves="1")
    board = response.context["board"]
    assert cards(response)["STAFFING"].value == 0.63
    assert cards(response)["STAFFING"].evaluation.projected == pytest.approx(0.63)  # the half stands for 2026
    assert [p.code for p in board.trend_periods][:2] == ["2020S1", "2020S2"]
    assert [p.code for p in board.trend_periods][-2:] == ["2026S1", "2026S2"]  # both have begun
    chart = cards(response)["STAFFING"].chart
    assert chart["labels"][-2] == "6 tháng đầu năm 2026"
    assert chart["values"][-2:] == [63.0, None] and chart["target"][-2:] == [90.0, 90.0]


def test_the_chart_data_has_the_values_the_cumulative_and_the_target(client, board_world):
    response = open_board(client, board_world.leader, period="2024")
    training = cards(response)["TRAINING"].chart
    assert training["labels"][:2] == ["2020", "2021"] and training["labels"][-1] == "2026"
    assert training["values"] == [0, 300, 400, 500, 500, 400, 600]
    assert training["cumulative"] == [None, 300, 700, 1200, 1700, 2100, 600]  # phase 2 starts again
    assert training["target"] == [None, 2000, 2000, 2000, 2000, 2000, 3500]
    staffing = cards(response)["STAFFING"].chart
    assert staffing["values"][1:] == [40.0, 46.0, 52.0, 55.0, 62.0, 65.0] and staffing["ratio"] is True
    assert staffing["projection"][4:6] == [55.0, 61.0]  # from 2024 to the 2025 deadline
    counselled = cards(response)["COUNSELLED"].chart
    assert counselled["target"][1:] == [1200.0] * 5 + [1625.0]  # the baseline x 1.2, then 2025's x 1.3
    assert 'id="dashboard-charts"' in response.content.decode()


def test_the_xlsx_export_has_every_table_with_numbers(client, board_world):
    client.force_login(board_world.leader)
    response = client.get(reverse("web:dashboard_export"), {"period": "2024"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bang-dieu-khien-plan154_tq-08-2024.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Thông tin", "Chỉ số", "Xu hướng", "Đơn vị trực thuộc"]
    indicators = book["Chỉ số"]
    assert indicators["A1"].value == "Mã chỉ số" and indicators["L1"].value == "Tình trạng"
    assert [indicators.cell(row=r, column=1).value for r in range(2, 6)] == [
        "STAFFING", "TRAINING", "COUNSELLED", "CHILDREN"]
    assert indicators["C2"].value == pytest.approx(0.55) and indicators["C2"].number_format == "0.0%"
    assert indicators["D2"].value == 55 and indicators["E2"].value == 100
    assert indicators["H2"].value == pytest.approx(0.6) and indicators["J2"].value == pytest.approx(0.61)
    assert indicators["L2"].value == "Đúng tiến độ" and indicators["M2"].value == "Có"
    assert indicators["F3"].value == 1700 and indicators["H3"].value == 2000  # TRAINING: cumulative
    assert indicators["K2"].value == dt.datetime(2025, 12, 31)
    trend = book["Xu hướng"]
    assert [trend.cell(row=r, column=1).value for r in range(2, 9)] == [str(y) for y in range(2020, 2027)]
    assert trend["B3"].value == pytest.approx(0.40) and trend["C3"].value == 300
    table = book["Đơn vị trực thuộc"]
    assert [table.cell(row=r, column=2).value for r in (2, 3)] == ["Phường Minh Xuân", "Xã Nông Tiến"]
    assert table["E2"].value == pytest.approx(0.6) and table["F2"].value == 3 and table["G2"].value == 5
    assert table["H2"].value == "Đúng tiến độ" and table["I3"].value == "Có"  # n2's estimate
    historical = client.get(reverse("web:dashboard_export"), {"period": "2024", "geography": "historical"})
    names = [row[1] for row in load_workbook(io.BytesIO(historical.content))["Đơn vị trực thuộc"]
             .iter_rows(min_row=2, values_only=True)]
    assert "Phường Phan Thiết (đến 30/06/2025)" in names


def test_the_number_of_queries_does_not_grow_with_the_communes(client, board_world,
                                                               django_assert_max_num_queries):
    client.force_login(board_world.leader)
    client.get(URL)  # the session, warm
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"period": "2024"})
    for number in range(30):
        commune = make_unit(f"9{number:04d}", f"Xã Thử {number}", "commune", board_world.new08,
                            valid_from=dt.date(2025, 7, 1))
        fact("STAFFING", commune, "2024", 0.5, numerator=1, denominator=2)
        fact("COUNSELLED", commune, "2020", 10)
        fact("COUNSELLED", commune, "2024", 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"period": "2024"})
    assert len(response.context["board"].rows) == 32
    with CaptureQueriesContext(connection) as historical:
        client.get(URL, {"period": "2024", "geography": "historical"})
    assert len(historical.captured_queries) <= len(few.captured_queries) + 1


def test_the_navigation_and_the_home_page_lead_to_the_dashboard(client, board_world):
    client.force_login(board_world.leader)
    html = client.get("/").content.decode()
    shortcuts = html[html.index("Lối tắt"):]
    assert shortcuts.index('href="/bang-dieu-khien/"') < shortcuts.index('href="/don-vi-hanh-chinh/"')
    assert "Bảng điều khiển" in html


def test_the_page_speaks_english(client, board_world):
    client.force_login(board_world.leader)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL, {"period": "2025"}).content.decode()
    assert "Achieved" in html and "Not achieved" in html and "Dashboard" in html
