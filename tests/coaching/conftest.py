"""Coaching test data: a running programme with a certified coach and an approved coachee.

``programme`` is running, ``enrol_coach``/``enrol_coachee`` approve people into it (a coach
also gets a certification valid today), and ``pair`` is the cast's coach and coachee in an
active relationship with a signed agreement, made directly for tests of what comes after.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from cadre.accounts.models import Role, RoleGrant
from cadre.coaching.models import Agreement, CoachingRelationship
from cadre.enablement.models import Certification
from cadre.people.models import Person
from cadre.programs.models import CoachProfile, Enrolment, Programme
from tests.conftest import Member
from tests.factories import PersonFactory, UserFactory
from tests.programs.conftest import make_programme, put_in, today

__all__ = ["make_programme"]


@pytest.fixture
def programme(make_programme) -> Programme:
    """A running programme: two-week cadence, coaches take two coachees by default."""
    return put_in(make_programme("Leaders coaching leaders"), Programme.Status.RUNNING)


def certify(person: Person, *, days_left: int = 300) -> Certification:
    return Certification.objects.create(
        person=person,
        certified_on=today() - timedelta(days=30),
        expires_on=today() + timedelta(days=days_left),
    )


def enrol_coach(
    programme: Programme, person: Person, *, capacity: int = 2, certified: bool = True
) -> Enrolment:
    """An approved coach enrolment with a profile; certified today unless told otherwise."""
    if person.user is None:
        person.user = UserFactory(email=person.email or f"person{person.pk}@example.org")
        person.save(update_fields=["user"])
    RoleGrant.objects.get_or_create(user=person.user, role=Role.COACH)
    enrolment = Enrolment.objects.create(
        programme=programme,
        person=person,
        role=Enrolment.Role.COACH,
        route=Enrolment.Route.SELF_NOMINATION,
        status=Enrolment.Status.APPROVED,
        consent_at=timezone.now(),
    )
    CoachProfile.objects.create(enrolment=enrolment, capacity=capacity, languages=["en"])
    if certified:
        certify(person)
    return enrolment


def enrol_coachee(programme: Programme, person: Person) -> Enrolment:
    return Enrolment.objects.create(
        programme=programme,
        person=person,
        role=Enrolment.Role.COACHEE,
        route=Enrolment.Route.SELF_NOMINATION,
        status=Enrolment.Status.APPROVED,
        consent_at=timezone.now(),
    )


def coachee_person(**fields: object) -> Person:
    """A coachee with a login, outside the coach's reporting line."""
    values: dict[str, object] = {"level": 5}
    values.update(fields)
    person = PersonFactory(**values)
    person.user = UserFactory(email=person.email or f"coachee{person.pk}@example.org")
    person.save(update_fields=["user"])
    return person


def active_relationship(
    programme: Programme, coach: Person, coachee: Person
) -> CoachingRelationship:
    """An active relationship with a signed agreement, written directly."""
    now = timezone.now()
    relationship = CoachingRelationship.objects.create(
        programme=programme,
        coach=coach,
        coachee=coachee,
        status=CoachingRelationship.Status.ACTIVE,
        coach_accepted_at=now,
        coachee_accepted_at=now,
        started_at=now,
    )
    Agreement.objects.create(
        relationship=relationship,
        template_version=1,
        goals="Grow as a leader.",
        confidentiality="What we say stays between us.",
        cadence="Every two weeks.",
        concerns="Talk to the programme admin.",
        ending="Either of us may end it, no fault.",
        coach_signed_at=now,
        coachee_signed_at=now,
        signed_text="(signed)",
    )
    return relationship


@dataclass
class Pair:
    programme: Programme
    relationship: CoachingRelationship
    coach: Member
    coachee: Member


@pytest.fixture
def pair(programme: Programme, coach: Member, coachee: Member) -> Pair:
    """The cast's coach and coachee, active in ``programme`` with a signed agreement."""
    assert coach.person is not None
    assert coachee.person is not None
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    relationship = active_relationship(programme, coach.person, coachee.person)
    return Pair(programme=programme, relationship=relationship, coach=coach, coachee=coachee)
