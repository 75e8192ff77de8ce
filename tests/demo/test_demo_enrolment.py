"""``cadre demo``'s enrolment step: the demo coaches and about thirty coachees in the programme."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from cadre.accounts.models import Role, RoleGrant
from cadre.demo.logins import LOGIN_EMAILS
from cadre.demo.programme import PROGRAMME_NAME
from cadre.enablement.queries import coaches
from cadre.people.models import Competency
from cadre.programs.models import (
    AvailabilityWindow,
    CoacheeProfile,
    CoachProfile,
    Enrolment,
    Programme,
)
from cadre.programs.queries import eligibility_refusals

# Every test starts from this demo, generated once for the module (tests/demo/conftest.py).
DEMO_ARGS = ("--people", "300")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_demo")]


def demo(*args: str) -> None:
    call_command("demo", *DEMO_ARGS, *args, stdout=StringIO(), stderr=StringIO())


def enrolled() -> list[tuple[str, str, str]]:
    return sorted(Enrolment.objects.values_list("person__employee_id", "role", "status").order_by())


def test_the_demo_programme_has_coaches_coachees_and_open_applications():
    programme = Programme.objects.get(name=PROGRAMME_NAME)
    assert Counter(programme.enrolments.values_list("role", "status")) == {
        ("coach", "approved"): 12,
        ("coachee", "approved"): 30,
        ("coachee", "applied"): 4,
        ("coachee", "waitlisted"): 3,
    }
    assert Counter(programme.enrolments.values_list("route", flat=True)) == {
        "self": 12 + 1,
        "admin": 29,
        "manager": 4 + 3,
    }
    assert set(programme.enrolments.filter(role="coach").values_list("person", flat=True)) == set(
        coaches().values_list("pk", flat=True)
    )
    assert not programme.enrolments.filter(consent_at__isnull=True).exists()
    assert RoleGrant.objects.filter(role=Role.COACHEE).count() == 1  # only the demo login


def test_every_coach_has_a_full_profile():
    competencies = Competency.objects.filter(is_active=True).count()
    profiles = (
        CoachProfile.objects.filter(enrolment__programme__name=PROGRAMME_NAME)
        .select_related("enrolment__person")
        .prefetch_related("strengths")
    )
    assert len(profiles) == 12
    for profile in profiles:
        assert 1 <= profile.capacity <= 5
        assert len(profile.strengths.all()) == competencies
        assert all(1 <= strength.rating <= 5 for strength in profile.strengths.all())
        assert profile.languages == profile.enrolment.person.languages
        assert profile.bio
        assert 2 <= profile.enrolment.availability.count() <= 3


def test_every_coachee_is_eligible_and_has_a_profile():
    programme = Programme.objects.get(name=PROGRAMME_NAME)
    profiles = (
        CoacheeProfile.objects.filter(enrolment__programme=programme)
        .select_related("enrolment__person")
        .prefetch_related("growth_competencies")
    )
    assert len(profiles) == 37
    for profile in profiles:
        person = profile.enrolment.person
        assert eligibility_refusals(programme, person) == []
        assert 3 <= len(profile.growth_competencies.all()) <= 4
        assert profile.goals
    assert len({profile.goals for profile in profiles}) == 20
    assert (
        len({profile.enrolment.person.department_id for profile in profiles}) == 13
    )  # every department with eligible people
    assert (
        AvailabilityWindow.objects.filter(
            enrolment__programme=programme, enrolment__role="coachee"
        ).count()
        >= 37 * 2
    )


def test_the_demo_coachee_login_is_an_approved_coachee_with_a_profile():
    enrolment = Enrolment.objects.get(
        person__user__email=LOGIN_EMAILS[Role.COACHEE], programme__name=PROGRAMME_NAME
    )
    assert (enrolment.role, enrolment.status, enrolment.route) == ("coachee", "approved", "self")
    assert enrolment.coachee_profile.goals
    assert (
        not Enrolment.objects.filter(person__user__email=LOGIN_EMAILS[Role.COACH])
        .exclude(role="coach")
        .exists()
    )


def test_the_same_seed_gives_the_same_enrolments_after_a_reset():
    first = enrolled()
    goals = sorted(CoacheeProfile.objects.values_list("enrolment__person__employee_id", "goals"))

    demo("--reset")

    assert enrolled() == first
    assert (
        sorted(CoacheeProfile.objects.values_list("enrolment__person__employee_id", "goals"))
        == goals
    )
    assert Enrolment.objects.filter(programme__name=PROGRAMME_NAME).count() == 49
