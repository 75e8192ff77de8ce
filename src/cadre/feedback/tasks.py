"""The feedback scan, run by ``cadre send-feedback-reminders`` (from cron, every hour or so)
or by the ``feedback_run`` task: assign the surveys now due (``scheduling``), close those
past their due time, remind respondents of open ones, then check every active relationship's
health and raise alerts (``health``). Running it again changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from django.tasks import task
from django.utils import timezone

from cadre.feedback.health import health_refresh
from cadre.feedback.scheduling import surveys_schedule
from cadre.feedback.services import survey_reminders_send, surveys_close_due


@dataclass(frozen=True)
class FeedbackRun:
    assigned: int
    closed: int
    reminded: int
    health_checked: int = 0
    alerts: int = 0


def feedback_scan(*, now: datetime | None = None) -> FeedbackRun:
    """Assign, close and remind, then check relationships' health, as of ``now``."""
    now = now or timezone.now()
    assigned = surveys_schedule(now=now).total
    closed = surveys_close_due(now=now)
    reminded = survey_reminders_send(now=now)
    health = health_refresh(now=now)
    return FeedbackRun(
        assigned=assigned,
        closed=closed,
        reminded=reminded,
        health_checked=health.checked,
        alerts=len(health.alerts),
    )


@task
def feedback_run() -> dict[str, int]:
    """Assign the surveys due now, close overdue ones, send reminders and check relationships'
    health; safe to retry."""
    run = feedback_scan()
    return {
        "assigned": run.assigned,
        "closed": run.closed,
        "reminded": run.reminded,
        "health_checked": run.health_checked,
        "alerts": run.alerts,
    }
