from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "ctxh.indicators"
    label = "indicators"
    verbose_name = _("Chỉ số")

    def ready(self) -> None:
        # The indicators app reads the domain apps; they never import it. Its receivers keep the fact table
        # fresh after every save of the records it counts (ctxh.indicators.refresh).
        from ctxh.indicators import refresh

        refresh.connect()
