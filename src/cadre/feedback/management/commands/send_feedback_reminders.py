"""``cadre send-feedback-reminders``: assign the surveys now due, close those past their due
time, queue reminders for open ones and check relationships' health (alerting programme
admins); run it every hour or so (cron or a timer). Running it
again queues nothing new."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cadre.core.arguments import aware_moment
from cadre.feedback.tasks import feedback_scan


class Command(BaseCommand):
    help = "Assign due feedback surveys, close overdue ones and queue reminders by e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            type=aware_moment,
            default=None,
            help="The moment to run for, as an ISO 8601 time with its zone (default: now).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = feedback_scan(now=options["now"])
        self.stdout.write(
            f"{run.assigned} surveys assigned, {run.closed} closed, "
            f"{run.reminded} reminders queued; {run.health_checked} active relationships "
            f"checked, {run.alerts} health alerts raised."
        )
