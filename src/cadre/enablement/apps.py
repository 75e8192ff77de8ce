from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "cadre.enablement"
    label = "enablement"
    verbose_name = "Coach enablement"
