"""Coach and coachee profiles: what they hold and what they refuse."""

from datetime import time

import pytest
from django.db import IntegrityError

from cadre.accounts.models import AuditEvent
from cadre.programs.models import AvailabilityWindow, CoachProfile, Enrolment
from cadre.programs.services import (
    EnrolmentError,
    Window,
    coach_profile_save,
    coachee_profile_save,
)
from tests.factories import CompetencyFactory, PersonFactory, UserFactory
from tests.programs.enrolment import eligible, enrol, enrolling

pytestmark = pytest.mark.django_db

MONDAY_MORNING = Window(weekday=0, starts_at=time(9), ends_at=time(11))


@pytest.fixture
def coach_enrolment(make_programme):
    return enrol(enrolling(make_programme), eligible(level=9), role="coach")


@pytest.fixture
def coachee_enrolment(make_programme):
    return enrol(enrolling(make_programme), eligible())


def save_coach(enrolment, **changes):
    values = {
        "capacity": 2,
        "strengths": {},
        "availability": [MONDAY_MORNING],
        "by": UserFactory(),
    }
    values.update(changes)
    return coach_profile_save(enrolment=enrolment, **values)


def test_a_coach_profile_holds_strengths_capacity_windows_and_words(coach_enrolment):
    listening, feedback = CompetencyFactory(), CompetencyFactory()

    profile = save_coach(
        coach_enrolment,
        capacity=3,
        strengths={listening: 5, feedback: 2},
        languages=["en", " fr ", ""],
        bio=" Twenty years in operations. ",
        preferences="Mornings, please.",
    )

    assert (profile.capacity, profile.languages, profile.bio) == (
        3,
        ["en", "fr"],
        "Twenty years in operations.",
    )
    assert dict(profile.strengths.values_list("competency", "rating")) == {
        listening.pk: 5,
        feedback.pk: 2,
    }
    assert [str(w) for w in coach_enrolment.availability.all()] == ["Monday 09:00–11:00"]
    assert AuditEvent.objects.filter(action="programs.coach_profile_save").count() == 1


def test_saving_again_replaces_strengths_and_windows(coach_enrolment):
    competency = CompetencyFactory()
    save_coach(coach_enrolment, strengths={competency: 4})

    save_coach(
        coach_enrolment,
        strengths={competency: 1},
        availability=[Window(weekday=4, starts_at=time(14), ends_at=time(15))],
    )

    profile = CoachProfile.objects.get()
    assert list(profile.strengths.values_list("rating", flat=True)) == [1]
    assert [str(w) for w in AvailabilityWindow.objects.all()] == ["Friday 14:00–15:00"]


@pytest.mark.parametrize("capacity", [0, 6])
def test_capacity_is_between_one_and_five(coach_enrolment, capacity):
    with pytest.raises(EnrolmentError) as caught:
        save_coach(coach_enrolment, capacity=capacity)

    assert caught.value.messages == ["Capacity must be between 1 and 5 coachees."]


@pytest.mark.parametrize("rating", [0, 6])
def test_strengths_are_rated_one_to_five(coach_enrolment, rating):
    competency = CompetencyFactory(name="Listening")

    with pytest.raises(EnrolmentError) as caught:
        save_coach(coach_enrolment, strengths={competency: rating})

    assert caught.value.messages == ["Rate “Listening” from 1 to 5."]


def test_a_window_ends_after_it_starts(coach_enrolment):
    backwards = Window(weekday=2, starts_at=time(10), ends_at=time(9, 30))

    with pytest.raises(EnrolmentError) as caught:
        save_coach(coach_enrolment, availability=[backwards])

    assert caught.value.messages == ["Wednesday 10:00–09:30: a window must end after it starts."]


def test_the_database_holds_the_window_and_capacity_rules(coach_enrolment):
    with pytest.raises(IntegrityError):
        AvailabilityWindow.objects.create(
            enrolment=coach_enrolment, weekday=1, starts_at=time(10), ends_at=time(10)
        )


def test_the_database_holds_capacity(coach_enrolment):
    with pytest.raises(IntegrityError):
        CoachProfile.objects.create(enrolment=coach_enrolment, capacity=6)


def test_nominees_consent_when_they_first_save_their_profile(coach_enrolment):
    Enrolment.objects.filter(pk=coach_enrolment.pk).update(
        route=Enrolment.Route.ADMIN, consent_at=None
    )
    coach_enrolment.refresh_from_db()

    with pytest.raises(EnrolmentError) as caught:
        save_coach(coach_enrolment)
    assert caught.value.messages == [
        "Agree to the programme's terms (confidentiality and data use) first."
    ]

    save_coach(coach_enrolment, consent=True)
    coach_enrolment.refresh_from_db()
    assert coach_enrolment.consent_at is not None


def test_a_coach_profile_is_refused_on_a_coachee_enrolment(coachee_enrolment):
    with pytest.raises(EnrolmentError) as caught:
        save_coach(coachee_enrolment)

    assert caught.value.messages == ["This is a coachee enrolment."]


def test_withdrawn_enrolments_have_closed_profiles(coach_enrolment):
    Enrolment.objects.filter(pk=coach_enrolment.pk).update(status="withdrawn")
    coach_enrolment.refresh_from_db()

    with pytest.raises(EnrolmentError) as caught:
        save_coach(coach_enrolment)

    assert caught.value.messages == ["This enrolment is withdrawn: its profile is closed."]


def test_a_coachee_profile_ranks_competencies_and_names_people_to_avoid(coachee_enrolment):
    first, second = CompetencyFactory(), CompetencyFactory()
    rival = PersonFactory()

    profile = coachee_profile_save(
        enrolment=coachee_enrolment,
        goals=" Lead through others. ",
        growth=[second, first],
        availability=[MONDAY_MORNING],
        prefers_other_function=True,
        avoid=[rival],
        by=UserFactory(),
    )

    assert profile.goals == "Lead through others."
    assert list(profile.growth_competencies.values_list("rank", "competency")) == [
        (1, second.pk),
        (2, first.pk),
    ]
    assert list(profile.avoid.all()) == [rival]
    assert profile.prefers_other_function is True


def test_a_coachee_ranks_each_competency_once_and_cannot_avoid_themselves(coachee_enrolment):
    competency = CompetencyFactory()

    with pytest.raises(EnrolmentError) as caught:
        coachee_profile_save(
            enrolment=coachee_enrolment,
            goals="",
            growth=[competency, competency],
            availability=[],
            avoid=[coachee_enrolment.person],
            by=UserFactory(),
        )

    assert caught.value.messages == [
        "Rank each competency to grow once.",
        "People to avoid can't include yourself.",
    ]
