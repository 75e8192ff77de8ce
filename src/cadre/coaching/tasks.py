"""Scheduled e-mails about sessions, queued by ``cadre send-coaching-reminders`` (from cron,
every few minutes) or by the ``coaching_reminders_send`` task.

- **Reminder**: to each attendee of a scheduled session that starts within the next
  ``REMINDER_AHEAD`` (24 hours). Its key names the session and its start, so a moved session
  is reminded again and a second run (or a retried task) queues nothing.
- **Cadence nudge**: to the coach and coachee of an active relationship whose last held
  session (or, before any, its start) is more than the programme's ``session_cadence_days``
  ago, with nothing scheduled. Its key names the relationship and the date of that last
  session, so one nudge goes out per gap.

Both go through ``notifications.services.notification_queue``, whose keys make them once-only.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from cadre.coaching.models import (
    CoachingRelationship,
    CoachingSession,
    RelationshipStatus,
    SessionStatus,
)
from cadre.coaching.queries import (
    past_cadence,
    session_attendees,
    session_title,
    sessions_with_attendees,
    zone_of,
)
from cadre.coaching.rules import SCHEDULING_STATUSES
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue

REMINDER_AHEAD = timedelta(hours=24)


@dataclass(frozen=True)
class RemindersQueued:
    reminders: int
    nudges: int


def _link(name: str, pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[pk])


def session_reminders_queue(*, now: datetime) -> int:
    """Queue a reminder to everyone in each session starting in the next 24 hours; returns
    how many were queued now."""
    sessions = sessions_with_attendees(
        CoachingSession.objects.filter(
            Q(relationship__status__in=SCHEDULING_STATUSES) | Q(circle__is_active=True),
            status=SessionStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_AHEAD,
        )
    ).order_by("starts_at", "pk")
    queued = 0
    for session in sessions:
        for person in session_attendees(session):
            if person.user is None:
                continue
            with timezone.override(zone_of(person)):
                _, created = notification_queue(
                    key=(
                        f"{NotificationKind.SESSION_REMINDER.value}:{session.pk}:"
                        f"{session.starts_at.isoformat()}:{person.user.pk}"
                    ),
                    recipient=person.user,
                    kind=NotificationKind.SESSION_REMINDER,
                    subject_template="coaching/email/session_reminder_subject.txt",
                    body_template="coaching/email/session_reminder.txt",
                    context={
                        "session": session,
                        "title": session_title(session),
                        "time_zone": zone_of(person).key,
                        "link": _link("coaching:session", session.pk),
                    },
                )
            queued += created
    return queued


def cadence_nudges_queue(*, now: datetime) -> int:
    """Queue a nudge to both people of each active relationship overdue for a session;
    returns how many were queued now."""
    scheduled = CoachingSession.objects.filter(
        relationship=OuterRef("pk"), status=SessionStatus.SCHEDULED, starts_at__gte=now
    )
    relationships = (
        CoachingRelationship.objects.filter(status=RelationshipStatus.ACTIVE)
        .annotate(
            last_held=Max("sessions__starts_at", filter=Q(sessions__status=SessionStatus.HELD)),
            has_scheduled=Exists(scheduled),
        )
        .filter(has_scheduled=False)
        .select_related("programme", "coach__user", "coachee__user")
        .order_by("pk")
    )
    queued = 0
    for relationship in relationships:
        if not past_cadence(relationship, last_held=relationship.last_held, now=now):
            continue
        since = relationship.last_held or relationship.started_at
        assert since is not None  # past_cadence is False before the start
        days = (now - since).days
        for person in (relationship.coach, relationship.coachee):
            if person.user is None:
                continue
            with timezone.override(zone_of(person)):
                _, created = notification_queue(
                    key=(
                        f"{NotificationKind.CADENCE_NUDGE.value}:{relationship.pk}:"
                        f"{since.date().isoformat()}:{person.user.pk}"
                    ),
                    recipient=person.user,
                    kind=NotificationKind.CADENCE_NUDGE,
                    subject_template="coaching/email/cadence_nudge_subject.txt",
                    body_template="coaching/email/cadence_nudge.txt",
                    context={
                        "other": relationship.other_party(person).full_name,
                        "last_held": relationship.last_held,
                        "since": since,
                        "days": days,
                        "programme": relationship.programme.name,
                        "cadence_days": relationship.programme.session_cadence_days,
                        "link": _link("coaching:sessions", relationship.pk),
                    },
                )
            queued += created
    return queued


def coaching_reminders_queue(*, now: datetime | None = None) -> RemindersQueued:
    """Queue the reminders and nudges due now."""
    now = now or timezone.now()
    return RemindersQueued(
        reminders=session_reminders_queue(now=now), nudges=cadence_nudges_queue(now=now)
    )


@task
def coaching_reminders_send() -> dict[str, int]:
    """Queue the session reminders and cadence nudges due now; see the module's docstring.
    Safe to run again or retry: each message is queued once."""
    queued = coaching_reminders_queue()
    return {"reminders": queued.reminders, "nudges": queued.nudges}
