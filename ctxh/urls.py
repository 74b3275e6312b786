from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("ctxh.web.urls")),
    path("tai-khoan/", include("ctxh.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("ctxh.api.urls")),
    path("quan-tri/", admin.site.urls),
]

admin.site.site_header = settings.ADMIN_SITE_TITLE
admin.site.site_title = settings.ADMIN_SITE_TITLE
