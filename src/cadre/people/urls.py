from django.urls import path

from cadre.people import import_views, views

app_name = "people"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/account/", views.person_account, name="person_account"),
    path("<int:pk>/invitation/", views.person_invitation, name="person_invitation"),
    path("org-chart/", views.org_chart, name="org_chart"),
    path("org-chart/<int:pk>/reports/", views.org_chart_reports, name="org_chart_reports"),
    path("competencies/", views.competencies, name="competencies"),
    path("competencies/new/", views.competency_edit, name="competency_new"),
    path("competencies/<int:pk>/edit/", views.competency_edit, name="competency_edit"),
    path("import/", import_views.import_start, name="import_start"),
    path("import/<int:pk>/map/", import_views.import_map, name="import_map"),
    path("import/<int:pk>/preview/", import_views.import_preview, name="import_preview"),
    path("import/<int:pk>/", import_views.import_status, name="import_status"),
]
