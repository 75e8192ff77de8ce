"""``cadre notifications-retry``: queue again the e-mails a failed send left unsent."""

from typing import Any

from django.core.management.base import BaseCommand

from cadre.notifications.services import MAX_ATTEMPTS, notifications_retry


class Command(BaseCommand):
    help = f"Queue again unsent e-mails that have failed fewer than {MAX_ATTEMPTS} times."

    def handle(self, *args: Any, **options: Any) -> None:
        count = notifications_retry()
        self.stdout.write(f"{count} unsent e-mails queued again.")
