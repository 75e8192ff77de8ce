"""What a programme admin does about a health alert: nudge one or both of the pair, suggest a
check-in session, pause the relationship, end it with a no-fault re-match, or dismiss it.

Each action is for programme admins only, is taken on an open alert (it records who took
which action and when), and is written to the audit log as ``feedback.alert_<action>`` with
the alert's signal codes, never any answer or note. E-mails to the pair say only that the
programme team suggests a check-in: never which signal, score or answer led to it.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from cadre.accounts.access import require_programme_admin
from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.coaching.models import CoachingRelationship, EndReason
from cadre.coaching.rules import CoachingError
from cadre.coaching.services import relationship_end, relationship_pause
from cadre.feedback.models import AlertAction, AlertState, HealthAlert
from cadre.feedback.services import FeedbackError
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue
from cadre.people.models import Person

# Whom a nudge goes to.
NUDGE_RECIPIENTS = {"both": "Both", "coach": "The coach", "coachee": "The coachee"}


def _lock_open(alert: HealthAlert, *, live: str = "") -> HealthAlert:
    """The alert, locked with its relationship, if it is still open. With ``live`` (what the
    action sends, in words), only while the relationship is still active: a pair paused or
    ended meanwhile is not asked to meet."""
    locked = (
        HealthAlert.objects.select_for_update(of=("self", "relationship"))
        .select_related(
            "relationship__programme", "relationship__coach__user", "relationship__coachee__user"
        )
        .get(pk=alert.pk)
    )
    if locked.state != AlertState.OPEN:
        raise FeedbackError(
            f"This alert was {locked.get_state_display().lower()} already"
            + (f" ({locked.get_action_display().lower()})." if locked.action else ".")
        )
    relationship = locked.relationship
    if live and relationship.status != CoachingRelationship.Status.ACTIVE:
        raise FeedbackError(
            f"The relationship is {relationship.get_status_display().lower()} now: {live} goes "
            "to the pair only while it is active. Dismiss the alert instead."
        )
    return locked


def _close(
    alert: HealthAlert,
    *,
    action: str,
    by: User,
    now: datetime,
    request: HttpRequest | None,
    details: dict[str, object] | None = None,
) -> HealthAlert:
    alert.state = AlertState.DISMISSED if action == AlertAction.DISMISS else AlertState.HANDLED
    alert.action = action
    alert.handled_by = by
    alert.handled_at = now
    alert.save(update_fields=["state", "action", "handled_by", "handled_at"])
    audit_record(
        actor=by,
        action=f"feedback.alert_{action}",
        target=alert,
        request=request,
        details={
            "relationship": alert.relationship_id,
            "to_status": alert.to_status,
            "signals": list(alert.signals),
            **(details or {}),
        },
    )
    return alert


def _mail_pair(
    alert: HealthAlert, people: list[Person], *, kind: NotificationKind, name: str
) -> int:
    """E-mail ``people`` of the alert's pair from ``feedback/email/<name>.txt``; returns how
    many were queued. The context holds names and links only."""
    relationship = alert.relationship
    site = settings.SITE_URL.rstrip("/")
    queued = 0
    for person in people:
        user = person.user
        if user is None or not user.is_active:
            continue
        _, created = notification_queue(
            key=f"{kind.value}:{alert.pk}:{user.pk}",
            recipient=user,
            kind=kind,
            subject_template=f"feedback/email/{name}_subject.txt",
            body_template=f"feedback/email/{name}.txt",
            context={
                "programme": relationship.programme.name,
                "other": relationship.other_party(person).display_name,
                "relationship_link": site
                + reverse("coaching:relationship", args=[relationship.pk]),
                "schedule_link": site + reverse("coaching:session_new", args=[relationship.pk]),
            },
        )
        queued += created
    return queued


def _others_close(alert: HealthAlert, *, action: str, by: User, now: datetime) -> None:
    """Close the relationship's other open alerts: a paused or ended pair needs no more."""
    HealthAlert.objects.filter(relationship=alert.relationship, state=AlertState.OPEN).exclude(
        pk=alert.pk
    ).update(state=AlertState.HANDLED, action=action, handled_by=by, handled_at=now)


