from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ctxh.demo"
    label = "demo"
