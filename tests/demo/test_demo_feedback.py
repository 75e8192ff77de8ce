"""``cadre demo``'s feedback step: survey history with trends, at-risk pairs with open alerts, a
handled alert and a 360° before assessment with enough raters to report."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from cadre.accounts.models import Role
from cadre.coaching.models import CoachingRelationship, CoachingSession
from cadre.demo.logins import LOGIN_EMAILS
from cadre.feedback.models import (
    Assessment360,
    HealthAlert,
    RelationshipHealth,
    Survey,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_feedback_history_health_and_alerts():
    call_command("demo", "--people", "300", stdout=StringIO(), stderr=StringIO())

    active = CoachingRelationship.objects.filter(status="active")
    held = CoachingSession.objects.filter(relationship__in=active, status="held")
    # Every held session of an active pair has both after-session surveys, nearly all answered.
    assert Survey.objects.filter(purpose="session").count() == 2 * held.count()
    statuses = Counter(Survey.objects.filter(purpose="session").values_list("status", flat=True))
    assert statuses["submitted"] > 0.8 * sum(statuses.values())
    # The demo coachee login has their latest session survey to answer.
    assert Survey.objects.filter(
        purpose="session", status="open", respondent__user__email=LOGIN_EMAILS[Role.COACHEE]
    ).exists()
    # Pulses exactly as the scheduler sends them (every four sessions, the default): one
    # from each side of the pair, opened as its third held session ended, none before that.
    pulsed = 0
    for relationship in active.select_related("coach", "coachee"):
        sessions = list(relationship.sessions.filter(status="held").order_by("starts_at"))
        pulses = Survey.objects.filter(purpose="pulse", relationship=relationship)
        if len(sessions) < 3:
            assert not pulses.exists()
            continue
        third = sessions[2]
        assert sorted(pulses.values_list("dedupe_key", "respondent", "opens_at")) == sorted(
            [
                (f"pulse:{relationship.pk}:1:coach", relationship.coach.pk, third.ends_at),
                (f"pulse:{relationship.pk}:1:coachee", relationship.coachee.pk, third.ends_at),
            ]
        )
        assert set(pulses.values_list("status", flat=True)) == {"submitted"}
        pulsed += 1
    assert pulsed >= 4
    # After-session surveys only about held sessions, answered only by the pair.
    for survey in Survey.objects.filter(purpose="session").select_related("session__relationship"):
        assert survey.session.status == "held"
        pair = survey.session.relationship
        assert survey.respondent_id in (pair.coach_id, pair.coachee_id)

    health = Counter(RelationshipHealth.objects.values_list("status", flat=True))
    assert health["at_risk"] >= 2
    assert health["check_in"] >= 1
    assert health["on_track"] > health["at_risk"]
    open_alerts = HealthAlert.objects.filter(state="open")
    assert open_alerts.filter(to_status="at_risk").count() >= 2
    handled = HealthAlert.objects.get(state="handled")
    assert (handled.action, handled.handled_by.email) == (
        "check_in",
        LOGIN_EMAILS[Role.PROGRAMME_ADMIN],
    )
    demo_pair = RelationshipHealth.objects.get(
        relationship__coachee__user__email=LOGIN_EMAILS[Role.COACHEE]
    )
    assert demo_pair.status == "on_track"

    assessment = Assessment360.objects.get(coachee__user__email=LOGIN_EMAILS[Role.COACHEE])
    assert assessment.status == "collecting"
    groups = Counter(
        assessment.surveys.filter(status="submitted").values_list("rater_group", flat=True)
    )
    assert groups["self"] == 1
    assert groups["peer"] >= 3
    assert sum(groups.values()) >= 6


def test_reset_removes_the_feedback_and_makes_it_again():
    call_command("demo", "--people", "300", stdout=StringIO(), stderr=StringIO())
    before = Survey.objects.count()

    call_command("demo", "--people", "300", "--reset", stdout=StringIO(), stderr=StringIO())

    assert Survey.objects.count() == before
    assert HealthAlert.objects.filter(state="handled").count() == 1
