"""Browser journey: an admin pairs a coach and a coachee by hand; each accepts and signs the
agreement; the relationship is active. axe-core finds no WCAG 2.1 A/AA problem on the pages
on the way, on a desktop and on a phone-sized screen."""

import re

import pytest
from playwright.sync_api import Page, expect

from cadre.coaching.models import CoachingRelationship
from cadre.coaching.services import relationship_confirm, relationship_propose
from tests.browser.axe import axe_violations
from tests.coaching.conftest import enrol_coach, enrol_coachee, make_programme, programme

__all__ = ["make_programme", "programme"]


def switch_to(page: Page, login_as, email: str) -> None:
    page.context.clear_cookies()
    login_as(page, email)


def test_coach_and_coachee_accept_and_sign_the_agreement(
    page: Page, login_as, admin, coach, coachee, programme, console_errors
):
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found = axe_violations(page)
        if found:
            problems[name] = found

    # The admin pairs them by hand.
    login_as(page, admin.user.email)
    page.goto("/coaching/admin/relationships/new/")
    check("pair by hand")
    page.get_by_label("Programme", exact=True).select_option(label="Leaders coaching leaders")
    page.get_by_label("Coach", exact=True).select_option(label="Cora Coach (Manager)")
    page.get_by_label("Coachee", exact=True).select_option(label="Cole Coachee (Manager)")
    page.get_by_role("button", name="Propose the pairing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cora Coach coaching Cole Coachee")
    check("admin record")
    relationship = CoachingRelationship.objects.get()

    # The coach accepts.
    switch_to(page, login_as, coach.user.email)
    page.goto("/coaching/")
    check("my coaching")
    page.get_by_role("link", name="Accept or decline the pairing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching with Cole Coachee")
    check("overview")
    page.get_by_role("button", name="Accept the pairing").click()
    expect(
        page.get_by_text("Accepted. Once Cole Coachee accepts too, your agreement is drawn up.")
    ).to_be_visible()

    # The coachee accepts, reads the agreement and signs it.
    switch_to(page, login_as, coachee.user.email)
    page.goto(f"/coaching/relationships/{relationship.pk}/")
    page.get_by_role("button", name="Accept the pairing").click()
    expect(page).to_have_url(re.compile(rf"/coaching/relationships/{relationship.pk}/agreement/$"))
    expect(page.get_by_role("heading", name="Confidentiality")).to_be_visible()
    check("agreement to sign")
    page.get_by_role("button", name="Sign the agreement").click()
    expect(
        page.get_by_text("Signed. Your coaching starts once Cora Coach signs too.")
    ).to_be_visible()

    # The coach signs too: the relationship is active.
    switch_to(page, login_as, coach.user.email)
    page.goto("/coaching/")
    page.get_by_role("link", name="Read and sign the agreement").click()
    page.get_by_role("button", name="Sign the agreement").click()
    expect(
        page.get_by_text("Signed by you both: your coaching relationship is active.")
    ).to_be_visible()
    check("signed agreement")
    relationship.refresh_from_db()
    assert relationship.status == CoachingRelationship.Status.ACTIVE
    assert relationship.agreement.is_signed

    # The admin sees it signed, without its text.
    switch_to(page, login_as, admin.user.email)
    page.goto("/coaching/admin/relationships/")
    expect(page.get_by_role("cell", name="Signed by both")).to_be_visible()
    check("admin list")
    page.goto(f"/coaching/admin/programmes/{programme.pk}/agreement/")
    check("agreement template")

    assert problems == {}
    assert console_errors == []


@pytest.mark.parametrize("viewport", [(390, 844)], ids=["phone"])
def test_the_pair_pages_pass_axe_on_a_phone(page: Page, login_as, pair_for_browser, viewport):
    relationship, coach = pair_for_browser
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login_as(page, coach.user.email)
    problems = {}
    for path in (
        "/coaching/",
        f"/coaching/relationships/{relationship.pk}/",
        f"/coaching/relationships/{relationship.pk}/agreement/",
    ):
        page.goto(path)
        found = axe_violations(page)
        if found:
            problems[path] = found

    assert problems == {}


@pytest.fixture
def pair_for_browser(programme, admin, coach, coachee):
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    relationship = relationship_confirm(
        relationship=relationship_propose(
            programme=programme, coach=coach.person, coachee=coachee.person, proposed_by=None
        ),
        by=admin.user,
    )
    return relationship, coach
