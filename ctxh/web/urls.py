from django.urls import include, path

from ctxh.web.views import (
    cases,
    cases_io,
    dashboard,
    home,
    indicators,
    orgs,
    person_rights,
    training,
    training_io,
    units,
    workforce,
    workforce_io,
)

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi-hanh-chinh/", include(units.urlpatterns)),
    path("to-chuc/", include(orgs.urlpatterns)),
    path("nhan-su/", include(workforce.urlpatterns)),
    path("nhan-su/excel/", include(workforce_io.urlpatterns)),
    path("dao-tao/", include(training.urlpatterns)),
    path("dao-tao/excel/", include(training_io.urlpatterns)),
    path("bang-dieu-khien/", include(dashboard.urlpatterns)),
    path("chi-so/", include(indicators.urlpatterns)),
    path("dhis2/", include("ctxh.web.views.dhis2")),
    path("bao-cao-so-lieu/", include("ctxh.web.views.aggregate")),
    path("ho-so/excel/", include(cases_io.urlpatterns)),
    path("ho-so/", include(cases.urlpatterns)),
    path("ho-so/doi-tuong/<int:pk>/quyen/", include(person_rights.urlpatterns)),
]
