"""Period codes as DHIS2 writes them, and the Vietnamese messages for bad ones."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ctxh.indicators.periods import PeriodKind, parse_period, period_from_params

D = dt.date


@pytest.mark.parametrize(("code", "kind", "start", "end", "label"), [
    ("2025", PeriodKind.YEAR, D(2025, 1, 1), D(2025, 12, 31), "Năm 2025"),
    ("2025S1", PeriodKind.SIX_MONTHS, D(2025, 1, 1), D(2025, 6, 30), "6 tháng đầu năm 2025"),
    ("2025s2", PeriodKind.SIX_MONTHS, D(2025, 7, 1), D(2025, 12, 31), "6 tháng cuối năm 2025"),
    ("2021-2025", PeriodKind.YEARS, D(2021, 1, 1), D(2025, 12, 31), "Giai đoạn 2021-2025"),
    (" 2026-2030 ", PeriodKind.YEARS, D(2026, 1, 1), D(2030, 12, 31), "Giai đoạn 2026-2030"),
    ("2024-2024", PeriodKind.YEARS, D(2024, 1, 1), D(2024, 12, 31), "Giai đoạn 2024-2024"),
    ("2025-07-01", PeriodKind.DAY, D(2025, 7, 1), D(2025, 7, 1), "Ngày 01/07/2025"),
    ("20240229", PeriodKind.DAY, D(2024, 2, 29), D(2024, 2, 29), "Ngày 29/02/2024"),
])
def test_valid_codes(code, kind, start, end, label):
    period = parse_period(code)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, label)
    assert parse_period(period.code) == period  # the canonical code parses back to the same period


def test_six_month_code_is_canonical_upper_case_and_a_day_has_a_dhis2_code():
    assert parse_period("2025s1").code == "2025S1"
    assert parse_period("2025-07-01").dhis2_code == "20250701"


@pytest.mark.parametrize(("code", "message"), [
    ("2025Q1", "Mã kỳ “2025Q1” không hợp lệ"),
    ("năm 2025", "Mã kỳ “năm 2025” không hợp lệ"),
    ("2025S3", "Mã kỳ “2025S3” không hợp lệ"),
    ("25", "Mã kỳ “25” không hợp lệ"),
    ("", "Chưa chọn kỳ báo cáo"),
    ("2025-2021", "Kỳ “2025-2021”: năm kết thúc (2021) trước năm bắt đầu (2025)."),
    ("2025-02-30", "Ngày “2025-02-30” không tồn tại."),
    ("20251301", "Ngày “20251301” không tồn tại."),
    ("0999", "năm 999 nằm ngoài khoảng"),
])
def test_invalid_codes_have_a_vietnamese_message(code, message):
    with pytest.raises(ValidationError) as error:
        parse_period(code)
    assert message in error.value.messages[0]


def test_query_parameters_take_a_period_or_a_date_not_both():
    assert period_from_params(period="2025").code == "2025"
    assert period_from_params(date="2025-07-01").start == D(2025, 7, 1)
    assert period_from_params(date=D(2025, 7, 1)).kind == PeriodKind.DAY
    default = parse_period("2024")
    assert period_from_params(default=default) is default
    with pytest.raises(ValidationError, match="Chỉ chọn một trong hai"):
        period_from_params(period="2025", date="2025-07-01")
    with pytest.raises(ValidationError, match="Chưa chọn kỳ báo cáo"):
        period_from_params()
    with pytest.raises(ValidationError, match="không phải một ngày hợp lệ"):
        period_from_params(date="01/07/2025")
