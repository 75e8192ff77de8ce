"""Session pages: a relationship's sessions tab, scheduling with suggested times, one
session's page (move, cancel, mark held or a no-show) and its invitation download.

Times show in the viewer's own zone (``cadre.people.middleware`` activates it), with the
other person's local time beside them when theirs differs.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching.access import person_of, relationship_for_party, session_for_user
from cadre.coaching.calendar import session_invitation
from cadre.coaching.forms import (
    NoShowForm,
    SessionCancelForm,
    SessionRescheduleForm,
    SessionScheduleForm,
)
from cadre.coaching.models import CoachingRelationship, CoachingSession, SessionStatus
from cadre.coaching.queries import relationship_sessions, session_attendees, zone_of
from cadre.coaching.rules import CoachingError
from cadre.coaching.scheduling import (
    session_cancel,
    session_mark_held,
    session_mark_no_show,
    session_reschedule,
    session_schedule,
    time_suggestions,
)
from cadre.people.models import Person

SUGGESTIONS_SHOWN = 12


@dataclass(frozen=True)
class SessionRow:
    session: CoachingSession
    # The other person's zone name when their clock shows another time, else "".
    other_zone: str


def _other_zone(session: CoachingSession, viewer: Person | None, other: Person | None) -> str:
    if other is None:
        return ""
    mine, theirs = zone_of(viewer), zone_of(other)
    if mine.utcoffset(session.starts_at) == theirs.utcoffset(session.starts_at):
        return ""
    return theirs.key


def _sessions_page(
    request: AuthenticatedRequest,
    relationship: CoachingRelationship,
    form: SessionScheduleForm,
    *,
    status: int = 200,
) -> HttpResponse:
    viewer = person_of(request.user)
    other = relationship.other_party(viewer) if viewer is not None else None
    now = timezone.now()
    upcoming: list[SessionRow] = []
    past: list[SessionRow] = []
    for session in relationship_sessions(relationship):
        row = SessionRow(session=session, other_zone=_other_zone(session, viewer, other))
        is_upcoming = session.status == SessionStatus.SCHEDULED and session.ends_at > now
        (upcoming if is_upcoming else past).append(row)
    past.reverse()
    context = {
        "relationship": relationship,
        "tab": "sessions",
        "other": other,
        "upcoming": upcoming,
        "past": past,
        "form": form,
        "section": "coaching",
    }
    return render(request, "coaching/sessions.html", context, status=status)


@login_required
@require_GET
def sessions(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    zone = zone_of(person_of(request.user)).key
    form = SessionScheduleForm(initial={"time_zone": zone, "duration_minutes": 60})
    return _sessions_page(request, relationship, form)


@login_required
@require_POST
def session_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    form = SessionScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = session_schedule(
                scheduled_by=request.user,
                relationship=relationship,
                starts_at=data["instant"],
                duration_minutes=data["duration_minutes"],
                time_zone=data["time_zone"],
                format=data["format"],
                location=data["location"],
                agenda=data["agenda"],
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Scheduled for {timezone.localtime(session.starts_at):%A %-d %B at %H:%M}. "
                "Invitations are on their way.",
            )
            return redirect("coaching:sessions", pk=relationship.pk)
    return _sessions_page(request, relationship, form, status=400)


@login_required
@require_GET
def session_suggestions(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The suggested times, as radio buttons for the schedule form (an htmx fragment)."""
    relationship = relationship_for_party(request.user, pk)
    try:
        duration = min(max(int(request.GET.get("duration_minutes", 60)), 15), 480)
    except ValueError:
        duration = 60
    slots = time_suggestions(relationship=relationship, duration_minutes=duration)
    viewer = person_of(request.user)
    other = relationship.other_party(viewer) if viewer is not None else None
    context = {
        "relationship": relationship,
        "slots": slots[:SUGGESTIONS_SHOWN],
        "other": other,
        "other_zone": zone_of(other).key if other is not None else "",
        "same_zone": zone_of(viewer).key == zone_of(other).key,
        "searched": True,
    }
    return render(request, "coaching/sessions.html#suggestions", context)


def _session_page(
    request: AuthenticatedRequest,
    session: CoachingSession,
    *,
    move: SessionRescheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = person_of(request.user)
    attendees = session_attendees(session)
    others = [person for person in attendees if viewer is None or person.pk != viewer.pk]
    now = timezone.now()
    is_scheduled = session.status == SessionStatus.SCHEDULED
    no_show = NoShowForm(attendees=attendees)
    context = {
        "session": session,
        "relationship": session.relationship,
        "tab": "sessions",
        "others": [
            {"person": person, "zone": _other_zone(session, viewer, person)} for person in others
        ],
        "can_change": is_scheduled and session.starts_at > now,
        "can_mark": is_scheduled and session.starts_at <= now,
        "move": move or SessionRescheduleForm.for_session(session, zone_of(viewer).key),
        "cancel": SessionCancelForm(prefix="cancel"),
        "no_show": no_show,
        "section": "coaching",
    }
    return render(request, "coaching/session_detail.html", context, status=status)


def _back(session: CoachingSession) -> HttpResponse:
    return redirect("coaching:session", pk=session.pk)


@login_required
@require_GET
def session_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _session_page(request, session_for_user(request.user, pk))


@login_required
@require_POST
def session_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = session_for_user(request.user, pk)
    form = SessionRescheduleForm(request.POST, prefix="move")
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = session_reschedule(
                session=session,
                changed_by=request.user,
                starts_at=data["instant"],
                duration_minutes=data["duration_minutes"],
                format=data["format"],
                location=data["location"],
                time_zone=data["time_zone"],
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Moved. Everyone gets the changed invitation.")
            return _back(session)
    return _session_page(request, session, move=form, status=400)


@login_required
@require_POST
def session_cancel_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = session_for_user(request.user, pk)
    form = SessionCancelForm(request.POST, prefix="cancel")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        session_cancel(session=session, cancelled_by=request.user, reason=reason, request=request)
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Cancelled. Everyone gets the cancellation.")
    return _back(session)


@login_required
@require_POST
def session_held(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = session_for_user(request.user, pk)
    try:
        session_mark_held(session=session, marked_by=request.user, request=request)
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked as held.")
    return _back(session)


@login_required
@require_POST
def session_no_show(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = session_for_user(request.user, pk)
    attendees = {person.pk: person for person in session_attendees(session)}
    form = NoShowForm(request.POST, attendees=list(attendees.values()))
    if not form.is_valid():
        messages.error(request, "Choose who didn't come.")
        return _back(session)
    try:
        session_mark_no_show(
            session=session,
            marked_by=request.user,
            absent=attendees[form.cleaned_data["absent"]],
            request=request,
        )
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked as a no-show.")
    return _back(session)


@login_required
@require_GET
def session_ics(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The session's invitation as a file, to add it to a calendar by hand."""
    session = session_for_user(request.user, pk)
    response = HttpResponse(
        session_invitation(session=session), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response
