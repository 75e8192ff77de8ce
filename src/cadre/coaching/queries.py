"""Reads for coaching pages and services."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cadre.coaching.models import (
    Circle,
    CircleAttendance,
    CircleKind,
    CircleNote,
    CoachingSession,
    SessionStatus,
)
from cadre.enablement.queries import coaches
from cadre.people.models import Person
from cadre.programs.models import Enrolment, Programme

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
