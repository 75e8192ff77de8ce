"""Browser journey: on a phone-sized screen (390×844), a coachee answers the survey about the
session they just held: saves part of it, comes back, submits; the page passes axe."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from cadre.feedback.instruments import instruments_install
from cadre.feedback.models import Survey
from cadre.feedback.scheduling import surveys_schedule
from tests.browser.axe import axe_violations
from tests.coaching.conftest import Pair, make_programme, pair, programme
from tests.feedback.health_helpers import hold

__all__ = ["make_programme", "pair", "programme"]


def test_a_coachee_answers_a_session_survey_on_a_phone(
    page: Page, login_as, pair: Pair, console_errors
) -> None:
    instruments_install()
    hold(pair.relationship, at=timezone.now() - timedelta(hours=3))
    surveys_schedule(now=timezone.now())
    survey = Survey.objects.get(respondent=pair.coachee.person, purpose="session")
    page.set_viewport_size({"width": 390, "height": 844})

    login_as(page, pair.coachee.user.email)
    page.goto("/feedback/surveys/")
    expect(page.get_by_text("Your session with Cora Coach")).to_be_visible()
    page.get_by_role("link", name="Answer “How was your session?”").click()

    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []

    useful = page.get_by_role("group", name="The session was useful to me.")
    useful.get_by_role("radio", name="4", exact=True).check()
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_text("saved", exact=False).first).to_be_visible()
    assert Survey.objects.get(pk=survey.pk).status == "in_progress"

    # Submitting with questions left out names them.
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("I know what I will do next.): answer this question.")).to_be_visible()

    for question in ("I know what I will do next.", "I felt safe to speak openly."):
        page.get_by_role("group", name=question).get_by_role("radio", name="5 Completely").check()
    page.get_by_label("Anything you'd like to add?").fill("The role play helped.")
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_text("Thank you.")).to_be_visible()
    submitted = Survey.objects.get(pk=survey.pk)
    assert submitted.status == "submitted"
    assert sorted(
        (a.question.key, a.number, a.text) for a in submitted.answers.select_related("question")
    ) == [
        ("comment", None, "The role play helped."),
        ("next-steps", 5, ""),
        ("safety", 5, ""),
        ("usefulness", 4, ""),
    ]
    # The refused submission answered 400 on purpose (the page with its errors); nothing else.
    assert [error for error in console_errors if "status of 400" not in error] == []
