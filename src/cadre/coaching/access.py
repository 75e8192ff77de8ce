"""Who may see what in coaching. Every view and endpoint fetches objects through these.

The work of a pair (its agreement, sessions, goals, actions and notes) belongs to the pair:
anyone else gets 404, programme admins and sponsors included. Admins see relationships'
metadata (who, status, dates, signature state, counts) through the ``*_for_admin`` helpers,
never a note. A note is read by its author, and by the other party once shared; nobody else,
ever. A circle's sessions and notes belong to its facilitator and members.
"""

import hashlib
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cadre.accounts.access import require_programme_admin
from cadre.accounts.models import User
from cadre.coaching.models import (
    ActionItem,
    CalendarFeed,
    Circle,
    CircleNote,
    CoachingRelationship,
    CoachingSession,
    Goal,
    SessionNote,
)
from cadre.coaching.queries import FEED_DAYS_BACK, sessions_with_attendees
from cadre.people.models import Person


def person_of(user: User | AnonymousUser) -> Person | None:
    """The active person linked to the login, if any."""
    if not user.is_authenticated or not user.is_active:
        return None
    person: Person | None = getattr(user, "person", None)
    return person if person is not None and person.is_active else None


def _party(person: Person | None, prefix: str = "") -> Q:
    if person is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}coach": person}) | Q(**{f"{prefix}coachee": person})


def relationships_for_party(user: User | AnonymousUser) -> QuerySet[CoachingRelationship]:
    """The relationships the user is the coach or the coachee of."""
    return CoachingRelationship.objects.filter(_party(person_of(user))).select_related(
        "programme", "coach", "coachee"
    )


def relationship_for_party(user: User | AnonymousUser, pk: int) -> CoachingRelationship:
    """The relationship ``pk`` if the user is its coach or coachee, else 404."""
    try:
        return relationships_for_party(user).get(pk=pk)
    except CoachingRelationship.DoesNotExist:
        raise Http404("No such relationship.") from None


def relationships_for_admin(user: User | AnonymousUser) -> QuerySet[CoachingRelationship]:
    """Every relationship, for a programme admin (403 for anyone else)."""
    require_programme_admin(user)
    return CoachingRelationship.objects.select_related("programme", "coach", "coachee")


def relationship_for_admin(user: User | AnonymousUser, pk: int) -> CoachingRelationship:
    """The relationship ``pk`` for an admin: its metadata only, never its notes."""
    try:
        return relationships_for_admin(user).get(pk=pk)
    except CoachingRelationship.DoesNotExist:
        raise Http404("No such relationship.") from None


def _circle_member(person: Person | None, prefix: str = "") -> Q:
    if person is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}facilitator": person}) | Q(**{f"{prefix}members": person})


def circles_for_member(user: User | AnonymousUser) -> QuerySet[Circle]:
    """The circles the user facilitates or belongs to."""
    person = person_of(user)
    ids = Circle.objects.filter(_circle_member(person)).values("pk")
    return Circle.objects.filter(pk__in=ids).select_related("facilitator", "programme")


def circle_for_member(user: User | AnonymousUser, pk: int) -> Circle:
    """The circle ``pk`` if the user facilitates it or is a member, else 404."""
    try:
        return circles_for_member(user).get(pk=pk)
    except Circle.DoesNotExist:
        raise Http404("No such circle.") from None


def circle_for_admin(user: User | AnonymousUser, pk: int) -> Circle:
    """The circle ``pk`` for an admin to set up: 403 for non-admins, 404 if missing."""
    require_programme_admin(user)
    try:
        return Circle.objects.select_related("facilitator", "programme").get(pk=pk)
    except Circle.DoesNotExist:
        raise Http404("No such circle.") from None


def sessions_for_user(user: User | AnonymousUser) -> QuerySet[CoachingSession]:
    """The sessions of the user's relationships and circles."""
    person = person_of(user)
    if person is None:
        return CoachingSession.objects.none()
    relationship_ids = CoachingRelationship.objects.filter(_party(person)).values("pk")
    circle_ids = Circle.objects.filter(_circle_member(person)).values("pk")
    return CoachingSession.objects.filter(
        Q(relationship__in=relationship_ids) | Q(circle__in=circle_ids)
    ).select_related(
        "relationship__coach",
        "relationship__coachee",
        "relationship__programme",
        "circle__facilitator",
    )


def session_for_user(user: User | AnonymousUser, pk: int) -> CoachingSession:
    """The session ``pk`` if it is of the user's relationship or circle, else 404."""
    try:
        return sessions_for_user(user).get(pk=pk)
    except CoachingSession.DoesNotExist:
        raise Http404("No such session.") from None


