"""Test-only pages and API endpoints that use the audit layer the way the domain apps will: organizations
(a function detail view, class-based list and detail views) and workers (an export, an API with masking)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path
from django.views.generic import DetailView, ListView
from rest_framework import routers, serializers, viewsets

from ctxh.api.common import ApiViewMixin
from ctxh.audit.api import AccessLogViewSetMixin, SensitiveFieldsSerializerMixin
from ctxh.audit.masking import masked_workbook
from ctxh.audit.models import AccessAction
from ctxh.audit.services import log_access, log_export, log_print
from ctxh.audit.views import AccessLogMixin, access_logged
from ctxh.imports.spreadsheet import XLSX_CONTENT_TYPE
from ctxh.orgs.models import Organization
from ctxh.workforce.models import Worker


@access_logged
def org_detail(request, pk):
    org = get_object_or_404(Organization.objects.for_user(request.user), pk=pk)
    log_access(request_or_user=request, action=AccessAction.VIEW, obj=org)
    return HttpResponse(org.name)


@access_logged
def org_forgetful(request, pk):
    org = get_object_or_404(Organization.objects.for_user(request.user), pk=pk)
    return HttpResponse(org.name)


@access_logged
def org_print(request, pk):
    org = get_object_or_404(Organization.objects.for_user(request.user), pk=pk)
    log_print(request_or_user=request, obj=org)
    return HttpResponse(f"<h1>{org.name}</h1>")


LIST_TEMPLATE = "{% for org in object_list %}<li>{{ org.name }}</li>{% endfor %}"


class OrgList(AccessLogMixin, ListView):
    paginate_by = 2

    def get_template_names(self):
        return engines["django"].from_string(LIST_TEMPLATE)

    def get_queryset(self):
        orgs = Organization.objects.for_user(self.request.user).order_by("code")
        if self.request.GET.get("q"):
            orgs = orgs.filter(search_name__contains=self.request.GET["q"])
        return orgs


class OrgDetail(AccessLogMixin, DetailView):
    def get_template_names(self):
        return engines["django"].from_string("<h1>{{ object.name }}</h1>")

    def get_queryset(self):
        return Organization.objects.for_user(self.request.user)


COLUMNS = [("name", "Họ và tên"), ("cccd", "Số CCCD"), ("phone", "Điện thoại"), ("note", "Ghi chú")]


def worker_export(request):
    workers = Worker.objects.for_user(request.user).order_by("pk")
    content = masked_workbook(
        workers, user=request.user, columns=COLUMNS, sources={"name": "full_name"},
        values=lambda w: {"name": w.full_name, "cccd": w.cccd, "phone": w.phone, "note": w.note},
    )
    log_export(request_or_user=request, objects=workers)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="workers.xlsx"'
    return response


class WorkerSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer):
    identity_number = serializers.CharField(source="cccd", read_only=True)

    class Meta:
        model = Worker
        fields = ["id", "full_name", "identity_number", "phone", "note"]


class WorkerViewSet(AccessLogViewSetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = WorkerSerializer

    def get_queryset(self):
        return Worker.objects.for_user(self.request.user).order_by("pk")


router = routers.SimpleRouter()
router.register("workers", WorkerViewSet, basename="test-worker")

urlpatterns = [
    path("t/orgs/", OrgList.as_view(), name="org_list"),
    path("t/orgs/<int:pk>/", org_detail, name="org_detail"),
    path("t/orgs/<int:pk>/cbv/", OrgDetail.as_view(), name="org_detail_cbv"),
    path("t/orgs/<int:pk>/forgetful/", org_forgetful, name="org_forgetful"),
    path("t/orgs/<int:pk>/print/", org_print, name="org_print"),
    path("t/workers/export/", worker_export, name="worker_export"),
    path("t/api/", include(router.urls)),
    path("", include("ctxh.urls")),  # the site itself: log-in, two-factor, admin
]
