"""Forms for the workforce pages. They parse input; the services (ctxh.workforce.services) validate and save.

Money is typed as whole đồng; "2.340.000", "2 340 000" and "2340000 đ" all read as 2340000. Anything else
(a negative number, a fraction, words) is passed on as typed, so that the service's message names the problem.
"""

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.geo.models import Unit
from ctxh.orgs.forms import LargeSelect, OrganizationChoiceField, date_value, unit_choices
from ctxh.orgs.models import Organization, OrgKind
from ctxh.workforce.models import Category, Dedication, ProfessionalTitle, ProgrammePhase, Qualification

ALL = [("", _("Tất cả"))]
NONE = [("", "—")]

_GROUPED = re.compile(r"-?\d{1,3}(?:[.,]\d{3})+")
_CURRENCY = re.compile(r"(₫|đồng|đ|vnđ|vnd)$", re.IGNORECASE)


def money_text(value: str) -> str:
    """Whole đồng as typed by people, without thousands separators or a currency sign."""
    text = _CURRENCY.sub("", (value or "").strip()).strip()
    text = "".join(text.split())
    if _GROUPED.fullmatch(text):
        text = text.replace(".", "").replace(",", "")
    return text


class MoneyField(forms.CharField):
    """A money input (numeric keyboard on phones); the service checks the amount."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return money_text(super().to_python(value))


def _selected_pk(form: forms.Form, name: str) -> int | None:
    value = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    if isinstance(value, Organization | Unit):
        return value.pk
    if value and str(value).isdigit():
        return int(value)
    return None


def organization_choices(*, user, day: dt.date | None, selected: int | None = None) -> list[tuple[str, str]]:
    """(id, label) of the user's organizations active on `day`, and the selected one whatever its dates."""
    organizations = Organization.objects.for_user(user).order_by("search_name", "code")
    if day is not None:
        organizations = organizations.as_of(day)
    rows = list(organizations.values_list("pk", "name", "code"))
    if selected is not None and all(pk != selected for pk, *_rest in rows):
        extra = Organization.objects.for_user(user).filter(pk=selected).values_list("pk", "name", "code")
        rows = list(extra) + rows
    return [("", "—")] + [(str(pk), f"{name} ({code})") for pk, name, code in rows]


class WorkerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Họ tên, số CCCD hoặc điện thoại")}),
        help_text=_("Gõ không dấu cũng được: “nguyen van a” tìm thấy “Nguyễn Văn A”."),
    )
    organization = OrganizationChoiceField(
        label=_("Tổ chức"), queryset=Organization.objects.none(), required=False, widget=LargeSelect,
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị hành chính"), queryset=Unit.objects.none(), required=False, widget=LargeSelect,
        help_text=_("Gồm các đơn vị trực thuộc và các đơn vị cũ đã sáp nhập vào."),
    )
    dedication = forms.ChoiceField(label=_("Hình thức làm việc"), choices=ALL + Dedication.choices,
                                   required=False)
    sw_qualification = forms.ChoiceField(label=_("Trình độ công tác xã hội"),
                                         choices=ALL + Qualification.choices, required=False)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=ALL + Sex.choices, required=False)
    ethnicity = forms.ModelChoiceField(label=_("Dân tộc"), queryset=Ethnicity.objects.all(), required=False,
                                       empty_label=_("Tất cả"))
    active_on = forms.DateField(
        label=_("Đang làm việc vào ngày"), required=False, widget=forms.DateInput,
        help_text=_("Chỉ những người giữ vị trí công tác vào ngày này."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.for_user(user)
        self.fields["organization"].widget.choices = ALL + organization_choices(
            user=user, day=None)[1:]
        self.fields["unit"].queryset = Unit.objects.for_user(user)
        day = date_value(self, "active_on") or timezone.localdate()
        selected = Unit.objects.for_user(user).filter(pk=_selected_pk(self, "unit")).first()
        self.fields["unit"].widget.choices = ALL + unit_choices(user=user, day=day, selected=selected)[1:]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    @property
    def filters(self) -> dict:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}


class WorkerForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=NONE + Sex.choices)
    date_of_birth = forms.DateField(label=_("Ngày sinh"), widget=forms.DateInput)
    ethnicity = forms.ModelChoiceField(label=_("Dân tộc"), queryset=Ethnicity.objects.all(), required=False,
                                       empty_label="—")
    cccd = forms.CharField(
        label=_("Số CCCD"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 chữ số; có thể để trống. Được kiểm tra với giới tính và năm sinh."),
    )
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    sw_qualification = forms.ChoiceField(label=_("Trình độ đào tạo công tác xã hội"),
                                         choices=Qualification.choices, initial=Qualification.NONE)
    qualification_field = forms.CharField(label=_("Trình độ chuyên môn ngành khác"), max_length=200,
                                          required=False, help_text=_("Ví dụ: cử nhân luật, y sĩ đa khoa."))
    professional_title = forms.ChoiceField(label=_("Chức danh nghề nghiệp công tác xã hội"),
                                           choices=ProfessionalTitle.choices, initial=ProfessionalTitle.NONE)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIELDS = ("full_name", "sex", "date_of_birth", "ethnicity", "cccd", "phone", "sw_qualification",
              "qualification_field", "professional_title", "note")

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {name: getattr(instance, name) for name in self.FIELDS} | {
                "cccd": instance.cccd or "", "version": instance.version}
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["version"].required = instance is not None

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class PositionForm(forms.Form):
    """A new position; the organizations offered are the user's, active on the start date (HTMX refresh)."""

    start_date = forms.DateField(label=_("Ngày bắt đầu"), widget=forms.DateInput,
                                 help_text=_("Danh sách tổ chức bên dưới theo ngày này."))
    organization = OrganizationChoiceField(label=_("Tổ chức"), queryset=Organization.objects.none(),
                                           widget=LargeSelect)
    category = forms.ChoiceField(label=_("Loại cán bộ"), choices=NONE + Category.choices)
    dedication = forms.ChoiceField(label=_("Hình thức làm việc"), choices=NONE + Dedication.choices)
    title = forms.CharField(label=_("Chức vụ, công việc"), max_length=200, required=False)
    end_date = forms.DateField(label=_("Ngày kết thúc"), widget=forms.DateInput, required=False,
                               help_text=_("Ngày làm việc cuối cùng; để trống nếu vẫn đang làm."))
    monthly_allowance_vnd = MoneyField(
        label=_("Phụ cấp công tác xã hội hằng tháng (đồng)"), required=False,
        help_text=_("Số nguyên đồng, ví dụ 2.340.000; áp dụng từ ngày bắt đầu. Để trống nếu chưa rõ."),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.for_user(user)
        day = self._prefixed_date("start_date")
        self.fields["organization"].widget.choices = organization_choices(
            user=user, day=day or timezone.localdate(), selected=_selected_pk(self, "organization"))

    def _prefixed_date(self, name: str) -> dt.date | None:
        value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        if isinstance(value, dt.date):
            return value
        try:
            return forms.DateField().clean(value) if value else None
        except forms.ValidationError:
            return None

    def is_empty(self) -> bool:
        """Nothing typed (the optional first position of a new worker)."""
        return not any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.fields)

    def changes(self) -> dict:
        return dict(self.cleaned_data)


class HistoryCheckedForm(forms.Form):
    """Edits a row read at one point of its history: `seen` is that history id (optimistic lock)."""

    seen = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PositionEndForm(HistoryCheckedForm):
    end_date = forms.DateField(label=_("Ngày kết thúc"), widget=forms.DateInput,
                               help_text=_("Ngày làm việc cuối cùng ở vị trí này."))
    note = forms.CharField(label=_("Lý do, căn cứ"), max_length=300, required=False)

    def __init__(self, *args, start_date: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_date = start_date

    def clean_end_date(self) -> dt.date:
        # Checked here first: the service would otherwise name the allowances recorded after this day.
        end_date = self.cleaned_data["end_date"]
        if end_date < self.start_date:
            raise forms.ValidationError(_("Ngày kết thúc không được trước ngày bắt đầu (%(day)s).") % {
                "day": self.start_date.strftime("%d/%m/%Y")})
        return end_date


class AllowanceForm(forms.Form):
    effective_date = forms.DateField(label=_("Áp dụng từ ngày"), widget=forms.DateInput)
    monthly_allowance_vnd = MoneyField(label=_("Phụ cấp hằng tháng (đồng)"),
                                       help_text=_("Số nguyên đồng, ví dụ 2.340.000."))
    note = forms.CharField(label=_("Ghi chú, căn cứ"), max_length=300, required=False,
                           help_text=_("Ví dụ: số quyết định nâng mức phụ cấp."))


class AllowanceCorrectForm(HistoryCheckedForm):
    monthly_allowance_vnd = MoneyField(label=_("Mức phụ cấp đúng (đồng)"))
    note = forms.CharField(label=_("Lý do sửa"), max_length=300,
                           help_text=_("Ví dụ: nhập nhầm số khi ghi nhận."))


class BaseSalaryForm(HistoryCheckedForm):
    effective_date = forms.DateField(label=_("Áp dụng từ ngày"), widget=forms.DateInput)
    amount_vnd = MoneyField(label=_("Mức lương cơ sở (đồng/tháng)"))
    instrument = forms.CharField(label=_("Văn bản quy định"), max_length=200, required=False,
                                 help_text=_("Ví dụ: Nghị định 73/2024/NĐ-CP."))
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)
    confirmed = forms.BooleanField(
        label=_("Đã xác nhận"), required=False, initial=True,
        help_text=_("Bỏ chọn nếu mức này mới được công bố, chưa có văn bản chính thức."),
    )


class StaffingRuleForm(HistoryCheckedForm):
    phase = forms.ModelChoiceField(label=_("Giai đoạn"), queryset=ProgrammePhase.objects.all(),
                                   empty_label="—")
    org_kind = forms.ChoiceField(
        label=_("Loại tổ chức"), required=False,
        choices=[("", _("Mặc định (mọi loại tổ chức không có định mức riêng)"))] + OrgKind.choices,
    )
    required_positions = forms.CharField(
        label=_("Số người tối thiểu"), max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Số người làm công tác xã hội có phụ cấp từ mức lương cơ sở trở lên mà tổ chức cần có."),
    )
    note = forms.CharField(label=_("Ghi chú, căn cứ"), max_length=300, required=False)

