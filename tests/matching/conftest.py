"""Matching test data: a running programme with certified coaches and approved coachees.

``cohort`` is three coaches (level 8, capacity 2, one per department) and four coachees
(level 5) in ``programme``, with growth areas and strengths so that the scores differ.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.matching.models import MatchRun
from cadre.people.models import Competency, Person
from cadre.programs.models import CoacheeProfile, CoachStrength, GrowthCompetency, Programme
from tests.coaching.conftest import (
    coachee_person,
    enrol_coach,
    enrol_coachee,
    make_programme,
    programme,
)
from tests.factories import CompetencyFactory, DepartmentFactory, PersonFactory

__all__ = ["make_programme", "programme"]


@dataclass
class Cohort:
    programme: Programme
    coaches: list[Person]
    coachees: list[Person]
    competencies: list[Competency]


def running_run(programme: Programme, by: User, *, started_ago: timedelta) -> MatchRun:
    """A full run of ``programme`` a worker took up ``started_ago``, 40 % through."""
    return MatchRun.objects.create(
        programme=programme,
        kind="full",
        started_by=by,
        status="running",
        progress=40,
        stage="Matching 4 coachees with 3 coaches",
        started_at=timezone.now() - started_ago,
    )


def add_coach(programme: Programme, name: str, department: str, **fields: object) -> Person:
    capacity = int(fields.pop("capacity", 2))  # type: ignore[call-overload]
    values: dict[str, object] = {"level": 8, "department": DepartmentFactory(name=department)}
    values.update(fields)
    person = PersonFactory(full_name=name, **values)
    enrol_coach(programme, person, capacity=capacity)
    return person


def add_coachee(
    programme: Programme, name: str, department: str, growth: list[Competency] = ()
) -> Person:
    person = coachee_person(full_name=name, department=DepartmentFactory(name=department))
    enrolment = enrol_coachee(programme, person)
    profile = CoacheeProfile.objects.create(enrolment=enrolment)
    for rank, competency in enumerate(growth, start=1):
        GrowthCompetency.objects.create(profile=profile, competency=competency, rank=rank)
    return person


def strengths(coach: Person, programme: Programme, ratings: dict[Competency, int]) -> None:
    profile = coach.enrolments.get(programme=programme, role="coach").coach_profile
    for competency, rating in ratings.items():
        CoachStrength.objects.create(profile=profile, competency=competency, rating=rating)


@pytest.fixture
def cohort(programme: Programme) -> Cohort:
    listening, strategy = CompetencyFactory(name="Listening"), CompetencyFactory(name="Strategy")
    coaches = [
        add_coach(programme, "Alma Archer", "Finance"),
        add_coach(programme, "Bruno Baker", "Sales"),
        add_coach(programme, "Chen Carter", "Operations"),
    ]
    strengths(coaches[0], programme, {listening: 5, strategy: 2})
    strengths(coaches[1], programme, {strategy: 5})
    strengths(coaches[2], programme, {listening: 3, strategy: 3})
    coachees = [
        add_coachee(programme, "Dana Dunn", "Finance", [listening]),
        add_coachee(programme, "Eli Evans", "Sales", [strategy]),
        add_coachee(programme, "Fay Fisher", "Operations", [listening, strategy]),
        add_coachee(programme, "Gus Grant", "Finance", [strategy, listening]),
    ]
    return Cohort(
        programme=programme,
        coaches=coaches,
        coachees=coachees,
        competencies=[listening, strategy],
    )
