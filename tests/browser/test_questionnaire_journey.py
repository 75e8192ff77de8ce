"""Browser journey: a programme admin customises a built-in questionnaire, adds a question
with htmx, and saves it as a new version, on a phone-sized screen."""

from playwright.sync_api import Page, expect

from cadre.feedback.instruments import instruments_install
from cadre.feedback.models import SurveyTemplate
from cadre.programs.services import programme_create
from tests.programs.conftest import objective, put_in, settings_for


def test_admin_customises_and_edits_a_questionnaire(page: Page, login_as, admin, console_errors):
    instruments_install()  # a transactional test starts without the migration's rows
    made = programme_create(
        values=settings_for("Leaders coaching leaders"),
        objectives=[objective()],
        created_by=admin.user,
    )
    programme = put_in(made, "running")
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, admin.user.email)

    page.goto(f"/programmes/{programme.pk}/")
    page.get_by_role("link", name="Questionnaires").click()
    page.get_by_role("button", name="Customise How was your session?").click()

    expect(page.get_by_text("Saving creates version 2")).to_be_visible()
    page.fill("[name=questions-0-text]", "The session helped me.")
    page.get_by_role("button", name="Add a question").click()
    new = page.locator("[name=questions-5-text]")
    expect(new).to_be_visible()
    new.fill("What should we change?")
    page.select_option("[name=questions-5-kind]", "text")
    page.get_by_role("button", name="Save as version 2").click()

    expect(page.get_by_text("Saved “How was your session?” as version 2.")).to_be_visible()
    expect(page.get_by_text("Added: “What should we change?”")).to_be_visible()
    current = SurveyTemplate.objects.get(
        programme=programme, key="session-coachee", is_current=True
    )
    assert current.version == 2
    assert list(current.questions.order_by("position").values_list("text", flat=True)) == [
        "The session helped me.",
        "I know what I will do next.",
        "I felt safe to speak openly.",
        "Anything you'd like to add?",
        "What should we change?",
    ]
    assert console_errors == []
