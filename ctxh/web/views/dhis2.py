"""Pages: exchange with DHIS2 for provincial staff: download a `dataValueSets` export (JSON or CSV), upload a
payload, see a dry run's summary, then confirm the import.

The work is done by `ctxh.indicators.dhis2` (export, imports), the same functions as the API. Exporting needs
VIEW_INDICATORS (the units of the user's scope); importing needs MANAGE_AGGREGATE. The payload checked by the
dry run waits in the session (with a token) until the user confirms; the confirmed import checks it all again.
"""

import json
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ctxh.accounts.roles import Capability
from ctxh.audit.services import log_export
from ctxh.geo.models import Unit
from ctxh.indicators.dhis2.export import build_export, from_csv, to_csv
from ctxh.indicators.dhis2.imports import import_data_value_set
from ctxh.indicators.dhis2.mapping import DEFAULT_INSTANCE, load_mappings_csv
from ctxh.indicators.models import DataSet, DataValue, Dhis2Mapping, IndicatorDefinition
from ctxh.indicators.periods import six_months_period, year_period
from ctxh.indicators.registry import UnitNotAvailable
from ctxh.web.decorators import capability_required

FIRST_YEAR = 2020
SESSION_KEY = "dhis2_import"
MAX_UPLOAD = 10 * 1024 * 1024


def period_choices(today) -> list[tuple[str, list[tuple[str, str]]]]:
    years = [year_period(year) for year in range(today.year, FIRST_YEAR - 1, -1)]
    halves = [six_months_period(year, half)
              for year in range(today.year, FIRST_YEAR - 1, -1) for half in (2, 1)]
    return [
        (_("Năm"), [(p.code, f"{p.label} ({p.code})") for p in years]),
        (_("Sáu tháng"), [(p.code, f"{p.label} ({p.code})") for p in halves if p.start <= today]),
    ]


