from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "ctxh.training"
    label = "training"
