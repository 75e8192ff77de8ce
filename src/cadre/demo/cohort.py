"""The demo's running programme: "Leaders coaching leaders — first cohort", the cohort before
the enrolling one, with its pairs and circles coaching now.

It is made through the programme and enrolment services, as an admin would, with dates around
the day the demo is made so each move's checklist passes: it started 60 days ago, enrolment
opened 45 days ago and closes today, and it ends in a year, so relationships of nine months
started today end in time. The demo admin creates it, opens enrolment, enrols everyone while
it is enrolling, then moves it to matching and to running, with a note at each move.

- the dozen demo coaches (``enrolment.demo_coaches``) apply as coaches, are approved by the demo
  admin and fill in their coach profiles, so the running programme has coaches in every
  certification state (certification belongs to the person, not the programme);
- ``COACHEES`` eligible mid-level leaders (levels 4 to 8, at least six months in the company)
  who have no login and are in no other demo programme, picked by the seed, are bulk-enrolled
  by the demo admin, who writes their profiles (consent included, as in ``enrolment``);
- so is the demo coachee login, who is in this cohort already while applying to the next
  programme: it is coached by the demo coach login (``coaching``).

A small organisation gives fewer coachees. The same seed gives the same cohort.
"""

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.demo.enrolment import (
    GOALS,
    coachee_profile_fill,
    demo_coaches,
    demo_coaches_enrol,
)
from cadre.demo.logins import LOGIN_EMAILS
from cadre.demo.programme import demo_objectives
from cadre.people.models import Competency, Person
from cadre.programs.models import Enrolment, Programme
from cadre.programs.queries import eligibility_refusals
from cadre.programs.services import (
    enrolment_bulk,
    programme_create,
    programme_transition,
)

COHORT_NAME = "Leaders coaching leaders — first cohort"
COACHEES = 20
# One level wider than the enrolling programme (5 to 8), whose people it leaves out.
MIN_LEVEL, MAX_LEVEL = 4, 8
# The note the demo admin writes on each move (everyone is enrolled before matching).
NOTES = {
    Programme.Status.ENROLLING: "First cohort announced to people managers by e-mail.",
    Programme.Status.MATCHING: "Enrolment closed: coaches and coachees are being matched.",
    Programme.Status.RUNNING: "Pairs and circles confirmed at the kick-off; coaching starts.",
}


def cohort_generate(*, seed: int) -> Programme:
    """Make the running demo programme with its coaches and coachees. Needs the demo logins,
    the demo coaches and the enrolling programme's enrolments (its people are left out)."""
    rng = random.Random(f"{seed}:cohort")
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    programme = _programme(admin)
    programme_transition(
        programme=programme,
        to_status=Programme.Status.ENROLLING,
        by=admin,
        note=NOTES[Programme.Status.ENROLLING],
    )
    demo_people_enrol(programme, admin, COACHEES, rng)
    for status in (Programme.Status.MATCHING, Programme.Status.RUNNING):
        programme_transition(programme=programme, to_status=status, by=admin, note=NOTES[status])
    return programme


def demo_people_enrol(programme: Programme, admin: User, coachees: int, rng: random.Random) -> None:
    """Enrol the demo coaches (with their profiles), ``coachees`` people picked by
    ``_unenrolled_coachees`` and the demo coachee login (if eligible) in ``programme``, which
    is enrolling; the demo admin approves the coaches, bulk-enrols the coachees and writes
    their profiles."""
    competencies = list(Competency.objects.filter(is_active=True).order_by("position", "name"))
    coaches = demo_coaches()
    demo_coaches_enrol(programme, coaches, admin, competencies, rng)
    chosen = _unenrolled_coachees(programme, rng, coachees)
    demo_coachee = Person.objects.get(user__email=LOGIN_EMAILS[Role.COACHEE])
    if not eligibility_refusals(programme, demo_coachee):
        chosen = [demo_coachee, *chosen]
    coachee_enrolments = (
        enrolment_bulk(
            programme=programme,
            employee_ids=[person.employee_id for person in chosen],
            role=Enrolment.Role.COACHEE,
            by=admin,
        )
        if chosen
        else []
    )
    goals = rng.sample(GOALS, len(GOALS))
    for index, enrolment in enumerate(coachee_enrolments):
        coachee_profile_fill(
            enrolment, admin, goals[index % len(goals)], competencies, coaches, rng
        )


def cohort_step(context: Any) -> None:
    """The ``cadre demo`` step (``context`` is the command's ``DemoContext``)."""
    cohort_generate(seed=context.seed)


def cohort_reset() -> None:
    """Delete the running demo programme (with its enrolments, profiles and history)."""
    Programme.objects.filter(name=COHORT_NAME).delete()


def _programme(admin: User) -> Programme:
    sponsor = Person.objects.get(user__email=LOGIN_EMAILS[Role.SPONSOR])
    today = timezone.localdate()
    starts = today - timedelta(days=60)
    ends = today + timedelta(days=365)
    objectives = demo_objectives(ends=ends, certified_by=today)
    return programme_create(
        values={
            "name": COHORT_NAME,
            "description": (
                "The first cohort: senior leaders coach managers from other parts of the "
                "company, one-on-one and in small circles, for nine months."
            ),
            "sponsor": sponsor,
            "offers_one_on_one": True,
            "offers_group_circles": True,
            "offers_development_track": False,
            "starts_on": starts,
            "ends_on": ends,
            "relationship_months": 9,
            "session_cadence_days": 14,
            "minimum_sessions": 6,
            "enrolment_opens_on": today - timedelta(days=45),
            "enrolment_closes_on": today,
            "min_level": MIN_LEVEL,
            "max_level": MAX_LEVEL,
            "min_tenure_months": 6,
            "default_coach_capacity": 2,
            "cross_department": Programme.CrossDepartment.REQUIRED,
            "min_level_gap": 2,
            "time_zone_window_hours": 4,
        },
        objectives=objectives,
        created_by=admin,
    )


def _unenrolled_coachees(programme: Programme, rng: random.Random, count: int) -> list[Person]:
    """``count`` people eligible for ``programme``, without a login and in no programme yet,
    picked by ``rng`` from a fixed order, in employee id order."""
    programme = Programme.objects.prefetch_related("eligible_departments").get(pk=programme.pk)
    people = list(
        Person.objects.filter(
            is_active=True,
            department__isnull=False,
            user__isnull=True,
            level__gte=MIN_LEVEL,
            level__lte=MAX_LEVEL,
        )
        .exclude(email="")
        .exclude(enrolments__isnull=False)
        .order_by("employee_id")
    )
    rng.shuffle(people)
    chosen: list[Person] = []
    for person in people:
        if len(chosen) == count:
            break
        if not eligibility_refusals(programme, person):
            chosen.append(person)
    return sorted(chosen, key=lambda person: person.employee_id)
