"""Coaching pages, under /coaching/."""

from django.urls import URLPattern, URLResolver, path

from cadre.coaching import goal_views, note_views

app_name = "coaching"

urlpatterns: list[URLPattern | URLResolver] = []

# Goals and actions
urlpatterns += [
    path("relationships/<int:pk>/goals/", goal_views.goals, name="goals"),
    path("relationships/<int:pk>/goals/new/", goal_views.goal_new, name="goal_new"),
    path("goals/<int:pk>/edit/", goal_views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/progress/", goal_views.goal_progress, name="goal_progress"),
    path("goals/<int:pk>/drop/", goal_views.goal_drop, name="goal_drop"),
    path("goals/<int:pk>/reopen/", goal_views.goal_reopen, name="goal_reopen"),
    path("relationships/<int:pk>/actions/new/", goal_views.action_new, name="action_new"),
    path("actions/<int:pk>/complete/", goal_views.action_complete, name="action_complete"),
    path("actions/<int:pk>/reopen/", goal_views.action_reopen, name="action_reopen"),
]

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
