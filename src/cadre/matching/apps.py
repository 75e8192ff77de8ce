from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "cadre.matching"
    label = "matching"
    verbose_name = "Matching"