def goal_for_party(user: User | AnonymousUser, pk: int) -> Goal:
    """The goal ``pk`` if it is of the user's relationship, else 404."""
    try:
        return Goal.objects.select_related("relationship__coach", "relationship__coachee").get(
            _party(person_of(user), "relationship__"), pk=pk
        )
    except Goal.DoesNotExist:
        raise Http404("No such goal.") from None


def action_for_party(user: User | AnonymousUser, pk: int) -> ActionItem:
    """The action ``pk`` if it is of the user's relationship, else 404."""
    try:
        return ActionItem.objects.select_related(
            "relationship__coach", "relationship__coachee", "owner"
        ).get(_party(person_of(user), "relationship__"), pk=pk)
    except ActionItem.DoesNotExist:
        raise Http404("No such action.") from None


def notes_for_reader(user: User | AnonymousUser) -> QuerySet[SessionNote]:
    """The notes the user may read: their own, and those the other party shared with them."""
    person = person_of(user)
    if person is None:
        return SessionNote.objects.none()
    return SessionNote.objects.filter(
        Q(author=person) | (Q(shared_at__isnull=False) & _party(person, "relationship__"))
    ).select_related("relationship__coach", "relationship__coachee", "author", "session")


def note_for_reader(user: User | AnonymousUser, pk: int) -> SessionNote:
    """The note ``pk`` if the user wrote it or it was shared with them, else 404."""
    try:
        return notes_for_reader(user).get(pk=pk)
    except SessionNote.DoesNotExist:
        raise Http404("No such note.") from None


def note_for_author(user: User | AnonymousUser, pk: int) -> SessionNote:
    """The note ``pk`` if the user wrote it (to change, share or delete it), else 404."""
    person = person_of(user)
    try:
        return SessionNote.objects.select_related(
            "relationship__coach", "relationship__coachee", "author", "session"
        ).get(pk=pk, author=person)
    except SessionNote.DoesNotExist:
        raise Http404("No such note.") from None


def circle_notes_for_member(user: User | AnonymousUser) -> QuerySet[CircleNote]:
    """The notes of the circles the user facilitates or belongs to."""
    circle_ids = circles_for_member(user).values("pk")
    return CircleNote.objects.filter(circle__in=circle_ids).select_related("author", "circle")


def circle_note_for_member(user: User | AnonymousUser, pk: int) -> CircleNote:
    """The circle note ``pk`` if the user is in its circle, else 404."""
    try:
        return circle_notes_for_member(user).get(pk=pk)
    except CircleNote.DoesNotExist:
        raise Http404("No such note.") from None


def token_digest(token: str) -> str:
    """How a calendar feed's secret is looked up: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_for_token(token: str) -> CalendarFeed:
    """The calendar feed whose secret is ``token`` (its owner's login active), else 404."""
    digest = token_digest(token)
    try:
        return CalendarFeed.objects.select_related("user__person").get(
            token_sha256=digest, user__is_active=True
        )
    except CalendarFeed.DoesNotExist:
        raise Http404("No such calendar.") from None


def feed_sessions_for_user(user: User) -> QuerySet[CoachingSession]:
    """The user's sessions a calendar feed lists: from ``FEED_DAYS_BACK`` days ago on."""
    since = timezone.now() - timedelta(days=FEED_DAYS_BACK)
    return sessions_with_attendees(sessions_for_user(user).filter(starts_at__gte=since))


# Circles: setting them up is for programme admins; the work in them is for the facilitator
# (attendance) and each note's author (changing it).


def circles_for_admin(user: User | AnonymousUser) -> QuerySet[Circle]:
    """Every circle, for a programme admin to set up (403 for anyone else); never its notes."""
    require_programme_admin(user)
    return Circle.objects.select_related("facilitator", "programme")


def circle_for_facilitator(user: User | AnonymousUser, pk: int) -> Circle:
    """The circle ``pk`` for what only its facilitator does: 404 for non-members, 403 for
    members."""
    circle = circle_for_member(user, pk)
    if circle.facilitator_id != getattr(person_of(user), "pk", None):
        raise PermissionDenied("Only the circle's facilitator can do this.")
    return circle


def circle_session_for_facilitator(
    user: User | AnonymousUser, pk: int, session_pk: int
) -> CoachingSession:
    """The session ``session_pk`` of circle ``pk``, for its facilitator: 404 for non-members
    and for another circle's session, 403 for members."""
    circle = circle_for_facilitator(user, pk)
    try:
        session = CoachingSession.objects.get(pk=session_pk, circle=circle)
    except CoachingSession.DoesNotExist:
        raise Http404("No such session.") from None
    session.circle = circle
    return session


def circle_note_for_author(user: User | AnonymousUser, pk: int) -> CircleNote:
    """The circle note ``pk`` for its author to change: 404 for non-members, 403 for the
    other members."""
    note = circle_note_for_member(user, pk)
    if note.author_id != getattr(person_of(user), "pk", None):
        raise PermissionDenied("Only the note's author can change it.")
    return note
