"""The demo's coachee-choice programme: "Leaders coaching leaders — coachee choice pilot", in
matching, where coachees choose their coach from the engine's suggestions.

It is made through the programme, enrolment and matching services, as an admin would: the
demo admin creates it, enrols everyone while it is enrolling, moves it to matching and opens
coachee choice with ``SUGGESTIONS`` suggestions each.

- the demo coaches apply as coaches and are approved (their certification is theirs already);
- ``COACHEES`` eligible people without a login and in no other programme are bulk-enrolled,
  and so is the demo coachee login (unless the organisation is too small for it to be
  eligible), which therefore finds its suggestions from the home page and can ask one;
- nobody has asked yet: that is the demo coachee's move, and the coach it asks answers.

The same seed gives the same programme.
"""

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.demo.cohort import demo_people_enrol
from cadre.demo.logins import LOGIN_EMAILS
from cadre.demo.programme import demo_objectives
from cadre.matching.choice import choice_open
from cadre.people.models import Person
from cadre.programs.models import Programme
from cadre.programs.services import (
    programme_create,
    programme_transition,
)

CHOICE_NAME = "Leaders coaching leaders — coachee choice pilot"
COACHEES = 8
SUGGESTIONS = 5
MIN_LEVEL, MAX_LEVEL = 4, 8
NOTES = {
    Programme.Status.ENROLLING: "Pilot: coachees choose their coach from the suggestions.",
    Programme.Status.MATCHING: "Enrolment closed: coachee choice opens today.",
}


def choice_generate(*, seed: int) -> Programme:
    """Make the coachee-choice programme, in matching with choice open. Needs the demo logins,
    the demo coaches and the other demo programmes (their people are left out)."""
    rng = random.Random(f"{seed}:choice")
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    programme = _programme(admin)
    programme_transition(
        programme=programme,
        to_status=Programme.Status.ENROLLING,
        by=admin,
        note=NOTES[Programme.Status.ENROLLING],
    )
    demo_people_enrol(programme, admin, COACHEES, rng)
    programme_transition(
        programme=programme,
        to_status=Programme.Status.MATCHING,
        by=admin,
        note=NOTES[Programme.Status.MATCHING],
    )
    choice_open(programme=programme, by=admin, suggestions=SUGGESTIONS)
    return programme


def choice_step(context: Any) -> None:
    """The ``cadre demo`` step (``context`` is the command's ``DemoContext``)."""
    choice_generate(seed=context.seed)


def choice_reset() -> None:
    """Delete the coachee-choice programme (with its enrolments, requests and history)."""
    Programme.objects.filter(name=CHOICE_NAME).delete()


def _programme(admin: User) -> Programme:
    sponsor = Person.objects.get(user__email=LOGIN_EMAILS[Role.SPONSOR])
    today = timezone.localdate()
    starts = today - timedelta(days=30)
    ends = today + timedelta(days=365)
    return programme_create(
        values={
            "name": CHOICE_NAME,
            "description": (
                "A pilot where coachees choose: each sees the coaches who suit them best, "
                "with the reasons, and asks one; the coach accepts or declines."
            ),
            "sponsor": sponsor,
            "offers_one_on_one": True,
            "offers_group_circles": False,
            "offers_development_track": False,
            "starts_on": starts,
            "ends_on": ends,
            "relationship_months": 6,
            "session_cadence_days": 14,
            "minimum_sessions": 6,
            "enrolment_opens_on": starts,
            "enrolment_closes_on": today,
            "min_level": MIN_LEVEL,
            "max_level": MAX_LEVEL,
            "min_tenure_months": 6,
            "default_coach_capacity": 2,
            "cross_department": Programme.CrossDepartment.REQUIRED,
            "min_level_gap": 2,
            "time_zone_window_hours": 4,
        },
        objectives=demo_objectives(ends=ends, certified_by=today),
        created_by=admin,
    )
