"""Helpers for the enrolment tests: an enrolling programme and people who may join it."""

from datetime import timedelta

from django.utils import timezone

from cadre.people.models import Person
from cadre.programs.models import Enrolment, Programme
from tests.factories import PersonFactory
from tests.programs.conftest import put_in, today


def enrolling(make_programme, name: str = "Leaders 2027", **changes) -> Programme:
    """A programme taking applications today: levels 4 to 7, six months' tenure."""
    return put_in(make_programme(name, **changes), Programme.Status.ENROLLING)


def eligible(**changes) -> Person:
    """Someone every default rule admits: level 5, hired two years ago."""
    fields: dict[str, object] = {"level": 5, "hire_date": today() - timedelta(days=730)}
    fields.update(changes)
    return PersonFactory(**fields)


def enrol(programme: Programme, person: Person, role: str = "coachee", **fields) -> Enrolment:
    """An enrolment made directly, for tests about what comes after applying."""
    values: dict[str, object] = {
        "route": Enrolment.Route.SELF_NOMINATION,
        "consent_at": timezone.now(),
    }
    values.update(fields)
    return Enrolment.objects.create(programme=programme, person=person, role=role, **values)
