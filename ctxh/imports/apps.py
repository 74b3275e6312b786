from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "ctxh.imports"
    label = "imports"
