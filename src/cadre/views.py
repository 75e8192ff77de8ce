"""Project-level pages that draw on several apps: the home page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.queries import is_programme_admin
from cadre.core.charts import bars
from cadre.people.queries import organisation_summary, person_of_user


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    organisation = organisation_summary() if is_programme_admin(request.user) else None
    context = {
        "section": "home",
        "me": person_of_user(request.user),
        "organisation": organisation,
        "department_bars": bars(organisation.by_department[:12]) if organisation else [],
        "level_bars": bars(organisation.by_level) if organisation else [],
    }
    return render(request, "home.html", context)
