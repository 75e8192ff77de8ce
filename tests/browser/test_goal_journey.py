"""Browser journey: the coachee records progress on a goal and sees its history; axe finds no
WCAG 2.1 A/AA problems on the goals tab and the home pages, on a desktop and on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cadre.coaching.models import ActionItem, Circle, CoachingSession, Goal
from cadre.programs.models import Programme
from cadre.programs.services import programme_create
from tests.browser.axe import axe_violations
from tests.coaching.conftest import Pair, active_relationship, enrol_coach, enrol_coachee
from tests.factories import CompetencyFactory
from tests.programs.conftest import objective, put_in, settings_for


@pytest.fixture
def pair(admin, coach, coachee) -> Pair:
    draft = programme_create(
        values=settings_for("Leaders coaching leaders"),
        objectives=[objective()],
        created_by=admin.user,
    )
    programme = put_in(draft, Programme.Status.RUNNING)
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    relationship = active_relationship(programme, coach.person, coachee.person)
    return Pair(programme=programme, relationship=relationship, coach=coach, coachee=coachee)


@pytest.fixture
def goal(pair: Pair) -> Goal:
    goal = Goal.objects.create(
        relationship=pair.relationship,
        title="Let the team run planning",
        measure="Two planning rounds led by the team",
        target_date=timezone.localdate() + timedelta(days=60),
    )
    goal.competencies.add(CompetencyFactory(name="Delegating"))
    goal.updates.create(progress=20, comment="Handed over the agenda", by=pair.coachee.user)
    Goal.objects.filter(pk=goal.pk).update(progress=20)
    return goal


@pytest.fixture
def busy(pair: Pair, goal: Goal) -> None:
    """Sessions, actions (one overdue) and a circle, so every section of the pages shows."""
    now = timezone.now()
    relationship = pair.relationship
    for days, status in ((-10, "held"), (0, "scheduled"), (5, "scheduled")):
        CoachingSession.objects.create(
            relationship=relationship,
            starts_at=now + timedelta(days=days, hours=1),
            time_zone="Europe/London",
            format=CoachingSession.Format.VIDEO,
            status=status,
        )
    ActionItem.objects.create(
        relationship=relationship,
        title="Ask Jo to chair",
        owner=pair.coachee.person,
        due_on=timezone.localdate() - timedelta(days=2),
    )
    ActionItem.objects.create(
        relationship=relationship,
        title="Book the offsite",
        owner=pair.coach.person,
        due_on=timezone.localdate() + timedelta(days=3),
        goal=goal,
    )
    Circle.objects.create(
        kind=Circle.Kind.SUPERVISION, name="Supervision circle", facilitator=pair.coach.person
    )


def test_the_coachee_records_progress_and_sees_the_history(
    page: Page, login_as, pair: Pair, goal: Goal, console_errors
):
    login_as(page, pair.coachee.user.email)
    page.goto(f"/coaching/relationships/{pair.relationship.pk}/goals/")
    card = page.locator(f"#goal-{goal.pk}")
    expect(card.get_by_role("heading", name="Let the team run planning")).to_be_visible()

    card.get_by_label("Progress (%)").fill("65")
    card.get_by_label("What moved it").fill("The team ran Monday's planning without me")
    card.get_by_role("button", name="Record progress").click()

    expect(card.get_by_role("status")).to_have_text("Progress recorded.")
    expect(card.locator("progress")).to_have_attribute("value", "65")
    history = card.locator(".history li")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("65%")
    expect(history.nth(1)).to_contain_text("The team ran Monday's planning without me")
    expect(card.get_by_role("img", name="Progress over 2 updates: 20%, 65%.")).to_be_visible()
    goal.refresh_from_db()
    assert goal.progress == 65
    assert list(goal.updates.values_list("progress", flat=True)) == [20, 65]

    # A comment is required: the browser asks for it before anything is sent.
    card.get_by_label("Progress (%)").fill("70")
    card.get_by_role("button", name="Record progress").click()
    expect(card.locator("textarea:invalid")).to_have_count(1)
    assert goal.updates.count() == 2
    assert console_errors == []


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_goal_and_home_pages_pass_axe(
    page: Page, login_as, pair: Pair, busy, console_errors, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    problems = {}
    for member in (pair.coachee, pair.coach):
        page.context.clear_cookies()
        login_as(page, member.user.email)
        for path in ["/", f"/coaching/relationships/{pair.relationship.pk}/goals/"]:
            page.goto(path)
            page.locator("details").evaluate_all("(nodes) => nodes.forEach((n) => n.open = true)")
            found = axe_violations(page)
            if found:
                problems[(member.user.email, path)] = found
    assert problems == {}
    assert console_errors == []
