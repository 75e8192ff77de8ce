"""``cadre demo``'s choice step: a programme in matching where the demo coachee chooses a coach."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cadre.accounts.models import Role, User
from cadre.coaching.models import CoachingRelationship
from cadre.demo.choice import CHOICE_NAME, COACHEES, SUGGESTIONS
from cadre.demo.cohort import COHORT_NAME
from cadre.demo.logins import LOGIN_EMAILS
from cadre.demo.programme import PROGRAMME_NAME
from cadre.matching.choice import choice_mode_of, choice_programmes, suggestions_for
from cadre.people.models import Person
from cadre.programs.models import Enrolment, Programme

# Every test starts from this demo, generated once for the module (tests/demo/conftest.py).
DEMO_ARGS = ("--people", "300")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_demo")]


def choice_programme() -> Programme:
    return Programme.objects.get(name=CHOICE_NAME)


def demo_coachee() -> Person:
    return Person.objects.get(user__email=LOGIN_EMAILS[Role.COACHEE])


def enrolments() -> list[tuple[str, str, str]]:
    return sorted(
        choice_programme()
        .enrolments.values_list("person__employee_id", "role", "status")
        .order_by()
    )


def test_the_pilot_is_in_matching_with_choice_open_moved_there_by_the_demo_admin():
    programme = choice_programme()
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    mode = choice_mode_of(programme)

    assert programme.status == Programme.Status.MATCHING
    assert (mode.is_open, mode.suggestions, mode.changed_by) == (True, SUGGESTIONS, admin)
    moves = programme.transitions.order_by("at", "pk")
    assert [(m.from_status, m.to_status, m.by) for m in moves] == [
        ("draft", "enrolling", admin),
        ("enrolling", "matching", admin),
    ]
    assert sorted(Programme.objects.values_list("name", flat=True)) == sorted(
        [PROGRAMME_NAME, COHORT_NAME, CHOICE_NAME]
    )


def test_the_pilot_has_the_demo_coaches_and_new_coachees_with_the_demo_coachee_login():
    programme = choice_programme()
    coachees = programme.enrolments.filter(role=Enrolment.Role.COACHEE)

    assert Counter(programme.enrolments.values_list("role", "status")) == {
        ("coach", "approved"): 12,
        ("coachee", "approved"): COACHEES + 1,
    }
    assert list(
        coachees.filter(person__user__isnull=False).values_list("person__user__email", flat=True)
    ) == [LOGIN_EMAILS[Role.COACHEE]]
    # The others are in no other demo programme.
    others = coachees.filter(person__user__isnull=True).values("person")
    assert not Enrolment.objects.exclude(programme=programme).filter(person__in=others).exists()
    # Nobody has asked a coach yet: that is the demo coachee's move.
    assert not CoachingRelationship.objects.filter(programme=programme).exists()


def test_the_demo_coachee_sees_suggestions_with_reasons_and_can_ask_one(client):
    programme = choice_programme()
    coachee = demo_coachee()
    assert choice_programmes(coachee) == [programme]
    page = suggestions_for(programme=programme, coachee=coachee)
    assert (page.problem, page.awaiting_run, page.relationship) == ("", False, None)
    assert [suggestion.rank for suggestion in page.suggestions] == [1, 2]
    assert all(suggestion.reasons for suggestion in page.suggestions)

    client.force_login(coachee.user)
    response = client.get(reverse("matching:suggestions"))
    assert response.status_code == 200
    for suggestion in page.suggestions:
        assert str(suggestion.coach) in response.text

    chosen = page.suggestions[0].coach
    response = client.post(
        reverse("matching:suggestion_request", args=[programme.pk]), {"coach": chosen.pk}
    )

    assert response.status_code == 302
    relationship = CoachingRelationship.objects.get(programme=programme)
    assert (relationship.coach, relationship.coachee, relationship.status) == (
        chosen,
        coachee,
        CoachingRelationship.Status.PROPOSED,
    )


def test_reset_makes_the_same_pilot_again():
    first = enrolments()

    call_command("demo", *DEMO_ARGS, "--reset", stdout=StringIO(), stderr=StringIO())

    assert enrolments() == first
    assert choice_mode_of(choice_programme()).is_open
