"""Training reminders and certification expiry notices: who gets them, and how often."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from cadre.enablement.models import Certification
from cadre.enablement.queries import required_modules
from cadre.enablement.reminders import (
    expiry_notices_queue,
    reminders_queue,
    training_reminders_queue,
)
from cadre.notifications.models import Notification
from cadre.programs.models import Enrolment, Programme
from cadre.programs.services import programme_create
from tests.enablement.conftest import make_coach, pass_required
from tests.programs.conftest import put_in, settings_for
from tests.programs.enrolment import enrol

pytestmark = pytest.mark.django_db

MONDAY = date(2027, 3, 1)  # ISO week 2027-W09


def programme(admin, name: str, status: str) -> Programme:
    return put_in(programme_create(values=settings_for(name), created_by=admin.user), status)


def coach_in(programme_, name: str, status: str = Enrolment.Status.APPROVED):
    coach = make_coach(name)
    enrol(programme_, coach, role="coach", status=status)
    return coach


def recipients(kind: str) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__display_name", flat=True)
    )


def test_training_reminders_go_to_approved_coaches_with_modules_to_pass(admin):
    enrolling = programme(admin, "Leaders 2027", Programme.Status.ENROLLING)
    matching = programme(admin, "Leaders 2028", Programme.Status.MATCHING)
    running = programme(admin, "Leaders 2026", Programme.Status.RUNNING)
    coach_in(enrolling, "Una Untrained")
    coach_in(matching, "Mo Matching")
    coach_in(running, "Rae Running")
    coach_in(enrolling, "Ally Applied", status=Enrolment.Status.APPLIED)
    trained = coach_in(enrolling, "Tess Trained")
    pass_required(trained, MONDAY - timedelta(days=3))

    assert training_reminders_queue(today=MONDAY) == 2

    assert recipients("training-reminder") == ["Mo Matching", "Una Untrained"]
    reminder = Notification.objects.get(recipient__display_name="Una Untrained")
    assert reminder.subject == "Your coach training for Leaders 2027: 5 modules to go"
    listed = [line[2:] for line in reminder.body.splitlines() if line.startswith("- ")]
    assert listed == [module.title for module in required_modules()]
    assert (
        reminder.key == f"training-reminder:{reminder.recipient.person.pk}:{enrolling.pk}:2027-W09"
    )


def test_a_coach_is_reminded_once_a_week_per_programme(admin):
    first = programme(admin, "Leaders 2027", Programme.Status.ENROLLING)
    second = programme(admin, "Leaders 2028", Programme.Status.ENROLLING)
    coach = coach_in(first, "Una Untrained")
    enrol(second, coach, role="coach", status=Enrolment.Status.APPROVED)

    assert training_reminders_queue(today=MONDAY) == 2
    assert training_reminders_queue(today=MONDAY + timedelta(days=6)) == 0  # Sunday, same week
    assert training_reminders_queue(today=MONDAY + timedelta(days=7)) == 2  # the next week

    assert Notification.objects.filter(kind="training-reminder").count() == 4


def certify(coach, certified_on: date, expires_on: date) -> Certification:
    return Certification.objects.create(
        person=coach, certified_on=certified_on, expires_on=expires_on
    )


def test_expiry_notices_go_to_coaches_whose_certification_ends_within_30_days():
    today = MONDAY
    soon = certify(make_coach("Sid Soon"), date(2025, 3, 1), today + timedelta(days=30))
    certify(make_coach("Lou Later"), date(2025, 3, 1), today + timedelta(days=31))
    certify(make_coach("Eve Expired"), date(2025, 1, 1), today)
    renewed = make_coach("Ren Renewed")
    old = certify(renewed, date(2025, 3, 1), today + timedelta(days=10))
    Certification.objects.create(
        person=renewed,
        certified_on=today - timedelta(days=5),
        expires_on=date(2029, 3, 1),
        renewed_from=old,
    )

    assert expiry_notices_queue(today=today) == 1

    notice = Notification.objects.get(kind="certification-expiring")
    assert notice.recipient.display_name == "Sid Soon"
    assert notice.key == f"certification-expiring:{soon.pk}:2027-03-31"
    assert notice.subject == "Your coaching certification expires on 31 March 2027"
    assert "valid until 30 March 2027" in notice.body


def test_an_expiry_notice_is_sent_once_per_certification(
    mailoutbox, django_capture_on_commit_callbacks
):
    certify(make_coach("Sid Soon"), date(2025, 3, 1), MONDAY + timedelta(days=20))

    with django_capture_on_commit_callbacks(execute=True):
        for day in range(10):
            expiry_notices_queue(today=MONDAY + timedelta(days=day))

    assert [m.subject for m in mailoutbox] == [
        "Your coaching certification expires on 21 March 2027"
    ]


def test_the_command_reports_what_it_queued(admin):
    coach_in(programme(admin, "Leaders 2027", Programme.Status.ENROLLING), "Una Untrained")
    certify(make_coach("Sid Soon"), date(2025, 3, 1), MONDAY + timedelta(days=3))
    out = StringIO()

    call_command("send_reminders", today=MONDAY, stdout=out)
    call_command("send_reminders", "--today=2027-03-02", stdout=out)

    assert out.getvalue().splitlines() == [
        "1 training reminders and 1 certification expiry notices queued.",
        "0 training reminders and 0 certification expiry notices queued.",
    ]
    assert reminders_queue(today=MONDAY).training == 0
