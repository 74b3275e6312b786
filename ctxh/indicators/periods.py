"""Reporting periods, written as DHIS2 writes them.

- `2025`: a year (01/01/2025 - 31/12/2025);
- `2025S1`, `2025S2`: six months (January-June, July-December);
- `2021-2025`: several whole years, e.g. a phase of the programme;
- a single day: `2025-07-01` (the API's `date=` parameter), or DHIS2's daily code `20250701`.

A `Period` is a closed date range [start, end] (both days included). A stock indicator (STAFFING) takes its
value on the period's last day; a flow indicator (TRAINING) sums over the period.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_YEAR = 1900
MAX_YEAR = 2100

_YEAR = re.compile(r"^(\d{4})$")
_SIX_MONTHS = re.compile(r"^(\d{4})S([12])$", re.IGNORECASE)
_YEARS = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DHIS2_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class PeriodKind(models.TextChoices):
    DAY = "day", _("Ngày")
    SIX_MONTHS = "six_months", _("Sáu tháng")
    YEAR = "year", _("Năm")
    YEARS = "years", _("Giai đoạn")


@dataclass(frozen=True)
class Period:
    """A reporting period: its canonical code, its kind, and its first and last days (both included)."""

    code: str
    kind: str  # a PeriodKind
    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """The period as people say it: "Năm 2025", "6 tháng đầu năm 2025", "Giai đoạn 2021-2025"."""
        if self.kind == PeriodKind.DAY:
            return str(_("Ngày %(day)s") % {"day": self.start.strftime("%d/%m/%Y")})
        if self.kind == PeriodKind.SIX_MONTHS:
            if self.start.month == 1:
                return str(_("6 tháng đầu năm %(year)s") % {"year": self.start.year})
            return str(_("6 tháng cuối năm %(year)s") % {"year": self.start.year})
        if self.kind == PeriodKind.YEAR:
            return str(_("Năm %(year)s") % {"year": self.start.year})
        return str(_("Giai đoạn %(start)s-%(end)s") % {"start": self.start.year, "end": self.end.year})

    @property
    def dhis2_code(self) -> str:
        """The DHIS2 period code (a day is written yyyyMMdd; a span of years has no DHIS2 code: ours)."""
        if self.kind == PeriodKind.DAY:
            return self.start.strftime("%Y%m%d")
        return self.code

    @property
    def is_day(self) -> bool:
        return self.kind == PeriodKind.DAY

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def to_dict(self) -> dict:
        return {"code": self.code, "kind": self.kind, "label": self.label, "start": self.start.isoformat(),
                "end": self.end.isoformat()}


def day_period(day: dt.date) -> Period:
    return Period(day.isoformat(), PeriodKind.DAY, day, day)


def year_period(year: int) -> Period:
    _check_year(year, str(year))
    return Period(str(year), PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))


def years_period(first: int, last: int) -> Period:
    code = f"{first}-{last}"
    _check_year(first, code)
    _check_year(last, code)
    if last < first:
        raise ValidationError(
            _("Kỳ “%(code)s”: năm kết thúc (%(end)s) trước năm bắt đầu (%(start)s)."),
            code="period_end_before_start", params={"code": code, "start": first, "end": last},
        )
    return Period(code, PeriodKind.YEARS, dt.date(first, 1, 1), dt.date(last, 12, 31))


def six_months_period(year: int, half: int) -> Period:
    code = f"{year}S{half}"
    _check_year(year, code)
    if half == 1:
        return Period(code, PeriodKind.SIX_MONTHS, dt.date(year, 1, 1), dt.date(year, 6, 30))
    return Period(code, PeriodKind.SIX_MONTHS, dt.date(year, 7, 1), dt.date(year, 12, 31))


def _check_year(year: int, code: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("Kỳ “%(code)s”: năm %(year)s nằm ngoài khoảng %(min)s-%(max)s."),
            code="period_year_out_of_range",
            params={"code": code, "year": year, "min": MIN_YEAR, "max": MAX_YEAR},
        )


def parse_day(text: str) -> dt.date:
    """A day written YYYY-MM-DD (or DHIS2's yyyyMMdd); a Vietnamese message otherwise."""
    text = str(text or "").strip()
    match = _ISO_DAY.match(text) or _DHIS2_DAY.match(text)
    if match:
        try:
            day = dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValidationError(_("Ngày “%(value)s” không tồn tại."), code="invalid_day",
                                  params={"value": text}) from None
        _check_year(day.year, text)
        return day
    raise ValidationError(
        _("“%(value)s” không phải một ngày hợp lệ; hãy viết theo dạng YYYY-MM-DD (ví dụ 2025-07-01)."),
        code="invalid_day", params={"value": text},
    )


def parse_period(code: str) -> Period:
    """A period from its code: `2025`, `2025S1`, `2025S2`, `2021-2025`, or a day (`2025-07-01`, `20250701`).

    Raises ValidationError with a Vietnamese message for an unknown code or an end before the start.
    """
    text = str(code or "").strip()
    if not text:
        raise ValidationError(_("Chưa chọn kỳ báo cáo."), code="period_required")
    if match := _YEAR.match(text):
        return year_period(int(match[1]))
    if match := _SIX_MONTHS.match(text):
        return six_months_period(int(match[1]), int(match[2]))
    if match := _YEARS.match(text):
        return years_period(int(match[1]), int(match[2]))
    if _ISO_DAY.match(text) or _DHIS2_DAY.match(text):
        return day_period(parse_day(text))
    raise ValidationError(
        _("Mã kỳ “%(code)s” không hợp lệ. Hãy dùng một năm (2025), sáu tháng (2025S1, 2025S2), một giai đoạn "
          "(2021-2025) hoặc một ngày (2025-07-01)."),
        code="invalid_period", params={"code": text},
    )


def period_from_params(*, period: str | None = None, date: str | dt.date | None = None,
                       default: Period | None = None) -> Period:
    """The period of a query with `period=CODE` or `date=YYYY-MM-DD` (not both); `default` when neither.

    For the API: `/api/v1/indicators/STAFFING/values/?unit=08&period=2025` or `...&date=2025-07-01`.
    """
    period = (period or "").strip()
    if period and date:
        raise ValidationError(_("Chỉ chọn một trong hai: kỳ báo cáo (period) hoặc một ngày (date)."),
                              code="period_and_date")
    if date:
        return day_period(date if isinstance(date, dt.date) else parse_day(date))
    if period:
        return parse_period(period)
    if default is not None:
        return default
    raise ValidationError(_("Chưa chọn kỳ báo cáo (period) hoặc ngày (date)."), code="period_required")
