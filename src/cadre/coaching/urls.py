"""Coaching pages, under /coaching/."""

from django.urls import URLPattern, URLResolver, path

from cadre.coaching import admin_views, views

app_name = "coaching"

urlpatterns: list[URLPattern | URLResolver] = []

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
