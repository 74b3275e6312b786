"""The indicator pages: list, one page per indicator, XLSX export; on the hand-counted `world` of
ctxh/indicators/testing.py."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ctxh.indicators.testing import build_world, make_commune_officer, make_province_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(small_geo):
    return build_world(small_geo)


@pytest.fixture
def province_manager(world):
    return make_province_manager(world)


@pytest.fixture
def commune_officer(world):
    return make_commune_officer(world)


def detail(code="STAFFING"):
    return reverse("web:indicator_detail", args=[code])


def test_the_list_shows_each_indicator_for_the_top_of_the_users_scope(client, world, province_manager):
    client.force_login(province_manager)
    response = client.get(reverse("web:indicator_list"))
    assert response.status_code == 200
    assert response.context["unit"] == world.geo.new08
    rows = {row["indicator"].code: row for row in response.context["rows"]}
    assert rows["STAFFING"]["result"].denominator == 5  # today, located in the old units' records
    assert rows["TRAINING"]["result"].period.code == "2026-2030"
    assert rows["TRAINING"]["result"].value == 1
    assert "Tỷ lệ cơ sở, đơn vị có người làm công tác xã hội" in response.content.decode()
    assert reverse("web:indicator_list") in response.content.decode()  # in the navigation
    commune = client.get(reverse("web:indicator_list"), {"unit": world.geo.n1.pk})
    assert commune.context["unit"] == world.geo.n1
    rows = {row["indicator"].code: row["result"] for row in commune.context["rows"]}
    assert rows["TRAINING"].value == 1 and rows["TRAINING"].target is None  # no share of the province's


def test_staffing_page_for_a_year_shows_value_target_breakdowns_and_what_is_missing(client, world,
                                                                                      province_manager):
    client.force_login(province_manager)
    response = client.get(detail(), {"unit": world.geo.old08.pk, "period": "2024"})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.numerator, result.denominator) == (1, 4)
    html = response.content.decode()
    assert "25,0\u00a0%" in html and "1/4 cơ sở, đơn vị đạt yêu cầu" in html
    assert "ít nhất 60 % vào cuối năm 2025" in html and "Chưa đạt, còn trong thời hạn" in html
    assert "Mức lương cơ sở áp dụng: 2.340.000\u00a0₫/tháng" in html
    assert 'data-testid="breakdown-kind"' in html and 'data-testid="breakdown-commune"' in html
    # The actionable list links each organization to its page, with the reason.
    assert f'href="{reverse("web:org_detail", args=[world.e.pk])}"' in html
    assert "Vị trí công tác xã hội đã kết thúc ngày 31/10/2024" in html
    assert "2.000.000\u00a0₫" in html  # B's best allowance, as money


def test_staffing_page_on_a_day_and_the_default_is_today(client, world, province_manager):
    client.force_login(province_manager)
    response = client.get(detail(), {"unit": world.geo.old08.pk, "date": "2024-06-30"})
    assert (response.context["result"].numerator, response.context["result"].denominator) == (3, 4)
    default = client.get(detail())
    result = default.context["result"]
    assert result.period.is_day and result.unit.id == world.geo.new08.pk


def test_training_page_for_phase_1_with_chart_and_person_times_by_commune(client, world, province_manager):
    client.force_login(province_manager)
    response = client.get(detail("TRAINING"), {"unit": world.geo.new08.pk, "period": "2021-2025"})
    assert response.status_code == 200
    assert response.context["result"].value == 7
    assert response.context["chart"]["cumulative"] == [0, 2, 2, 7, 7]
    assert response.context["chart"]["target"] == 2000
    html = response.content.decode()
    assert 'id="indicator-chart-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert 'data-testid="breakdown-sex"' in html and 'data-testid="breakdown-topic"' in html
    assert "Số lượt người theo xã, phường" in html and "Phường Minh Xuân (đến 30/06/2025)" in html
    assert "Không đạt chỉ tiêu" in html


def test_the_period_select_offers_phases_years_and_six_months_and_old_units_for_phase_1(client, world,
                                                                                        province_manager):
    client.force_login(province_manager)
    response = client.get(detail("TRAINING"), {"unit": world.geo.new08.pk, "period": "2021-2025"})
    form = response.context["form"]
    codes = [code for _group, options in form.fields["period"].widget.choices[1:] for code, _label in options]
    assert {"2021-2025", "2026-2030", "2024", "2024S1", "2024S2"} <= set(codes)
    units = {label for _pk, label in form.fields["unit"].widget.choices}
    assert "Tỉnh Tuyên Quang (đến 30/06/2025)" in units and "Tỉnh Tuyên Quang" in units
    later = client.get(detail("TRAINING"), {"unit": world.geo.new08.pk, "period": "2026"})
    units = {label for _pk, label in later.context["form"].fields["unit"].widget.choices}
    assert "Tỉnh Tuyên Quang (đến 30/06/2025)" not in units


def test_bad_input_gets_a_vietnamese_message_naming_the_field(client, world, province_manager):
    client.force_login(province_manager)
    response = client.get(detail(), {"unit": world.geo.new08.pk, "period": "2025-2021"})
    assert response.status_code == 200 and response.context["result"] is None
    assert "năm kết thúc (2021) trước năm bắt đầu (2025)" in str(response.context["form"].errors["period"])
    both = client.get(detail(), {"unit": world.geo.new08.pk, "period": "2024", "date": "2024-06-30"})
    assert "Chỉ chọn một trong hai" in str(both.context["form"].errors["date"])
    ended = client.get(detail(), {"unit": world.geo.old08.pk, "period": "2026"})
    assert "đã chấm dứt từ ngày 30/06/2025" in ended.context["error"]
    assert client.get(detail("NOPE")).status_code == 404


def test_scope_a_commune_officer_gets_404_for_another_commune(client, world, commune_officer):
    client.force_login(commune_officer)
    assert client.get(detail(), {"unit": world.geo.n1.pk}).status_code == 200
    assert client.get(detail(), {"unit": world.geo.x1.pk, "period": "2024"}).status_code == 200  # an old unit
    export = reverse("web:indicator_export", args=["STAFFING"])
    for unit in (world.geo.n2, world.geo.new08, world.geo.y1):
        assert client.get(detail(), {"unit": unit.pk}).status_code == 404
        assert client.get(export, {"unit": unit.pk}).status_code == 404
        assert client.get(reverse("web:indicator_list"), {"unit": unit.pk}).status_code == 404
    assert client.get(detail(), {"unit": "abc"}).status_code == 404
    # By default the officer sees their commune.
    assert client.get(detail()).context["result"].unit.id == world.geo.n1.pk


def test_signed_out_users_are_sent_to_the_login_page(client, world):
    response = client.get(detail())
    assert response.status_code == 302 and "next=" in response["Location"]


def _sheets(response) -> dict:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                        else response.content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook}


def test_staffing_export_opens_and_has_the_rows_as_numbers(client, world, province_manager):
    client.force_login(province_manager)
    response = client.get(reverse("web:indicator_export", args=["STAFFING"]),
                          {"unit": world.geo.old08.pk, "period": "2024"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="chi-so-staffing-08-2024.xlsx"'
    sheets = _sheets(response)
    assert list(sheets) == ["Tổng hợp", "Theo loại tổ chức", "Theo xã, phường", "Tổ chức chưa đạt yêu cầu"]
    summary = {row[0]: row[1] for row in sheets["Tổng hợp"]}
    assert summary["Giá trị"] == 0.25 and summary["Tử số"] == 1 and summary["Mẫu số"] == 4
    assert summary["Giá trị chỉ tiêu"] == 0.6
    assert sheets["Theo loại tổ chức"][0] == ["Nhóm", "Số đạt", "Tổng số", "Tỷ lệ"]
    assert ["Trường học", 0, 2, 0] in sheets["Theo loại tổ chức"]
    header, *rows = sheets["Tổ chức chưa đạt yêu cầu"]
    assert header[:2] == ["Mã tổ chức", "Tên tổ chức"] and "Lý do chưa đạt" in header
    assert sorted(row[1] for row in rows) == ["Trường THCS Minh Xuân", "Trường Tiểu học Tràng Đà",
                                              "Trạm y tế phường Phan Thiết"]
    allowance = header.index("Phụ cấp cao nhất (đồng/tháng)")
    assert {row[allowance] for row in rows} == {2_000_000, None}  # E's position ended: nobody paid
    ended = header.index("Ngày kết thúc vị trí gần nhất")
    assert {row[ended] for row in rows} == {dt.datetime(2024, 10, 31), None}


def test_training_export_has_the_breakdowns_and_person_times_by_commune(client, world, province_manager):
    client.force_login(province_manager)
    response = client.get(reverse("web:indicator_export", args=["TRAINING"]),
                          {"unit": world.geo.new08.pk, "period": "2021-2025"})
    sheets = _sheets(response)
    assert list(sheets) == ["Tổng hợp", "Theo giới tính", "Theo loại tổ chức", "Theo chủ đề", "Theo năm",
                            "Số lượt người theo xã, phường"]
    assert sheets["Theo năm"][0] == ["Nhóm", "Số lượt người", "Lũy kế"]
    assert ["2024", 5, 7] in sheets["Theo năm"]
    header, *rows = sheets["Số lượt người theo xã, phường"]
    assert header == ["Mã đơn vị", "Đơn vị hành chính", "Lượt người có danh sách", "Lượt người theo số lượng",
                      "Tổng số lượt người"]
    assert sum(row[4] for row in rows) == 7 and len(rows) == 6


def test_export_with_bad_input_answers_400_with_the_message(client, world, province_manager):
    client.force_login(province_manager)
    response = client.get(reverse("web:indicator_export", args=["STAFFING"]),
                          {"unit": world.geo.new08.pk, "period": "2025Q5"})
    assert response.status_code == 400
    assert "Mã kỳ “2025Q5” không hợp lệ" in response.content.decode()
