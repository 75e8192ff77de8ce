"""Scheduled e-mails about coach enablement, queued by ``cadre send-reminders`` once a day.

- **Training reminder**: to each coach with an approved coach enrolment in a programme that
  is enrolling or matching, while required modules are still to pass (for a first
  certification, or a renewal that is due). At most one per coach and programme per ISO
  week, whichever day the command runs.
- **Certification expiring**: to each coach whose current certification ends within
  ``EXPIRY_NOTICE_DAYS`` and has not been renewed; once per certification and expiry date.

Both go through ``notifications.services.notification_queue``, whose keys make a second run
on the same day (or week) queue nothing.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse

from cadre.enablement.models import Certification
from cadre.enablement.queries import coach_statuses, coaches
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue
from cadre.programs.models import Enrolment, Programme

EXPIRY_NOTICE_DAYS = 30
# Programmes whose coaches are reminded to finish their training.
TRAINING_STATUSES = (Programme.Status.ENROLLING, Programme.Status.MATCHING)


@dataclass(frozen=True)
class RemindersQueued:
    training: int
    expiring: int


def _link(name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name)


def training_reminders_queue(*, today: date) -> int:
    """Queue this week's training reminders; returns how many were queued now."""
    enrolments = list(
        Enrolment.objects.filter(
            role=Enrolment.Role.COACH,
            status=Enrolment.Status.APPROVED,
            programme__status__in=TRAINING_STATUSES,
            person__in=coaches(),
        )
        .select_related("programme", "person__user")
        .order_by("programme_id", "person_id")
    )
    statuses = {
        status.person.pk: status
        for status in coach_statuses({e.person for e in enrolments}, on=today)
    }
    year, week, _ = today.isocalendar()
    queued = 0
    for enrolment in enrolments:
        missing = statuses[enrolment.person_id].modules_missing
        user = enrolment.person.user
        if not missing or user is None:
            continue
        _, created = notification_queue(
            key=(
                f"{NotificationKind.TRAINING_REMINDER.value}:{enrolment.person_id}:"
                f"{enrolment.programme_id}:{year}-W{week:02d}"
            ),
            recipient=user,
            kind=NotificationKind.TRAINING_REMINDER,
            subject_template="notifications/email/training_reminder_subject.txt",
            body_template="notifications/email/training_reminder.txt",
            context={
                "programme": enrolment.programme.name,
                "modules": [module.title for module in missing],
                "training_link": _link("enablement:training"),
                "link": _link("programs:my_enrolments"),
            },
        )
        queued += created
    return queued


def expiry_notices_queue(*, today: date) -> int:
    """Queue a notice for each current, unrenewed certification of a coach that ends within
    ``EXPIRY_NOTICE_DAYS``; returns how many were queued now."""
    certifications = (
        Certification.objects.filter(
            certified_on__lte=today,
            expires_on__gt=today,
            expires_on__lte=today + timedelta(days=EXPIRY_NOTICE_DAYS),
            renewal__isnull=True,
            person__in=coaches(),
        )
        .select_related("person__user")
        .order_by("expires_on", "pk")
    )
    queued = 0
    for certification in certifications:
        user = certification.person.user
        if user is None:
            continue
        _, created = notification_queue(
            key=(
                f"{NotificationKind.CERTIFICATION_EXPIRING.value}:{certification.pk}:"
                f"{certification.expires_on.isoformat()}"
            ),
            recipient=user,
            kind=NotificationKind.CERTIFICATION_EXPIRING,
            subject_template="notifications/email/certification_expiring_subject.txt",
            body_template="notifications/email/certification_expiring.txt",
            context={
                "expires_on": certification.expires_on,
                "last_day": certification.expires_on - timedelta(days=1),
                "certification_link": _link("enablement:my_certification"),
                "link": _link("programs:my_enrolments"),
            },
        )
        queued += created
    return queued


def reminders_queue(*, today: date) -> RemindersQueued:
    """Queue the day's training reminders and expiry notices."""
    return RemindersQueued(
        training=training_reminders_queue(today=today),
        expiring=expiry_notices_queue(today=today),
    )
