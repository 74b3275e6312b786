"""Forms of the case pages: thin, they parse input; the services (ctxh.cases.services) decide and write.

A service's ValidationError keyed by field is put back next to the field with `add_service_errors`.
"""

import uuid

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from ctxh.cases.models import (
    AssessmentKind,
    ClosureReason,
    FundingSource,
    Relationship,
    RiskLevel,
    ServiceType,
    Severity,
    Stage,
)
from ctxh.core.reference import Sex

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput, input_formats=DATE_FORMATS,
                           **kwargs)


def _blank(choices) -> list:
    return [("", "---------"), *choices]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's messages next to their fields (unknown keys go on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def form_errors_text(form: forms.Form) -> list[str]:
    out = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        for error in errors:
            out.append(f"{label}: {error}" if label and field != NON_FIELD_ERRORS else str(error))
    return out


# --- list ---


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo họ tên, số CCCD hoặc số hồ sơ"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Giai đoạn"), required=False, choices=_blank(Stage.choices))
    risk = forms.ChoiceField(label=_("Mức độ nguy cơ"), required=False, choices=_blank(RiskLevel.choices))
    organization = forms.TypedChoiceField(label=_("Tổ chức quản lý"), required=False, coerce=int,
                                          empty_value=None)
    overdue = forms.BooleanField(label=_("Chỉ hồ sơ quá hạn"), required=False)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = _blank([(org.pk, org.name) for org in organizations])


# --- intake ---


