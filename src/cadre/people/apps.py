from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "cadre.people"
    label = "people"
    verbose_name = "Organisation"

    def ready(self) -> None:
        # Remembers the person's time zone at login, for ``PersonTimeZoneMiddleware``.
        from cadre.people import middleware  # noqa: F401
