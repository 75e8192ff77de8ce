"""Writing, sharing and reading session notes.

A note belongs to its author. They write it in the GROW model (goal, reality, options, way
forward) with free text beside, keep it private or share it with the other party, change it
and delete it. The other party reads a shared note, and each such read is audited. No one
else ever reads a note: the access helpers (``access.note_for_reader``/``note_for_author``)
answer 404 to them, and these functions refuse anyone who isn't the author.

Audit entries name the note and the relationship, never what the note says.

Notes change only while the relationship is under way (``require_working``). Unsharing and
deleting stay open afterwards: taking one's own words back is always allowed.
"""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.services import audit_record
from cadre.coaching.models import CoachingRelationship, CoachingSession, SessionNote
from cadre.coaching.rules import CoachingError, require_working
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue
from cadre.people.models import Person

# Each text of a note holds at most this many characters.
NOTE_FIELD_MAX_LENGTH = 10_000

# The texts of a note, as people call them.
NOTE_FIELD_LABELS = {
    "goal": "Goal",
    "reality": "Reality",
    "options": "Options",
    "way_forward": "Way forward",
    "free_text": "Other notes",
}


def _clean_values(values: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(values) - set(SessionNote.GROW_FIELDS))
    if unknown:
        raise CoachingError(f"A note has no field called {', '.join(unknown)}.")
    cleaned = {}
    for name, value in values.items():
        text = (value or "").strip()
        if len(text) > NOTE_FIELD_MAX_LENGTH:
            raise CoachingError(
                f"{NOTE_FIELD_LABELS[name]} is too long: {NOTE_FIELD_MAX_LENGTH:,} characters "
                "at most."
            )
        cleaned[name] = text
    return cleaned


def _require_content(note: SessionNote) -> None:
    if not any(getattr(note, name) for name in SessionNote.GROW_FIELDS):
        raise CoachingError(
            f"Write something in at least one of: {', '.join(NOTE_FIELD_LABELS.values())}."
        )


def _require_author(note: SessionNote, person: Person) -> None:
    if note.author_id != person.pk:
        raise CoachingError("Only the note's author can change, share or delete it.")


def _require_session_of(
    relationship: CoachingRelationship, session: CoachingSession | None
) -> None:
    if session is not None and session.relationship_id != relationship.pk:
        raise CoachingError("The session must be one of this relationship's sessions.")


def _details(note: SessionNote) -> dict[str, int]:
    """What an audit entry says of a note: which one, in which relationship. Never content."""
    return {"note": note.pk, "relationship": note.relationship_id}


def note_create(
    *,
    relationship: CoachingRelationship,
    author: Person,
    values: dict[str, str],
    session: CoachingSession | None = None,
    share: bool = False,
    request: HttpRequest | None = None,
) -> SessionNote:
    """A new note by ``author``, the coach or the coachee; private unless ``share``."""
    if relationship.party_role(author) is None:
        raise CoachingError("Only the coach and the coachee write notes in this relationship.")
    require_working(relationship)
    _require_session_of(relationship, session)
    note = SessionNote(
        relationship=relationship, author=author, session=session, **_clean_values(values)
    )
    _require_content(note)
    with transaction.atomic():
        note.save()
        audit_record(
            actor=author.user,
            action="coaching.note_create",
            target=note,
            request=request,
            details=_details(note),
        )
        if share:
            _share(note, author, request)
    return note


def note_update(
    *,
    note: SessionNote,
    author: Person,
    values: dict[str, str],
    session: CoachingSession | None,
    request: HttpRequest | None = None,
) -> SessionNote:
    """The author changes the texts in ``values`` (others stay) and the session."""
    _require_author(note, author)
    require_working(note.relationship)
    _require_session_of(note.relationship, session)
    for name, text in _clean_values(values).items():
        setattr(note, name, text)
    note.session = session
    _require_content(note)
    note.updated_at = timezone.now()
    with transaction.atomic():
        note.save()
        audit_record(
            actor=author.user,
            action="coaching.note_update",
            target=note,
            request=request,
            details=_details(note),
        )
    return note


def note_share(
    *, note: SessionNote, author: Person, request: HttpRequest | None = None
) -> SessionNote:
    """The author shares the note with the other party, who is told by e-mail (no content)."""
    _require_author(note, author)
    require_working(note.relationship)
    if note.is_shared:
        raise CoachingError("This note is shared already.")
    with transaction.atomic():
        _share(note, author, request)
    return note


def _share(note: SessionNote, author: Person, request: HttpRequest | None) -> None:
    shared_at = timezone.now()
    note.shared_at = shared_at
    note.save(update_fields=["shared_at"])
    audit_record(
        actor=author.user,
        action="coaching.note_share",
        target=note,
        request=request,
        details=_details(note),
    )
    reader = note.relationship.other_party(author)
    user = reader.user
    if user is None or not user.is_active or not reader.is_active:
        return
    notification_queue(
        key=f"note-shared:{note.pk}:{shared_at.timestamp():.6f}",
        recipient=user,
        kind=NotificationKind.NOTE_SHARED,
        subject_template="coaching/email/note_shared_subject.txt",
        body_template="coaching/email/note_shared.txt",
        context={
            # Who shared and where to read it: never a word of the note itself.
            "author": author.display_name,
            "link": settings.SITE_URL.rstrip("/") + reverse("coaching:note", args=[note.pk]),
        },
    )


def note_unshare(
    *, note: SessionNote, author: Person, request: HttpRequest | None = None
) -> SessionNote:
    """The author makes the note private again; the other party can no longer read it."""
    _require_author(note, author)
    if not note.is_shared:
        raise CoachingError("This note is private already.")
    with transaction.atomic():
        note.shared_at = None
        note.save(update_fields=["shared_at"])
        audit_record(
            actor=author.user,
            action="coaching.note_unshare",
            target=note,
            request=request,
            details=_details(note),
        )
    return note


def note_delete(*, note: SessionNote, author: Person, request: HttpRequest | None = None) -> None:
    """The author deletes the note for good."""
    _require_author(note, author)
    with transaction.atomic():
        audit_record(
            actor=author.user,
            action="coaching.note_delete",
            target=note,
            request=request,
            details=_details(note),
        )
        note.delete()


def note_read(*, note: SessionNote, reader: Person, request: HttpRequest | None) -> SessionNote:
    """``reader`` opens the note. A read by anyone but the author is audited.

    Fetch the note with ``access.note_for_reader`` first; this refuses anyone else anyway.
    """
    if note.author_id == reader.pk:
        return note
    if not note.is_shared or note.relationship.party_role(reader) is None:
        raise CoachingError("This note is private to its author.")
    audit_record(
        actor=reader.user,
        action="coaching.note_read",
        target=note,
        request=request,
        details=_details(note),
    )
    return note
