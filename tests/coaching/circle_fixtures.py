"""Circles for the tests: a programme offering them, coaches and coachees to fill them, and
circles and sessions written directly for tests of what comes after their set-up."""

from datetime import datetime, timedelta

from django.utils import timezone

from cadre.accounts.models import Role
from cadre.coaching.models import Circle, CoachingSession
from cadre.people.models import Person
from cadre.programs.models import Programme
from tests.coaching.conftest import coachee_person, enrol_coachee
from tests.factories import PersonFactory, RoleGrantFactory, UserFactory


def offering_circles(programme: Programme) -> Programme:
    Programme.objects.filter(pk=programme.pk).update(offers_group_circles=True)
    programme.refresh_from_db()
    return programme


def a_coach(name: str) -> Person:
    """A person whose login holds the coach role (not certified)."""
    user = UserFactory(display_name=name)
    RoleGrantFactory(user=user, role=Role.COACH)
    return PersonFactory(full_name=name, user=user, level=9)


def coaches(count: int, prefix: str = "Coach") -> list[Person]:
    return [a_coach(f"{prefix} {chr(65 + index)}") for index in range(count)]


def coachees(programme: Programme, count: int, prefix: str = "Coachee") -> list[Person]:
    """Approved coachees of ``programme``, each with a login."""
    people = []
    for index in range(count):
        person = coachee_person(full_name=f"{prefix} {chr(65 + index)}")
        enrol_coachee(programme, person)
        people.append(person)
    return people


def make_circle(
    facilitator: Person,
    members: list[Person],
    *,
    name: str = "North circle",
    kind: str = Circle.Kind.SUPERVISION,
    programme: Programme | None = None,
    is_active: bool = True,
) -> Circle:
    circle = Circle.objects.create(
        kind=kind,
        name=name,
        purpose="Reflect on our coaching together.",
        programme=programme,
        facilitator=facilitator,
        is_active=is_active,
    )
    circle.members.set(members)
    return circle


def circle_session(
    circle: Circle,
    *,
    starts_at: datetime | None = None,
    status: str = CoachingSession.Status.SCHEDULED,
) -> CoachingSession:
    return CoachingSession.objects.create(
        circle=circle,
        starts_at=starts_at or timezone.now() - timedelta(days=1),
        time_zone="Europe/London",
        format=CoachingSession.Format.VIDEO,
        location="https://meet.example.org/circle",
        status=status,
    )
