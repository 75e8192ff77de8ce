"""Helpers for the notes tests: a note with every text filled, and a session of a pair."""

from datetime import timedelta

from django.utils import timezone

from cadre.coaching.models import CoachingRelationship, CoachingSession, SessionNote
from cadre.people.models import Person


def grow(marker: str) -> dict[str, str]:
    """Every text of a note, each holding ``marker`` so a leak of any one of them shows."""
    return {name: f"{marker}-{name}" for name in SessionNote.GROW_FIELDS}


def write_note(
    relationship: CoachingRelationship,
    author: Person,
    marker: str = "MARKER",
    *,
    shared: bool = False,
    session: CoachingSession | None = None,
) -> SessionNote:
    """A note written directly, for tests of what comes after writing."""
    return SessionNote.objects.create(
        relationship=relationship,
        author=author,
        session=session,
        shared_at=timezone.now() if shared else None,
        **grow(marker),
    )


def session_of(relationship: CoachingRelationship, *, days: int = 1) -> CoachingSession:
    return CoachingSession.objects.create(
        relationship=relationship,
        starts_at=timezone.now() + timedelta(days=days),
        time_zone="Europe/London",
        format=CoachingSession.Format.VIDEO,
    )
