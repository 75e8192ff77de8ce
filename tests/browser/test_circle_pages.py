"""A circle's page and the admin's circle pages pass axe (WCAG 2.1 A/AA) on a desktop and on a
phone, and a member adds a circle note through htmx without a console error."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadre.coaching.models import Circle, CircleAttendance, CircleNote, CoachingSession
from tests.browser.axe import axe_violations
from tests.coaching.circle_fixtures import circle_session, coachees, make_circle, offering_circles
from tests.coaching.conftest import (  # the programme fixtures are used here too
    certify,
    enrol_coachee,
    make_programme,  # noqa: F401
    programme,  # noqa: F401
)


@pytest.fixture
def circle(coach, coachee, programme) -> Circle:  # noqa: F811
    certify(coach.person)
    offering_circles(programme)
    enrol_coachee(programme, coachee.person)
    circle = make_circle(
        coach.person,
        [coachee.person, *coachees(programme, 2, prefix="Peer")],
        name="Emerging leaders",
        kind=Circle.Kind.COACHING,
        programme=programme,
    )
    held = circle_session(circle, status=CoachingSession.Status.HELD)
    CircleAttendance.objects.create(session=held, person=coachee.person, present=True)
    circle_session(circle, starts_at=timezone.now() + timedelta(days=7))
    CircleNote.objects.create(circle=circle, author=coach.person, body="Welcome, everyone.")
    return circle


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_circle_pages_pass_axe(page, login_as, coach, admin, circle, console_errors, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    problems = {}
    login_as(page, coach.user.email)
    for path in ["/coaching/circles/", f"/coaching/circles/{circle.pk}/"]:
        page.goto(path)
        if found := axe_violations(page):
            problems[path] = found
    page.context.clear_cookies()
    login_as(page, admin.user.email)
    for path in [
        "/coaching/admin/circles/",
        "/coaching/admin/circles/new/?kind=coaching",
        f"/coaching/admin/circles/{circle.pk}/edit/",
    ]:
        page.goto(path)
        if found := axe_violations(page):
            problems[path] = found

    assert problems == {}
    assert console_errors == []


@pytest.mark.browser
def test_a_member_adds_a_circle_note(page, login_as, coachee, circle, console_errors):
    login_as(page, coachee.user.email)
    page.goto(f"/coaching/circles/{circle.pk}/")

    page.get_by_role("textbox", name="Note").fill("Thank you for today.")
    page.get_by_role("button", name="Add the note").click()

    expect(page.locator("#notes")).to_contain_text("Thank you for today.")
    assert CircleNote.objects.filter(author=coachee.person).count() == 1
    assert console_errors == []
