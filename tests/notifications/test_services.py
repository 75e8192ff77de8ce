"""Queueing a notification, and sending it once: duplicates, retries and failures."""

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus

from cadre.notifications.delivery import NotificationFailedError
from cadre.notifications.models import Notification
from cadre.notifications.services import notification_queue, notifications_retry
from cadre.notifications.tasks import notification_send

pytestmark = pytest.mark.django_db

REFUSING = {"default": {"BACKEND": "tests.notifications.failing_mail.RefusingEmailBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def queue(user, key="enrolment-approved:1"):
    return notification_queue(
        key=key,
        recipient=user,
        kind=Notification.Kind.ENROLMENT_APPROVED,
        subject_template="notifications/email/enrolment_approved_subject.txt",
        body_template="notifications/email/enrolment_approved.txt",
        context={"programme": "Leaders 2027", "role": "coachee", "link": "http://x/mine/"},
    )


def test_queueing_renders_the_message_and_sends_it_after_commit(
    coachee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification, created = queue(coachee.user)
        assert mailoutbox == []  # nothing goes out before the transaction commits

    assert created is True
    assert len(callbacks) == 1
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["coachee@example.org"], "You have a place in Leaders 2027")
    ]
    assert "Hello Cole Coachee," in mailoutbox[0].body
    assert "http://x/mine/" in mailoutbox[0].body
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert notification.last_error == ""


def test_a_second_queueing_of_the_same_key_queues_nothing(
    coachee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first, _ = queue(coachee.user)
        second, created = queue(coachee.user)

    assert created is False
    assert second.pk == first.pk
    assert len(callbacks) == 1
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_rolled_back_change_sends_nothing(
    coachee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue(coachee.user)

    assert len(callbacks) == 1  # left unrun, as when the transaction rolls back
    assert mailoutbox == []


def test_the_task_sends_once_even_when_run_twice(coachee, mailoutbox):
    notification, _ = queue(coachee.user)  # the on-commit send never runs in this test

    assert notification_send.call(notification_id=notification.pk) is True
    assert notification_send.call(notification_id=notification.pk) is False

    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_a_failed_send_is_recorded_and_the_retry_sends_once(coachee, mailoutbox, settings):
    notification, _ = queue(coachee.user)
    settings.MAILERS = REFUSING

    with pytest.raises(NotificationFailedError):
        notification_send.call(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.attempts == 1
    assert notification.last_error == ("SMTPServerDisconnected: Connection unexpectedly closed")

    settings.MAILERS = LOCMEM
    assert notification_send.call(notification_id=notification.pk) is True
    assert notification_send.call(notification_id=notification.pk) is False

    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 2
    assert [m.subject for m in mailoutbox] == ["You have a place in Leaders 2027"]


def test_a_failed_send_fails_the_task_through_the_backend(coachee, settings):
    notification, _ = queue(coachee.user)
    settings.MAILERS = REFUSING

    result = notification_send.enqueue(notification_id=notification.pk)

    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class is NotificationFailedError


def test_retry_queues_unsent_messages_again_until_attempts_run_out(
    coachee, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    failing, _ = queue(coachee.user, key="enrolment-approved:1")
    spent, _ = queue(outsider.user, key="enrolment-approved:2")
    Notification.objects.filter(pk=spent.pk).update(attempts=5)
    sent, _ = queue(coachee.user, key="enrolment-approved:3")
    notification_send.call(notification_id=sent.pk)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_retry(older_than=timedelta(0)) == 1

    assert [m.to for m in mailoutbox] == [["coachee@example.org"]]
    failing.refresh_from_db()
    assert failing.sent_at is not None


INVITATION = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:CANCEL\r\n"
    "BEGIN:VEVENT\r\nUID:abc@cadre\r\nDTSTAMP:20990101T000000Z\r\n"
    "DTSTART:20990102T090000Z\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_calendar_goes_out_as_an_invitation(
    coachee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification, _ = notification_queue(
            key="session-cancelled:1:0:1",
            recipient=coachee.user,
            kind=Notification.Kind.SESSION_CANCELLED,
            subject_template="notifications/email/enrolment_approved_subject.txt",
            body_template="notifications/email/enrolment_approved.txt",
            context={"programme": "Leaders 2027", "role": "coachee", "link": "http://x/"},
            calendar=INVITATION,
        )

    assert notification.calendar == INVITATION
    [message] = mailoutbox
    assert message.alternatives[0].mimetype == "text/calendar; method=CANCEL; charset=utf-8"
    assert message.alternatives[0].content == INVITATION
    [attachment] = message.attachments
    assert (attachment.filename, attachment.mimetype) == ("invite.ics", "text/calendar")
    assert attachment.content == INVITATION
    raw = message.message().as_string()
    assert 'Content-Type: text/calendar; method="CANCEL"; charset="utf-8"' in raw
    assert 'Content-Disposition: attachment; filename="invite.ics"' in raw


def test_a_message_without_a_calendar_is_plain_text(
    coachee, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue(coachee.user)
    [message] = mailoutbox
    assert message.message().get_content_type() == "text/plain"
    assert message.attachments == []
