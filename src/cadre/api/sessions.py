"""Coaching sessions: the caller's own (list with date filters, detail), and scheduling,
moving, cancelling and marking the sessions of their relationships; suggested times.

Times are ISO 8601 with their offset; responses give instants in UTC and the session's
``time_zone``. A time without an offset is refused (400).
"""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from cadre.accounts.http import AuthenticatedRequest
from cadre.api.schemas import MessageOut, ValidationErrorOut
from cadre.coaching.access import relationship_for_party, session_for_user, sessions_for_user
from cadre.coaching.models import CoachingSession, SessionFormat, SessionStatus
from cadre.coaching.queries import session_attendees, session_title, sessions_with_attendees
from cadre.coaching.rules import CoachingError
from cadre.coaching.scheduling import (
    TimeSlot,
    session_cancel,
    session_mark_held,
    session_mark_no_show,
    session_reschedule,
    session_schedule,
    time_suggestions,
)

router = Router(tags=["sessions"])

READ_ERRORS: dict[int, Any] = {
    401: MessageOut,
    403: MessageOut,
    404: MessageOut,
    422: ValidationErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {400: ValidationErrorOut, **READ_ERRORS}


class AttendeeOut(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    uid: UUID = Field(description="The calendar event's UID is `<uid>@cadre`.")
    title: str
    relationship_id: int | None
    circle_id: int | None
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    time_zone: str = Field(description="The zone the session was scheduled in (IANA name).")
    format: SessionFormat
    location: str
    agenda: str
    status: SessionStatus
    sequence: int
    no_show_by_id: int | None
    attendees: list[AttendeeOut]

    @staticmethod
    def resolve_starts_at(obj: CoachingSession) -> datetime:
        return obj.starts_at.astimezone(UTC)

    @staticmethod
    def resolve_ends_at(obj: CoachingSession) -> datetime:
        return obj.ends_at.astimezone(UTC)

    @staticmethod
    def resolve_title(obj: CoachingSession) -> str:
        return session_title(obj)

    @staticmethod
    def resolve_attendees(obj: CoachingSession) -> list[dict[str, Any]]:
        return [{"id": p.pk, "name": p.full_name} for p in session_attendees(obj)]


class SessionScheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: datetime = Field(description="With its offset: 2026-05-04T09:00:00+01:00.")
    duration_minutes: int = Field(60, ge=15, le=480)
    time_zone: str = Field(description="IANA name, for the invitation: Europe/London.")
    format: SessionFormat
    location: str = Field("", max_length=500)
    agenda: str = Field("", max_length=2000)


class SessionRescheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: datetime
    duration_minutes: int | None = Field(None, ge=15, le=480)
    time_zone: str | None = None
    format: SessionFormat | None = None
    location: str | None = Field(None, max_length=500)


class SessionCancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=500, description="E-mailed to the others; not stored.")


class NoShowIn(Schema):
    model_config = ConfigDict(extra="forbid")

    absent_person_id: int


class TimeSlotOut(Schema):
    starts_at: datetime
    ends_at: datetime


@router.get("/sessions", response={200: list[SessionOut], **READ_ERRORS})
def session_list(
    request: AuthenticatedRequest,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    status: SessionStatus | None = None,
) -> Any:
    """The caller's sessions (their relationships' and circles'), in time order."""
    sessions = sessions_for_user(request.user)
    if starts_after is not None:
        sessions = sessions.filter(starts_at__gte=starts_after)
    if starts_before is not None:
        sessions = sessions.filter(starts_at__lt=starts_before)
    if status is not None:
        sessions = sessions.filter(status=status)
    return list(sessions_with_attendees(sessions).order_by("starts_at", "pk"))


@router.get("/sessions/{int:session_id}", response={200: SessionOut, **READ_ERRORS})
def session_detail(request: AuthenticatedRequest, session_id: int) -> CoachingSession:
    return session_for_user(request.user, session_id)


@router.post(
    "/relationships/{int:relationship_id}/sessions", response={201: SessionOut, **WRITE_ERRORS}
)
def session_new(
    request: AuthenticatedRequest, relationship_id: int, payload: SessionScheduleIn
) -> Status[CoachingSession]:
    """Schedule a session of the caller's relationship; both get the invitation."""
    relationship = relationship_for_party(request.user, relationship_id)
    session = session_schedule(
        scheduled_by=request.user,
        relationship=relationship,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        time_zone=payload.time_zone,
        format=payload.format,
        location=payload.location,
        agenda=payload.agenda,
        request=request,
    )
    return Status(201, session)


@router.post("/sessions/{int:session_id}/reschedule", response={200: SessionOut, **WRITE_ERRORS})
def session_move(
    request: AuthenticatedRequest, session_id: int, payload: SessionRescheduleIn
) -> CoachingSession:
    """Move a scheduled session; fields left out keep their values."""
    return session_reschedule(
        session=session_for_user(request.user, session_id),
        changed_by=request.user,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        format=payload.format,
        location=payload.location,
        time_zone=payload.time_zone,
        request=request,
    )


@router.post("/sessions/{int:session_id}/cancel", response={200: SessionOut, **WRITE_ERRORS})
def session_cancellation(
    request: AuthenticatedRequest, session_id: int, payload: SessionCancelIn
) -> CoachingSession:
    return session_cancel(
        session=session_for_user(request.user, session_id),
        cancelled_by=request.user,
        reason=payload.reason,
        request=request,
    )


@router.post("/sessions/{int:session_id}/held", response={200: SessionOut, **WRITE_ERRORS})
def session_held(request: AuthenticatedRequest, session_id: int) -> CoachingSession:
    return session_mark_held(
        session=session_for_user(request.user, session_id),
        marked_by=request.user,
        request=request,
    )


@router.post("/sessions/{int:session_id}/no-show", response={200: SessionOut, **WRITE_ERRORS})
def session_no_show(
    request: AuthenticatedRequest, session_id: int, payload: NoShowIn
) -> CoachingSession:
    session = session_for_user(request.user, session_id)
    attendees = {person.pk: person for person in session_attendees(session)}
    if payload.absent_person_id not in attendees:
        raise CoachingError("Absent: choose someone the session was for.")
    return session_mark_no_show(
        session=session,
        marked_by=request.user,
        absent=attendees[payload.absent_person_id],
        request=request,
    )


@router.get(
    "/relationships/{int:relationship_id}/suggestions",
    response={200: list[TimeSlotOut], **READ_ERRORS},
)
def session_suggestions(
    request: AuthenticatedRequest,
    relationship_id: int,
    days: Annotated[int, Field(ge=1, le=60)] = 14,
    duration_minutes: Annotated[int, Field(ge=15, le=480)] = 60,
) -> list[TimeSlot]:
    """Start times inside both people's availability windows, avoiding their sessions."""
    relationship = relationship_for_party(request.user, relationship_id)
    return time_suggestions(relationship=relationship, days=days, duration_minutes=duration_minutes)
