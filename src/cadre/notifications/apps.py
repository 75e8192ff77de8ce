from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cadre.notifications"
    label = "notifications"
    verbose_name = "Notifications"
