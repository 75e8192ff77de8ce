"""Coaching pages, under /coaching/."""

from django.urls import URLPattern, URLResolver, path

from cadre.coaching import circle_views

app_name = "coaching"

urlpatterns: list[URLPattern | URLResolver] = []

# Circles.
urlpatterns += [
    path("circles/", circle_views.circles, name="circles"),
    path("circles/<int:pk>/", circle_views.circle, name="circle"),
    path("circles/<int:pk>/notes/", circle_views.circle_note_new, name="circle_note_new"),
    path(
        "circles/<int:pk>/sessions/<int:session_pk>/attendance/",
        circle_views.circle_attendance,
        name="circle_attendance",
    ),
    path("circles/notes/<int:pk>/edit/", circle_views.circle_note_edit, name="circle_note_edit"),
    path(
        "circles/notes/<int:pk>/delete/",
        circle_views.circle_note_delete_view,
        name="circle_note_delete",
    ),
    path("admin/circles/", circle_views.admin_circles, name="admin_circles"),
    path("admin/circles/new/", circle_views.circle_new, name="circle_new"),
    path("admin/circles/<int:pk>/edit/", circle_views.circle_edit, name="circle_edit"),
    path(
        "admin/circles/<int:pk>/archive/", circle_views.circle_archive_view, name="circle_archive"
    ),
]
