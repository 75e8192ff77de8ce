"""``cadre send-reminders``: queue the day's training reminders and certification expiry
notices; run it once a day (cron or a timer). Running it again queues nothing new."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cadre.enablement.reminders import reminders_queue


class Command(BaseCommand):
    help = "Queue training reminders and certification expiry notices by e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The day to run for, as YYYY-MM-DD (default: today).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = reminders_queue(today=options["today"] or timezone.localdate())
        self.stdout.write(
            f"{queued.training} training reminders and {queued.expiring} certification "
            "expiry notices queued."
        )
