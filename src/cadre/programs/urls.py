from django.urls import path

from cadre.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_new, name="programme_new"),
    path("<int:pk>/", views.programme_detail, name="programme"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:pk>/move/", views.programme_move, name="programme_move"),
]
