"""Changing circles: group coaching circles and coaches' peer-supervision circles.

A circle is led by a certified coach, its facilitator, and has ``MIN_MEMBERS`` to
``MAX_MEMBERS`` members besides them. A peer-supervision circle brings coaches together; a
group coaching circle brings together approved coachees of one programme that offers group
circles. The facilitator records who came to each session once it has started, and the
facilitator and members share circle notes, which nobody else reads (the model encrypts them;
the audit log records that a note changed, never what it says).
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.coaching.access import person_of
from cadre.coaching.models import (
    Circle,
    CircleAttendance,
    CircleNote,
    CoachingSession,
    SessionStatus,
)
from cadre.coaching.queries import circle_programme_coachees, coaches_among
from cadre.coaching.rules import CoachingError
from cadre.coaching.scheduling import session_schedule, upcoming_sessions_cancel
from cadre.enablement.services import CoachNotCertifiedError, require_certified_coach
from cadre.people.models import Person

MIN_MEMBERS = 3
MAX_MEMBERS = 12
NOTE_MAX_LENGTH = 5000


def _names(people: Iterable[Person]) -> str:
    return ", ".join(sorted(str(person) for person in people))


def _require_members_fit(circle: Circle, members: list[Person]) -> None:
    """Refuse members who can't join a circle of this kind, and a circle too small or big."""
    if circle.kind == Circle.Kind.SUPERVISION:
        coach_ids = coaches_among(members)
        not_coaches = [person for person in members if person.pk not in coach_ids]
        if not_coaches:
            raise CoachingError(
                f"Only coaches can join a peer-supervision circle: {_names(not_coaches)}."
            )
    else:
        programme = circle.programme
        if programme is None:
            raise CoachingError("A group coaching circle belongs to a programme: choose one.")
        if not programme.offers_group_circles:
            raise CoachingError(
                f"“{programme}” doesn't offer group coaching circles: choose a programme that "
                "does, or add the format to the programme first."
            )
        coachee_ids = circle_programme_coachees(programme, members)
        outsiders = [person for person in members if person.pk not in coachee_ids]
        if outsiders:
            raise CoachingError(
                f"Only approved coachees of “{programme}” can join this circle: "
                f"{_names(outsiders)}."
            )
    if not MIN_MEMBERS <= len(members) <= MAX_MEMBERS:
        raise CoachingError(
            f"A circle has {MIN_MEMBERS} to {MAX_MEMBERS} members besides its facilitator; "
            f"this one would have {len(members)}."
        )


def circle_save(
    *,
    circle: Circle,
    members: Iterable[Person],
    saved_by: User,
    on: date | None = None,
    request: HttpRequest | None = None,
) -> Circle:
    """Create or change a circle of either kind, with its members.

    The facilitator must be a coach certified on ``on`` (today by default) and is never
    listed as a member. An archived circle stays as it was.
    """
    on = on or timezone.localdate()
    if circle.pk is not None and not circle.is_active:
        raise CoachingError("This circle is archived; it can no longer change.")
    try:
        require_certified_coach(person=circle.facilitator, on=on)
    except CoachNotCertifiedError as error:
        raise CoachingError(f"The facilitator must be a certified coach. {error}") from None
    unique = {person.pk: person for person in members if person.pk != circle.facilitator_id}
    chosen = list(unique.values())
    _require_members_fit(circle, chosen)
    circle.name = circle.name.strip()
    taken = Circle.objects.filter(name__iexact=circle.name).exclude(pk=circle.pk)
    if circle.name and taken.exists():
        raise CoachingError(f"A circle named “{circle.name}” already exists: choose another name.")
    created = circle.pk is None
    if created:
        circle.created_by = saved_by
    try:
        circle.full_clean()
    except ValidationError as error:
        raise CoachingError(" ".join(error.messages)) from None
    with transaction.atomic():
        circle.save()
        circle.members.set(chosen)
        audit_record(
            actor=saved_by,
            action="coaching.circle_create" if created else "coaching.circle_update",
            target=circle,
            request=request,
            details={"kind": circle.kind, "members": len(chosen)},
        )
    return circle


def circle_archive(
    *, circle: Circle, archived_by: User, request: HttpRequest | None = None
) -> Circle:
    """Archive a circle that has finished: it keeps its record, nothing new is added, and
    its sessions still to come are cancelled (everyone gets the cancellation)."""
    if not circle.is_active:
        raise CoachingError("This circle is already archived.")
    with transaction.atomic():
        cancelled = upcoming_sessions_cancel(
            circle=circle,
            cancelled_by=archived_by,
            reason="The circle has finished.",
            request=request,
        )
        circle.is_active = False
        circle.save(update_fields=["is_active"])
        audit_record(
            actor=archived_by,
            action="coaching.circle_archive",
            target=circle,
            request=request,
            details={"kind": circle.kind, "sessions_cancelled": cancelled},
        )
    return circle