class IntakeForm(forms.Form):
    """Who (an existing person, or a new one), which organization, risk and reason; `token` makes a double
    submission open one case."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=_blank(Sex.choices), required=False)
    date_of_birth = date_field(_("Ngày sinh"), required=False)
    birth_year = forms.IntegerField(label=_("Năm sinh (khi không biết ngày sinh)"), required=False,
                                    min_value=1900, max_value=2100)
    cccd = forms.CharField(label=_("Số CCCD"), max_length=20, required=False)
    # Where the person lives: the indicators count people by their address unit.
    unit = forms.TypedChoiceField(label=_("Nơi cư trú (xã, phường)"), coerce=int, required=False)
    confirm_new = forms.BooleanField(
        label=_("Tôi đã xem các hồ sơ có thể trùng: đây là một người khác, hãy tạo hồ sơ mới"),
        required=False)
    organization = forms.TypedChoiceField(label=_("Tổ chức tiếp nhận"), coerce=int)
    risk_level = forms.ChoiceField(label=_("Mức độ nguy cơ ban đầu"), choices=_blank(RiskLevel.choices),
                                   required=False)
    intake_summary = forms.CharField(label=_("Lý do tiếp nhận, tóm tắt hoàn cảnh"), widget=forms.Textarea(
        attrs={"rows": 4}), required=False)

    def __init__(self, *args, organizations=(), units=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _blank([(unit.pk, unit.name) for unit in units])
        orgs = list(organizations)
        self.fields["organization"].choices = [(org.pk, org.name) for org in orgs]
        if len(orgs) == 1:
            self.fields["organization"].initial = orgs[0].pk

    def clean(self):
        data = super().clean()
        if not data.get("person"):
            if not (data.get("full_name") or "").strip():
                self.add_error("full_name", _("Hãy nhập họ và tên người cần trợ giúp, hoặc chọn một người đã "
                                              "có trong danh sách."))
            if not data.get("sex"):
                self.add_error("sex", _("Hãy chọn giới tính."))
            if not data.get("date_of_birth") and not data.get("birth_year"):
                self.add_error("date_of_birth",
                               _("Hãy nhập ngày sinh, hoặc năm sinh nếu không biết ngày sinh."))
            if not data.get("unit"):
                self.add_error("unit", _("Hãy chọn xã, phường nơi người này cư trú."))
        return data


# --- case page actions ---


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssignForm(VersionForm):
    worker = forms.TypedChoiceField(label=_("Người quản lý trường hợp"), coerce=int)

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = _blank([(w.pk, w.full_name) for w in workers])


class AdvanceForm(VersionForm):
    stage = forms.ChoiceField(label=_("Chuyển sang giai đoạn"),
                              choices=[c for c in Stage.choices if c[0] != Stage.CLOSED])


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại đánh giá"), choices=AssessmentKind.choices)
    assessed_on = date_field(_("Ngày đánh giá"))
    risk_level = forms.ChoiceField(label=_("Mức độ nguy cơ"), choices=RiskLevel.choices)
    needs = forms.CharField(label=_("Nhu cầu"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PlanDraftForm(forms.Form):
    goals = forms.CharField(label=_("Mục tiêu (mỗi dòng một mục tiêu)"),
                            widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PlanApproveForm(forms.Form):
    plan = forms.IntegerField(widget=forms.HiddenInput)
    approver_name = forms.CharField(label=_("Người phê duyệt (họ tên, chức vụ)"), max_length=200)
    decision_number = forms.CharField(label=_("Số quyết định phê duyệt"), max_length=50, required=False)


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Loại dịch vụ"), choices=ServiceType.choices)
    delivered_on = date_field(_("Ngày cung cấp"))
    funding_source = forms.ChoiceField(label=_("Nguồn kinh phí"), choices=FundingSource.choices)
    amount_vnd = forms.CharField(label=_("Giá trị (đồng)"), required=False, max_length=30)
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CloseForm(VersionForm):
    reason = forms.ChoiceField(label=_("Lý do kết thúc"), choices=_blank(ClosureReason.choices))
    outcome = forms.CharField(label=_("Kết quả trợ giúp"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(VersionForm):
    reason = forms.CharField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(forms.Form):
    given_by_person = forms.BooleanField(label=_("Đối tượng tự đồng ý"), required=False)
    representative_name = forms.CharField(label=_("Người đại diện hợp pháp"), max_length=150, required=False)
    representative_relationship = forms.CharField(label=_("Quan hệ với đối tượng"), max_length=100,
                                                  required=False)
    for_services = forms.BooleanField(label=_("Đồng ý nhận dịch vụ"), required=False, initial=True)
    for_sharing = forms.BooleanField(label=_("Đồng ý chia sẻ thông tin với tổ chức khác"), required=False)


class ReferralForm(forms.Form):
    to_org = forms.TypedChoiceField(label=_("Chuyển đến tổ chức"), coerce=int)
    reason = forms.CharField(label=_("Lý do chuyển"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = date_field(_("Thời hạn trả lời"), required=False)
    shares_data = forms.BooleanField(label=_("Chia sẻ thông tin của đối tượng"), required=False)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = _blank([(org.pk, org.name) for org in organizations])


class ReferralResponseForm(forms.Form):
    decision = forms.ChoiceField(label=_("Trả lời"), choices=[("accept", _("Tiếp nhận")),
                                                              ("decline", _("Từ chối"))])
    note = forms.CharField(label=_("Ý kiến (bắt buộc khi từ chối)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


# --- person list, statuses, households, merge ---


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo họ tên hoặc số CCCD"), required=False, max_length=100)
    unit = forms.TypedChoiceField(label=_("Nơi cư trú (xã, phường)"), required=False, coerce=int,
                                  empty_value=None)
    category = forms.TypedChoiceField(label=_("Nhóm đối tượng (hiện tại)"), required=False, coerce=int,
                                      empty_value=None)
    children = forms.BooleanField(label=_("Chỉ trẻ em (dưới 16 tuổi)"), required=False)

    def __init__(self, *args, units=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _blank([(unit.pk, unit.name) for unit in units])
        self.fields["category"].choices = _blank([(c.pk, c.name) for c in categories])


class StatusForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Nhóm đối tượng"), coerce=int)
    start_date = date_field(_("Từ ngày"))
    end_date = date_field(_("Đến ngày (để trống: vẫn còn)"), required=False)
    severity = forms.ChoiceField(label=_("Mức độ (khuyết tật)"), choices=_blank(Severity.choices),
                                 required=False)
    event = forms.CharField(label=_("Sự kiện (thiên tai, dịch bệnh)"), max_length=200, required=False)
    evidence = forms.CharField(label=_("Căn cứ, giấy tờ chứng minh"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    verified = forms.BooleanField(label=_("Tôi đã đối chiếu giấy tờ (xác minh hôm nay)"), required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list] = {}
        for category in categories:
            groups.setdefault(category.get_group_display(), []).append((category.pk, category.name))
        self.fields["category"].choices = [("", "---------"), *groups.items()]

    def clean(self):
        data = super().clean()
        if data.get("verified") and not (data.get("evidence") or "").strip():
            self.add_error("evidence", _("Hãy ghi căn cứ, giấy tờ đã đối chiếu khi xác minh."))
        return data


class StatusEndForm(forms.Form):
    end_date = date_field(_("Ngày kết thúc"))


class StatusVerifyForm(forms.Form):
    verified_on = date_field(_("Ngày xác minh"))
    evidence = forms.CharField(label=_("Căn cứ, giấy tờ đã đối chiếu"),
                               widget=forms.Textarea(attrs={"rows": 3}))


class HouseholdForm(VersionForm):
    name = forms.CharField(label=_("Tên hộ (thường là tên chủ hộ)"), max_length=200, required=False)
    unit = forms.TypedChoiceField(label=_("Xã, phường"), coerce=int, required=False, empty_value=None)
    address_text = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    is_poor = forms.BooleanField(label=_("Hộ nghèo"), required=False)
    is_near_poor = forms.BooleanField(label=_("Hộ cận nghèo"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _blank([(unit.pk, unit.name) for unit in units])

    def clean(self):
        data = super().clean()
        if data.get("is_poor") and data.get("is_near_poor"):
            self.add_error("is_near_poor", _("Một hộ không thể vừa là hộ nghèo vừa là hộ cận nghèo."))
        return data


class HouseholdCreateForm(HouseholdForm):
    """A new household; with a person (from their page), they join it from `start_date`."""

    relationship = forms.ChoiceField(label=_("Quan hệ với chủ hộ"), choices=Relationship.choices,
                                     initial=Relationship.HEAD)
    start_date = date_field(_("Là thành viên từ ngày"))


class MemberAddForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": _("Hãy tìm và chọn một người trong danh sách.")})
    relationship = forms.ChoiceField(label=_("Quan hệ với chủ hộ"), choices=Relationship.choices)
    start_date = date_field(_("Là thành viên từ ngày"))


class MemberRelationshipForm(forms.Form):
    relationship = forms.ChoiceField(label=_("Quan hệ với chủ hộ"), choices=Relationship.choices)


class MemberEndForm(forms.Form):
    end_date = date_field(_("Không còn là thành viên từ sau ngày"))


class MergeForm(forms.Form):
    keep = forms.TypedChoiceField(label=_("Hồ sơ được giữ lại"), coerce=int, widget=forms.RadioSelect)
    version_a = forms.IntegerField(widget=forms.HiddenInput)
    version_b = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_(
        "Tôi đã đối chiếu hai hồ sơ: đây là cùng một người. Mọi tình trạng, hộ gia đình, hồ sơ trường hợp, "
        "dịch vụ và sự đồng ý chuyển về hồ sơ được giữ lại; hồ sơ kia được đánh dấu đã gộp, không bị xóa."))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(p.pk, p.full_name) for p in people]


# --- emergency measures, transfer ---


class EmergencyForm(VersionForm):
    day = date_field(_("Ngày áp dụng"))
    time = forms.TimeField(label=_("Giờ áp dụng (giờ:phút)"), input_formats=["%H:%M", "%H.%M", "%Hh%M"],
                           widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric",
                                                                         "placeholder": "hh:mm"}))
    measures = forms.CharField(label=_("Biện pháp đã áp dụng"), widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("Ví dụ: đưa trẻ đến nơi ở an toàn, cách ly khỏi người có hành vi "
                                           "xâm hại, chăm sóc y tế."))


class TransferForm(VersionForm):
    to_org = forms.TypedChoiceField(label=_("Chuyển đến tổ chức"), coerce=int)
    worker = forms.TypedChoiceField(label=_("Người quản lý trường hợp ở tổ chức nhận (tùy chọn)"), coerce=int,
                                    required=False, empty_value=None)
    on = date_field(_("Ngày chuyển"))
    reason = forms.CharField(label=_("Lý do chuyển hồ sơ"), widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_(
        "Tôi hiểu rằng sau khi chuyển, tổ chức nhận quản lý hồ sơ này; tổ chức của tôi không còn xem và "
        "sửa được hồ sơ."))

    def __init__(self, *args, organizations=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = _blank([(org.pk, org.name) for org in organizations])
        self.fields["worker"].choices = _blank([(w.pk, w.full_name) for w in workers])
