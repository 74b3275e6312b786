"""Forms for the organization pages. They parse input; the services validate and save."""

import datetime as dt

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ctxh.geo.models import Unit
from ctxh.orgs.models import HealthLevel, Organization, OrgKind, Ownership, SchoolLevel, Sector
from ctxh.orgs.selectors import STATUS_ACTIVE, STATUS_CLOSED, organizations_for_choice, units_for_choice

ALL = [("", _("Tất cả"))]
NONE = [("", "—")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def unit_choices(*, user, day: dt.date | None, selected: Unit | None = None) -> list[tuple[str, str]]:
    """(id, label) of the units valid on `day` in the user's scope, and the selected one whatever its dates.

    The label carries the end date of a unit that no longer exists and the parent, to tell names apart.
    """
    units = units_for_choice(user=user, day=day) if day is not None else Unit.objects.none()
    rows = list(units.values_list("pk", "name", "valid_to", "parent__name"))
    if selected is not None and all(pk != selected.pk for pk, *_rest in rows):
        parent = selected.parent.name if selected.parent_id else None
        rows.insert(0, (selected.pk, selected.name, selected.valid_to, parent))
    choices = [("", "—")]
    for pk, name, valid_to, parent in rows:
        label = name
        if valid_to:
            label = _("%(name)s (đến %(day)s)") % {"name": name, "day": valid_to.strftime("%d/%m/%Y")}
        choices.append((str(pk), f"{label} — {parent}" if parent else str(label)))
    return choices


def organization_choice_label(org: Organization) -> str:
    return f"{org.name} ({org.code})"


class LargeSelect(forms.Select):
    """A select for long lists (every unit of the country for an administrator), written in one pass.

    Rendering one template per option costs about a second for 3,000 units; this gives the same markup
    (Bootstrap's form-select, is-invalid when the field has an error) in a few milliseconds.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        classes = ["form-select", *final.pop("class", "").split()]
        if final.get("aria-invalid") in (True, "true") and "is-invalid" not in classes:
            classes.append("is-invalid")
        selected = {str(v) for v in self.format_value(value)}
        options = "\n".join(
            f'<option value="{escape(str(v))}"{" selected" if str(v) in selected else ""}>'
            f"{escape(str(label))}</option>"
            for v, label in self.choices
        )
        return format_html(
            '<select name="{}" class="{}"{}>\n{}\n</select>',
            name,
            " ".join(dict.fromkeys(classes)),
            flatatt(final),
            mark_safe(options),  # noqa: S308 (escaped above)
        )


class OrganizationChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "—")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return organization_choice_label(obj)


def _selected_unit(form: forms.Form, name: str = "unit") -> Unit | None:
    value = form.data.get(name) if form.is_bound else form.initial.get(name)
    if isinstance(value, Unit):
        return value
    if value and str(value).isdigit():
        return Unit.objects.select_related("parent").filter(pk=int(value)).first()
    return None


def date_value(form: forms.Form, name: str) -> dt.date | None:
    value = form.data.get(name) if form.is_bound else form.initial.get(name)
    if isinstance(value, dt.date):
        return value
    if value:
        try:
            return forms.DateField(input_formats=["%Y-%m-%d", "%d/%m/%Y"]).clean(value)
        except forms.ValidationError:
            return None
    return None


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Tên hoặc mã tổ chức"), "type": "search"}),
    )
    kind = forms.ChoiceField(label=_("Loại tổ chức"), choices=ALL + OrgKind.choices, required=False)
    sector = forms.ChoiceField(label=_("Ngành"), choices=ALL + Sector.choices, required=False)
    ownership = forms.ChoiceField(
        label=_("Loại hình sở hữu"), choices=ALL + Ownership.choices, required=False
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị hành chính"),
        queryset=Unit.objects.none(),
        required=False,
        widget=LargeSelect,
        help_text=_("Gồm các đơn vị trực thuộc và các đơn vị cũ đã sáp nhập vào."),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=ALL + [(STATUS_ACTIVE, _("Đang hoạt động")), (STATUS_CLOSED, _("Đã chấm dứt"))],
    )
    as_of = forms.DateField(
        label=_("Tại ngày"),
        required=False,
        widget=DateInput,
        help_text=_("Các tổ chức hoạt động và đặt tại đơn vị đã chọn vào ngày này."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.for_user(user)
        day = date_value(self, "as_of") or timezone.localdate()
        choices = unit_choices(user=user, day=day, selected=_selected_unit(self))
        self.fields["unit"].widget.choices = [("", _("Tất cả"))] + choices[1:]


class OrganizationForm(forms.Form):
    code = forms.CharField(label=_("Mã tổ chức"), max_length=40)
    name = forms.CharField(label=_("Tên tổ chức"), max_length=255)
    kind = forms.ChoiceField(label=_("Loại tổ chức"), choices=NONE + OrgKind.choices)
    school_level = forms.ChoiceField(
        label=_("Cấp học"),
        choices=NONE + SchoolLevel.choices,
        required=False,
        help_text=_("Bắt buộc với trường học."),
    )
    health_level = forms.ChoiceField(
        label=_("Loại cơ sở y tế"),
        choices=NONE + HealthLevel.choices,
        required=False,
        help_text=_("Chỉ với bệnh viện, trung tâm y tế, trạm y tế."),
    )
    sector = forms.ChoiceField(label=_("Ngành"), choices=NONE + Sector.choices)
    ownership = forms.ChoiceField(label=_("Loại hình sở hữu"), choices=NONE + Ownership.choices)
    valid_from = forms.DateField(
        label=_("Hiệu lực từ ngày"),
        required=False,
        widget=DateInput,
        help_text=_("Danh sách đơn vị hành chính bên dưới theo ngày này."),
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị hành chính"), queryset=Unit.objects.none(), widget=LargeSelect
    )
    parent = OrganizationChoiceField(
        label=_("Tổ chức cấp trên"), queryset=Organization.objects.none(), required=False, widget=LargeSelect
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, instance: Organization | None = None, **kwargs):
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                name: getattr(instance, name)
                for name in (
                    "code",
                    "name",
                    "kind",
                    "school_level",
                    "health_level",
                    "sector",
                    "ownership",
                    "valid_from",
                    "address",
                    "phone",
                    "email",
                    "version",
                )
            } | {"unit": instance.unit_id, "parent": instance.parent_id}
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["unit"].queryset = Unit.objects.for_user(user)
        self.fields["unit"].widget.attrs["data-unit-select"] = "1"
        if instance is not None and instance.locations.count() > 1:
            # Moved at least once: the current unit is shown, and changed only by a move.
            self.fields["unit"].disabled = True
            self.fields["unit"].help_text = _(
                "Tổ chức đã chuyển địa bàn; đơn vị hành chính hiện tại không sửa ở đây."
            )
            self.fields["unit"].widget.choices = unit_choices(user=user, day=None, selected=instance.unit)
        else:
            day = date_value(self, "valid_from") or timezone.localdate()
            self.fields["unit"].widget.choices = unit_choices(
                user=user, day=day, selected=_selected_unit(self)
            )
        self.fields["parent"].queryset = organizations_for_choice(user=user, exclude=instance)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class OrganizationCloseForm(forms.Form):
    valid_to = forms.DateField(
        label=_("Ngày chấm dứt hoạt động"), widget=DateInput, help_text=_("Ngày cuối cùng tổ chức hoạt động.")
    )
    reason = forms.CharField(
        label=_("Lý do chấm dứt"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    successor = OrganizationChoiceField(
        label=_("Tổ chức kế thừa"),
        queryset=Organization.objects.none(),
        required=False,
        widget=LargeSelect,
        help_text=_("Tổ chức nhận lại chức năng, nhiệm vụ (nếu có)."),
    )
    succession_note = forms.CharField(label=_("Ghi chú kế thừa"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user, instance: Organization, **kwargs):
        kwargs.setdefault("initial", {"version": instance.version})
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = organizations_for_choice(user=user, exclude=instance)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
