"""The data subject's rights on the person page (Law 91/2025/QH15): export everything held about a person, for
them, and pseudonymize the record on a lawful request.

Both need VIEW_SENSITIVE (the export shows sensitive data unmasked; the export also needs EXPORT_CASES), and
the person in the user's scope (else 404). Both are written to the access log.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from ctxh.accounts.roles import Capability
from ctxh.audit.models import AccessAction
from ctxh.audit.services import log_access, log_export
from ctxh.cases.models import Person
from ctxh.cases.services.persons import person_pseudonymize
from ctxh.cases.subject import build_subject_export, subject_cases
from ctxh.web.decorators import capability_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request, *capabilities: Capability) -> None:
    if not all(request.user.can(capability) for capability in capabilities):
        raise PermissionDenied(_("Vai trò của bạn không có quyền xem trang này."))


def _person(request, pk: int) -> Person:
    return get_object_or_404(Person.objects.for_user(request.user).select_related("ethnicity", "guardian"),
                             pk=pk)


@require_GET
@capability_required(Capability.VIEW_SENSITIVE)
def subject_export(request, pk: int):
    _require(request, Capability.EXPORT_CASES)
    person = _person(request, pk)
    cases = subject_cases(person)
    content = build_subject_export(person, cases)
    log_export(request_or_user=request, objects=[person], count=1,
               description=_("Xuất toàn bộ dữ liệu cá nhân cho chính người đó (%(cases)s hồ sơ trường hợp)")
               % {"cases": len(cases)},
               purpose=_("Yêu cầu của chủ thể dữ liệu"))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{person.pk}.xlsx"'
    return response


class PseudonymizeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Lý do"), max_length=200,
                             help_text=gettext_lazy("Ví dụ: yêu cầu xóa dữ liệu của chính người đó."))
    legal_basis = forms.CharField(
        label=gettext_lazy("Căn cứ pháp lý"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1500,
        help_text=gettext_lazy("Văn bản yêu cầu và điều khoản áp dụng, ví dụ: đơn ngày …, Luật Bảo vệ "
                               "dữ liệu cá nhân số 91/2025/QH15."),
    )
    confirm = forms.BooleanField(label=gettext_lazy("Tôi hiểu rằng việc ẩn danh không thể hoàn tác."))

    def clean_reason(self) -> str:
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise ValidationError(_("Hãy ghi lý do."))
        return value

    def clean_legal_basis(self) -> str:
        value = self.cleaned_data["legal_basis"].strip()
        if not value:
            raise ValidationError(_("Hãy ghi căn cứ pháp lý."))
        return value


@capability_required(Capability.VIEW_SENSITIVE)
def pseudonymize(request, pk: int):
    person = _person(request, pk)
    if person.is_pseudonymized:
        messages.info(request, _("Hồ sơ này đã được ẩn danh."))
        return redirect("web:person_detail", pk=person.pk)
    form = PseudonymizeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_pseudonymize(person=person, by=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            reason, basis = form.cleaned_data["reason"], form.cleaned_data["legal_basis"]
            log_access(request_or_user=request, action=AccessAction.VIEW, obj=person,
                       description=_("Ẩn danh hồ sơ theo yêu cầu hợp pháp. Căn cứ pháp lý: %(basis)s")
                       % {"basis": basis},
                       purpose=reason)
            messages.success(request, _("Đã ẩn danh hồ sơ; các số liệu tổng hợp không thay đổi."))
            return redirect("web:person_detail", pk=person.pk)
    if request.method != "POST":
        log_access(request_or_user=request, action=AccessAction.VIEW, obj=person)
    return render(request, "web/cases/rights/pseudonymize.html", {"person": person, "form": form})


urlpatterns = [
    path("xuat/", subject_export, name="person_subject_export"),
    path("an-danh/", pseudonymize, name="person_pseudonymize"),
]
