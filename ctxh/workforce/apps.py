from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "ctxh.workforce"
    label = "workforce"
