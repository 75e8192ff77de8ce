"""Coaching pages, under /coaching/."""

from django.urls import URLPattern, URLResolver, path

from cadre.coaching import note_views

app_name = "coaching"

urlpatterns: list[URLPattern | URLResolver] = []

# Notes
urlpatterns += [
    path("relationships/<int:pk>/notes/", note_views.notes, name="notes"),
    path("relationships/<int:pk>/notes/new/", note_views.note_new, name="note_new"),
    path("notes/<int:pk>/", note_views.note_detail, name="note"),
    path("notes/<int:pk>/edit/", note_views.note_edit, name="note_edit"),
    path("notes/<int:pk>/share/", note_views.note_share_view, name="note_share"),
    path("notes/<int:pk>/unshare/", note_views.note_unshare_view, name="note_unshare"),
    path("notes/<int:pk>/delete/", note_views.note_delete_view, name="note_delete"),
]
