from django.urls import include, path

from ctxh.web.views import home, indicators, orgs, training, units, workforce

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("don-vi-hanh-chinh/", include(units.urlpatterns)),
    path("to-chuc/", include(orgs.urlpatterns)),
    path("nhan-su/", include(workforce.urlpatterns)),
    path("dao-tao/", include(training.urlpatterns)),
    path("chi-so/", include(indicators.urlpatterns)),
]
