"""Browser journey: the coach writes a private note and shares another; the coachee reads
only the shared one. The notes pages pass axe on a desktop and on a phone."""

import pytest
from playwright.sync_api import Page, expect

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import SessionNote
from cadre.notifications.models import Notification
from tests.browser.axe import axe_violations
from tests.coaching.conftest import Pair, make_programme, pair, programme
from tests.coaching.notes_helpers import write_note

# The coaching fixtures, for the journey.
__all__ = ["make_programme", "pair", "programme"]


def test_the_coach_writes_a_private_note_and_shares_another(
    page: Page, login_as, pair: Pair, console_errors
) -> None:
    notes_path = f"/coaching/relationships/{pair.relationship.pk}/notes/"

    # The coach writes a note and keeps it private.
    login_as(page, pair.coach.user.email)
    page.goto(notes_path)
    expect(page.get_by_text("You haven't written a note yet.")).to_be_visible()
    page.get_by_role("link", name="Write a note").first.click()
    page.get_by_label("Goal").fill("Private goal: handle the reorganisation")
    page.get_by_label("Way forward").fill("Keep a journal")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Private: only you can read this")).to_be_visible()
    expect(page.get_by_text("Private goal: handle the reorganisation")).to_be_visible()

    # They write another and share it with the coachee as they save it.
    page.goto(notes_path)
    page.get_by_role("link", name="Write a note").first.click()
    page.get_by_label("Reality").fill("Shared reality: the team is stretched")
    page.get_by_label("Share with Cole Coachee").check()
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Shared with Cole Coachee on")).to_be_visible()

    # On the Notes tab, both are theirs, one private, one shared.
    page.goto(notes_path)
    mine = page.get_by_role("region", name="My notes")
    expect(mine.get_by_role("listitem")).to_have_count(2)
    expect(mine.get_by_text("Private: only you can read this")).to_have_count(1)
    expect(mine.get_by_text("Shared with Cole Coachee on")).to_have_count(1)
    assert SessionNote.objects.filter(shared_at__isnull=False).count() == 1
    assert Notification.objects.get().recipient == pair.coachee.user

    # The coachee sees only the shared one, and opening it is recorded.
    page.context.clear_cookies()
    login_as(page, pair.coachee.user.email)
    page.goto(notes_path)
    shared = page.get_by_role("region", name="Shared with me")
    expect(shared.get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_text("Private goal")).to_have_count(0)
    shared.get_by_role("link").first.click()
    expect(page.get_by_text("Shared reality: the team is stretched")).to_be_visible()
    expect(page.get_by_text("Shared with you by Cora Coach on")).to_be_visible()
    assert AuditEvent.objects.filter(action="coaching.note_read").count() == 1
    assert console_errors == []


def test_sharing_and_unsharing_in_place(page: Page, login_as, pair: Pair, console_errors) -> None:
    note = write_note(pair.relationship, pair.coach.person, "Journey")
    login_as(page, pair.coach.user.email)
    page.goto(f"/coaching/notes/{note.pk}/")

    page.get_by_role("button", name="Share with Cole Coachee").click()
    expect(page.get_by_text("Shared with Cole Coachee on")).to_be_visible()
    page.get_by_role("button", name="Make private again").click()
    expect(page.get_by_text("Private: only you can read this")).to_be_visible()

    assert SessionNote.objects.get().shared_at is None
    assert console_errors == []


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_notes_pages_pass_axe(
    page: Page, login_as, pair: Pair, console_errors, viewport
) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    mine = write_note(pair.relationship, pair.coach.person, "Axe")
    write_note(pair.relationship, pair.coachee.person, "Shared", shared=True)
    login_as(page, pair.coach.user.email)
    problems = {}
    for path in [
        f"/coaching/relationships/{pair.relationship.pk}/notes/",
        f"/coaching/relationships/{pair.relationship.pk}/notes/new/",
        f"/coaching/notes/{mine.pk}/",
        f"/coaching/notes/{mine.pk}/edit/",
        f"/coaching/notes/{mine.pk}/delete/",
    ]:
        page.goto(path)
        found = axe_violations(page)
        if found:
            problems[path] = found

    assert problems == {}
    assert console_errors == []