def circle_session_schedule(
    *,
    circle: Circle,
    scheduled_by: User,
    starts_at: datetime,
    duration_minutes: int,
    time_zone: str,
    format: str,
    location: str = "",
    agenda: str = "",
    request: HttpRequest | None = None,
) -> CoachingSession:
    """Schedule the circle's next session: the facilitator does, and everyone is invited
    (``scheduling.session_schedule``)."""
    person = person_of(scheduled_by)
    if person is None or person.pk != circle.facilitator_id:
        raise CoachingError("Only the circle's facilitator schedules its sessions.")
    return session_schedule(
        scheduled_by=scheduled_by,
        circle=circle,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        time_zone=time_zone,
        format=format,
        location=location,
        agenda=agenda,
        request=request,
    )


def attendance_record(
    *,
    session: CoachingSession,
    present: set[int],
    recorded_by: User,
    request: HttpRequest | None = None,
) -> list[CircleAttendance]:
    """Record who came to a circle's session: one row per member, present if their person id
    is in ``present``. Only the facilitator records it, once the session has started."""
    circle = session.circle
    if circle is None:
        raise CoachingError("Attendance is recorded for circle sessions only.")
    person = person_of(recorded_by)
    if person is None or person.pk != circle.facilitator_id:
        raise CoachingError("Only the circle's facilitator records attendance.")
    if session.status == SessionStatus.CANCELLED:
        raise CoachingError("This session was cancelled: there is no attendance to record.")
    if session.status == SessionStatus.SCHEDULED and session.starts_at > timezone.now():
        raise CoachingError("The session hasn't started yet: record attendance once it has.")
    members = list(circle.members.all())
    strangers = present - {member.pk for member in members}
    if strangers:
        raise CoachingError("Attendance is recorded for the circle's members only.")
    now = timezone.now()
    rows = []
    with transaction.atomic():
        for member in members:
            row, _ = CircleAttendance.objects.update_or_create(
                session=session,
                person=member,
                defaults={
                    "present": member.pk in present,
                    "recorded_by": recorded_by,
                    "recorded_at": now,
                },
            )
            rows.append(row)
        audit_record(
            actor=recorded_by,
            action="coaching.attendance_record",
            target=session,
            request=request,
            details={"circle": circle.pk, "members": len(members), "present": len(present)},
        )
    return rows


def _require_circle_writer(circle: Circle, user: User) -> Person:
    person = person_of(user)
    if person is None or not (
        person.pk == circle.facilitator_id or circle.members.filter(pk=person.pk).exists()
    ):
        raise CoachingError("Only the circle's facilitator and members write its notes.")
    if not circle.is_active:
        raise CoachingError("This circle is archived: its notes can no longer change.")
    return person


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise CoachingError("The note is empty: write something first.")
    if len(body) > NOTE_MAX_LENGTH:
        raise CoachingError(f"A note holds at most {NOTE_MAX_LENGTH} characters.")
    return body


def circle_note_create(
    *,
    circle: Circle,
    body: str,
    written_by: User,
    session: CoachingSession | None = None,
    request: HttpRequest | None = None,
) -> CircleNote:
    """Add a note to the circle, for its facilitator and members to read."""
    author = _require_circle_writer(circle, written_by)
    body = _clean_body(body)
    if session is not None and session.circle_id != circle.pk:
        raise CoachingError("That session isn't one of this circle's.")
    with transaction.atomic():
        note = CircleNote.objects.create(circle=circle, session=session, author=author, body=body)
        audit_record(
            actor=written_by,
            action="coaching.circle_note_create",
            target=note,
            request=request,
            details={"circle": circle.pk},
        )
    return note


def _require_author(note: CircleNote, user: User) -> None:
    person = _require_circle_writer(note.circle, user)
    if person.pk != note.author_id:
        raise CoachingError("Only the note's author can change or delete it.")


def circle_note_update(
    *, note: CircleNote, body: str, changed_by: User, request: HttpRequest | None = None
) -> CircleNote:
    """Change the text of one's own circle note."""
    _require_author(note, changed_by)
    note.body = _clean_body(body)
    note.updated_at = timezone.now()
    with transaction.atomic():
        note.save(update_fields=["body", "updated_at"])
        audit_record(
            actor=changed_by,
            action="coaching.circle_note_update",
            target=note,
            request=request,
            details={"circle": note.circle_id},
        )
    return note


def circle_note_delete(
    *, note: CircleNote, deleted_by: User, request: HttpRequest | None = None
) -> None:
    """Delete one's own circle note."""
    _require_author(note, deleted_by)
    with transaction.atomic():
        audit_record(
            actor=deleted_by,
            action="coaching.circle_note_delete",
            target=note,
            request=request,
            details={"circle": note.circle_id},
        )
        note.delete()
