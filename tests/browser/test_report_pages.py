"""The feedback reports in a browser: the programme report (figures, a hidden group with its
reason, the subtraction note), a coach's "feedback about my coaching" and a coachee's 360
report pass axe on a desktop and on a phone, without horizontal scrolling on the phone."""

import pytest
from playwright.sync_api import Page, expect

from cadre.feedback.instruments import instruments_install
from cadre.programs.models import Programme
from tests.browser.axe import axe_violations
from tests.coaching.conftest import Pair, make_programme, pair, programme
from tests.feedback.answering import SESSION, answer, people_in
from tests.feedback.test_reports import coached_by

__all__ = ["make_programme", "pair", "programme"]

SCREENS = [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]


def _check(page: Page, screen: dict[str, int]) -> None:
    assert axe_violations(page) == []
    if screen["width"] < 500:
        assert page.evaluate("document.documentElement.scrollWidth") <= screen["width"]


@pytest.fixture
def answered(programme: Programme) -> Programme:
    """Six answers from Finance and two from Sales: Sales is hidden, and so is Finance, since
    the total minus Finance would give Sales away."""
    instruments_install()
    for person in people_in("Finance", 6) + people_in("Sales", 2):
        answer(person, programme, SESSION)
    return programme


@pytest.mark.parametrize("screen", SCREENS, ids=["desktop", "phone"])
def test_the_programme_report(page: Page, login_as, admin, answered, screen, console_errors):
    page.set_viewport_size(screen)
    login_as(page, admin.user.email)
    page.goto(f"/feedback/programmes/{answered.pk}/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Feedback")
    page.get_by_text("By department").first.click()
    breakdown = page.get_by_role("region", name="How was your session? by department")
    expect(breakdown.get_by_text("Fewer than 5 answers").first).to_be_visible()
    expect(breakdown.get_by_text("worked out by subtracting").first).to_be_visible()
    _check(page, screen)
    assert console_errors == []


@pytest.mark.parametrize("screen", SCREENS, ids=["desktop", "phone"])
def test_a_coachs_feedback_about_their_coaching(
    page: Page, login_as, pair: Pair, screen, console_errors
):
    instruments_install()
    coached_by(pair, 5)
    page.set_viewport_size(screen)
    login_as(page, pair.coach.user.email)
    page.goto("/feedback/coaching/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _check(page, screen)
    assert console_errors == []
