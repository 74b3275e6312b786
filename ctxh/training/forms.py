"""Forms of the training pages. They parse input; the services (ctxh/training/services.py) validate and save.

Every choice list is built from the user's scope: organizations through Organization.objects.for_user, units
through Unit.objects.for_user, workers through Worker.objects.for_user.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ctxh.core.reference import Sex
from ctxh.geo.models import Unit
from ctxh.orgs.forms import ALL, NONE, DateInput, LargeSelect, OrganizationChoiceField, unit_choices
from ctxh.orgs.models import Organization, OrgKind
from ctxh.orgs.selectors import organizations_for_choice
from ctxh.training.models import Course, CourseLevel, FundingSource, Session, Topic
from ctxh.training.selectors import course_organizers, course_years
from ctxh.workforce.models import Worker


class LargeSelectMultiple(LargeSelect):
    """LargeSelect for several values (trainers): the same quick rendering, with `multiple`."""

    allow_multiple_selected = True

    def __init__(self, attrs=None, choices=()):
        super().__init__({"multiple": True, "size": 6, **(attrs or {})}, choices)

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False


class CourseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"), required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Tên khóa, lớp (gõ không dấu cũng được)"),
                                      "type": "search"}),
    )
    topic = forms.ModelChoiceField(label=_("Chủ đề"), queryset=Topic.objects.all(), required=False,
                                   empty_label=_("Tất cả"))
    organizer = OrganizationChoiceField(label=_("Đơn vị tổ chức"), queryset=Organization.objects.none(),
                                        required=False, empty_label=_("Tất cả"))
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False, empty_value=None)
    funding_source = forms.ChoiceField(label=_("Nguồn kinh phí"), choices=ALL + FundingSource.choices,
                                       required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = course_organizers(user=user)
        self.fields["year"].choices = ALL + [(year, str(year)) for year in course_years(user=user)]


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Tên khóa, lớp"), max_length=300)
    topics = forms.ModelMultipleChoiceField(
        label=_("Chủ đề"), queryset=Topic.objects.filter(active=True), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.ChoiceField(label=_("Trình độ"), choices=CourseLevel.choices)
    organizer = OrganizationChoiceField(label=_("Đơn vị tổ chức"), queryset=Organization.objects.none(),
                                        widget=LargeSelect)
    partner = OrganizationChoiceField(
        label=_("Cơ sở đào tạo phối hợp"), queryset=Organization.objects.none(), required=False,
        widget=LargeSelect, help_text=_("Ví dụ: Trường Đại học Tân Trào."),
    )
    funding_source = forms.ChoiceField(label=_("Nguồn kinh phí"), choices=FundingSource.choices)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, instance: Course | None = None, **kwargs):
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "title": instance.title, "level": instance.level, "organizer": instance.organizer_id,
                "partner": instance.partner_id, "funding_source": instance.funding_source,
                "note": instance.note, "version": instance.version,
                "topics": [topic.pk for topic in instance.topics.all()],
            }
        super().__init__(*args, **kwargs)
        organizations = organizations_for_choice(user=user)
        if instance is not None:  # the organizations already recorded stay choosable, whatever the scope
            kept = [pk for pk in (instance.organizer_id, instance.partner_id) if pk]
            organizations = (organizations | Organization.objects.filter(pk__in=kept)).distinct()
        self.fields["organizer"].queryset = organizations
        self.fields["partner"].queryset = organizations
        if instance is not None:
            current = set(instance.topics.values_list("pk", flat=True))
            self.fields["topics"].queryset = Topic.objects.filter(active=True) | Topic.objects.filter(
                pk__in=current)

    def changes(self) -> tuple[dict, list[Topic]]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        topics = list(data.pop("topics"))
        return data, topics


class SessionForm(forms.Form):
    start_date = forms.DateField(label=_("Ngày bắt đầu"), widget=DateInput)
    end_date = forms.DateField(label=_("Ngày kết thúc"), widget=DateInput, required=False,
                               help_text=_("Để trống nếu lớp học trong một ngày."))
    place = forms.CharField(label=_("Địa điểm"), max_length=300, required=False)
    trainers = forms.ModelMultipleChoiceField(
        label=_("Giảng viên (trong danh sách người làm CTXH)"), queryset=Worker.objects.none(),
        required=False, widget=LargeSelectMultiple,
        help_text=_("Giữ phím Ctrl (hoặc Cmd) để chọn nhiều người."),
    )
    trainer_names = forms.CharField(
        label=_("Giảng viên khác"), max_length=500, required=False,
        help_text=_("Họ tên giảng viên không có trong danh sách, cách nhau bởi dấu phẩy."),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, instance: Session | None = None, **kwargs):
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "start_date": instance.start_date, "end_date": instance.end_date, "place": instance.place,
                "trainer_names": instance.trainer_names, "note": instance.note,
                "trainers": [worker.pk for worker in instance.trainers.all()],
            }
        super().__init__(*args, **kwargs)
        workers = Worker.objects.for_user(user)
        if instance is not None:  # trainers already recorded stay, whatever the scope
            workers = (workers | Worker.objects.filter(sessions_trained=instance)).distinct()
        self.fields["trainers"].queryset = workers.order_by("search_name", "date_of_birth")
        self.fields["trainers"].label_from_instance = lambda w: f"{w.full_name} ({w.date_of_birth:%Y})"


class WorkerEntryForm(forms.Form):
    """Add a registered worker: the words typed, and the worker picked from the suggestions (if any)."""

    q = forms.CharField(label=_("Người làm CTXH"), max_length=150, required=False)
    worker = forms.IntegerField(required=False, widget=forms.HiddenInput)


# "Trường THCS Kim Phú (TH-0123)": the suggestion of a registered organization ends with its code.
_CODE_AT_END = re.compile(r"\(([^()]+)\)\s*$")


class ExternalPersonForm(forms.Form):
    """One line for a person who is not in the list of social workers."""

    person_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    organization = forms.CharField(
        label=_("Cơ quan, đơn vị"), max_length=255, required=False,
        help_text=_("Chọn trong gợi ý, hoặc gõ tên nếu chưa có trong danh sách."),
    )
    position_title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=NONE + Sex.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        text = (data.get("organization") or "").strip()
        data["organization_obj"], data["organization_name"] = None, text
        match = _CODE_AT_END.search(text)
        if match:
            found = Organization.objects.for_user(self.user).filter(code=match.group(1).strip()).first()
            if found is not None:
                data["organization_obj"], data["organization_name"] = found, ""
        return data


class CountedAttendanceForm(forms.Form):
    """How many people of a unit (by kind of organization and sex) completed the session."""

    unit = forms.ModelChoiceField(label=_("Đơn vị hành chính"), queryset=Unit.objects.none(),
                                  widget=LargeSelect,
                                  help_text=_("Nơi đặt trụ sở của các tổ chức có người dự lớp, vào ngày "
                                              "khai giảng."))
    org_kind = forms.ChoiceField(label=_("Loại tổ chức"), choices=[("", _("Không rõ"))] + OrgKind.choices,
                                 required=False)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=[("", _("Không rõ"))] + Sex.choices, required=False)
    # Text, not a number field: the service gives the one message for a count that is not a whole number.
    count = forms.CharField(label=_("Số lượt người hoàn thành"), max_length=12,
                            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                            help_text=_("Nhập 0 để xóa dòng số liệu này."))
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args, user, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.for_user(user)
        self.fields["unit"].widget.choices = unit_choices(user=user, day=session.start_date)
