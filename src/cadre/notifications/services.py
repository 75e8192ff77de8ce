"""Queueing e-mail notifications, and sending each one once.

``notification_queue`` renders a message and writes its row; the unique key makes a second
call for the same event a no-op. The send is enqueued as a task once the caller's
transaction commits, so a rolled-back change sends nothing and the worker always finds the
row; the ``notification_send`` task sends it (``delivery.notification_deliver``).
``notifications_retry`` queues unsent messages again (``cadre notifications-retry``).
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cadre.accounts.models import User
from cadre.notifications.models import Notification
from cadre.notifications.tasks import notification_send

# Attempts after which an unsent message is no longer retried; ``last_error`` says why.
MAX_ATTEMPTS = 5


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
    transaction.on_commit(lambda: notification_send.enqueue(notification_id=notification_id))


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
