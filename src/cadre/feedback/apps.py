from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "cadre.feedback"
    label = "feedback"
    verbose_name = "Feedback"
