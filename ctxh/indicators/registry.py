"""The indicator registry: the plan's indicators by code, and `indicator_value`, the one entry point for the
pages and the API.

Deliberately small: a code maps to names, a kind and a function of (unit, period). The monitoring engine
(issue 5) turns definitions and targets into data; it can replace `REGISTRY` and the functions of
`ctxh.indicators.computations` without changing the callers of `indicator_value`.

    result = indicator_value("STAFFING", unit="08", period="2025", user=request.user)
    result.value, result.target, result.to_dict()

Errors, for the API to map:
- `UnknownIndicator` (a LookupError): no indicator with that code -> 404;
- `UnitNotAvailable` (a LookupError): no unit with that code in the period, or not in the user's scope (the
  same message for both, so a guess reveals nothing) -> 404;
- `django.core.exceptions.PermissionDenied`: the user's role may not view indicators -> 403;
- `django.core.exceptions.ValidationError`: a bad period, a unit that ended before the period, a period not
  begun yet, no base salary for the day -> 400 (Vietnamese messages in `.messages`).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ctxh.accounts.roles import Capability
from ctxh.geo.models import Unit
from ctxh.indicators import computations
from ctxh.indicators.periods import Period, day_period, parse_period, year_period, years_period
from ctxh.indicators.results import IndicatorKind, IndicatorResult
from ctxh.workforce.models import ProgrammePhase


class UnknownIndicator(LookupError):
    def __init__(self, code: str):
        self.code = code
        self.message = str(_("Không có chỉ số mã “%(code)s”.") % {"code": code})
        super().__init__(self.message)


class UnitNotAvailable(LookupError):
    def __init__(self, unit: str):
        self.message = str(_("Không có đơn vị hành chính “%(unit)s” trong phạm vi của bạn.") % {"unit": unit})
        super().__init__(self.message)


@dataclass(frozen=True)
class Indicator:
    code: str
    name_vi: str
    name_en: str
    kind: str  # IndicatorKind
    value_kind: str  # "ratio" or "count"
    description: str
    compute: Callable[..., IndicatorResult]  # (unit, period, *, user, today)

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi

    @property
    def is_stock(self) -> bool:
        return self.kind == IndicatorKind.RATIO_STOCK

    def default_period(self, today: dt.date) -> Period:
        """A stock indicator: today. A count of person-times: the programme phase containing today, else the
        current year. Others (COUNSELLED, CHILDREN): the current year."""
        if self.is_stock:
            return day_period(today)
        if self.kind != IndicatorKind.COUNT_FLOW:
            return year_period(today.year)
        phase = ProgrammePhase.objects.filter(start_date__lte=today, end_date__gte=today).first()
        whole_years = phase is not None and (phase.start_date.month, phase.start_date.day) == (1, 1) and (
            (phase.end_date.month, phase.end_date.day) == (12, 31))
        if whole_years:
            return years_period(phase.start_date.year, phase.end_date.year)
        return year_period(today.year)

    def to_dict(self) -> dict:
        return {"code": self.code, "name_vi": self.name_vi, "name_en": self.name_en, "kind": self.kind,
                "value_kind": self.value_kind, "description": str(self.description)}


REGISTRY: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        Indicator(
            code="STAFFING",
            name_vi="Tỷ lệ cơ sở, đơn vị có người làm công tác xã hội hưởng phụ cấp từ mức lương cơ sở",
            name_en="Share of in-scope units with social work personnel paid at least the base salary",
            kind=IndicatorKind.RATIO_STOCK,
            value_kind="ratio",
            description=_(
                "Tử số: các cơ sở, đơn vị thuộc phạm vi Kế hoạch đang hoạt động có đủ số người làm công tác "
                "xã hội (chuyên trách, kiêm nhiệm hoặc cộng tác viên) hưởng phụ cấp không thấp hơn mức "
                "lương cơ sở. Mẫu số: các cơ sở, đơn vị thuộc phạm vi Kế hoạch đang hoạt động. Giá trị của "
                "một kỳ là giá trị tại ngày cuối kỳ."
            ),
            compute=computations.compute_staffing,
        ),
        Indicator(
            code="TRAINING",
            name_vi="Số lượt người được đào tạo, bồi dưỡng kỹ năng công tác xã hội",
            name_en="Person-times of social work skills training",
            kind=IndicatorKind.COUNT_FLOW,
            value_kind="count",
            description=_(
                "Số lượt người hoàn thành các lớp đào tạo, bồi dưỡng về công tác xã hội bắt đầu trong kỳ, "
                "tính theo nơi công tác của học viên vào ngày khai giảng; một người học hai lớp được tính "
                "hai lượt. Chỉ tiêu tính lũy kế cả giai đoạn."
            ),
            compute=computations.compute_training,
        ),
        Indicator(
            code="COUNSELLED",
            name_vi="Số người có hoàn cảnh khó khăn được tư vấn, hỗ trợ bằng công tác xã hội",
            name_en="Disadvantaged people counselled or supported by social work",
            kind=IndicatorKind.DISTINCT_FLOW,
            value_kind="count",
            description=_(
                "Số người (không trùng) có ít nhất một trạng thái đối tượng yếu thế còn hiệu lực vào ngày "
                "được cung cấp một dịch vụ tư vấn, hỗ trợ (mọi loại dịch vụ trừ trợ giúp xã hội bằng tiền "
                "hoặc hiện vật và “khác”) trong kỳ, tính theo nơi ở của người đó vào ngày được cung cấp; "
                "một người được hỗ trợ nhiều lần, bởi nhiều tổ chức, chỉ tính một. Chỉ tiêu: năm 2025 tăng "
                "ít nhất 20 % so với năm 2020, năm 2030 tăng ít nhất 30 % so với năm 2025."
            ),
            compute=computations.compute_counselled,
        ),
        Indicator(
            code="CHILDREN",
            name_vi="Tỷ lệ trẻ em thuộc sáu nhóm của Kế hoạch được trợ giúp xã hội và dịch vụ công tác xã "
                    "hội từ nguồn xã hội hóa",
            name_en="Share of children in the plan's six groups receiving social assistance and socially "
                    "mobilized social work services",
            kind=IndicatorKind.RATIO_FLOW,
            value_kind="ratio",
            description=_(
                "Mẫu số: trẻ em (dưới 16 tuổi) thuộc một trong sáu nhóm của Kế hoạch vào ngày cuối kỳ, "
                "theo nơi ở ngày đó. Tử số: những trẻ trong kỳ đã được trợ giúp xã hội (bằng tiền hoặc "
                "hiện vật) và được cung cấp ít nhất một dịch vụ công tác xã hội bằng nguồn xã hội hóa. "
                "Chỉ tiêu: 90 % năm 2025, 100 % năm 2030."
            ),
            compute=computations.compute_children,
        ),
    )
}


def indicator_list() -> list[Indicator]:
    return list(REGISTRY.values())


def get_indicator(code: str) -> Indicator:
    try:
        return REGISTRY[str(code).strip().upper()]
    except KeyError:
        raise UnknownIndicator(str(code)) from None


def as_period(period: Period | str | dt.date) -> Period:
    if isinstance(period, Period):
        return period
    if isinstance(period, dt.date):
        return day_period(period)
    return parse_period(period)


def unit_for_period(*, user, unit: Unit | str, period: Period, today: dt.date | None = None) -> Unit:
    """The unit of the user's scope meant by `unit` (a Unit, or an official code) for `period`.

    A code is looked up among the units that carried it during the period (codes are reused across the 2025
    reorganization: "08" is the old Tuyên Quang for 2024 and the new one for 2026), the one valid on the
    period's last day first; failing that, the unit carrying it today (which restates older data through its
    predecessors). Raises UnitNotAvailable when none is in the user's scope.
    """
    scoped = Unit.objects.for_user(user)
    if isinstance(unit, Unit):
        found = scoped.filter(pk=unit.pk).first()
        if found is None:
            raise UnitNotAvailable(unit.code)
        return found
    code = str(unit or "").strip()
    if not code:
        raise UnitNotAvailable(code)
    candidates = scoped.filter(code=code)
    found = (candidates.overlapping(period.start, period.end)
             .order_by(F("valid_to").desc(nulls_first=True), "-level").first())
    if found is None:
        found = candidates.as_of(today or timezone.localdate()).order_by("-level").first()
    if found is None:
        raise UnitNotAvailable(code)
    return found


def compute(code: str, *, unit: Unit, period: Period | str | dt.date, user=None,
            today: dt.date | None = None) -> IndicatorResult:
    """The indicator for `unit` and `period`, without any scope check (commands, tests, the engine).

    With a `user`, the actionable list is narrowed to what the user may see.
    """
    indicator = get_indicator(code)
    result = indicator.compute(unit, as_period(period), user=user, today=today or timezone.localdate())
    result.name = indicator.name
    result.kind = indicator.kind
    return result


def indicator_value(code: str, *, unit: Unit | str, period: Period | str | dt.date, user,
                    today: dt.date | None = None) -> IndicatorResult:
    """The value of indicator `code` for `unit` (a Unit or an official code) and `period` (a Period, a DHIS2
    code such as "2025", "2025S1", "2021-2025", or a date), as `user` may see it.

    Checks the capability (PermissionDenied) and the scope (UnitNotAvailable); see the module docstring for
    the errors. `result.to_dict()` is ready for JSON.
    """
    indicator = get_indicator(code)
    if user is None or not user.is_authenticated or not user.can(Capability.VIEW_INDICATORS):
        raise PermissionDenied(_("Vai trò của bạn không được xem các chỉ số."))
    period = as_period(period)
    today = today or timezone.localdate()
    unit = unit_for_period(user=user, unit=unit, period=period, today=today)
    return compute(indicator.code, unit=unit, period=period, user=user, today=today)
