"""The aggregate reporting pages (/bao-cao-so-lieu/): choosing a form, entering numbers (errors next to the
cells, rules next to the rows, all or nothing), completing, locking, reopening, completeness and its export,
the history of a cell, and the scope (a commune officer cannot read or enter another commune's numbers).

The clock is set with time_machine: on 15/07/2025 the six months 2025S1 are open (deadline 30/07/2025).
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from ctxh.indicators.aggregate.services import complete_registration, save_data_values
from ctxh.indicators.aggregate.testing import build_aggregate_world, cells
from ctxh.indicators.models import (
    CompleteDataSetRegistration,
    DataSetLockException,
    DataValue,
    DataValueAudit,
)

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
OPEN_DAY = dt.datetime(2025, 7, 15, 9, 0, tzinfo=HANOI)
LOCKED_DAY = dt.datetime(2025, 8, 15, 9, 0, tzinfo=HANOI)


@pytest.fixture
def w(small_geo):
    return build_aggregate_world(small_geo)


@pytest.fixture
def on_open_day():
    with time_machine.travel(OPEN_DAY, tick=False):
        yield


def form_url(w, unit=None, period="2025S1", data_set="CTXH_6M"):
    return reverse("web:aggregate_form", args=[data_set, period, (unit or w.geo.x1).pk])


def post_values(client, url, **values):
    """A form post as the browser sends it: every cell read as empty (version 0), with the given texts."""
    data = {}
    for key, text in values.items():
        cell = key.replace("__", ".") if "__" in key else f"{key}.default"
        data |= {f"v:{cell}": text, f"o:{cell}": "", f"ver:{cell}": "0"}
    return client.post(url, data)


# --- choosing a form ---


def test_the_home_lists_the_reporting_units_of_the_scope_only(client, w, on_open_day):
    client.force_login(w.officer_n1)
    response = client.get(reverse("web:aggregate_home"), {"data_set": "CTXH_6M", "period": "2025S1"})
    assert response.status_code == 200
    listed = [unit.code for unit, _status, _url in response.context["rows"]]
    assert sorted(listed) == ["02200", "02203", "02206"]  # x1, x2, x3: not y1 (old Hà Giang, into n2)
    html = response.content.decode()
    assert "Báo cáo số liệu" in html and reverse("web:aggregate_home") in html  # in the navigation
    assert "hạn nộp đúng hạn 15/07/2025; khóa nhập liệu sau ngày 30/07/2025" in html
    later = client.get(reverse("web:aggregate_home"), {"data_set": "CTXH_6M", "period": "2025S2"})
    assert [unit.code for unit, _s, _u in later.context["rows"]] == ["02200"]  # the new n1 only
    not_begun = client.get(reverse("web:aggregate_home"), {"data_set": "CTXH_6M", "period": "2026S1"})
    assert not_begun.context["form"].period.code == "2025S1"  # not offered yet: the default period


def test_the_unit_search_ignores_diacritics(client, w, on_open_day):
    client.force_login(w.manager)
    response = client.get(reverse("web:aggregate_home"), {"data_set": "CTXH_6M", "period": "2025S1",
                                                          "q": "phan thiet"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="unit-results")
    assert [unit.code for unit, _s, _u in response.context["rows"]] == ["02200"]
    assert "<html" not in response.content.decode()  # the partial only


# --- entering numbers ---


def test_an_officer_enters_numbers_and_sees_them_saved(client, w, on_open_day):
    client.force_login(w.officer_n1)
    page = client.get(form_url(w))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="v:COUNSELLED_PEOPLE.FEMALE"' in html
    assert "Hạn nhập số liệu 6 tháng đầu năm 2025: hết ngày 30/07/2025." in html
    response = post_values(client, form_url(w), COUNSELLED_PEOPLE__MALE="10", COUNSELLED_PEOPLE__FEMALE="12",
                           FACILITIES_TOTAL="3")
    assert response.status_code == 200
    assert "Đã lưu: 3 ô nhập mới, 0 ô sửa, 0 ô xóa." in response.content.decode()
    assert DataValue.objects.count() == 3 and DataValueAudit.objects.filter(source="form").count() == 3
    assert 'value="12"' in response.content.decode()
    assert response.context["entry"].rows()["COUNSELLED_PEOPLE"].total == 22


def test_a_bad_number_is_shown_next_to_its_cell_and_nothing_is_saved(client, w, on_open_day):
    client.force_login(w.officer_n1)
    response = post_values(client, form_url(w), COUNSELLED_PEOPLE__MALE="10",
                           COUNSELLED_PEOPLE__FEMALE="1.234")
    assert response.status_code == 400
    cell = response.context["entry"].cells()["COUNSELLED_PEOPLE.FEMALE"]
    assert cell.errors == ["“1.234” có dấu phân cách hàng nghìn; hãy nhập chữ số liền nhau, ví dụ 1234."]
    html = response.content.decode()
    assert "Chưa lưu gì." in html and 'value="1.234"' in html and 'value="10"' in html  # what was typed
    assert not DataValue.objects.exists()


def test_a_refusing_rule_is_shown_next_to_its_row_and_a_warning_rule_saves(client, w, on_open_day):
    client.force_login(w.officer_n1)
    response = post_values(client, form_url(w), COUNSELLED_PEOPLE__MALE="5", COUNSELLED_CHILDREN__MALE="7")
    assert response.status_code == 400
    row = response.context["entry"].rows()["COUNSELLED_CHILDREN"]
    assert row.errors and "không được lớn hơn tổng số người" in row.errors[0]
    assert not DataValue.objects.exists()
    response = post_values(client, form_url(w), COUNSELLED_PEOPLE__MALE="5", COUNSELLED_CHILDREN__MALE="3",
                           COUNSELLED_BY_GROUP__GROUP_OTHER="2")
    assert response.status_code == 200 and DataValue.objects.count() == 3
    warnings = response.context["entry"].rows()["COUNSELLED_BY_GROUP"].warnings
    assert "thường không nhỏ hơn tổng số người" in warnings[0]
    assert "Có cảnh báo bên dưới" in response.content.decode()


def test_an_htmx_save_answers_the_form_only_even_when_refused(client, w, on_open_day):
    client.force_login(w.officer_n1)
    response = client.post(form_url(w), {"v:FACILITIES_TOTAL.default": "x", "o:FACILITIES_TOTAL.default": "",
                                         "ver:FACILITIES_TOTAL.default": "0"},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="entry")
    assert response.status_code == 200  # htmx swaps 2xx answers only
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="entry"') and "“x” không phải là số" in html


def test_a_cell_changed_by_someone_else_is_not_overwritten(client, w, on_open_day):
    client.force_login(w.officer_n1)
    post_values(client, form_url(w), FACILITIES_TOTAL="3")
    save_data_values(user=w.manager, data_set=w.six_months, unit=w.geo.x1, period_code="2025S1",
                     values=cells(FACILITIES_TOTAL="4"))
    # The officer's page still shows 3 (version 1) and they type 5.
    response = client.post(form_url(w), {"v:FACILITIES_TOTAL.default": "5", "o:FACILITIES_TOTAL.default": "3",
                                         "ver:FACILITIES_TOTAL.default": "1"})
    assert response.status_code == 400
    assert "người khác đã sửa ô này sau khi bạn mở biểu mẫu; giá trị hiện tại là 4" in (
        response.context["entry"].cells()["FACILITIES_TOTAL.default"].errors[0])
    assert DataValue.objects.get().value == 4


def test_cells_left_alone_are_not_sent(client, w, on_open_day):
    client.force_login(w.officer_n1)
    post_values(client, form_url(w), FACILITIES_TOTAL="3")
    save_data_values(user=w.manager, data_set=w.six_months, unit=w.geo.x1, period_code="2025S1",
                     values=cells(FACILITIES_TOTAL="4"))
    # The officer changes another cell only: the total read as 3 is not sent, so 4 stays.
    response = client.post(form_url(w), {"v:FACILITIES_TOTAL.default": "3", "o:FACILITIES_TOTAL.default": "3",
                                         "ver:FACILITIES_TOTAL.default": "1",
                                         "v:FACILITIES_PROVIDING.default": "2",
                                         "o:FACILITIES_PROVIDING.default": "",
                                         "ver:FACILITIES_PROVIDING.default": "0"})
    assert response.status_code == 200
    assert {v.data_element.code: int(v.value) for v in DataValue.objects.select_related("data_element")} == {
        "FACILITIES_TOTAL": 4, "FACILITIES_PROVIDING": 2}


def test_completing_the_report(client, w, on_open_day):
    client.force_login(w.officer_n1)
    url = reverse("web:aggregate_complete", args=["CTXH_6M", "2025S1", w.geo.x1.pk])
    refused = client.post(url, follow=True)
    assert "Chưa có số liệu nào" in refused.content.decode()
    post_values(client, form_url(w), FACILITIES_TOTAL="3")
    done = client.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="entry")
    assert "Đã hoàn thành báo cáo." in done.content.decode()
    assert "Báo cáo đã hoàn thành ngày 15/07/2025 (Hoàng Thu Trang)." in done.content.decode()
    assert CompleteDataSetRegistration.objects.get().completed_by == w.officer_n1


# --- locked, reopened, read-only ---


def test_a_locked_form_is_read_only_with_a_banner_and_refuses_a_post(client, w):
    with time_machine.travel(OPEN_DAY, tick=False):
        save_data_values(user=w.officer_n1, data_set=w.six_months, unit=w.geo.x1, period_code="2025S1",
                         values=cells(FACILITIES_TOTAL="3"))
    client.force_login(w.officer_n1)
    with time_machine.travel(LOCKED_DAY, tick=False):
        page = client.get(form_url(w))
        html = page.content.decode()
        assert "Chỉ xem:" in html and "đã khóa nhập liệu từ ngày 31/07/2025" in html
        assert 'name="v:FACILITIES_TOTAL.default" id="v-FACILITIES_TOTAL.default" value="3"' in html
        assert "disabled" in html and 'data-testid="save"' not in html
        response = post_values(client, form_url(w), FACILITIES_TOTAL="4")
        assert response.status_code == 400 and "đã khóa nhập liệu" in response.content.decode()
        assert DataValue.objects.get().value == 3


def test_the_province_reopens_a_locked_form(client, w):
    client.force_login(w.manager)
    with time_machine.travel(LOCKED_DAY, tick=False):
        page = client.get(reverse("web:aggregate_reopen"))
        assert page.status_code == 200
        bad = client.post(reverse("web:aggregate_reopen"), {"data_set": "CTXH_6M", "period": "2025S1",
                                                            "unit": w.geo.x1.pk, "open_until": "01/08/2025",
                                                            "reason": ""})
        assert bad.status_code == 400 and not DataSetLockException.objects.exists()
        response = client.post(reverse("web:aggregate_reopen"), {
            "data_set": "CTXH_6M", "period": "2025S1", "unit": w.geo.x1.pk, "open_until": "31/08/2025",
            "reason": "Xã bổ sung số liệu"}, follow=True)
        assert "Đã mở lại nhập liệu 2025S1 cho 1 đơn vị đến hết ngày 31/08/2025." in response.content.decode()
        client.force_login(w.officer_n1)
        html = client.get(form_url(w)).content.decode()
        assert "Cấp tỉnh đã mở lại nhập liệu 6 tháng đầu năm 2025 đến hết ngày 31/08/2025." in html
        assert post_values(client, form_url(w), FACILITIES_TOTAL="4").status_code == 200


def test_only_managers_reopen(client, w, on_open_day):
    client.force_login(w.officer_n1)
    assert client.get(reverse("web:aggregate_reopen")).status_code == 403


def test_a_leader_reads_the_form_but_cannot_save(client, w, on_open_day):
    save_data_values(user=w.officer_n1, data_set=w.six_months, unit=w.geo.x1, period_code="2025S1",
                     values=cells(FACILITIES_TOTAL="3"))
    client.force_login(w.leader)
    html = client.get(form_url(w)).content.decode()
    assert 'value="3"' in html and 'data-testid="save"' not in html
    assert post_values(client, form_url(w), FACILITIES_TOTAL="4").status_code == 403
    complete = reverse("web:aggregate_complete", args=["CTXH_6M", "2025S1", w.geo.x1.pk])
    assert client.post(complete).status_code == 403


# --- scope ---


def test_a_commune_officer_cannot_read_or_enter_another_communes_numbers_by_url(client, w, on_open_day):
    save_data_values(user=w.officer_n2, data_set=w.six_months, unit=w.geo.y1, period_code="2025S1",
                     values=cells(FACILITIES_TOTAL="7"))
    client.force_login(w.officer_n1)
    y1 = w.geo.y1
    assert client.get(form_url(w, y1)).status_code == 404
    assert post_values(client, form_url(w, y1), FACILITIES_TOTAL="1").status_code == 404
    history = reverse("web:aggregate_cell_history",
                      args=["CTXH_6M", "2025S1", y1.pk, "FACILITIES_TOTAL.default"])
    assert client.get(history).status_code == 404
    complete = reverse("web:aggregate_complete", args=["CTXH_6M", "2025S1", y1.pk])
    assert client.post(complete).status_code == 404
    assert client.get(reverse("web:aggregate_completeness"), {"unit": w.geo.n2.pk}).status_code == 404
    assert DataValue.objects.get().value == 7 and not CompleteDataSetRegistration.objects.exists()


def test_a_unit_that_does_not_report_the_period_answers_404(client, w, on_open_day):
    client.force_login(w.manager)
    assert client.get(form_url(w, w.geo.n1, period="2024S2")).status_code == 404  # n1 began in 2025
    assert client.get(form_url(w, w.geo.d070)).status_code == 404  # a district
    assert client.get(form_url(w, period="2025")).status_code == 404  # a year for the six-monthly set


# --- history, completeness, export ---


def test_the_history_of_a_cell(client, w, on_open_day):
    save_data_values(user=w.officer_n1, data_set=w.six_months, unit=w.geo.x1, period_code="2025S1",
                     values=cells(FACILITIES_TOTAL="3"))
    save_data_values(user=w.manager, data_set=w.six_months, unit=w.geo.x1, period_code="2025S1",
                     values=cells(FACILITIES_TOTAL="4"), source="api")
    client.force_login(w.officer_n1)
    url = reverse("web:aggregate_cell_history",
                  args=["CTXH_6M", "2025S1", w.geo.x1.pk, "FACILITIES_TOTAL.default"])
    html = client.get(url).content.decode()
    assert "Nguyễn Văn Quản" in html and "Hoàng Thu Trang" in html and "15/07/2025" in html
    assert [(a.action, a.previous_value, a.value) for a in client.get(url).context["audits"]] == [
        ("update", 3, 4), ("create", None, 3)]
    panel = client.get(url, HTTP_HX_REQUEST="true")
    assert "<html" not in panel.content.decode() and 'id="history-title"' in panel.content.decode()


@pytest.fixture
def reported(w):
    """2025S1: x1 completed on 10/07/2025 (on time), x2 on 20/07/2025 (late), x3 missing (seen on 01/08); x3
    reported 2024S2, so it takes part in the reporting."""
    with time_machine.travel(dt.datetime(2025, 1, 5, 9, 0, tzinfo=HANOI), tick=False):
        save_data_values(user=w.officer_n1, data_set=w.six_months, unit=w.geo.x3, period_code="2024S2",
                         values=cells(FACILITIES_TOTAL="2"))
    for unit, moment in ((w.geo.x1, dt.datetime(2025, 7, 10, 9, 0)),
                         (w.geo.x2, dt.datetime(2025, 7, 20, 9, 0))):
        with time_machine.travel(moment.replace(tzinfo=HANOI), tick=False):
            save_data_values(user=w.officer_n1, data_set=w.six_months, unit=unit, period_code="2025S1",
                             values=cells(FACILITIES_TOTAL="3"))
            complete_registration(w.officer_n1, w.six_months, unit, "2025S1")
    return w


def test_completeness_page_counts_and_sorts(client, reported):
    w = reported
    client.force_login(w.leader)  # a leader finds the completeness page
    with time_machine.travel(dt.datetime(2025, 8, 1, 9, 0, tzinfo=HANOI), tick=False):
        response = client.get(reverse("web:aggregate_completeness"), {
            "data_set": "CTXH_6M", "period": "2025S1", "unit": w.geo.old08.pk, "sort": "status"})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.expected, result.completed, result.on_time, result.late, result.missing) == (3, 2, 1, 1, 1)
    assert [row.code for row in result.rows] == ["02206", "02203", "02200"]  # missing, late, on time
    html = response.content.decode()
    assert "Tỷ lệ hoàn thành: <strong>66,7\u00a0%</strong>" in html and "<strong>33,3\u00a0%</strong>" in html


def test_completeness_export(client, reported):
    w = reported
    client.force_login(w.manager)
    with time_machine.travel(dt.datetime(2025, 8, 1, 9, 0, tzinfo=HANOI), tick=False):
        response = client.get(reverse("web:aggregate_completeness_export"), {
            "data_set": "CTXH_6M", "period": "2025S1", "unit": w.geo.old08.pk})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["Số báo cáo phải nộp"] == 3 and summary["Đúng hạn"] == 1
    assert summary["Tỷ lệ hoàn thành"] == pytest.approx(2 / 3)
    assert summary["Đơn vị phải báo cáo"] == "Các xã, phường tham gia báo cáo số liệu"
    sheet = book["Theo xã, phường"]
    assert [c.value for c in sheet[1]] == ["Mã", "Xã, phường", "Trực thuộc", "Tình trạng", "Ngày hoàn thành",
                                           "Người hoàn thành", "Số ô đã nhập", "Phải nộp"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["02203"][3] == "Muộn" and rows["02203"][4] == dt.datetime(2025, 7, 20)
    assert rows["02206"][3] == "Chưa nộp (quá hạn)" and rows["02206"][6] == 0
    assert sheet["E2"].number_format == "DD/MM/YYYY"


def test_reopening_for_all_units_of_the_scope_from_the_page(client, w):
    client.force_login(w.manager)
    with time_machine.travel(LOCKED_DAY, tick=False):
        client.post(reverse("web:aggregate_reopen"), {"data_set": "CTXH_6M", "period": "2025S1", "unit": "",
                                                      "open_until": "2025-08-31", "reason": "Gia hạn chung"})
    assert DataSetLockException.objects.count() == 4


def test_a_period_not_begun_shows_a_banner_and_no_form(client, w, on_open_day):
    client.force_login(w.officer_n1)
    response = client.get(form_url(w, w.geo.n1, period="2026S1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "6 tháng đầu năm 2026 chưa bắt đầu (từ ngày 01/01/2026): chưa nhập được số liệu." in html
    assert 'name="v:' not in html
    refused = post_values(client, form_url(w, w.geo.n1, period="2026S1"), FACILITIES_TOTAL="1")
    assert refused.status_code == 400
    assert not DataValue.objects.exists()
