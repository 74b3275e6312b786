from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ctxh.api"
    label = "api"
