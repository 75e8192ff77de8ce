"""Goals and actions: what the pair may change, what is refused, and what the audit log keeps."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.coaching.goals import (
    action_complete,
    action_create,
    action_reopen,
    goal_create,
    goal_drop,
    goal_progress_record,
    goal_reopen,
    goal_update,
)
from cadre.coaching.models import ActionItem, CoachingRelationship, CoachingSession, Goal
from cadre.coaching.rules import CoachingError
from tests.coaching.conftest import Pair, active_relationship, coachee_person
from tests.factories import CompetencyFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def make_goal(pair: Pair, **fields) -> Goal:
    values = {
        "relationship": pair.relationship,
        "by": pair.coachee.user,
        "title": "Run my team's planning without stepping in",
        "measure": "Two planning rounds led by the team, me only listening",
        "target_date": today() + timedelta(days=60),
    }
    values.update(fields)
    return goal_create(**values)


def test_either_party_sets_a_goal_linked_to_competencies(pair):
    listening = CompetencyFactory(name="Listening")
    delegating = CompetencyFactory(name="Delegating")

    goal = make_goal(pair, by=pair.coach.user, competencies=[listening, delegating, listening])

    goal.refresh_from_db()
    assert goal.title == "Run my team's planning without stepping in"
    assert (goal.progress, goal.status, goal.created_by) == (0, "open", pair.coach.user)
    assert sorted(goal.competencies.values_list("name", flat=True)) == ["Delegating", "Listening"]
    event = AuditEvent.objects.get(action="coaching.goal_create")
    assert event.details == {"goal": goal.pk, "competencies": sorted([listening.pk, delegating.pk])}
    assert event.target_label == str(pair.relationship)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "Specific outcome: this can't be empty."),
        ({"title": "x" * 301}, "Specific outcome: keep it to 300 characters at most."),
        ({"measure": ""}, "Measure: this can't be empty."),
        ({"target_date": "yesterday"}, "Target date: choose today or a later date."),
    ],
)
def test_goal_fields_are_checked_and_named(pair, fields, message):
    if fields.get("target_date") == "yesterday":
        fields["target_date"] = today() - timedelta(days=1)
    with pytest.raises(CoachingError) as refused:
        make_goal(pair, **fields)
    assert str(refused.value) == message
    assert Goal.objects.count() == 0


def test_a_competency_no_longer_in_use_is_refused_for_new_links_only(pair):
    retired = CompetencyFactory(name="Old model", is_active=False)
    with pytest.raises(
        CoachingError, match=re.escape("Competencies: “Old model” is no longer in use.")
    ):
        make_goal(pair, competencies=[retired])

    goal = make_goal(pair)
    goal.competencies.add(retired)  # linked before it was retired
    goal_update(
        goal=goal,
        by=pair.coachee.user,
        title="Sharper title",
        measure=goal.measure,
        target_date=goal.target_date,
        competencies=[retired],
    )
    assert list(goal.competencies.all()) == [retired]


def test_only_the_pair_works_on_goals(pair, admin, outsider):
    for user in (admin.user, outsider.user):
        with pytest.raises(CoachingError, match=re.escape("Only the coach and the coachee")):
            make_goal(pair, by=user)


@pytest.mark.parametrize("status", ["proposed", "completed", "ended"])
def test_goals_wait_for_a_working_relationship(pair, status):
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
        status=status, end_reason="no_fault" if status in ("completed", "ended") else ""
    )
    pair.relationship.refresh_from_db()
    with pytest.raises(CoachingError):
        make_goal(pair)


def test_a_paused_relationship_still_works_on_goals(pair):
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(status="paused")
    pair.relationship.refresh_from_db()
    assert make_goal(pair).pk is not None


def test_update_changes_the_fields_and_audits_which(pair):
    goal = make_goal(pair)
    listening = CompetencyFactory(name="Listening")
    new_date = today() + timedelta(days=90)

    goal_update(
        goal=goal,
        by=pair.coach.user,
        title="Let the team plan",
        measure=goal.measure,
        target_date=new_date,
        competencies=[listening],
    )

    goal.refresh_from_db()
    assert (goal.title, goal.target_date) == ("Let the team plan", new_date)
    assert list(goal.competencies.all()) == [listening]
    event = AuditEvent.objects.get(action="coaching.goal_update")
    assert event.details == {
        "goal": goal.pk,
        "changed": ["title", "target_date"],
        "competencies": [listening.pk],
    }


def test_a_past_target_date_may_stay_but_not_be_set(pair):
    goal = make_goal(pair)
    past = today() - timedelta(days=3)
    Goal.objects.filter(pk=goal.pk).update(target_date=past)
    goal.refresh_from_db()

    goal_update(
        goal=goal,
        by=pair.coachee.user,
        title="Same date",
        measure=goal.measure,
        target_date=past,
        competencies=[],
    )
    with pytest.raises(
        CoachingError, match=re.escape("Target date: choose today or a later date.")
    ):
        goal_update(
            goal=goal,
            by=pair.coachee.user,
            title="Same date",
            measure=goal.measure,
            target_date=past - timedelta(days=1),
            competencies=[],
        )


def test_progress_is_kept_as_a_history_with_comments(pair):
    goal = make_goal(pair)

    goal_progress_record(goal=goal, by=pair.coachee.user, progress=30, comment="First round done")
    goal_progress_record(goal=goal, by=pair.coach.user, progress=20, comment="Slipped back")

    goal.refresh_from_db()
    assert (goal.progress, goal.status) == (20, "open")
    assert [(u.progress, u.comment, u.by) for u in goal.updates.all()] == [
        (30, "First round done", pair.coachee.user),
        (20, "Slipped back", pair.coach.user),
    ]
    events = AuditEvent.objects.filter(action="coaching.goal_progress").order_by("pk")
    assert [event.details for event in events] == [
        {"goal": goal.pk, "from": 0, "to": 30, "status": "open"},
        {"goal": goal.pk, "from": 30, "to": 20, "status": "open"},
    ]
    # Nothing the pair wrote reaches the audit log.
    for event in AuditEvent.objects.all():
        assert "round" not in str(event.details) + event.target_label
        assert goal.title not in event.target_label


@pytest.mark.parametrize(
    ("progress", "comment", "message"),
    [
        (101, "Too far", "Progress: give a whole number from 0 to 100."),
        (-1, "Too low", "Progress: give a whole number from 0 to 100."),
        (40, "   ", "Comment: this can't be empty."),
        (40, "x" * 2001, "Comment: keep it to 2000 characters at most."),
    ],
)
def test_progress_refusals_name_the_field(pair, progress, comment, message):
    goal = make_goal(pair)
    with pytest.raises(CoachingError) as refused:
        goal_progress_record(goal=goal, by=pair.coachee.user, progress=progress, comment=comment)
    assert str(refused.value) == message
    assert goal.updates.count() == 0


def test_recording_100_achieves_the_goal_which_then_waits_to_be_reopened(pair):
    goal = make_goal(pair)

    goal_progress_record(goal=goal, by=pair.coachee.user, progress=100, comment="Done it")

    goal.refresh_from_db()
    assert (goal.progress, goal.status) == (100, "achieved")
    with pytest.raises(
        CoachingError, match=re.escape("This goal is achieved: reopen it before changing it.")
    ):
        goal_progress_record(goal=goal, by=pair.coachee.user, progress=90, comment="Hmm")
    with pytest.raises(CoachingError, match=re.escape("Only a goal in progress can be dropped.")):
        goal_drop(goal=goal, by=pair.coachee.user)

    goal_reopen(goal=goal, by=pair.coach.user)
    goal_progress_record(goal=goal, by=pair.coachee.user, progress=90, comment="One more step")
    goal.refresh_from_db()
    assert (goal.progress, goal.status) == (90, "open")


def test_drop_and_reopen(pair):
    goal = make_goal(pair)
    goal_progress_record(goal=goal, by=pair.coachee.user, progress=40, comment="Started")

    goal_drop(goal=goal, by=pair.coachee.user)
    goal.refresh_from_db()
    assert (goal.status, goal.progress) == ("dropped", 40)
    with pytest.raises(
        CoachingError, match=re.escape("This goal is dropped: reopen it before changing it.")
    ):
        goal_update(
            goal=goal,
            by=pair.coachee.user,
            title="x",
            measure="y",
            target_date=goal.target_date,
            competencies=[],
        )

    goal_reopen(goal=goal, by=pair.coachee.user)
    goal.refresh_from_db()
    assert goal.status == "open"
    with pytest.raises(CoachingError, match=re.escape("already in progress")):
        goal_reopen(goal=goal, by=pair.coachee.user)
    assert list(
        AuditEvent.objects.filter(action__in=["coaching.goal_drop", "coaching.goal_reopen"])
        .order_by("pk")
        .values_list("action", "details")
    ) == [
        ("coaching.goal_drop", {"goal": goal.pk, "from": "open", "to": "dropped", "progress": 40}),
        (
            "coaching.goal_reopen",
            {"goal": goal.pk, "from": "dropped", "to": "open", "progress": 40},
        ),
    ]


def make_session(relationship: CoachingRelationship) -> CoachingSession:
    return CoachingSession.objects.create(
        relationship=relationship,
        starts_at=timezone.now() - timedelta(days=2),
        time_zone="Europe/London",
        format=CoachingSession.Format.VIDEO,
        status=CoachingSession.Status.HELD,
    )


def test_an_action_from_a_session_towards_a_goal(pair):
    goal = make_goal(pair)
    session = make_session(pair.relationship)
    due = today() + timedelta(days=7)

    action = action_create(
        relationship=pair.relationship,
        by=pair.coach.user,
        title="Ask the team to run Monday's planning",
        owner=pair.coachee.person,
        due_on=due,
        session=session,
        goal=goal,
    )

    action.refresh_from_db()
    assert (action.owner, action.due_on, action.session, action.goal) == (
        pair.coachee.person,
        due,
        session,
        goal,
    )
    assert action.done_at is None
    assert AuditEvent.objects.get(action="coaching.action_create").details == {
        "action": action.pk,
        "owner": pair.coachee.person.pk,
        "due_on": due.isoformat(),
        "session": session.pk,
        "goal": goal.pk,
    }


def test_action_refusals_name_the_field(pair, programme, coach):
    other = active_relationship(programme, coach.person, coachee_person())
    foreign_goal = Goal.objects.create(
        relationship=other, title="Theirs", measure="m", target_date=today()
    )
    foreign_session = make_session(other)
    base = {
        "relationship": pair.relationship,
        "by": pair.coachee.user,
        "title": "Read the book",
        "owner": pair.coachee.person,
        "due_on": today(),
    }
    cases = [
        ({"title": ""}, "Action: this can't be empty."),
        ({"owner": other.coachee}, "Owner: choose the coach or the coachee."),
        ({"due_on": today() - timedelta(days=1)}, "Due on: choose today or a later date."),
        ({"session": foreign_session}, "Session: choose one of this relationship's sessions."),
        ({"goal": foreign_goal}, "Goal: choose one of this relationship's goals."),
    ]
    for fields, message in cases:
        with pytest.raises(CoachingError) as refused:
            action_create(**{**base, **fields})
        assert str(refused.value) == message
    assert not ActionItem.objects.exists()


def test_complete_and_reopen_an_action(pair):
    action = action_create(
        relationship=pair.relationship,
        by=pair.coachee.user,
        title="Book the offsite",
        owner=pair.coach.person,
        due_on=today(),
    )

    action_complete(action=action, by=pair.coachee.user)
    action.refresh_from_db()
    assert action.done_at is not None
    with pytest.raises(CoachingError, match=re.escape("This action is already done.")):
        action_complete(action=action, by=pair.coach.user)

    action_reopen(action=action, by=pair.coach.user)
    action.refresh_from_db()
    assert action.done_at is None
    with pytest.raises(CoachingError, match=re.escape("This action is still open.")):
        action_reopen(action=action, by=pair.coach.user)
    assert list(
        AuditEvent.objects.filter(action__startswith="coaching.action_")
        .order_by("pk")
        .values_list("action", "details")
    ) == [
        (
            "coaching.action_create",
            {
                "action": action.pk,
                "owner": pair.coach.person.pk,
                "due_on": today().isoformat(),
                "session": None,
                "goal": None,
            },
        ),
        ("coaching.action_complete", {"action": action.pk, "overdue": False}),
        ("coaching.action_reopen", {"action": action.pk}),
    ]


def test_overdue_is_open_and_past_its_date(pair):
    action = ActionItem.objects.create(
        relationship=pair.relationship,
        title="Late",
        owner=pair.coachee.person,
        due_on=today() - timedelta(days=1),
    )
    assert action.is_overdue(today()) is True
    action_complete(action=action, by=pair.coachee.user)
    assert action.is_overdue(today()) is False
    assert AuditEvent.objects.get(action="coaching.action_complete").details == {
        "action": action.pk,
        "overdue": True,
    }


def test_a_finished_relationship_keeps_its_actions_as_they_were(pair):
    action = action_create(
        relationship=pair.relationship,
        by=pair.coachee.user,
        title="Book the offsite",
        owner=pair.coach.person,
        due_on=today(),
    )
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
        status="completed", end_reason=""
    )
    action.relationship.refresh_from_db()
    with pytest.raises(CoachingError, match=re.escape("The relationship is completed")):
        action_complete(action=action, by=pair.coachee.user)
