"""Feedback pages, under /feedback/."""

from django.urls import URLPattern, URLResolver, path

from cadre.feedback import assessment_views, editor_views, health_views, report_views, views

app_name = "feedback"

urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/", views.my_surveys, name="my_surveys"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("360/", assessment_views.my_assessments, name="my_assessments"),
    path("360/start/<int:pk>/", assessment_views.assessment_start, name="assessment_start"),
    path("360/<int:pk>/", assessment_views.assessment, name="assessment"),
    path("360/<int:pk>/submit/", assessment_views.assessment_submit, name="assessment_submit"),
    path("360/<int:pk>/approve/", assessment_views.assessment_approve, name="assessment_approve"),
    path("360/<int:pk>/repeat/", assessment_views.assessment_repeat, name="assessment_repeat"),
    path("raters/<int:pk>/remove/", assessment_views.nomination_remove, name="nomination_remove"),
    path("raters/<int:pk>/decide/", assessment_views.nomination_decide, name="nomination_decide"),
    path("360/<int:pk>/report/", report_views.assessment_report, name="assessment_report"),
    path("coaching/", report_views.coach_report, name="coach_report"),
    path("programmes/<int:pk>/", report_views.programme_report, name="programme_report"),
    path(
        "programmes/<int:pk>/report.<str:format>",
        report_views.programme_report_export,
        name="programme_report_export",
    ),
    path(
        "programmes/<int:pk>/anonymity/",
        report_views.anonymity_threshold,
        name="anonymity_threshold",
    ),
    path(
        "programmes/<int:pk>/questionnaires/",
        editor_views.questionnaire_list,
        name="questionnaire_list",
    ),
    path(
        "programmes/<int:pk>/questionnaires/new/",
        editor_views.questionnaire_new,
        name="questionnaire_new",
    ),
    path(
        "programmes/<int:pk>/questionnaires/<slug:key>/",
        editor_views.questionnaire,
        name="questionnaire",
    ),
    path(
        "programmes/<int:pk>/questionnaires/<slug:key>/customise/",
        editor_views.questionnaire_customise,
        name="questionnaire_customise",
    ),
    path(
        "programmes/<int:pk>/questionnaires/<slug:key>/edit/",
        editor_views.questionnaire_edit,
        name="questionnaire_edit",
    ),
    path(
        "programmes/<int:pk>/questionnaires/<slug:key>/v<int:version>/",
        editor_views.questionnaire_preview,
        name="questionnaire_preview",
    ),
]

# Relationship health, alerts and a programme's feedback settings
urlpatterns += [
    path(
        "programmes/<int:pk>/health/",
        health_views.programme_health_page,
        name="programme_health",
    ),
    path(
        "programmes/<int:pk>/health/check/",
        health_views.programme_health_check,
        name="programme_health_check",
    ),
    path(
        "programmes/<int:pk>/settings/",
        health_views.feedback_settings,
        name="feedback_settings",
    ),
    path("alerts/<int:pk>/", health_views.alert, name="alert"),
]
