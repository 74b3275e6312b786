from django.urls import include, path

from ctxh.web.views import home, orgs, units

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi-hanh-chinh/", include(units.urlpatterns)),
    path("to-chuc/", include(orgs.urlpatterns)),
]