class ExportForm(forms.Form):
    data_set = forms.ModelChoiceField(label=gettext_lazy("Bộ số liệu"), queryset=DataSet.objects.none(),
                                      required=False, to_field_name="code",
                                      empty_label=gettext_lazy("— Không xuất số liệu báo cáo —"))
    indicators = forms.MultipleChoiceField(
        label=gettext_lazy("Giá trị chỉ số đã tính"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Mỗi chỉ số thành phần tử dữ liệu cùng mã (tổng) và theo từng cách phân tổ."))
    period = forms.ChoiceField(label=gettext_lazy("Kỳ"))
    unit = forms.ModelChoiceField(label=gettext_lazy("Đơn vị"), queryset=Unit.objects.none())
    children = forms.BooleanField(label=gettext_lazy("Kèm các đơn vị trực thuộc (địa giới của kỳ)"),
                                  required=False, initial=True)
    file_format = forms.ChoiceField(label=gettext_lazy("Định dạng"), initial="csv", widget=forms.RadioSelect,
                                    choices=[("csv", "CSV"), ("json", "JSON")])

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_set"].queryset = DataSet.objects.filter(is_active=True).order_by("code")
        self.fields["data_set"].label_from_instance = lambda data_set: f"{data_set.name} ({data_set.code})"
        self.fields["indicators"].choices = [
            (d.code, f"{d.short_name} ({d.code})")
            for d in IndicatorDefinition.objects.filter(is_active=True).order_by("sort_order", "code")]
        self.fields["period"].choices = period_choices(today)
        self.fields["unit"].queryset = (Unit.objects.for_user(user).filter(level__lte=3)
                                        .order_by("level", F("valid_to").desc(nulls_first=True), "code"))
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.label} ({unit.code})"

    def clean(self):
        data = super().clean()
        if not data.get("data_set") and not data.get("indicators"):
            raise ValidationError(_("Hãy chọn một bộ số liệu hoặc ít nhất một chỉ số."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp dataValueSets (JSON hoặc CSV của DHIS2)"))
    atomic_mode = forms.ChoiceField(label=gettext_lazy("Khi có giá trị lỗi"), initial="ALL",
                                    widget=forms.RadioSelect, choices=[
        ("ALL", gettext_lazy("Không ghi gì (mặc định)")),
        ("NONE", gettext_lazy("Ghi các giá trị đúng, bỏ qua giá trị lỗi (như DHIS2)")),
    ])
    import_strategy = forms.ChoiceField(label=gettext_lazy("Cách nhập"), initial="CREATE_AND_UPDATE",
                                        choices=[
        ("CREATE_AND_UPDATE", gettext_lazy("Nhập mới và sửa giá trị đã có")),
        ("CREATE", gettext_lazy("Chỉ nhập giá trị mới")),
        ("UPDATE", gettext_lazy("Chỉ sửa giá trị đã có")),
        ("DELETE", gettext_lazy("Xóa các giá trị trong tệp")),
    ])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("Tệp quá lớn (tối đa 10 MB)."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("Tệp phải được mã hóa UTF-8.")) from None
        if text.lstrip().startswith(("{", "[")):
            try:
                return json.loads(text)
            except json.JSONDecodeError as error:
                raise ValidationError(_("Tệp JSON không đọc được (dòng %(line)s): %(error)s") % {
                    "line": error.lineno, "error": error.msg}) from None
        return from_csv(text)


class MappingForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp CSV: kind,ctxh_code,dhis2_code"), help_text=gettext_lazy(
        "kind: dataElement, categoryOptionCombo, orgUnit hoặc dataSet. Mã đơn vị viết MÃ (mọi thế hệ) hoặc "
        "MÃ@YYYY-MM-DD (thế hệ có hiệu lực từ ngày đó)."))
    instance = forms.CharField(label=gettext_lazy("Hệ thống DHIS2"), max_length=60, initial=DEFAULT_INSTANCE)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("Tệp quá lớn (tối đa 10 MB)."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("Tệp phải được mã hóa UTF-8.")) from None


def _page(request, *, export_form=None, import_form=None, mapping_form=None, status=200):
    today = timezone.localdate()
    manager = request.user.can(Capability.MANAGE_AGGREGATE)
    context = {
        "export_form": export_form or ExportForm(user=request.user, today=today),
        "import_form": (import_form or ImportForm()) if manager else None,
        "mapping_form": (mapping_form or MappingForm()) if manager else None,
        "mappings": Dhis2Mapping.objects.order_by("instance", "kind", "ctxh_code") if manager else None,
    }
    return render(request, "web/dhis2/index.html", context, status=status)


@require_GET
@capability_required(Capability.VIEW_INDICATORS)
def dhis2_home(request):
    return _page(request)


@require_GET
@capability_required(Capability.VIEW_INDICATORS)
def dhis2_export(request):
    form = ExportForm(request.GET, user=request.user, today=timezone.localdate())
    if not form.is_valid():
        return _page(request, export_form=form, status=400)
    data = form.cleaned_data
    try:
        export = build_export(user=request.user, data_set=data["data_set"], indicators=data["indicators"],
                              periods=[data["period"]], org_units=[data["unit"]], children=data["children"])
    except UnitNotAvailable:
        form.add_error("unit", _("%(unit)s không tồn tại trong kỳ đã chọn.") % {"unit": data["unit"].label})
        return _page(request, export_form=form, status=400)
    except ValidationError as error:
        for messages in error.message_dict.values():
            for message in messages:
                form.add_error(None, message)
        return _page(request, export_form=form, status=400)
    file_format = data["file_format"]
    log_export(request_or_user=request, objects=export.data_value_ids, model=DataValue,
               file_format=file_format, count=export.count,
               description=f"DHIS2 dataValueSets ({len(export.fact_ids)} indicator facts)")
    source = data["data_set"].code if data["data_set"] else "chi-so"
    name = f"dataValueSets-{source}-{data['period']}-{data['unit'].code}.{file_format}"
    if file_format == "csv":
        response = HttpResponse(to_csv(export.payload), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(json.dumps(export.payload, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@capability_required(Capability.MANAGE_AGGREGATE)
def dhis2_import(request):
    """Upload: a dry run, then a page showing what the import would do, with a button to confirm."""
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, import_form=form, status=400)
    options = {"atomic_mode": form.cleaned_data["atomic_mode"],
               "import_strategy": form.cleaned_data["import_strategy"]}
    payload = form.cleaned_data["file"]
    try:
        summary = import_data_value_set(payload, user=request.user, dry_run=True, **options)
    except ValidationError as error:
        for messages in error.message_dict.values():
            for message in messages:
                form.add_error("file", message)
        return _page(request, import_form=form, status=400)
    token = uuid.uuid4().hex
    request.session[SESSION_KEY] = {"token": token, "payload": payload, "options": options,
                                    "name": request.FILES["file"].name}
    return render(request, "web/dhis2/summary.html", {
        "summary": summary, "token": token, "file_name": request.FILES["file"].name,
        "can_confirm": summary.status != "ERROR",
    })


@require_POST
@capability_required(Capability.MANAGE_AGGREGATE)
def dhis2_import_confirm(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.warning(request, _("Không còn bản chạy thử nào chờ xác nhận: hãy tải tệp lên lại."))
        return redirect("web:dhis2")
    del request.session[SESSION_KEY]
    try:
        summary = import_data_value_set(pending["payload"], user=request.user, dry_run=False,
                                        **pending["options"])
    except ValidationError as error:
        form = ImportForm()
        form.add_error(None, " ".join(error.messages))
        return _page(request, import_form=form, status=400)
    return render(request, "web/dhis2/summary.html", {
        "summary": summary, "file_name": pending.get("name", ""), "done": True})


@require_POST
@capability_required(Capability.MANAGE_AGGREGATE)
def dhis2_mappings(request):
    """Create or update code mappings from a small CSV (all or nothing)."""
    form = MappingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = load_mappings_csv(form.cleaned_data["file"], instance=form.cleaned_data["instance"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(request, _("Bảng ánh xạ mã: thêm %(created)s, sửa %(updated)s, không đổi "
                                        "%(unchanged)s.") % vars(result))
            return redirect("web:dhis2")
    return _page(request, mapping_form=form, status=400)


urlpatterns = [
    path("", dhis2_home, name="dhis2"),
    path("xuat/", dhis2_export, name="dhis2_export"),
    path("nhap/", dhis2_import, name="dhis2_import"),
    path("nhap/xac-nhan/", dhis2_import_confirm, name="dhis2_import_confirm"),
    path("anh-xa/", dhis2_mappings, name="dhis2_mappings"),
]
