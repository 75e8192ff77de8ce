from django.urls import path

from cadre.matching import choice_views, circle_views, views

app_name = "matching"

urlpatterns = [
    path("", views.matching_index, name="index"),
    path("programmes/<int:pk>/", views.programme_matching, name="programme"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/review/", views.run_review, name="review"),
    path("runs/<int:pk>/rerun/", views.run_rerun, name="rerun"),
    path("runs/<int:pk>/approve/", views.run_approve, name="approve"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/pin/", views.proposal_pin_view, name="proposal_pin"),
    path("proposals/<int:pk>/exclude/", views.proposal_exclude_view, name="proposal_exclude"),
    path("proposals/<int:pk>/swap/", views.proposal_swap_view, name="proposal_swap"),
    path("exclusions/<int:pk>/remove/", views.exclusion_remove, name="exclusion_remove"),
    # Coachee choice and circle formation (issue 5, part 3)
    path("suggestions/", choice_views.suggestions, name="suggestions"),
    path(
        "suggestions/<int:pk>/request/",
        choice_views.suggestion_request_view,
        name="suggestion_request",
    ),
    path("programmes/<int:pk>/choice/", choice_views.choice_settings, name="choice"),
    path("programmes/<int:pk>/circles/", circle_views.circle_formation, name="circle_formation"),
]
