"""Browser journey: a programme admin creates a programme and opens its enrolment."""

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from cadre.programs.models import Programme


def test_admin_creates_a_programme_and_moves_it_to_enrolling(
    page: Page, login_as, admin, console_errors
):
    today = date.today()
    login_as(page, admin.user.email)

    page.goto("/programmes/")
    page.get_by_role("link", name="New programme").click()
    page.fill("[name=name]", "Cross-functional leaders 2027")
    page.fill("[name=description]", "Directors coach new managers from other functions.")
    page.fill("[name=starts_on]", today.isoformat())
    page.fill("[name=ends_on]", (today + timedelta(days=365)).isoformat())
    page.fill("[name=enrolment_opens_on]", today.isoformat())
    page.fill("[name=enrolment_closes_on]", (today + timedelta(days=30)).isoformat())
    page.fill("[name=objectives-0-description]", "80% of coachees hold at least 6 sessions")
    page.select_option("[name=objectives-0-metric]", index=1)
    page.fill("[name=objectives-0-target]", "80")
    page.fill("[name=objectives-0-unit]", "%")
    page.fill("[name=objectives-0-due_on]", (today + timedelta(days=365)).isoformat())
    page.get_by_role("button", name="Create the draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cross-functional leaders 2027")
    expect(page.get_by_text("Created “Cross-functional leaders 2027” as a draft.")).to_be_visible()
    page.get_by_role("button", name="Open enrolment").click()

    expect(page.locator(".badge").first).to_have_text("Enrolling")
    expect(
        page.locator("li", has_text=re.compile(r"Draft → Enrolling,\s+by Ada Admin"))
    ).to_be_visible()
    programme = Programme.objects.get(name="Cross-functional leaders 2027")
    assert programme.status == Programme.Status.ENROLLING
    assert list(programme.transitions.values_list("from_status", "to_status")) == [
        ("draft", "enrolling")
    ]
    assert console_errors == []
