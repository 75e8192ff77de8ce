"""Coaching pages, under /coaching/."""

from django.urls import URLPattern, URLResolver, path

from cadre.coaching import (
    admin_views,
    circle_views,
    feed_views,
    goal_views,
    note_views,
    session_views,
    views,
)

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


# Sessions and calendars
urlpatterns += [
    path("relationships/<int:pk>/sessions/", session_views.sessions, name="sessions"),
    path("relationships/<int:pk>/sessions/new/", session_views.session_new, name="session_new"),
    path(
        "relationships/<int:pk>/sessions/suggestions/",
        session_views.session_suggestions,
        name="session_suggestions",
    ),
    path("sessions/<int:pk>/", session_views.session_detail, name="session"),
    path("sessions/<int:pk>/move/", session_views.session_move, name="session_move"),
    path("sessions/<int:pk>/cancel/", session_views.session_cancel_view, name="session_cancel"),
    path("sessions/<int:pk>/held/", session_views.session_held, name="session_held"),
    path("sessions/<int:pk>/no-show/", session_views.session_no_show, name="session_no_show"),
    path("sessions/<int:pk>/invite.ics", session_views.session_ics, name="session_ics"),
    path("calendar/", feed_views.calendar_settings, name="calendar"),
    path("calendar/new/", feed_views.calendar_feed_new, name="calendar_feed_new"),
    path("calendar/revoke/", feed_views.calendar_feed_delete, name="calendar_feed_revoke"),
    path("calendar/<str:token>.ics", feed_views.calendar_feed, name="calendar_feed"),
]

# Circles.
urlpatterns += [
    path("circles/", circle_views.circles, name="circles"),
    path("circles/<int:pk>/", circle_views.circle, name="circle"),
    path("circles/<int:pk>/notes/", circle_views.circle_note_new, name="circle_note_new"),
    path(
        "circles/<int:pk>/sessions/new/", circle_views.circle_session_new, name="circle_session_new"
    ),
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


# Relationships and agreements (helper "relationships")
urlpatterns += [
    path("", views.my_relationships, name="my_relationships"),
    path("relationships/<int:pk>/", views.relationship_detail, name="relationship"),
    path(
        "relationships/<int:pk>/accept/", views.relationship_accept_view, name="relationship_accept"
    ),
    path(
        "relationships/<int:pk>/decline/",
        views.relationship_decline_view,
        name="relationship_decline",
    ),
    path("relationships/<int:pk>/pause/", views.relationship_pause_view, name="relationship_pause"),
    path(
        "relationships/<int:pk>/resume/", views.relationship_resume_view, name="relationship_resume"
    ),
    path("relationships/<int:pk>/agreement/", views.agreement_detail, name="agreement"),
    path(
        "relationships/<int:pk>/agreement/sign/", views.agreement_sign_view, name="agreement_sign"
    ),
    path("admin/relationships/", admin_views.admin_relationships, name="admin_relationships"),
    path(
        "admin/relationships.csv",
        admin_views.admin_relationships_csv,
        name="admin_relationships_csv",
    ),
    path(
        "admin/relationships/new/",
        admin_views.admin_relationship_new,
        name="admin_relationship_new",
    ),
    path(
        "admin/relationships/<int:pk>/",
        admin_views.admin_relationship,
        name="admin_relationship",
    ),
    path(
        "admin/relationships/<int:pk>/move/",
        admin_views.admin_relationship_move,
        name="admin_relationship_move",
    ),
    path(
        "admin/programmes/<int:pk>/agreement/",
        admin_views.agreement_template_edit,
        name="agreement_template",
    ),
]
