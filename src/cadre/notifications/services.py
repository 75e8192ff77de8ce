"""Queueing e-mail notifications, and sending each one once.

``notification_queue`` renders a message and writes its row; the unique key makes a second
call for the same event a no-op. The send is enqueued as a task once the caller's
transaction commits, so a rolled-back change sends nothing and the worker always finds the
row. ``notification_deliver`` (run by the ``notification_send`` task) locks the row, sends
only if it has not been sent, and marks it sent in the same transaction: a retried task or a
second worker waits for the lock, then sees ``sent_at`` and stops. A failed send records the
error and the attempt and raises, so the task's result shows the failure;
``notifications_retry`` queues unsent messages again (``cadre notifications-retry``).

A message is marked sent only once the mail server has accepted it; if the database then
failed to commit, the message could go out twice. That window is as small as one UPDATE.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cadre.accounts.models import User
from cadre.notifications.models import Notification

# Attempts after which an unsent message is no longer retried; ``last_error`` says why.
MAX_ATTEMPTS = 5
LAST_ERROR_LIMIT = 2000


class NotificationFailedError(Exception):
    """Sending a notification failed; the error is recorded on the row for a retry."""


def notification_queue(
    *,
    key: str,
    recipient: User,
    kind: str,
    subject_template: str,
    body_template: str,
    context: Mapping[str, Any],
    calendar: str = "",
) -> tuple[Notification, bool]:
    """Render and queue one e-mail to ``recipient``, unless ``key`` was queued before.

    ``calendar``, an iCalendar object, goes with the message as an invitation. Returns the
    notification and whether it was queued now. The send runs as a task after the
    surrounding transaction commits.
    """
    values = {"recipient": recipient, **context}
    subject = " ".join(render_to_string(subject_template, values).split())
    body = render_to_string(body_template, values).strip() + "\n"
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key,
                recipient=recipient,
                kind=kind,
                subject=subject,
                body=body,
                calendar=calendar,
            )
    except IntegrityError:
        return Notification.objects.get(key=key), False
    _enqueue_on_commit(notification.pk)
    return notification, True


def _enqueue_on_commit(notification_id: int) -> None:
    from cadre.notifications.tasks import notification_send

    transaction.on_commit(lambda: notification_send.enqueue(notification_id=notification_id))


def _calendar_method(calendar: str) -> str:
    for line in calendar.splitlines():
        name, _, value = line.partition(":")
        if name.upper() == "METHOD":
            return value.strip().upper()
    return "PUBLISH"


def _send(notification: Notification) -> None:
    """Send the message; one with a calendar goes out the way calendar clients expect an
    invitation (RFC 6047): the iCalendar object as a ``text/calendar`` alternative with its
    method, and as an ``invite.ics`` attachment for clients that only offer attachments."""
    recipients = [notification.recipient.email]
    if not notification.calendar:
        send_mail(notification.subject, notification.body, None, recipients)
        return
    message = EmailMultiAlternatives(notification.subject, notification.body, None, recipients)
    method = _calendar_method(notification.calendar)
    message.attach_alternative(
        notification.calendar, f"text/calendar; method={method}; charset=utf-8"
    )
    message.attach("invite.ics", notification.calendar, "text/calendar")
    message.send()


def notification_deliver(*, notification_id: int) -> bool:
    """Send the notification if it has not been sent; True when it was sent now.

    Raises ``NotificationFailedError`` after recording the error when the mail server
    refuses it.
    """
    failure: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .get(pk=notification_id)
        )
        if notification.sent_at is not None:
            return False
        notification.attempts += 1
        try:
            _send(notification)
        except Exception as error:  # any mail failure is recorded for the retry
            failure = error
            notification.last_error = f"{type(error).__name__}: {error}"[:LAST_ERROR_LIMIT]
            notification.save(update_fields=["attempts", "last_error"])
        else:
            notification.sent_at = timezone.now()
            notification.save(update_fields=["attempts", "sent_at"])
    if failure is not None:
        raise NotificationFailedError(notification.last_error) from failure
    return True


def notifications_retry(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Queue again every unsent notification created more than ``older_than`` ago that has
    not used up its attempts; returns how many. Sending twice is harmless: it sends once."""
    ids = list(
        Notification.objects.filter(
            sent_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            created_at__lt=timezone.now() - older_than,
        ).values_list("pk", flat=True)
    )
    for notification_id in ids:
        _enqueue_on_commit(notification_id)
    return len(ids)
