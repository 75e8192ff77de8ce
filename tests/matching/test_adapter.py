"""The adapter reads a programme into the engine's terms, in a fixed number of queries."""

from datetime import time

import pytest

from cadre.matching.adapter import matching_input, weekly_utc_windows
from cadre.matching.queries import management_ancestors
from cadre.programs.models import AvailabilityWindow, Enrolment
from tests.factories import PersonFactory
from tests.matching.conftest import add_coach, add_coachee

pytestmark = pytest.mark.django_db


def test_the_cohort_is_read_with_growth_strengths_and_capacity(cohort):
    data = matching_input(programme=cohort.programme)

    assert [c.name for c in data.coachees] == ["Dana Dunn", "Eli Evans", "Fay Fisher", "Gus Grant"]
    assert [c.name for c in data.coaches] == ["Alma Archer", "Bruno Baker", "Chen Carter"]
    listening, strategy = cohort.competencies
    fay = data.coachees[2]
    assert fay.growth == {listening.pk: 1.0, strategy.pk: 0.5}
    assert fay.level == 5
    assert fay.languages == frozenset({"en"})
    alma = data.coaches[0]
    assert (alma.capacity, alma.load, alma.certified) == (2, 0, True)
    assert alma.strengths == {listening.pk: 5.0, strategy.pk: 2.0}
    assert alma.department_id != data.coaches[1].department_id


def test_management_chains_are_read_for_everyone_at_once(db, django_assert_num_queries):
    top = PersonFactory()
    middle = PersonFactory(manager=top)
    bottom = PersonFactory(manager=middle)
    alone = PersonFactory()

    with django_assert_num_queries(1):
        chains = management_ancestors([bottom.pk, middle.pk, alone.pk])

    assert chains == {bottom.pk: [middle.pk, top.pk], middle.pk: [top.pk], alone.pk: []}


def test_availability_is_turned_into_utc_minutes_of_the_week():
    # Monday 09:00-10:00 at UTC+2 is Monday 07:00-08:00 UTC; Monday 01:00-02:00 at UTC+2 wraps
    # back to Sunday 23:00-24:00 UTC.
    windows = [(0, time(9), time(10)), (0, time(1), time(2))]

    assert weekly_utc_windows(windows, 2.0) == ((420, 480), (10020, 10080))


def _grow(programme, count: int) -> None:
    for index in range(count):
        coach = add_coach(programme, f"Coach {index}", f"Dept {index}")
        coachee = add_coachee(programme, f"Coachee {index}", f"Dept {index + 1}")
        for person in (coach, coachee):
            enrolment = Enrolment.objects.get(programme=programme, person=person)
            AvailabilityWindow.objects.create(
                enrolment=enrolment, weekday=1, starts_at=time(9), ends_at=time(11)
            )


def test_the_number_of_queries_does_not_grow_with_the_programme(
    programme, django_assert_num_queries
):
    _grow(programme, 1)
    with django_assert_num_queries(15) as one:
        matching_input(programme=programme)
    _grow(programme, 6)
    with django_assert_num_queries(len(one.captured_queries)):
        data = matching_input(programme=programme)
    assert len(data.coachees) == 7
    assert all(record.availability for record in data.coaches)
