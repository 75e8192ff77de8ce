"""Sending one queued notification, once: what the ``notification_send`` task runs.

``notification_deliver`` locks the row, sends only if it has not been sent, and marks it
sent in the same transaction: a retried task or a second worker waits for the lock, then
sees ``sent_at`` and stops. A failed send records the error and the attempt and raises, so
the task's result shows the failure; ``services.notifications_retry`` queues it again.

A message is marked sent only once the mail server has accepted it; if the database then
failed to commit, the message could go out twice. That window is as small as one UPDATE.
"""

from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.utils import timezone

from cadre.notifications.models import Notification

LAST_ERROR_LIMIT = 2000


class NotificationFailedError(Exception):
    """Sending a notification failed; the error is recorded on the row for a retry."""


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
