from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "ctxh.cases"
    label = "cases"
    verbose_name = _("Đối tượng và quản lý trường hợp")

    def ready(self) -> None:
        from ctxh.cases import sensitive

        sensitive.register()
