"""``cadre send-coaching-reminders``: queue session reminders (24 hours ahead) and nudges to
pairs overdue for a session; run it every few minutes (cron or a timer). Running it again
queues nothing new."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cadre.coaching.tasks import coaching_reminders_queue
from cadre.core.arguments import aware_moment


class Command(BaseCommand):
    help = "Queue coaching session reminders and cadence nudges by e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            type=aware_moment,
            default=None,
            help="The moment to run for, as an ISO 8601 time with its zone (default: now).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = coaching_reminders_queue(now=options["now"])
        self.stdout.write(
            f"{queued.reminders} session reminders and {queued.nudges} cadence nudges queued."
        )
