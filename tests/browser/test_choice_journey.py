"""Browser journey: a coachee in a programme where coachees choose finds the invitation on the
home page, reads the suggestions with their reasons and asks the best coach; the pair is
proposed with the coachee's acceptance. axe-core finds no WCAG 2.1 A/AA problem on the pages on
the way, on a desktop and a phone."""

import pytest
from playwright.sync_api import Page, expect

from cadre.accounts.models import Role
from cadre.coaching.models import CoachingRelationship
from cadre.matching.choice import choice_open
from tests.browser.axe import axe_violations
from tests.factories import RoleGrantFactory
from tests.matching.conftest import cohort, make_programme, programme

__all__ = ["cohort", "make_programme", "programme"]


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_coachee_chooses_a_coach_from_the_suggestions(
    page: Page, login_as, admin, cohort, console_errors, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    choice_open(programme=cohort.programme, by=admin.user, suggestions=2)
    dana, chen = cohort.coachees[0], cohort.coaches[2]
    RoleGrantFactory(user=dana.user, role=Role.COACHEE)
    problems: dict[str, list[str]] = {}

    login_as(page, dana.user.email)
    page.goto("/")
    expect(page.get_by_role("heading", name="Choose your coach")).to_be_visible()
    if found := axe_violations(page):
        problems["home"] = found
    page.get_by_role("link", name="See my suggestions").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your coach")
    suggestions = page.locator(".suggestion h3")
    expect(suggestions).to_have_text(["Chen Carter", "Alma Archer"])
    expect(page.get_by_text("Good at what you want to grow").first).to_be_visible()
    page.get_by_text("How this suggestion scores").first.click()
    expect(page.get_by_text("Competency fit").first).to_be_visible()
    if found := axe_violations(page):
        problems["suggestions"] = found
    page.get_by_role("button", name="Ask Chen Carter").click()

    expect(page.locator(".messages")).to_contain_text(
        "You asked Chen Carter to be your coach in “Leaders coaching leaders”."
    )
    expect(page.get_by_role("link", name="See the request")).to_be_visible()
    relationship = CoachingRelationship.objects.get(programme=cohort.programme)
    assert (relationship.coach, relationship.coachee, relationship.status) == (
        chen,
        dana,
        CoachingRelationship.Status.PROPOSED,
    )
    assert relationship.coachee_accepted_at is not None
    page.goto("/")
    expect(page.get_by_role("heading", name="Choose your coach")).to_have_count(0)
    assert problems == {}
    assert console_errors == []
