from django.urls import path

from cadre.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_new, name="programme_new"),
    path("<int:pk>/", views.programme_detail, name="programme"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:pk>/move/", views.programme_move, name="programme_move"),
    path("<int:pk>/track/", views.curriculum_edit, name="curriculum_edit"),
    path("<int:pk>/enrolments/", views.enrolment_review, name="enrolment_review"),
    path("<int:pk>/enrolments/bulk/", views.enrolment_bulk_view, name="enrolment_bulk"),
    path("enrol/", views.enrol_list, name="enrol_list"),
    path("<int:pk>/apply/", views.enrol_apply, name="enrol_apply"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("mine/", views.my_enrolments, name="my_enrolments"),
    path("mine/<int:pk>/profile/", views.profile_edit, name="profile_edit"),
    path(
        "mine/<int:pk>/track/<int:milestone_pk>/",
        views.progress_update,
        name="progress_update",
    ),
    path("mine/<int:pk>/withdraw/", views.enrolment_withdraw_view, name="enrolment_withdraw"),
]
