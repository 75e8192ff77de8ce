"""Browser journey: the coach schedules a session, picking a suggested time; the sessions
pages pass axe on a desktop and on a phone."""

from datetime import time

import pytest
from playwright.sync_api import Page, expect

from cadre.coaching.models import CoachingSession
from cadre.notifications.models import Notification
from cadre.programs.models import AvailabilityWindow, Programme
from tests.browser.axe import axe_violations
from tests.coaching.conftest import Pair, active_relationship, enrol_coach, enrol_coachee
from tests.programs.conftest import make_programme, put_in

__all__ = ["make_programme"]


@pytest.fixture
def working_pair(make_programme, coach, coachee) -> Pair:
    """The coach (London) and coachee (New York), free on weekday mornings and afternoons."""
    programme = put_in(make_programme("Leaders coaching leaders"), Programme.Status.RUNNING)
    coach.person.time_zone = "Europe/London"
    coach.person.save()
    coachee.person.time_zone = "America/New_York"
    coachee.person.save()
    coach_enrolment = enrol_coach(programme, coach.person)
    coachee_enrolment = enrol_coachee(programme, coachee.person)
    for weekday in range(5):
        AvailabilityWindow.objects.create(
            enrolment=coach_enrolment, weekday=weekday, starts_at=time(13), ends_at=time(18)
        )
        AvailabilityWindow.objects.create(
            enrolment=coachee_enrolment, weekday=weekday, starts_at=time(8), ends_at=time(12)
        )
    relationship = active_relationship(programme, coach.person, coachee.person)
    return Pair(programme=programme, relationship=relationship, coach=coach, coachee=coachee)


def test_coach_schedules_a_suggested_time(page: Page, login_as, working_pair, console_errors):
    login_as(page, working_pair.coach.user.email)
    page.goto(f"/coaching/relationships/{working_pair.relationship.pk}/sessions/")
    expect(page.get_by_text("Nothing scheduled.")).to_be_visible()

    page.get_by_role("button", name="Suggest times").click()
    first = page.locator("input[name=slot]").first
    expect(first).to_be_visible()
    label = page.locator(f"label[for={first.get_attribute('id')}]").inner_text()
    assert "for Cole Coachee" in label
    first.check()
    page.select_option("[name=format]", "video")
    page.fill("[name=location]", "https://meet.example.org/cora-cole")
    page.get_by_role("button", name="Schedule and send invitations").click()

    expect(page.get_by_text("Invitations are on their way.")).to_be_visible()
    session = CoachingSession.objects.get()
    assert session.relationship == working_pair.relationship
    assert session.time_zone == "Europe/London"
    assert session.location == "https://meet.example.org/cora-cole"
    assert Notification.objects.filter(kind=Notification.Kind.SESSION_INVITE).count() == 2
    expect(page.locator("table").first).to_contain_text("for Cole Coachee")

    assert console_errors == []


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_session_pages_pass_axe(page: Page, login_as, working_pair, console_errors, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login_as(page, working_pair.coach.user.email)
    sessions = f"/coaching/relationships/{working_pair.relationship.pk}/sessions/"
    problems = {}

    page.goto(sessions)
    page.get_by_role("button", name="Suggest times").click()
    page.locator("input[name=slot]").first.check()
    page.select_option("[name=format]", "phone")
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(page.get_by_text("Invitations are on their way.")).to_be_visible()
    session = CoachingSession.objects.get()
    for path in [sessions, f"/coaching/sessions/{session.pk}/", "/coaching/calendar/"]:
        page.goto(path)
        found = axe_violations(page)
        if found:
            problems[path] = found
    page.get_by_role("button", name="Make my calendar address").click()
    found = axe_violations(page)
    if found:
        problems["calendar with an address"] = found

    assert problems == {}
    assert console_errors == []
