"""The goals and actions tab: what the pair sees and does, who else gets nothing, and a fixed
number of queries however many goals and actions there are."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadre.coaching.models import ActionItem, CoachingRelationship, CoachingSession, Goal
from tests.coaching.conftest import Pair
from tests.factories import CompetencyFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def today():
    return timezone.localdate()


def goal_of(pair: Pair, title: str = "Delegate the weekly planning", **fields) -> Goal:
    values = {"measure": "The team runs it twice", "target_date": today() + timedelta(days=30)}
    values.update(fields)
    return Goal.objects.create(relationship=pair.relationship, title=title, **values)


def action_of(pair: Pair, title: str = "Ask Jo to chair", **fields) -> ActionItem:
    values = {"owner": pair.coachee.person, "due_on": today() + timedelta(days=3)}
    values.update(fields)
    return ActionItem.objects.create(relationship=pair.relationship, title=title, **values)


def goals_url(pair: Pair) -> str:
    return reverse("coaching:goals", args=[pair.relationship.pk])


def test_the_tab_shows_goals_with_progress_history_and_competencies(pair):
    goal = goal_of(pair)
    goal.competencies.add(CompetencyFactory(name="Delegating"))
    goal.updates.create(progress=20, comment="Tried once", by=pair.coachee.user)
    goal.updates.create(progress=45, comment="Team ran it", by=pair.coach.user)
    Goal.objects.filter(pk=goal.pk).update(progress=45)

    response = pair.coachee.client.get(goals_url(pair))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Delegate the weekly planning" in html
    assert '<progress max="100" value="45"' in html
    assert "Delegating" in html
    assert "History: 2 updates" in html
    assert "Tried once" in html
    assert "Team ran it" in html
    assert "Progress over 2 updates: 20%, 45%." in html
    assert [card.goal for card in response.context["cards"]] == [goal]
    assert 'aria-current="page">Goals and actions' in html


def test_overdue_actions_say_so_in_words(pair):
    action_of(pair, "Late one", due_on=today() - timedelta(days=2))
    action_of(pair, "On time")
    action_of(pair, "Done late", due_on=today() - timedelta(days=5), done_at=timezone.now())

    html = pair.coach.client.get(goals_url(pair)).content.decode()

    assert html.count(">Overdue</span>") == 1
    late = html.index("Late one")
    assert html.rindex("action-item--overdue", 0, late) > html.rindex("<li", 0, late)
    assert html.count(">Done</span>") == 1


def test_empty_tab_says_what_to_do_next(pair):
    html = pair.coachee.client.get(goals_url(pair)).content.decode()
    assert "No goals yet." in html
    assert "Set the first goal" in html
    assert "No actions yet." in html


def test_a_finished_relationship_is_read_only(pair):
    goal_of(pair)
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(status="completed")

    html = pair.coachee.client.get(goals_url(pair)).content.decode()

    assert "its goals and actions are kept as they were" in html
    assert "Record progress" not in html
    assert "Add an action" not in html


def test_setting_a_goal(pair):
    listening = CompetencyFactory(name="Listening")
    url = reverse("coaching:goal_new", args=[pair.relationship.pk])
    assert pair.coachee.client.get(url).status_code == 200
    target = today() + timedelta(days=45)

    response = pair.coachee.client.post(
        url,
        {
            "title": "Chair a meeting without deciding",
            "measure": "Three meetings",
            "target_date": target.isoformat(),
            "competencies": [listening.pk],
        },
    )

    goal = Goal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{goals_url(pair)}#goal-{goal.pk}"
    assert (goal.title, goal.target_date, goal.created_by) == (
        "Chair a meeting without deciding",
        target,
        pair.coachee.user,
    )
    assert list(goal.competencies.all()) == [listening]


def test_a_refused_goal_shows_the_reason_on_the_form(pair):
    url = reverse("coaching:goal_new", args=[pair.relationship.pk])
    response = pair.coachee.client.post(
        url,
        {
            "title": "Chair",
            "measure": "Three",
            "target_date": (today() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Target date: choose today or a later date." in response.content.decode()
    assert not Goal.objects.exists()


def test_editing_a_goal(pair):
    goal = goal_of(pair)
    url = reverse("coaching:goal_edit", args=[goal.pk])
    page = pair.coach.client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["title"] == "Delegate the weekly planning"

    response = pair.coach.client.post(
        url,
        {"title": "Delegate planning", "measure": "Twice", "target_date": goal.target_date},
    )

    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.measure) == ("Delegate planning", "Twice")


def test_recording_progress_with_htmx_redraws_the_goal(pair):
    goal = goal_of(pair)
    url = reverse("coaching:goal_progress", args=[goal.pk])
    prefix = f"goal-{goal.pk}"

    response = pair.coachee.client.post(
        url, {f"{prefix}-progress": "60", f"{prefix}-comment": "Led two rounds"}, headers=HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="card goal" id="goal-{goal.pk}"')
    assert "<html" not in html
    assert '<progress max="100" value="60"' in html
    assert "Led two rounds" in html
    assert "Progress recorded." in html
    goal.refresh_from_db()
    assert goal.progress == 60
    assert list(goal.updates.values_list("progress", "comment")) == [(60, "Led two rounds")]


def test_progress_without_a_comment_is_refused_in_the_card(pair):
    goal = goal_of(pair)
    prefix = f"goal-{goal.pk}"
    response = pair.coachee.client.post(
        reverse("coaching:goal_progress", args=[goal.pk]),
        {f"{prefix}-progress": "60", f"{prefix}-comment": ""},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "Say what moved the goal: a comment is required." in html
    assert 'role="alert"' in html
    assert not goal.updates.exists()


def test_recording_100_without_htmx_achieves_and_redirects(pair):
    goal = goal_of(pair)
    prefix = f"goal-{goal.pk}"
    response = pair.coachee.client.post(
        reverse("coaching:goal_progress", args=[goal.pk]),
        {f"{prefix}-progress": "100", f"{prefix}-comment": "Team plans alone now"},
        follow=True,
    )
    assert response.redirect_chain == [(f"{goals_url(pair)}#goal-{goal.pk}", 302)]
    assert "“Delegate the weekly planning” is achieved." in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == "achieved"


def test_drop_and_reopen_a_goal(pair):
    goal = goal_of(pair)
    pair.coach.client.post(reverse("coaching:goal_drop", args=[goal.pk]))
    goal.refresh_from_db()
    assert goal.status == "dropped"
    html = pair.coach.client.get(goals_url(pair)).content.decode()
    assert "Reopen the goal" in html

    pair.coachee.client.post(reverse("coaching:goal_reopen", args=[goal.pk]))
    goal.refresh_from_db()
    assert goal.status == "open"


def test_adding_an_action(pair):
    goal = goal_of(pair)
    session = CoachingSession.objects.create(
        relationship=pair.relationship,
        starts_at=timezone.now() - timedelta(days=1),
        time_zone="UTC",
        format="video",
        status="held",
    )
    due = today() + timedelta(days=5)

    response = pair.coach.client.post(
        reverse("coaching:action_new", args=[pair.relationship.pk]),
        {
            "action-title": "Draft the agenda",
            "action-owner": pair.coachee.person.pk,
            "action-due_on": due.isoformat(),
            "action-session": session.pk,
            "action-goal": goal.pk,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{goals_url(pair)}#actions"
    action = ActionItem.objects.get()
    assert (action.title, action.owner, action.due_on, action.session, action.goal) == (
        "Draft the agenda",
        pair.coachee.person,
        due,
        session,
        goal,
    )


def test_a_refused_action_shows_the_form_again_with_the_reason(pair):
    response = pair.coach.client.post(
        reverse("coaching:action_new", args=[pair.relationship.pk]),
        {
            "action-title": "Draft the agenda",
            "action-owner": pair.coachee.person.pk,
            "action-due_on": (today() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Due on: choose today or a later date." in html
    assert '<details class="card add-action" open>' in html
    assert not ActionItem.objects.exists()


def test_completing_and_reopening_an_action_with_htmx(pair):
    action = action_of(pair)

    done = pair.coachee.client.post(
        reverse("coaching:action_complete", args=[action.pk]), headers=HTMX
    )
    html = done.content.decode()
    assert html.lstrip().startswith(f'<li id="action-{action.pk}"')
    assert ">Done</span>" in html
    assert "Reopen" in html
    action.refresh_from_db()
    assert action.done_at is not None

    again = pair.coach.client.post(reverse("coaching:action_reopen", args=[action.pk]))
    assert again.status_code == 302
    action.refresh_from_db()
    assert action.done_at is None


PAGES = [
    ("coaching:goals", "relationship", "get"),
    ("coaching:goal_new", "relationship", "get"),
    ("coaching:goal_edit", "goal", "get"),
    ("coaching:goal_progress", "goal", "post"),
    ("coaching:goal_drop", "goal", "post"),
    ("coaching:goal_reopen", "goal", "post"),
    ("coaching:action_new", "relationship", "post"),
    ("coaching:action_complete", "action", "post"),
    ("coaching:action_reopen", "action", "post"),
]


@pytest.mark.parametrize(("name", "target", "method"), PAGES)
@pytest.mark.parametrize("member", ["outsider", "sponsor", "admin"])
def test_nobody_but_the_pair_reaches_the_goals(pair, request, name, target, method, member):
    goal = goal_of(pair)
    action = action_of(pair)
    pk = {"relationship": pair.relationship.pk, "goal": goal.pk, "action": action.pk}[target]
    client = request.getfixturevalue(member).client

    response = getattr(client, method)(reverse(name, args=[pk]))

    assert response.status_code == 404
    goal.refresh_from_db()
    action.refresh_from_db()
    assert (goal.status, action.done_at, goal.updates.count()) == ("open", None, 0)


@pytest.mark.parametrize(("name", "target", "method"), PAGES)
def test_anonymous_visitors_are_sent_to_log_in(pair, name, target, method):
    goal = goal_of(pair)
    action = action_of(pair)
    pk = {"relationship": pair.relationship.pk, "goal": goal.pk, "action": action.pk}[target]
    url = reverse(name, args=[pk])

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_tab_runs_a_fixed_number_of_queries(pair, django_assert_num_queries):
    competency = CompetencyFactory()

    def add(index: int) -> None:
        goal = goal_of(pair, f"Goal {index}")
        goal.competencies.add(competency)
        goal.updates.create(progress=10, comment="a", by=pair.coachee.user)
        goal.updates.create(progress=20, comment="b", by=pair.coach.user)
        action_of(pair, f"Action {index}", goal=goal)

    add(0)
    url = goals_url(pair)
    pair.coachee.client.get(url)
    with django_assert_num_queries(12) as one:
        pair.coachee.client.get(url)
    for index in range(1, 6):
        add(index)
    with django_assert_num_queries(len(one.captured_queries)):
        response = pair.coachee.client.get(url)
    assert len(response.context["cards"]) == 6
