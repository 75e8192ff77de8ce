from django.urls import path

from cadre.enablement import views

app_name = "enablement"

urlpatterns = [
    path("training/", views.training, name="training"),
    path("training/<slug:slug>/", views.module_detail, name="module"),
    path("training/<slug:slug>/quiz/", views.module_quiz, name="quiz"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt"),
    path("my-certification/", views.my_certification, name="my_certification"),
    path("certification/", views.certification_list, name="certification_list"),
    path(
        "certification/<int:pk>/sign-off/",
        views.certification_sign_off,
        name="certification_sign_off",
    ),
    path("resources/", views.resource_list, name="resources"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("resources/<int:pk>/", views.resource_detail, name="resource"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/file/", views.resource_file, name="resource_file"),
]
