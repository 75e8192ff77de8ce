"""Session notes, for their author and, once shared, the other party; 404 for everyone else.

Lists carry no content: a note's texts come only from ``GET /notes/{id}``, so that every read
of a shared note by the other party is audited, as on the pages.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from cadre.accounts.http import AuthenticatedRequest
from cadre.api.schemas import MessageOut, PersonRef, ValidationErrorOut
from cadre.coaching.access import (
    note_for_author,
    note_for_reader,
    notes_for_reader,
    person_of,
    relationship_for_party,
    session_for_user,
)
from cadre.coaching.models import CoachingSession, SessionNote
from cadre.coaching.notes import (
    NOTE_FIELD_MAX_LENGTH,
    note_create,
    note_delete,
    note_read,
    note_share,
    note_unshare,
    note_update,
)
from cadre.coaching.rules import CoachingError
from cadre.people.models import Person

router = Router(tags=["notes"])

READ_ERRORS: dict[int, Any] = {
    401: MessageOut,
    403: MessageOut,
    404: MessageOut,
    422: ValidationErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {400: ValidationErrorOut, **READ_ERRORS}


class NoteSummaryOut(Schema):
    """A note without its content."""

    id: int
    relationship: int = Field(validation_alias="relationship_id")
    author: PersonRef
    session: int | None = Field(validation_alias="session_id")
    shared_at: datetime | None = Field(description="When it was shared; null while private.")
    created_at: datetime
    updated_at: datetime


class NoteOut(NoteSummaryOut):
    goal: str
    reality: str
    options: str
    way_forward: str
    free_text: str


class NoteIn(Schema):
    """A new note: at least one text; private unless ``share``."""

    model_config = ConfigDict(extra="forbid")

    goal: str = Field("", max_length=NOTE_FIELD_MAX_LENGTH)
    reality: str = Field("", max_length=NOTE_FIELD_MAX_LENGTH)
    options: str = Field("", max_length=NOTE_FIELD_MAX_LENGTH)
    way_forward: str = Field("", max_length=NOTE_FIELD_MAX_LENGTH)
    free_text: str = Field("", max_length=NOTE_FIELD_MAX_LENGTH)
    session: int | None = Field(None, description="A session of the same relationship.")
    share: bool = Field(False, description="Share with the other party right away.")


class NoteUpdateIn(Schema):
    """The texts to change, and the session (null for none); what is left out stays."""

    model_config = ConfigDict(extra="forbid")

    goal: str | None = Field(None, max_length=NOTE_FIELD_MAX_LENGTH)
    reality: str | None = Field(None, max_length=NOTE_FIELD_MAX_LENGTH)
    options: str | None = Field(None, max_length=NOTE_FIELD_MAX_LENGTH)
    way_forward: str | None = Field(None, max_length=NOTE_FIELD_MAX_LENGTH)
    free_text: str | None = Field(None, max_length=NOTE_FIELD_MAX_LENGTH)
    session: int | None = None


def _person(request: AuthenticatedRequest) -> Person:
    person = person_of(request.user)
    if person is None:
        # The access helpers have answered 404 already; this keeps the type checker sure.
        raise CoachingError("Your login isn't linked to a person.")
    return person


def _session(request: AuthenticatedRequest, session_id: int | None) -> CoachingSession | None:
    return session_for_user(request.user, session_id) if session_id is not None else None


@router.get(
    "/relationships/{int:relationship_id}/notes",
    response={200: list[NoteSummaryOut], **READ_ERRORS},
)
def relationship_notes(request: AuthenticatedRequest, relationship_id: int) -> Any:
    """The caller's own notes in the relationship and those shared with them; no content."""
    relationship = relationship_for_party(request.user, relationship_id)
    return list(notes_for_reader(request.user).filter(relationship=relationship))


@router.post("/relationships/{int:relationship_id}/notes", response={201: NoteOut, **WRITE_ERRORS})
def note_new(
    request: AuthenticatedRequest, relationship_id: int, payload: NoteIn
) -> Status[SessionNote]:
    """Write a note in one of the caller's relationships (201)."""
    relationship = relationship_for_party(request.user, relationship_id)
    values = payload.model_dump(exclude={"session", "share"})
    note = note_create(
        relationship=relationship,
        author=_person(request),
        values=values,
        session=_session(request, payload.session),
        share=payload.share,
        request=request,
    )
    return Status(201, note)


@router.get("/notes/{int:note_id}", response={200: NoteOut, **READ_ERRORS})
def note_detail(request: AuthenticatedRequest, note_id: int) -> SessionNote:
    """One note with its content. A read by the other party is written to the audit log."""
    note = note_for_reader(request.user, note_id)
    return note_read(note=note, reader=_person(request), request=request)


@router.patch("/notes/{int:note_id}", response={200: NoteOut, **WRITE_ERRORS})
def note_change(request: AuthenticatedRequest, note_id: int, payload: NoteUpdateIn) -> SessionNote:
    """Change the author's note."""
    note = note_for_author(request.user, note_id)
    given = payload.model_fields_set
    values = {
        name: getattr(payload, name) or "" for name in SessionNote.GROW_FIELDS if name in given
    }
    session = _session(request, payload.session) if "session" in given else note.session
    return note_update(
        note=note, author=_person(request), values=values, session=session, request=request
    )


@router.post("/notes/{int:note_id}/share", response={200: NoteOut, **WRITE_ERRORS})
def note_sharing(request: AuthenticatedRequest, note_id: int) -> SessionNote:
    """Share the author's note with the other party, who is told by e-mail (no content)."""
    note = note_for_author(request.user, note_id)
    return note_share(note=note, author=_person(request), request=request)


@router.post("/notes/{int:note_id}/unshare", response={200: NoteOut, **WRITE_ERRORS})
def note_unsharing(request: AuthenticatedRequest, note_id: int) -> SessionNote:
    """Make the author's note private again."""
    note = note_for_author(request.user, note_id)
    return note_unshare(note=note, author=_person(request), request=request)


@router.delete("/notes/{int:note_id}", response={204: None, **WRITE_ERRORS})
def note_removal(request: AuthenticatedRequest, note_id: int) -> Status[None]:
    """Delete the author's note for good (204)."""
    note = note_for_author(request.user, note_id)
    note_delete(note=note, author=_person(request), request=request)
    return Status(204, None)
