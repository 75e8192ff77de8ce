"""Browser journey: a coach enrols, passes the required modules, is signed off and certified."""

from datetime import date

from playwright.sync_api import Page, expect

from cadre.enablement.models import Certification, QuizOption, QuizQuestion, TrainingModule
from cadre.enablement.queries import DEFAULT_VALID_MONTHS
from cadre.programs.models import Enrolment, Programme
from cadre.programs.queries import months_after
from cadre.programs.services import programme_create
from tests.programs.conftest import objective, put_in, settings_for

MODULES = (
    ("grow-basics", "GROW basics", "What does the G in GROW stand for?", "Goal", "Guess"),
    ("listening", "Listening", "What does active listening start with?", "Attention", "Advice"),
)


def required_modules_create() -> None:
    """Two small required modules with one question each (the shipped ones are emptied)."""
    TrainingModule.objects.all().delete()
    for position, (slug, title, text, right, wrong) in enumerate(MODULES, start=1):
        module = TrainingModule.objects.create(
            title=title,
            slug=slug,
            summary=f"A short module on {title.lower()}.",
            body_markdown=f"## {title}\n\nRead this first.",
            pass_mark_percent=100,
            is_required=True,
            position=position,
        )
        question = QuizQuestion.objects.create(module=module, text=text, position=1)
        QuizOption.objects.create(question=question, text=wrong, is_correct=False, position=1)
        QuizOption.objects.create(question=question, text=right, is_correct=True, position=2)


def test_a_coach_enrols_trains_is_signed_off_and_becomes_certified(
    page: Page, login_as, admin, coach, console_errors
):
    required_modules_create()
    programme = put_in(
        programme_create(
            values=settings_for("Leaders coaching leaders 2027"),
            objectives=[objective()],
            created_by=admin.user,
        ),
        Programme.Status.ENROLLING,
    )

    # The coach applies as a coach, agreeing to the terms.
    login_as(page, coach.user.email)
    page.goto("/programmes/enrol/")
    page.get_by_role("link", name="Apply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Apply to “Leaders coaching leaders 2027”"
    )
    page.get_by_label("Coach", exact=True).check()
    page.get_by_label("I agree to the programme's terms").check()
    page.get_by_role("button", name="Apply").click()
    expect(
        page.get_by_text("Your application to “Leaders coaching leaders 2027” is in.")
    ).to_be_visible()
    enrolment = Enrolment.objects.get(programme=programme, person=coach.person)
    assert (enrolment.role, enrolment.status) == ("coach", "applied")
    assert enrolment.consent_at is not None

    # They take each required module's knowledge check.
    page.goto("/enablement/training/")
    expect(page.get_by_text("You have passed 0 of 2 required modules.")).to_be_visible()
    for _slug, title, text, right, _wrong in MODULES:
        page.get_by_role("link", name=title, exact=True).click()
        page.get_by_role("link", name="Take the knowledge check").click()
        page.get_by_role("group", name=text).get_by_label(right, exact=True).check()
        page.get_by_role("button", name="Submit my answers").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Result: {title}")
        expect(page.get_by_text("You passed this module.")).to_be_visible()
        page.get_by_role("link", name="Training", exact=True).first.click()
    expect(page.get_by_text("You have passed 2 of 2 required modules.")).to_be_visible()
    page.get_by_role("link", name="My certification").first.click()
    expect(page.locator(".card .badge")).to_have_text("In progress")
    expect(
        page.get_by_text("A practice session signed off by a certified coach or an admin")
    ).to_be_visible()

    # An admin signs off the practice session on the Certification page.
    page.context.clear_cookies()
    login_as(page, admin.user.email)
    page.goto("/enablement/certification/")
    row = page.get_by_role("row", name="Cora Coach")
    row.get_by_label("Note").fill("Observed a full GROW conversation.")
    row.get_by_role("button", name="Sign off practice session").click()
    expect(page.get_by_text("Signed off Cora Coach's practice session.")).to_be_visible()
    expiry: date = Certification.objects.get(person=coach.person).expires_on
    assert expiry == months_after(date.today(), DEFAULT_VALID_MONTHS)
    until = f"{expiry.day} {expiry:%b %Y}"
    expect(page.get_by_role("row", name="Cora Coach")).to_contain_text(f"Certified until {until}")

    # The coach's own page shows them certified until the expiry date.
    page.context.clear_cookies()
    login_as(page, coach.user.email)
    page.goto("/enablement/my-certification/")
    expect(page.locator(".card .badge")).to_have_text("Certified")
    expect(
        page.get_by_text(f"You are certified until {until} and can be matched with coachees.")
    ).to_be_visible()
    assert console_errors == []
