"""The query of an indicator page: a unit, and a period or a day. It parses input; the registry computes."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ctxh.geo.models import Unit
from ctxh.indicators.periods import Period, day_period, parse_period
from ctxh.indicators.registry import Indicator
from ctxh.indicators.selectors import default_unit, period_choices, units_for_period
from ctxh.orgs.forms import DateInput, LargeSelect


def unit_option_label(unit: Unit) -> str:
    label = str(unit.label)
    return f"{label} — {unit.parent.name}" if unit.parent_id else label


class IndicatorQueryForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Đơn vị hành chính"), queryset=Unit.objects.none(), required=False, widget=LargeSelect,
        help_text=_("Gồm các đơn vị trực thuộc và các đơn vị cũ đã sáp nhập vào."),
    )
    period = forms.CharField(
        label=_("Kỳ"), required=False, widget=forms.Select,
        help_text=_("Năm, sáu tháng hoặc giai đoạn; để trống nếu xem tại một ngày."),
    )
    date = forms.DateField(
        label=_("Hoặc tại ngày"), required=False, widget=DateInput,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def __init__(self, data, *, user, indicator: Indicator, today: dt.date, **kwargs):
        """Always bound (a GET query, possibly empty): what is not given is filled with the defaults, so that
        the page shows what it computes."""
        data = data.copy()
        super().__init__(data, **kwargs)
        self.user = user
        self.indicator = indicator
        self.today = today
        self.fields["unit"].queryset = Unit.objects.for_user(user)
        if indicator.is_stock:
            self.fields["date"].help_text = _("Giá trị của một kỳ là giá trị tại ngày cuối kỳ.")
        else:
            self.fields["date"].help_text = _("Các lớp khai giảng trong ngày này.")
        if not data.get("period") and not data.get("date"):
            default = indicator.default_period(today)
            if default.is_day:
                data["date"] = default.start.isoformat()
            else:
                data["period"] = default.code
        period = self.tentative_period()
        choices = [("", _("— Tại một ngày —")), *period_choices(today)]
        if not period.is_day and all(period.code != code for _group, options in choices[1:]
                                     for code, _label in options):
            choices.insert(1, (period.code, period.label))
        self.fields["period"].widget.choices = choices
        if not data.get("unit"):
            unit = default_unit(user=user, day=max(period.start, min(period.end, today)))
            if unit is not None:
                data["unit"] = str(unit.pk)
        units = list(units_for_period(user=user, period=period, today=today))
        selected = self._selected_unit()
        if selected is not None and all(unit.pk != selected.pk for unit in units):
            units.insert(0, selected)
        self.fields["unit"].widget.choices = [(str(u.pk), unit_option_label(u)) for u in units]

    def tentative_period(self) -> Period:
        """The period asked for, before validation (it decides the unit list); the default when unclear."""
        try:
            if self.data.get("period"):
                return parse_period(self.data["period"])
            if self.data.get("date"):
                return day_period(self.fields["date"].clean(self.data["date"]))
        except ValidationError:
            pass
        return self.indicator.default_period(self.today)

    def _selected_unit(self) -> Unit | None:
        value = self.data.get("unit")
        if value and str(value).isdigit():
            return Unit.objects.for_user(self.user).select_related("parent").filter(pk=int(value)).first()
        return None

    def clean_period(self) -> Period | None:
        code = self.cleaned_data.get("period")
        return parse_period(code) if code else None

    def clean(self):
        data = super().clean()
        period, day = data.get("period"), data.get("date")
        if period is not None and day is not None:
            self.add_error("date", _("Chỉ chọn một trong hai: kỳ hoặc một ngày. Hãy xóa ngày, hoặc chọn "
                                     "“Tại một ngày” ở ô Kỳ."))
        elif period is None and day is not None:
            data["period"] = day_period(day)
        if data.get("unit") is None and "unit" not in self.errors:
            self.add_error("unit", _("Hãy chọn một đơn vị hành chính."))
        return data


class IndicatorUnitForm(forms.Form):
    """The unit of the indicator list (today's units of the user's scope)."""

    unit = forms.ModelChoiceField(label=_("Đơn vị hành chính"), queryset=Unit.objects.none(),
                                  widget=LargeSelect)

    def __init__(self, *args, user, today: dt.date, unit: Unit | None, **kwargs):
        super().__init__(*args, initial={"unit": unit.pk if unit else None}, **kwargs)
        units = list(Unit.objects.for_user(user).as_of(today).select_related("parent")
                     .order_by("level", "search_name", "code"))
        if unit is not None and all(u.pk != unit.pk for u in units):
            units.insert(0, unit)
        self.fields["unit"].queryset = Unit.objects.for_user(user)
        self.fields["unit"].widget.choices = [(str(u.pk), unit_option_label(u)) for u in units]
