"""``cadre demo``'s coaching step: the running cohort's pairs at work, within the hard rules."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cadre.accounts.models import Role
from cadre.coaching.models import (
    ActionItem,
    Agreement,
    CircleAttendance,
    CircleNote,
    CoachingRelationship,
    CoachingSession,
    GoalProgress,
    SessionNote,
)
from cadre.coaching.queries import coachee_pool
from cadre.demo.cohort import COHORT_NAME
from cadre.demo.logins import LOGIN_EMAILS
from cadre.enablement.queries import coach_matchable
from cadre.feedback.models import RelationshipHealth
from cadre.people.queries import in_reporting_line
from cadre.programs.models import CoachProfile, Programme

# Every test starts from this demo, generated once for the module (tests/demo/conftest.py).
DEMO_ARGS = ("--people", "300")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_demo")]


def demo(*args: str) -> None:
    call_command("demo", *DEMO_ARGS, *args, stdout=StringIO(), stderr=StringIO())


def pairs() -> list[tuple[str, str, str]]:
    return sorted(
        CoachingRelationship.objects.values_list(
            "coach__employee_id", "coachee__employee_id", "status"
        )
    )


def test_the_demo_logins_coach_each_other_with_notes_on_both_sides():
    relationship = CoachingRelationship.objects.get(
        coach__user__email=LOGIN_EMAILS[Role.COACH],
        coachee__user__email=LOGIN_EMAILS[Role.COACHEE],
    )
    assert relationship.status == "active"
    assert relationship.agreement.is_signed
    assert relationship.agreement.signed_text.startswith("# Coaching agreement")
    notes = Counter(
        (note.author_id == relationship.coach_id, note.is_shared)
        for note in SessionNote.objects.filter(relationship=relationship)
    )
    assert notes == {(True, False): 1, (True, True): 1, (False, False): 1}
    upcoming = relationship.sessions.filter(status="scheduled", starts_at__gt=timezone.now())
    assert upcoming.count() == 2
    assert relationship.goals.exists()


def test_every_pair_keeps_the_hard_rules_and_the_states_are_all_shown():
    programme = Programme.objects.get(name=COHORT_NAME)
    relationships = list(CoachingRelationship.objects.select_related("coach", "coachee"))
    # The engine matches 13 of the cohort's 21 coachees under the programme's rules (the
    # others: no certified coach with a shared hour or a time zone near enough, or places).
    assert Counter(r.status for r in relationships) == {
        "active": 8,
        "proposed": 2,
        "agreed": 1,
        "paused": 1,
        "ended": 1,
    }
    today = timezone.localdate()
    for relationship in relationships:
        assert coach_matchable(person=relationship.coach, on=today)
        assert not in_reporting_line(relationship.coach, relationship.coachee)
    live = Counter(r.coach_id for r in relationships if r.is_live)
    for profile in CoachProfile.objects.filter(enrolment__programme=programme).select_related(
        "enrolment"
    ):
        assert live[profile.enrolment.person_id] <= profile.capacity
    # One agreement signed by the coach only; the ended pair's coachee waits with priority.
    agreed = Agreement.objects.get(relationship__status="agreed")
    assert (agreed.coach_signed_at is not None, agreed.coachee_signed_at is None) == (True, True)
    ended = CoachingRelationship.objects.get(status="ended")
    assert (ended.end_reason, ended.rematch_priority) == ("no_fault", True)
    assert coachee_pool(programme).first().person == ended.coachee


def test_active_pairs_have_a_history_and_circles_meet():
    # The feedback step leaves the at-risk pairs silent: nothing held lately, nothing booked.
    stalled = set(
        RelationshipHealth.objects.filter(status="at_risk").values_list("relationship", flat=True)
    )
    assert len(stalled) == 2
    for relationship in CoachingRelationship.objects.filter(status="active"):
        statuses = set(relationship.sessions.values_list("status", flat=True))
        assert "held" in statuses
        booked = relationship.sessions.filter(starts_at__gt=timezone.now()).exists()
        assert booked is (relationship.pk not in stalled)
        assert relationship.goals.count() in (1, 2)
    assert GoalProgress.objects.filter(at__lt=timezone.now() - timezone.timedelta(days=7)).exists()
    overdue = [action for action in ActionItem.objects.all() if action.is_overdue()]
    assert len(overdue) == ActionItem.objects.filter(due_on__lt=timezone.localdate()).count() > 0
    circles = CoachingSession.objects.filter(circle__isnull=False)
    assert Counter(circles.values_list("circle__kind", "status")) == {
        ("coaching", "held"): 2,
        ("coaching", "scheduled"): 1,
        ("supervision", "held"): 2,
        ("supervision", "scheduled"): 1,
    }
    assert CircleAttendance.objects.filter(present=False).count() == 2 * (3 + 1)
    assert CircleNote.objects.count() == 2


def test_reset_makes_the_same_pairs_again():
    first = pairs()

    demo("--reset")

    assert pairs() == first
    assert len(first) == 13
