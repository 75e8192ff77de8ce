"""The feedback scan, run by ``cadre send-feedback-reminders`` (from cron, every hour or so)
or by the ``feedback_run`` task: assign the surveys now due (``scheduling``), close those
past their due time and remind respondents of open ones. Running it again changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from django.tasks import task
from django.utils import timezone

from cadre.feedback.scheduling import surveys_schedule
from cadre.feedback.services import survey_reminders_send, surveys_close_due


@dataclass(frozen=True)
class FeedbackRun:
    assigned: int
    closed: int
    reminded: int


def feedback_scan(*, now: datetime | None = None) -> FeedbackRun:
    """Assign, close and remind, as of ``now``."""
    now = now or timezone.now()
    assigned = surveys_schedule(now=now).total
    closed = surveys_close_due(now=now)
    reminded = survey_reminders_send(now=now)
    return FeedbackRun(assigned=assigned, closed=closed, reminded=reminded)


@task
def feedback_run() -> dict[str, int]:
    """Assign the surveys due now, close overdue ones and send reminders; safe to retry."""
    run = feedback_scan()
    return {"assigned": run.assigned, "closed": run.closed, "reminded": run.reminded}
