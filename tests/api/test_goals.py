"""The goals and actions API: the pair's own, the services' refusals as 400, nobody else's."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cadre.coaching.models import ActionItem, CoachingRelationship, CoachingSession, Goal
from tests.api.conftest import patch, post
from tests.coaching.conftest import (
    Pair,
    active_relationship,
    coachee_person,
)
from tests.factories import CompetencyFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def a_goal(pair: Pair, title: str = "Delegate planning") -> Goal:
    return Goal.objects.create(
        relationship=pair.relationship,
        title=title,
        measure="Twice",
        target_date=today() + timedelta(days=30),
    )


def an_action(pair: Pair, title: str = "Ask Jo", **fields) -> ActionItem:
    values = {"owner": pair.coachee.person, "due_on": today() + timedelta(days=2)}
    values.update(fields)
    return ActionItem.objects.create(relationship=pair.relationship, title=title, **values)


def test_the_pair_creates_and_lists_goals(pair):
    listening = CompetencyFactory(name="Listening")
    url = f"/api/v1/relationships/{pair.relationship.pk}/goals"
    target = today() + timedelta(days=40)

    created = post(
        pair.coachee.client,
        url,
        {
            "title": "Chair without deciding",
            "measure": "Three meetings",
            "target_date": target,
            "competencies": [listening.pk],
        },
    )

    assert created.status_code == 201
    goal = Goal.objects.get()
    assert created.json() == {
        "id": goal.pk,
        "relationship": pair.relationship.pk,
        "title": "Chair without deciding",
        "measure": "Three meetings",
        "target_date": target.isoformat(),
        "progress": 0,
        "status": "open",
        "competencies": [{"id": listening.pk, "name": "Listening"}],
        "updates": [],
    }
    listed = pair.coach.client.get(url)
    assert listed.status_code == 200
    assert [item["title"] for item in listed.json()] == ["Chair without deciding"]


def test_recording_progress_returns_the_history(pair):
    goal = a_goal(pair)
    url = f"/api/v1/goals/{goal.pk}/progress"

    post(pair.coachee.client, url, {"progress": 40, "comment": "First round"})
    response = post(pair.coach.client, url, {"progress": 100, "comment": "Done"})

    assert response.status_code == 201
    body = response.json()
    assert (body["progress"], body["status"]) == (100, "achieved")
    assert [(u["progress"], u["comment"], u["by"]) for u in body["updates"]] == [
        (40, "First round", "Cole Coachee"),
        (100, "Done", "Cora Coach"),
    ]


def test_refusals_are_400_in_the_services_words(pair):
    goal = a_goal(pair)

    no_comment = post(
        pair.coachee.client, f"/api/v1/goals/{goal.pk}/progress", {"progress": 40, "comment": ""}
    )
    too_far = post(
        pair.coachee.client, f"/api/v1/goals/{goal.pk}/progress", {"progress": 140, "comment": "x"}
    )
    past = post(
        pair.coachee.client,
        f"/api/v1/relationships/{pair.relationship.pk}/goals",
        {"title": "t", "measure": "m", "target_date": today() - timedelta(days=1)},
    )
    unknown = post(
        pair.coachee.client,
        f"/api/v1/relationships/{pair.relationship.pk}/goals",
        {"title": "t", "measure": "m", "target_date": today(), "competencies": [999999]},
    )
    malformed = post(pair.coachee.client, f"/api/v1/goals/{goal.pk}/progress", {"progress": 4})

    assert [r.status_code for r in (no_comment, too_far, past, unknown, malformed)] == [
        400,
        400,
        400,
        400,
        422,
    ]
    assert no_comment.json() == {
        "detail": [{"loc": ["body"], "msg": "Comment: this can't be empty.", "type": "refused"}]
    }
    assert too_far.json()["detail"][0]["msg"] == "Progress: give a whole number from 0 to 100."
    assert past.json()["detail"][0]["msg"] == "Target date: choose today or a later date."
    assert unknown.json()["detail"][0]["msg"] == "Competencies: no competency with id 999999."
    assert malformed.json()["detail"][0]["loc"] == ["body", "payload", "comment"]


def test_patch_changes_only_the_fields_given(pair):
    goal = a_goal(pair)
    listening = CompetencyFactory(name="Listening")
    goal.competencies.add(listening)

    response = patch(pair.coach.client, f"/api/v1/goals/{goal.pk}", {"title": "Plan less"})

    assert response.status_code == 200
    assert response.json()["title"] == "Plan less"
    assert response.json()["measure"] == "Twice"
    assert response.json()["competencies"] == [{"id": listening.pk, "name": "Listening"}]


def test_drop_and_reopen(pair):
    goal = a_goal(pair)
    dropped = post(pair.coachee.client, f"/api/v1/goals/{goal.pk}/drop", {})
    assert (dropped.status_code, dropped.json()["status"]) == (200, "dropped")
    again = post(pair.coachee.client, f"/api/v1/goals/{goal.pk}/drop", {})
    assert again.status_code == 400
    reopened = post(pair.coachee.client, f"/api/v1/goals/{goal.pk}/reopen", {})
    assert reopened.json()["status"] == "open"


def test_the_pair_adds_completes_and_reopens_actions(pair):
    goal = a_goal(pair)
    session = CoachingSession.objects.create(
        relationship=pair.relationship,
        starts_at=timezone.now(),
        time_zone="UTC",
        format="phone",
    )
    due = today() + timedelta(days=3)

    created = post(
        pair.coach.client,
        f"/api/v1/relationships/{pair.relationship.pk}/actions",
        {
            "title": "Draft the agenda",
            "owner": pair.coachee.person.pk,
            "due_on": due,
            "session": session.pk,
            "goal": goal.pk,
        },
    )

    assert created.status_code == 201
    action = ActionItem.objects.get()
    assert created.json() == {
        "id": action.pk,
        "relationship": pair.relationship.pk,
        "title": "Draft the agenda",
        "owner": {"id": pair.coachee.person.pk, "name": pair.coachee.person.display_name},
        "due_on": due.isoformat(),
        "done_at": None,
        "overdue": False,
        "session": session.pk,
        "goal": goal.pk,
    }
    done = post(pair.coachee.client, f"/api/v1/actions/{action.pk}/complete", {})
    assert done.status_code == 200
    assert done.json()["done_at"] is not None
    reopened = post(pair.coachee.client, f"/api/v1/actions/{action.pk}/reopen", {})
    assert reopened.json()["done_at"] is None


def test_action_references_must_be_the_relationships_own(pair, programme, coach):
    other = active_relationship(programme, coach.person, coachee_person())
    foreign_goal = Goal.objects.create(
        relationship=other, title="Theirs", measure="m", target_date=today()
    )
    url = f"/api/v1/relationships/{pair.relationship.pk}/actions"
    base = {"title": "Do it", "owner": pair.coachee.person.pk, "due_on": today()}

    wrong_owner = post(pair.coach.client, url, {**base, "owner": other.coachee.pk})
    wrong_goal = post(pair.coach.client, url, {**base, "goal": foreign_goal.pk})

    assert wrong_owner.json()["detail"][0]["msg"] == "Owner: choose the coach or the coachee."
    assert wrong_goal.json()["detail"][0]["msg"] == "Goal: choose one of this relationship's goals."
    assert not ActionItem.objects.exists()


def test_actions_list_flags_overdue_ones(pair):
    an_action(pair, "Late", due_on=today() - timedelta(days=1))
    an_action(pair, "Soon")

    response = pair.coachee.client.get(f"/api/v1/relationships/{pair.relationship.pk}/actions")

    assert [(item["title"], item["overdue"]) for item in response.json()] == [
        ("Late", True),
        ("Soon", False),
    ]


@pytest.mark.parametrize("member", ["outsider", "sponsor", "admin"])
def test_nobody_else_reaches_them(pair, request, member):
    goal = a_goal(pair)
    action = an_action(pair)
    client = request.getfixturevalue(member).client
    relationship = pair.relationship.pk
    reads = [
        f"/api/v1/relationships/{relationship}/goals",
        f"/api/v1/relationships/{relationship}/actions",
    ]
    writes = [
        (
            f"/api/v1/relationships/{relationship}/goals",
            {"title": "t", "measure": "m", "target_date": today()},
        ),
        (f"/api/v1/goals/{goal.pk}/progress", {"progress": 5, "comment": "c"}),
        (f"/api/v1/goals/{goal.pk}/drop", {}),
        (
            f"/api/v1/relationships/{relationship}/actions",
            {"title": "t", "owner": 1, "due_on": today()},
        ),
        (f"/api/v1/actions/{action.pk}/complete", {}),
    ]

    assert [client.get(url).status_code for url in reads] == [404, 404]
    assert [post(client, url, body).status_code for url, body in writes] == [404] * 5
    assert patch(client, f"/api/v1/goals/{goal.pk}", {"title": "x"}).status_code == 404
    goal.refresh_from_db()
    assert (goal.title, goal.status, Goal.objects.count(), ActionItem.objects.count()) == (
        "Delegate planning",
        "open",
        1,
        1,
    )


def test_not_logged_in_is_401(pair):
    response = Client().get(f"/api/v1/relationships/{pair.relationship.pk}/goals")
    assert response.status_code == 401


def test_a_finished_relationship_refuses_changes(pair):
    goal = a_goal(pair)
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(status="completed")
    response = post(
        pair.coachee.client, f"/api/v1/goals/{goal.pk}/progress", {"progress": 5, "comment": "c"}
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["msg"] == (
        "The relationship is completed; its record can no longer change."
    )


def test_lists_run_a_fixed_number_of_queries(pair, django_assert_num_queries):
    competency = CompetencyFactory()

    def add(index: int) -> None:
        goal = a_goal(pair, f"Goal {index}")
        goal.competencies.add(competency)
        goal.updates.create(progress=10, comment="c", by=pair.coachee.user)
        an_action(pair, f"Action {index}", goal=goal)

    add(0)
    goals = f"/api/v1/relationships/{pair.relationship.pk}/goals"
    actions = f"/api/v1/relationships/{pair.relationship.pk}/actions"
    with django_assert_num_queries(7) as goals_one:
        pair.coachee.client.get(goals)
    with django_assert_num_queries(5) as actions_one:
        pair.coachee.client.get(actions)
    for index in range(1, 6):
        add(index)
    with django_assert_num_queries(len(goals_one.captured_queries)):
        assert len(pair.coachee.client.get(goals).json()) == 6
    with django_assert_num_queries(len(actions_one.captured_queries)):
        assert len(pair.coachee.client.get(actions).json()) == 6
