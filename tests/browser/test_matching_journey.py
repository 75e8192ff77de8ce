"""Browser journey: an admin runs matching for a programme, follows the run to its summary,
pins a pair in the review, and approves the proposals; the relationships are proposed.
axe-core finds no WCAG 2.1 A/AA problem on the pages on the way, on a desktop and a phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from cadre.coaching.models import CoachingRelationship
from cadre.matching.models import MatchPin, MatchRun
from tests.browser.axe import axe_violations
from tests.matching.conftest import cohort, make_programme, programme

__all__ = ["cohort", "make_programme", "programme"]


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_an_admin_runs_matching_pins_a_pair_and_approves(
    page: Page, login_as, admin, cohort, console_errors, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found = axe_violations(page)
        if found:
            problems[name] = found

    login_as(page, admin.user.email)
    page.goto("/matching/")
    check("matching index")
    page.get_by_role("link", name="Leaders coaching leaders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Matching: Leaders coaching leaders")
    check("programme matching")
    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_role("heading", name="Finished")).to_be_visible()
    expect(page.get_by_text("Coach load after this run")).to_be_visible()
    check("run summary")

    page.get_by_role("link", name="Review the proposals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Review run #\d+$"))
    check("review")
    page.get_by_role("button", name=re.compile(r"^Pin .* for Dana Dunn$")).click()
    expect(
        page.get_by_text(re.compile(r"Pinned: the next run keeps .* for Dana Dunn\."))
    ).to_be_visible()
    expect(page.get_by_text("Pinned", exact=True)).to_be_visible()
    pin = MatchPin.objects.get()

    page.get_by_role("button", name="Approve the ticked pairs").click()
    expect(page.get_by_text("Approved 4 pairs")).to_be_visible()
    check("review after approval")
    page.get_by_role("link", name=re.compile(r"^Dana Dunn → ")).click()
    check("proposal")

    run = MatchRun.objects.get()
    relationships = CoachingRelationship.objects.filter(
        programme=cohort.programme, origin="matching"
    )
    assert relationships.count() == 4
    assert relationships.get(coachee=pin.coachee).coach == pin.coach
    assert run.proposals.filter(relationship__isnull=False).count() == 4
    assert problems == {}
    assert console_errors == []
