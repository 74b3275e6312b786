from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ctxh.core"
    label = "core"
