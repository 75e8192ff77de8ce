"""Reads for coaching pages, the API and tasks: plain data and querysets, no changes."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cadre.coaching.models import (
    Circle,
    CircleAttendance,
    CircleKind,
    CircleNote,
    CoachingRelationship,
    CoachingSession,
    SessionStatus,
)
from cadre.enablement.queries import coaches
from cadre.people.models import Person
from cadre.programs.models import Enrolment, Programme

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


# Circles: who may lead and join them, and what their pages show.


def coaches_among(people: Iterable[Person]) -> set[int]:
    """The ids of the coaches among ``people``."""
    return set(
        coaches().filter(pk__in=[person.pk for person in people]).values_list("pk", flat=True)
    )


def _approved_coachees(programme: Programme) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        programme=programme, role=Enrolment.Role.COACHEE, status=Enrolment.Status.APPROVED
    )


def circle_programme_coachees(programme: Programme, people: Iterable[Person]) -> set[int]:
    """The ids of those among ``people`` who are approved coachees of ``programme``."""
    enrolments = _approved_coachees(programme).filter(person__in=[person.pk for person in people])
    return set(enrolments.values_list("person_id", flat=True))


def certified_coaches(*, on: date | None = None) -> QuerySet[Person]:
    """Coaches certified on ``on`` (today by default): who may facilitate a circle."""
    on = on or timezone.localdate()
    return (
        coaches()
        .filter(certifications__certified_on__lte=on, certifications__expires_on__gt=on)
        .distinct()
    )


def circle_member_choices(*, kind: str, programme: Programme | None) -> QuerySet[Person]:
    """Who may join a circle: coaches for peer supervision; for group coaching, the approved
    coachees of the programme (of every programme offering circles until one is chosen)."""
    if kind == CircleKind.SUPERVISION:
        return coaches()
    if programme is not None:
        enrolments = _approved_coachees(programme)
    else:
        enrolments = Enrolment.objects.filter(
            programme__offers_group_circles=True,
            role=Enrolment.Role.COACHEE,
            status=Enrolment.Status.APPROVED,
        )
    return Person.objects.filter(is_active=True, pk__in=enrolments.values("person_id")).order_by(
        "full_name", "pk"
    )


def circle_programmes() -> QuerySet[Programme]:
    """The programmes a group coaching circle can belong to."""
    return Programme.objects.filter(offers_group_circles=True).order_by("name", "pk")


def circle_list(circles: QuerySet[Circle]) -> QuerySet[Circle]:
    """Circles with their facilitator, programme, members and next session, for a list."""
    now = timezone.now()
    upcoming = CoachingSession.objects.filter(
        starts_at__gte=now, status=SessionStatus.SCHEDULED
    ).order_by("starts_at", "pk")
    return circles.select_related("facilitator", "programme").prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by("full_name", "pk")),
        Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"),
    )


@dataclass(frozen=True)
class CircleFilters:
    kind: str = ""
    programme_id: int | None = None
    archived: bool = False


def circles_for_admin_list(circles: QuerySet[Circle], filters: CircleFilters) -> QuerySet[Circle]:
    """The admin's list of circles, by kind and programme; active ones unless asked."""
    if filters.kind:
        circles = circles.filter(kind=filters.kind)
    if filters.programme_id is not None:
        circles = circles.filter(programme_id=filters.programme_id)
    circles = circles.filter(is_active=not filters.archived)
    return circle_list(circles).annotate(
        sessions_held=Count("sessions", filter=Q(sessions__status=SessionStatus.HELD))
    )


@dataclass(frozen=True)
class CirclePage:
    members: list[Person]
    upcoming: Sequence[CoachingSession]
    past: Sequence[CoachingSession]
    notes: list[CircleNote]


def circle_page(circle: Circle, *, now: datetime | None = None) -> CirclePage:
    """What a circle's page shows its facilitator and members: members, sessions (with
    attendance, in member order) and the notes, newest first."""
    now = now or timezone.now()
    members = list(circle.members.order_by("full_name", "pk"))
    attendance = CircleAttendance.objects.select_related("person").order_by(
        "person__full_name", "person_id"
    )
    sessions = list(
        circle.sessions.order_by("starts_at", "pk").prefetch_related(
            Prefetch("attendance", queryset=attendance, to_attr="attendance_rows")
        )
    )
    upcoming = [
        session
        for session in sessions
        if session.status == SessionStatus.SCHEDULED and session.ends_at > now
    ]
    past = [session for session in reversed(sessions) if session not in upcoming]
    notes = list(circle.notes.select_related("author").order_by("-created_at", "-pk"))
    return CirclePage(members=members, upcoming=upcoming, past=past, notes=notes)
