"""Scheduling sessions: schedule, reschedule, cancel, mark held or a no-show; suggest times.

A session belongs to a relationship (attended by its coach and coachee) or to a circle (its
facilitator and members). ``starts_at`` is an aware instant; ``time_zone`` is the zone the
organiser scheduled it in, used for the calendar invitation, while everyone sees it in their
own zone. Every change that moves or cancels the event raises the session's ``sequence`` and
e-mails each attendee an invitation (``calendar.session_invitation``) keyed by the session
and that sequence: a retried task sends it once, and each change sends anew.

Rows that decide a rule are locked: the relationship (or circle) while a session is added to
it, so two at once cannot clash, and the session itself while it changes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.coaching.calendar import session_invitation
from cadre.coaching.models import (
    LONGEST_SESSION_MINUTES,
    SHORTEST_SESSION_MINUTES,
    Circle,
    CoachingRelationship,
    CoachingSession,
    SessionFormat,
    SessionStatus,
)
from cadre.coaching.queries import (
    busy_sessions,
    known_time_zones,
    session_attendees,
    session_title,
    sessions_with_attendees,
    zone_of,
)
from cadre.coaching.rules import CoachingError, require_working
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue
from cadre.people.models import Person
from cadre.programs.models import Enrolment

MIN_DURATION = SHORTEST_SESSION_MINUTES
MAX_DURATION = LONGEST_SESSION_MINUTES
# Suggested start times fall on these steps (in UTC; every zone's offset is a multiple of 15).
SUGGESTION_STEP = timedelta(minutes=30)


# Checks


def _require_time_zone(name: str) -> None:
    if name not in known_time_zones():
        raise CoachingError(f"Time zone: “{name}” is not a time zone this system knows.")


def _require_start(starts_at: datetime, *, now: datetime) -> None:
    if timezone.is_naive(starts_at):
        raise CoachingError("Start: give the time with its time zone.")
    if starts_at <= now:
        raise CoachingError("Start: a session can only be scheduled in the future.")


def _require_duration(minutes: int) -> None:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise CoachingError(
            f"Length: a session lasts between {MIN_DURATION} and {MAX_DURATION} minutes."
        )


def _require_format(value: str) -> None:
    if value not in SessionFormat.values:
        raise CoachingError(f"Format: choose one of {', '.join(SessionFormat.labels)}.")


def _require_attendee(session_or_owner: CoachingSession, user: User) -> None:
    """Only the coach or coachee changes a pair's session, and only the facilitator a
    circle's. Callers fetch the session through ``access``; this holds the rule for every
    caller. (An admin archiving a circle or ending a relationship cancels what is still to
    come through ``upcoming_sessions_cancel``.)"""
    person: Person | None = getattr(user, "person", None)
    if session_or_owner.relationship is not None:
        if session_or_owner.relationship.party_role(person) is None:
            raise PermissionDenied("Only the coach and the coachee change their sessions.")
        return
    circle = session_or_owner.circle
    if circle is not None and (person is None or person.pk != circle.facilitator_id):
        raise PermissionDenied("Only the circle's facilitator changes its sessions.")


def _require_no_clash(
    *,
    relationship: CoachingRelationship | None,
    circle: Circle | None,
    starts_at: datetime,
    duration_minutes: int,
    exclude: CoachingSession | None = None,
) -> None:
    """Refuse a time when someone who runs the session is already in another one: the coach
    and the coachee of a pair, the facilitator of a circle. (Circle members aren't checked: a
    circle meets whatever one member's diary says.)"""
    if relationship is not None:
        people = [relationship.coach, relationship.coachee]
    elif circle is not None:
        people = [circle.facilitator]
    else:
        return
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    for other in busy_sessions(people, starts=starts_at, ends=ends_at):
        if (exclude is not None and other.pk == exclude.pk) or other.ends_at <= starts_at:
            continue
        if other.relationship is not None:
            involved = {other.relationship.coach_id, other.relationship.coachee_id}
        else:
            assert other.circle is not None
            involved = {
                other.circle.facilitator_id,
                *other.circle.members.values_list("pk", flat=True),
            }
        names = " and ".join(p.display_name for p in people if p.pk in involved)
        raise CoachingError(
            f"Start: {names} already {'have' if ' and ' in names else 'has'} a session then "
            f"({other.starts_at:%Y-%m-%d %H:%M} UTC to {other.ends_at:%H:%M} UTC)."
        )


def _require_open(session: CoachingSession, *, scheduling: bool) -> None:
    if session.relationship is not None:
        require_working(session.relationship, scheduling=scheduling)
    elif session.circle is not None and not session.circle.is_active and scheduling:
        raise CoachingError("The circle is no longer active.")


def _lock(session: CoachingSession) -> CoachingSession:
    return (
        CoachingSession.objects.select_for_update(of=("self",))
        .select_related("relationship__coach", "relationship__coachee", "circle__facilitator")
        .get(pk=session.pk)
    )


# Invitations


def _link(session: CoachingSession) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("coaching:session", args=[session.pk])


def _invite_everyone(session: CoachingSession, *, reason: str = "") -> None:
    """E-mail each attendee with a login the invitation for the session as it is now."""
    # Read the session again with its attendees, their logins and its circle's members at
    # once: the invitation and every e-mail read them.
    session = sessions_with_attendees(CoachingSession.objects.filter(pk=session.pk)).get()
    cancelled = session.status == SessionStatus.CANCELLED
    kind = NotificationKind.SESSION_CANCELLED if cancelled else NotificationKind.SESSION_INVITE
    template = "session_cancelled" if cancelled else "session_invite"
    calendar = session_invitation(session=session)
    attendees = session_attendees(session)
    for person in attendees:
        if person.user is None:
            continue
        others = [other.full_name for other in attendees if other.pk != person.pk]
        # Rendered in the recipient's own zone, so the e-mail's times are theirs.
        with timezone.override(zone_of(person)):
            notification_queue(
                key=f"{kind.value}:{session.pk}:{session.sequence}:{person.user.pk}",
                recipient=person.user,
                kind=kind,
                subject_template=f"coaching/email/{template}_subject.txt",
                body_template=f"coaching/email/{template}.txt",
                context={
                    "session": session,
                    "title": session_title(session),
                    "with": others,
                    "time_zone": zone_of(person).key,
                    "rescheduled": session.sequence > 0 and not cancelled,
                    "reason": reason,
                    "link": _link(session),
                },
                calendar=calendar,
            )


# Changes


def session_schedule(
    *,
    scheduled_by: User,
    starts_at: datetime,
    duration_minutes: int,
    time_zone: str,
    format: str,
    location: str = "",
    agenda: str = "",
    relationship: CoachingRelationship | None = None,
    circle: Circle | None = None,
    request: HttpRequest | None = None,
) -> CoachingSession:
    """Schedule a session of a relationship or a circle, and invite everyone to it."""
    if (relationship is None) == (circle is None):
        raise CoachingError("A session belongs to one relationship or one circle.")
    _require_start(starts_at, now=timezone.now())
    _require_duration(duration_minutes)
    _require_time_zone(time_zone)
    _require_format(format)
    with transaction.atomic():
        if relationship is not None:
            relationship = (
                CoachingRelationship.objects.select_for_update(of=("self",))
                .select_related("coach__user", "coachee__user")
                .get(pk=relationship.pk)
            )
            require_working(relationship, scheduling=True)
        elif circle is not None:
            circle = Circle.objects.select_for_update(of=("self",)).get(pk=circle.pk)
            if not circle.is_active:
                raise CoachingError("The circle is no longer active.")
        session = CoachingSession(
            relationship=relationship,
            circle=circle,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            time_zone=time_zone,
            format=format,
            location=location.strip(),
            agenda=agenda.strip(),
            scheduled_by=scheduled_by,
        )
        _require_attendee(session, scheduled_by)
        _require_no_clash(
            relationship=relationship,
            circle=circle,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
        )
        session.full_clean()
        session.save()
        audit_record(
            actor=scheduled_by,
            action="coaching.session_schedule",
            target=session,
            request=request,
            details={
                "starts_at": starts_at.isoformat(),
                "duration_minutes": duration_minutes,
                "format": format,
            },
        )
        _invite_everyone(session)
    return session


def session_reschedule(
    *,
    session: CoachingSession,
    changed_by: User,
    starts_at: datetime,
    duration_minutes: int | None = None,
    format: str | None = None,
    location: str | None = None,
    time_zone: str | None = None,
    request: HttpRequest | None = None,
) -> CoachingSession:
    """Move a scheduled session (and change its length, format, place or zone), and send
    everyone the changed invitation."""
    _require_start(starts_at, now=timezone.now())
    if duration_minutes is not None:
        _require_duration(duration_minutes)
    if time_zone is not None:
        _require_time_zone(time_zone)
    if format is not None:
        _require_format(format)
    with transaction.atomic():
        session = _lock(session)
        _require_attendee(session, changed_by)
        if session.status != SessionStatus.SCHEDULED:
            raise CoachingError(
                f"The session is {session.get_status_display().lower()}: it can't be moved."
            )
        _require_open(session, scheduling=True)
        before = session.starts_at
        duration = duration_minutes if duration_minutes is not None else session.duration_minutes
        _require_no_clash(
            relationship=session.relationship,
            circle=session.circle,
            starts_at=starts_at,
            duration_minutes=duration,
            exclude=session,
        )
        session.starts_at = starts_at
        session.duration_minutes = duration
        if format is not None:
            session.format = format
        if location is not None:
            session.location = location.strip()
        if time_zone is not None:
            session.time_zone = time_zone
        session.sequence += 1
        session.updated_at = timezone.now()
        session.full_clean()
        session.save()
        audit_record(
            actor=changed_by,
            action="coaching.session_reschedule",
            target=session,
            request=request,
            details={
                "from": before.isoformat(),
                "to": starts_at.isoformat(),
                "duration_minutes": duration,
                "sequence": session.sequence,
            },
        )
        _invite_everyone(session)
    return session


def session_cancel(
    *,
    session: CoachingSession,
    cancelled_by: User,
    reason: str = "",
    request: HttpRequest | None = None,
) -> CoachingSession:
    """Cancel a scheduled session and send everyone the cancellation.

    A session can be cancelled whatever became of its relationship: a pair that ended
    should still be able to clear its calendars. The reason goes to the attendees by e-mail
    only; it is not stored.
    """
    with transaction.atomic():
        session = _lock(session)
        _require_attendee(session, cancelled_by)
        return _cancel(session, cancelled_by=cancelled_by, reason=reason, request=request)


def upcoming_sessions_cancel(
    *,
    cancelled_by: User,
    reason: str,
    relationship: CoachingRelationship | None = None,
    circle: Circle | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Cancel every session still to come of a relationship or a circle that has ended, and
    send the cancellations; how many. The services that end, complete or archive call it
    inside their transaction, after checking who may do that."""
    sessions = CoachingSession.objects.select_for_update().filter(
        status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now()
    )
    if relationship is not None:
        sessions = sessions.filter(relationship=relationship)
    elif circle is not None:
        sessions = sessions.filter(circle=circle)
    else:
        return 0
    upcoming = list(sessions.order_by("starts_at", "pk"))
    for session in upcoming:
        _cancel(session, cancelled_by=cancelled_by, reason=reason, request=request)
    return len(upcoming)


def _cancel(
    session: CoachingSession, *, cancelled_by: User, reason: str, request: HttpRequest | None
) -> CoachingSession:
    if session.status != SessionStatus.SCHEDULED:
        raise CoachingError(
            f"The session is {session.get_status_display().lower()}: "
            "only a scheduled session can be cancelled."
        )
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    session.updated_at = timezone.now()
    session.save(update_fields=["status", "sequence", "updated_at"])
    audit_record(
        actor=cancelled_by,
        action="coaching.session_cancel",
        target=session,
        request=request,
        details={"sequence": session.sequence, "with_reason": bool(reason.strip())},
    )
    _invite_everyone(session, reason=reason.strip())
    return session


def _mark(
    session: CoachingSession,
    *,
    marked_by: User,
    status: SessionStatus,
    absent: Person | None,
    request: HttpRequest | None,
) -> CoachingSession:
    with transaction.atomic():
        session = _lock(session)
        _require_attendee(session, marked_by)
        if session.status != SessionStatus.SCHEDULED:
            raise CoachingError(
                f"The session is already marked {session.get_status_display().lower()}."
            )
        if session.starts_at > timezone.now():
            raise CoachingError("The session hasn't started yet: mark it once it has.")
        _require_open(session, scheduling=False)
        if absent is not None and absent.pk not in {p.pk for p in session_attendees(session)}:
            raise CoachingError("Absent: choose someone the session was for.")
        session.status = status
        session.no_show_by = absent
        session.updated_at = timezone.now()
        session.save(update_fields=["status", "no_show_by", "updated_at"])
        details: dict[str, object] = {"status": status.value}
        if absent is not None:
            details["absent_person_id"] = absent.pk
        audit_record(
            actor=marked_by,
            action=f"coaching.session_{status.value}",
            target=session,
            request=request,
            details=details,
        )
    return session


def session_mark_held(
    *, session: CoachingSession, marked_by: User, request: HttpRequest | None = None
) -> CoachingSession:
    """Record that the session took place (once its start has passed)."""
    return _mark(
        session, marked_by=marked_by, status=SessionStatus.HELD, absent=None, request=request
    )


def session_mark_no_show(
    *,
    session: CoachingSession,
    marked_by: User,
    absent: Person,
    request: HttpRequest | None = None,
) -> CoachingSession:
    """Record that ``absent`` didn't come to the session (once its start has passed)."""
    return _mark(
        session, marked_by=marked_by, status=SessionStatus.NO_SHOW, absent=absent, request=request
    )


# Suggestions


@dataclass(frozen=True)
class TimeSlot:
    """A free time both people can meet; aware datetimes in UTC."""

    starts_at: datetime
    ends_at: datetime


Interval = tuple[datetime, datetime]


def _weekly_windows(enrolment: Enrolment, *, start: datetime, end: datetime) -> list[Interval]:
    """The person's availability windows between ``start`` and ``end``, as UTC instants.

    Each window is a weekday and local times in the person's zone; ``zoneinfo`` turns each
    day's local times into instants, so a window keeps its local hours across DST changes.
    """
    zone = zone_of(enrolment.person)
    utc = ZoneInfo("UTC")
    windows = list(enrolment.availability.all())
    intervals: list[Interval] = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date():
        for window in windows:
            if window.weekday != day.weekday():
                continue
            opens = datetime.combine(day, window.starts_at, tzinfo=zone).astimezone(utc)
            closes = datetime.combine(day, window.ends_at, tzinfo=zone).astimezone(utc)
            opens, closes = max(opens, start), min(closes, end)
            if opens < closes:
                intervals.append((opens, closes))
        day += timedelta(days=1)
    return sorted(intervals)


def _intersect(first: list[Interval], second: list[Interval]) -> list[Interval]:
    overlaps = []
    for a_start, a_end in first:
        for b_start, b_end in second:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                overlaps.append((start, end))
    return sorted(overlaps)


def _round_up(moment: datetime) -> datetime:
    step = int(SUGGESTION_STEP.total_seconds())
    epoch = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))
    seconds = int((moment - epoch).total_seconds())
    return epoch + timedelta(seconds=-(-seconds // step) * step)


def time_suggestions(
    *,
    relationship: CoachingRelationship,
    days: int = 14,
    duration_minutes: int = 60,
    now: datetime | None = None,
) -> list[TimeSlot]:
    """Start times in the next ``days`` days inside both people's availability windows
    (from their enrolments in the programme) that avoid their other scheduled sessions,
    every ``SUGGESTION_STEP``, earliest first. Empty if either has no windows."""
    now = (now or timezone.now()).astimezone(ZoneInfo("UTC"))
    start, end = _round_up(now), now + timedelta(days=days)
    enrolments = {
        (enrolment.person_id, enrolment.role): enrolment
        for enrolment in Enrolment.objects.filter(
            programme=relationship.programme_id,
            person__in=[relationship.coach_id, relationship.coachee_id],
            role__in=[Enrolment.Role.COACH, Enrolment.Role.COACHEE],
            status=Enrolment.Status.APPROVED,
        )
        .select_related("person")
        .prefetch_related("availability")
    }
    coach = enrolments.get((relationship.coach_id, Enrolment.Role.COACH))
    coachee = enrolments.get((relationship.coachee_id, Enrolment.Role.COACHEE))
    if coach is None or coachee is None:
        return []
    free = _intersect(
        _weekly_windows(coach, start=start, end=end),
        _weekly_windows(coachee, start=start, end=end),
    )
    busy = [
        (session.starts_at, session.ends_at)
        for session in busy_sessions([coach.person, coachee.person], starts=start, ends=end)
    ]
    length = timedelta(minutes=duration_minutes)
    starts: set[datetime] = set()
    for opens, closes in free:
        begins = _round_up(opens)
        while begins + length <= closes:
            ends = begins + length
            if not any(b_start < ends and b_end > begins for b_start, b_end in busy):
                starts.add(begins)
            begins += SUGGESTION_STEP
    return [TimeSlot(starts_at=begins, ends_at=begins + length) for begins in sorted(starts)]
