"""The REST API: version 1 under /api/v1/, the OpenAPI 3 schema at /api/schema/, Swagger UI at /api/docs/.

Each resource lives in its own module (units.py, organizations.py, ...) and registers here.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import APIRootView, DefaultRouter

from ctxh.api.aggregate import DataSetViewSet, DataValueViewSet
from ctxh.api.auth import ObtainTokenView
from ctxh.api.cases import AssessmentViewSet, CaseViewSet, ReferralViewSet, ServiceDeliveryViewSet
from ctxh.api.common import ApiViewMixin
from ctxh.api.indicators import IndicatorViewSet
from ctxh.api.organizations import OrganizationViewSet
from ctxh.api.persons import ConsentViewSet, HouseholdViewSet, PersonViewSet, StatusViewSet
from ctxh.api.programmes import ProgrammeViewSet
from ctxh.api.training import AttendanceViewSet, CourseViewSet, SessionViewSet
from ctxh.api.units import UnitViewSet
from ctxh.api.workforce import BaseSalaryViewSet, PositionViewSet, WorkerViewSet


class RootView(ApiViewMixin, APIRootView):
    """/api/v1/: the list of resources (browsable in a signed-in browser)."""


class Router(DefaultRouter):
    """The API root at /api/v1/ lists the resources; no `.json` suffix URLs (one URL per resource)."""

    APIRootView = RootView
    include_format_suffixes = False


router = Router()
router.register("units", UnitViewSet, basename="unit")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("workers", WorkerViewSet, basename="worker")
router.register("positions", PositionViewSet, basename="position")
router.register("base-salaries", BaseSalaryViewSet, basename="base-salary")
router.register("courses", CourseViewSet, basename="course")
router.register("sessions", SessionViewSet, basename="session")
router.register("attendances", AttendanceViewSet, basename="attendance")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("data-sets", DataSetViewSet, basename="data-set")
router.register("data-values", DataValueViewSet, basename="data-value")
router.register("persons", PersonViewSet, basename="person")
router.register("statuses", StatusViewSet, basename="status")
router.register("households", HouseholdViewSet, basename="household")
router.register("consents", ConsentViewSet, basename="consent")
router.register("cases", CaseViewSet, basename="case")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("services", ServiceDeliveryViewSet, basename="service-delivery")
router.register("referrals", ReferralViewSet, basename="referral")

v1_patterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("dhis2/", include("ctxh.api.dhis2")),
    *router.urls,
]

urlpatterns = [
    path("v1/", include((v1_patterns, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
