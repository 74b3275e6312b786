"""Forms of the aggregate reporting pages: they parse the choice of data set, period and unit, and the
reopening. The entry form itself is a table of cells read by the view (`ValueInput`s), not a Django form."""

import datetime as dt

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from ctxh.geo.models import Unit
from ctxh.indicators.aggregate import selectors
from ctxh.indicators.forms import unit_option_label
from ctxh.indicators.models import DataSet
from ctxh.indicators.periods import Period
from ctxh.orgs.forms import LargeSelect

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class DayInput(forms.DateInput):
    """A date typed dd/mm/yyyy (ctxh/templates/django/forms/widgets/date.html)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def data_sets() -> list[DataSet]:
    return list(DataSet.objects.filter(is_active=True).order_by("code"))


class ReportChoiceForm(forms.Form):
    """Data set and period (and, on the completeness page, the parent unit and the sort). Always valid: what
    is missing or does not fit is replaced by the default, so the page shows what it lists."""

    data_set = forms.ChoiceField(label=_("Bộ số liệu"), required=False)
    period = forms.ChoiceField(label=_("Kỳ báo cáo"), required=False)
    q = forms.CharField(label=_("Tìm xã, phường"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))

    def __init__(self, data, *, today: dt.date, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        self.sets = data_sets()
        self.fields["data_set"].choices = [(s.code, s.name) for s in self.sets]
        self.data_set = next((s for s in self.sets if s.code == (data or {}).get("data_set")),
                             self.sets[0] if self.sets else None)
        periods = selectors.period_choices(self.data_set, today) if self.data_set else []
        self.fields["period"].choices = [(p.code, f"{p.label} ({p.code})") for p in periods]
        asked = (data or {}).get("period")
        self.period: Period | None = next((p for p in periods if p.code == asked), None)
        if self.period is None and self.data_set is not None:
            self.period = selectors.default_period(self.data_set, today)
        self.initial = {"data_set": self.data_set.code if self.data_set else "",
                        "period": self.period.code if self.period else ""}
        if data is not None:
            # Show what is listed (a period of the other data set's type is replaced by the default).
            data = data.copy()
            data.update(self.initial)
            self.data = data

    @property
    def search(self) -> str:
        return str(self.data.get("q", "") or "").strip()[:100]


class CompletenessForm(ReportChoiceForm):
    unit = forms.ChoiceField(label=_("Đơn vị"), required=False, widget=LargeSelect,
                             help_text=_(
                                 "Các xã, phường thuộc đơn vị này (kể cả các đơn vị cũ đã nhập vào)."))

    expected = forms.ChoiceField(label=_("Đơn vị phải báo cáo"), required=False,
                                 choices=selectors.Expected.choices, help_text=_(
                                     "Các xã, phường quản lý hồ sơ chi tiết không cần báo cáo số liệu."))

    def __init__(self, data, *, today: dt.date, user, default: Unit | None, **kwargs):
        super().__init__(data, today=today, **kwargs)
        self.fields.pop("q")
        asked = str((data or {}).get("expected") or "")
        self.expected = asked if asked in selectors.Expected.values else selectors.Expected.NETWORK
        self.initial["expected"] = self.expected
        if data is not None:
            self.data["expected"] = self.expected
        self.unit: Unit | None = None
        if self.data_set is None:
            return
        parents = list(selectors.completeness_parents(user, self.data_set, self.period))
        asked = str((data or {}).get("unit") or "")
        self.unit = next((u for u in parents if str(u.pk) == asked), None)
        if self.unit is None and default is not None:
            self.unit = next((u for u in parents if u.pk == default.pk), parents[0] if parents else None)
        self.fields["unit"].choices = [(str(u.pk), unit_option_label(u)) for u in parents]
        if self.unit is not None:
            self.initial["unit"] = str(self.unit.pk)
            if data is not None:
                self.data["unit"] = str(self.unit.pk)


class ReopenForm(forms.Form):
    data_set = forms.ModelChoiceField(label=_("Bộ số liệu"), queryset=DataSet.objects.filter(is_active=True),
                                      to_field_name="code", empty_label=None)
    period = forms.CharField(label=_("Kỳ báo cáo"), max_length=20,
                             help_text=_("Ví dụ 2025S1 (sáu tháng) hoặc 2025 (năm)."))
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none(), required=False,
                                  widget=LargeSelect,
                                  empty_label=_("— Mọi xã, phường trong phạm vi của bạn —"))
    open_until = forms.DateField(label=_("Mở đến hết ngày"), widget=DayInput, input_formats=DATE_FORMATS)
    reason = forms.CharField(label=_("Lý do"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        levels = {data_set.unit_level for data_set in data_sets()}
        reporting = Unit.objects.for_user(user).filter(level__in=levels)
        units = reporting.select_related("parent").order_by(F("valid_to").desc(nulls_first=True),
                                                            "search_name")
        self.fields["unit"].queryset = reporting
        self.fields["unit"].widget.choices = [("", self.fields["unit"].empty_label)] + [
            (str(u.pk), unit_option_label(u)) for u in units]
