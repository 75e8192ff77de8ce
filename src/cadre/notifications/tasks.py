"""Background work for notifications: sending one e-mail."""

from django.tasks import task

from cadre.notifications.delivery import notification_deliver


@task
def notification_send(*, notification_id: int) -> bool:
    """Send notification ``notification_id`` unless it was sent already; see
    ``delivery.notification_deliver``."""
    return notification_deliver(notification_id=notification_id)
