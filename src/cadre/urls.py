from django.contrib import admin
from django.urls import include, path

from cadre import views as cadre_views
from cadre.api.api import api

admin.site.site_header = "Cadre administration"
admin.site.site_title = "Cadre admin"

urlpatterns = [
    path("", cadre_views.home, name="home"),
    path("", include("cadre.accounts.urls")),
    path("people/", include("cadre.people.urls")),
    path("programmes/", include("cadre.programs.urls")),
    path("enablement/", include("cadre.enablement.urls")),
    path("coaching/", include("cadre.coaching.urls")),
    path("matching/", include("cadre.matching.urls")),
    path("feedback/", include("cadre.feedback.urls")),
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
# Uploaded files (HRIS exports) are private: they are never served, not even in development.
