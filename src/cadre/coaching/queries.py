"""Reads for coaching pages, the API and tasks: plain data and querysets, no changes."""

from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.db.models import Q, QuerySet

from cadre.coaching.models import CoachingRelationship, CoachingSession, SessionStatus
from cadre.people.models import Person

# Sessions: who attends, what a session is called, and in which zone each person sees it.

# No session is longer than this (``CoachingSession.duration_minutes``).
LONGEST_SESSION = timedelta(minutes=480)
# A calendar feed lists sessions from this many days ago on.
FEED_DAYS_BACK = 90


@cache
def known_time_zones() -> frozenset[str]:
    """The IANA zone names this system knows."""
    return frozenset(available_timezones())


def zone_of(person: Person | None) -> ZoneInfo:
    """The person's own time zone; UTC for no one or for a zone the system doesn't know."""
    name = person.time_zone if person is not None else "UTC"
    return ZoneInfo(name if name in known_time_zones() else "UTC")


def session_attendees(session: CoachingSession) -> list[Person]:
    """Who a session is for: the coach and coachee, or the circle's facilitator and members."""
    if session.relationship is not None:
        return [session.relationship.coach, session.relationship.coachee]
    assert session.circle is not None
    members = sorted(session.circle.members.all(), key=lambda person: person.full_name)
    return [session.circle.facilitator, *members]


def session_title(session: CoachingSession) -> str:
    """What calendars and e-mails call the session; never anything said in it."""
    if session.relationship is not None:
        relationship = session.relationship
        return (
            f"Coaching session: {relationship.coach.full_name} & {relationship.coachee.full_name}"
        )
    assert session.circle is not None
    return f"Circle: {session.circle.name}"


def sessions_with_attendees(sessions: QuerySet[CoachingSession]) -> QuerySet[CoachingSession]:
    """``sessions`` with what ``session_attendees`` and ``session_title`` read, fetched at once."""
    return sessions.select_related(
        "relationship__coach__user",
        "relationship__coachee__user",
        "relationship__programme",
        "circle__facilitator__user",
    ).prefetch_related("circle__members__user")


def sessions_of_people(people: list[Person]) -> QuerySet[CoachingSession]:
    """Sessions any of ``people`` attends, as a party to a relationship or in a circle."""
    return CoachingSession.objects.filter(
        Q(relationship__coach__in=people)
        | Q(relationship__coachee__in=people)
        | Q(circle__facilitator__in=people)
        | Q(circle__members__in=people)
    ).distinct()


def busy_sessions(
    people: list[Person], *, starts: datetime, ends: datetime
) -> list[CoachingSession]:
    """The scheduled sessions of any of ``people`` that could overlap ``starts``–``ends``."""
    return list(
        sessions_of_people(people).filter(
            status=SessionStatus.SCHEDULED,
            starts_at__lt=ends,
            starts_at__gt=starts - LONGEST_SESSION,
        )
    )


def relationship_sessions(relationship: CoachingRelationship) -> QuerySet[CoachingSession]:
    """A relationship's sessions, in time order."""
    return relationship.sessions.select_related("no_show_by").order_by("starts_at", "pk")
