"""The enrolment e-mails: received (applicant or nominee), approved and waitlisted."""

import pytest

from cadre.notifications.models import Notification
from cadre.programs.models import Enrolment, Programme
from cadre.programs.services import (
    enrolment_apply,
    enrolment_bulk,
    enrolment_nominate,
    enrolments_decide,
    programme_create,
)
from tests.factories import UserFactory
from tests.programs.conftest import put_in, settings_for
from tests.programs.enrolment import eligible

pytestmark = pytest.mark.django_db

MY_PROGRAMMES = "http://cadre.example.org/programmes/mine/"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://cadre.example.org/"


@pytest.fixture
def programme(admin) -> Programme:
    made = programme_create(values=settings_for("Leaders 2027"), created_by=admin.user)
    return put_in(made, Programme.Status.ENROLLING)


def member(name: str, **changes):
    user = UserFactory(display_name=name)
    return eligible(full_name=name, user=user, email=user.email, **changes)


def sent(mailoutbox) -> list[tuple[list[str], str]]:
    return [(message.to, message.subject) for message in mailoutbox]


def apply(programme, person):
    return enrolment_apply(
        programme=programme,
        person=person,
        role="coachee",
        answers={},
        consent=True,
        by=person.user,
    )


def test_an_application_sends_one_receipt_to_the_applicant(
    programme, mailoutbox, django_capture_on_commit_callbacks
):
    person = member("Ann Applicant")

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = apply(programme, person)

    assert sent(mailoutbox) == [
        ([person.user.email], "We received your application to Leaders 2027")
    ]
    assert "Thank you for applying to join Leaders 2027 as a coachee." in mailoutbox[0].body
    assert MY_PROGRAMMES in mailoutbox[0].body
    notification = Notification.objects.get()
    assert notification.key == f"enrolment-received:{enrolment.pk}"
    assert notification.kind == Notification.Kind.ENROLMENT_RECEIVED
    assert notification.recipient == person.user


def test_a_nomination_tells_the_nominee_who_nominated_them(
    programme, mailoutbox, django_capture_on_commit_callbacks
):
    manager = member("Mia Manager")
    person = member("Nia Nominee", manager=manager)

    with django_capture_on_commit_callbacks(execute=True):
        enrolment_nominate(
            programme=programme, person=person, nominated_by=manager, by=manager.user
        )

    assert sent(mailoutbox) == [([person.user.email], "You have been nominated for Leaders 2027")]
    assert "Mia Manager has nominated you to join Leaders 2027 as a coachee." in mailoutbox[0].body


@pytest.mark.parametrize(
    ("decision", "kind", "subject"),
    [
        ("approved", "enrolment-approved", "You have a place in Leaders 2027"),
        ("waitlisted", "enrolment-waitlisted", "You are on the waiting list for Leaders 2027"),
    ],
)
def test_a_decision_sends_one_message_per_enrolment(
    programme, admin, mailoutbox, django_capture_on_commit_callbacks, decision, kind, subject
):
    people = [member("Ann One"), member("Bob Two")]
    enrolments = [apply(programme, person) for person in people]  # receipts stay unsent here

    with django_capture_on_commit_callbacks(execute=True):
        enrolments_decide(
            programme=programme,
            enrolment_ids=[e.pk for e in enrolments],
            decision=decision,
            by=admin.user,
        )

    assert sorted(sent(mailoutbox)) == sorted([([p.user.email], subject) for p in people])
    assert MY_PROGRAMMES in mailoutbox[0].body
    assert sorted(Notification.objects.filter(kind=kind).values_list("key", flat=True)) == sorted(
        f"{kind}:{e.pk}" for e in enrolments
    )


def test_a_decline_sends_nothing(programme, admin, mailoutbox, django_capture_on_commit_callbacks):
    enrolment = apply(programme, member("Ann One"))

    with django_capture_on_commit_callbacks(execute=True):
        enrolments_decide(
            programme=programme, enrolment_ids=[enrolment.pk], decision="declined", by=admin.user
        )

    assert mailoutbox == []


def test_waitlisting_twice_sends_one_message_then_approval_sends_its_own(
    programme, admin, mailoutbox, django_capture_on_commit_callbacks
):
    enrolment = apply(programme, member("Ann One"))

    with django_capture_on_commit_callbacks(execute=True):
        for decision in ("waitlisted", "waitlisted", "approved"):
            enrolments_decide(
                programme=programme, enrolment_ids=[enrolment.pk], decision=decision, by=admin.user
            )

    assert [m.subject for m in mailoutbox] == [
        "You are on the waiting list for Leaders 2027",
        "You have a place in Leaders 2027",
    ]


def test_bulk_enrolment_tells_each_person_with_a_login(
    programme, admin, mailoutbox, django_capture_on_commit_callbacks
):
    with_login = member("Ann One")
    without_login = eligible(full_name="Bob Two")

    with django_capture_on_commit_callbacks(execute=True):
        enrolment_bulk(
            programme=programme,
            employee_ids=[with_login.employee_id, without_login.employee_id],
            role="coachee",
            by=admin.user,
        )

    assert sent(mailoutbox) == [([with_login.user.email], "You have a place in Leaders 2027")]
    assert Enrolment.objects.filter(programme=programme).count() == 2
