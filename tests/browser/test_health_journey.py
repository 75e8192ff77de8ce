"""Browser journey: an admin opens the programme's health page, finds an at-risk pair and ends
the relationship with a no-fault re-match; the coachee is back in the pool with priority.
The health, alert and settings pages pass axe on a desktop and on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import CoachingRelationship
from cadre.feedback.health import health_refresh
from cadre.feedback.instruments import instruments_install
from cadre.feedback.models import HealthAlert
from cadre.notifications.models import Notification
from tests.browser.axe import axe_violations
from tests.coaching.conftest import Pair, make_programme, pair, programme
from tests.feedback.health_helpers import SECRET, hold, pulse, session_survey

__all__ = ["make_programme", "pair", "programme"]


@pytest.fixture
def at_risk(pair: Pair) -> HealthAlert:
    """The pair: no session for 40 days, a very low pulse; the scan raised an alert."""
    instruments_install()
    now = timezone.now()
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
        started_at=now - timedelta(days=60)
    )
    hold(pair.relationship, at=now - timedelta(days=40))
    pulse(pair.relationship, 1, at=now - timedelta(days=20), coachee=2, coach=2)
    session_survey(pair.relationship, at=now - timedelta(days=41), usefulness=1, comment=SECRET)
    [alert] = health_refresh(now=now).alerts
    return alert


def test_the_admin_ends_an_at_risk_pair_with_a_no_fault_rematch(
    page: Page, login_as, admin, pair: Pair, at_risk: HealthAlert, console_errors
) -> None:
    login_as(page, admin.user.email)
    page.goto(f"/programmes/{pair.programme.pk}/")
    page.get_by_role("link", name="Relationship health and survey response rates").click()

    alerts = page.get_by_role("region", name="Open alerts")
    expect(alerts.get_by_text("At risk", exact=True)).to_be_visible()
    expect(alerts.get_by_text("No session for a long time")).to_be_visible()
    expect(alerts.get_by_text("Pulse very low")).to_be_visible()
    expect(page.get_by_text(SECRET)).to_have_count(0)
    alerts.get_by_role("link", name="Pause, end or more…").click()

    # Ending needs the confirmation ticked.
    expect(page.get_by_role("heading", name="End it with a no-fault re-match")).to_be_visible()
    page.get_by_label("Note for programme admins").last.fill("The chemistry never came.")
    page.get_by_label("Yes, end it").check()
    page.get_by_role("button", name="End and re-match").click()

    expect(page.get_by_text("The relationship has ended, no fault")).to_be_visible()
    expect(page.get_by_text("End no-fault and re-match, by Ada Admin")).to_be_visible()
    expect(page.get_by_role("link", name="Match Cole Coachee again")).to_be_visible()

    relationship = CoachingRelationship.objects.get(pk=pair.relationship.pk)
    assert (relationship.status, relationship.end_reason, relationship.rematch_priority) == (
        "ended",
        "no_fault",
        True,
    )
    alert = HealthAlert.objects.get(pk=at_risk.pk)
    assert (alert.state, alert.action, alert.handled_by) == ("handled", "end_rematch", admin.user)
    event = AuditEvent.objects.get(action="feedback.alert_end_rematch")
    assert "chemistry" not in str(event.details)
    for mail in Notification.objects.all():
        assert SECRET not in mail.body

    # Back on the health page: no open alert; the handled one is listed.
    page.get_by_role("link", name=f"Health of {pair.programme.name}").click()
    expect(page.get_by_text("No open alerts.")).to_be_visible()
    expect(page.get_by_role("region", name="Recently handled alerts")).to_contain_text(
        "end no-fault and re-match by Ada Admin"
    )
    assert console_errors == []


def test_a_quick_nudge_updates_the_alert_in_place(
    page: Page, login_as, admin, pair: Pair, at_risk: HealthAlert, console_errors
) -> None:
    login_as(page, admin.user.email)
    page.goto(f"/feedback/programmes/{pair.programme.pk}/health/")

    page.get_by_role("button", name="Nudge both").click()

    expect(page.get_by_role("status")).to_contain_text("Nudge the pair: done by Ada Admin")
    assert HealthAlert.objects.get(pk=at_risk.pk).action == "nudge"
    assert Notification.objects.filter(kind="health-nudge").count() == 2
    assert console_errors == []


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_health_pages_pass_axe(
    page: Page, login_as, admin, pair: Pair, at_risk: HealthAlert, console_errors, viewport
) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login_as(page, admin.user.email)
    problems = {}
    for path in [
        f"/feedback/programmes/{pair.programme.pk}/health/",
        f"/feedback/alerts/{at_risk.pk}/",
        f"/feedback/programmes/{pair.programme.pk}/settings/",
    ]:
        page.goto(path)
        found = axe_violations(page)
        if found:
            problems[path] = found

    assert problems == {}
    assert console_errors == []
