from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ctxh.web"
    label = "web"
