from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ctxh.audit"
    label = "audit"
