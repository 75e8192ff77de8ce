"""Coaching pages, under /coaching/."""

from django.urls import URLPattern, URLResolver, path

from cadre.coaching import circle_views, feed_views, session_views

app_name = "coaching"

urlpatterns: list[URLPattern | URLResolver] = []

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
