from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "cadre.programs"
    label = "programs"
    verbose_name = "Programmes"
