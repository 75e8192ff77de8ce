"""Project-level pages that draw on several apps: the home page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.models import Role
from cadre.accounts.queries import is_programme_admin, user_roles
from cadre.coaching import queries as coaching_queries
from cadre.coaching.access import circles_for_member, relationships_for_party, sessions_for_user
from cadre.core.charts import bars
from cadre.matching.choice import choice_programmes_to_choose
from cadre.people.queries import organisation_summary, person_of_user


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The organisation in figures for admins; for coaches, their coachees, sessions and
    circles; for coachees, their coach, agreement, goals, next session and actions, and the
    programmes where they choose their coach now."""
    organisation = organisation_summary() if is_programme_admin(request.user) else None
    me = person_of_user(request.user)
    roles = user_roles(request.user)
    zone = coaching_queries.zone_of(me)
    now = timezone.now()
    coach_home = coachee_home = None
    if me is not None and Role.COACH in roles:
        coach_home = coaching_queries.coach_home(
            person=me,
            relationships=relationships_for_party(request.user),
            sessions=sessions_for_user(request.user),
            circles=circles_for_member(request.user),
            now=now,
            zone=zone,
        )
    if me is not None and Role.COACHEE in roles:
        coachee_home = coaching_queries.coachee_home(
            person=me, relationships=relationships_for_party(request.user), now=now, zone=zone
        )
    to_choose = choice_programmes_to_choose(me) if Role.COACHEE in roles else []
    context = {
        "section": "home",
        "me": me,
        "organisation": organisation,
        "department_bars": bars(organisation.by_department[:12]) if organisation else [],
        "level_bars": bars(organisation.by_level) if organisation else [],
        "coach_home": coach_home,
        "coachee_home": coachee_home,
        "to_choose": to_choose,
        "zone": zone,
        "today": now.astimezone(zone).date(),
    }
    return render(request, "home.html", context)