def alert_nudge(
    *,
    alert: HealthAlert,
    by: User,
    recipients: str,
    now: datetime,
    request: HttpRequest | None = None,
) -> HealthAlert:
    """Send a check-in reminder to the coach, the coachee or both (``recipients``)."""
    require_programme_admin(by)
    if recipients not in NUDGE_RECIPIENTS:
        raise FeedbackError("Send to: choose the coach, the coachee or both.")
    with transaction.atomic():
        locked = _lock_open(alert, live="a reminder")
        relationship = locked.relationship
        people = {
            "both": [relationship.coach, relationship.coachee],
            "coach": [relationship.coach],
            "coachee": [relationship.coachee],
        }[recipients]
        sent = _mail_pair(locked, people, kind=NotificationKind.HEALTH_NUDGE, name="health_nudge")
        return _close(
            locked,
            action=AlertAction.NUDGE,
            by=by,
            now=now,
            request=request,
            details={"recipients": recipients, "emails": sent},
        )


def alert_suggest_check_in(
    *, alert: HealthAlert, by: User, now: datetime, request: HttpRequest | None = None
) -> HealthAlert:
    """E-mail both of the pair proposing a check-in session, with the link to schedule it."""
    require_programme_admin(by)
    with transaction.atomic():
        locked = _lock_open(alert, live="a check-in suggestion")
        relationship = locked.relationship
        sent = _mail_pair(
            locked,
            [relationship.coach, relationship.coachee],
            kind=NotificationKind.CHECK_IN_SUGGESTED,
            name="check_in_suggested",
        )
        return _close(
            locked,
            action=AlertAction.CHECK_IN,
            by=by,
            now=now,
            request=request,
            details={"emails": sent},
        )


def alert_pause(
    *,
    alert: HealthAlert,
    by: User,
    now: datetime,
    note: str = "",
    request: HttpRequest | None = None,
) -> HealthAlert:
    """Pause the alert's relationship (``coaching.services.relationship_pause``)."""
    require_programme_admin(by)
    with transaction.atomic():
        locked = _lock_open(alert)
        try:
            relationship_pause(relationship=locked.relationship, by=by, note=note, request=request)
        except CoachingError as error:
            raise FeedbackError(str(error)) from error
        _others_close(locked, action=AlertAction.PAUSE, by=by, now=now)
        return _close(locked, action=AlertAction.PAUSE, by=by, now=now, request=request)


def alert_end_rematch(
    *,
    alert: HealthAlert,
    by: User,
    now: datetime,
    note: str = "",
    request: HttpRequest | None = None,
) -> HealthAlert:
    """End the alert's relationship no-fault: the coachee goes back to the matching pool ahead
    of others (``coaching.services.relationship_end``). ``note`` stays with the relationship,
    for admins; it goes neither to the audit log nor to the pair."""
    require_programme_admin(by)
    with transaction.atomic():
        locked = _lock_open(alert)
        try:
            relationship_end(
                relationship=locked.relationship,
                reason=EndReason.NO_FAULT,
                note=note,
                ended_by=by,
                request=request,
            )
        except CoachingError as error:
            raise FeedbackError(str(error)) from error
        _others_close(locked, action=AlertAction.END_REMATCH, by=by, now=now)
        return _close(locked, action=AlertAction.END_REMATCH, by=by, now=now, request=request)


def alert_dismiss(
    *, alert: HealthAlert, by: User, now: datetime, request: HttpRequest | None = None
) -> HealthAlert:
    """Close the alert without acting on the relationship."""
    require_programme_admin(by)
    with transaction.atomic():
        locked = _lock_open(alert)
        return _close(locked, action=AlertAction.DISMISS, by=by, now=now, request=request)


def relationship_is_live(relationship: CoachingRelationship) -> bool:
    """Whether the pair is still active, so pausing and ending make sense."""
    return relationship.status == CoachingRelationship.Status.ACTIVE
