"""What every coaching service shares: what a relationship's status allows, and the error
they raise when a change is refused.

It sits below ``services`` and the modules built beside it (``scheduling``, ``goals``,
``notes``), so that they can use it without importing one another.
"""

from cadre.coaching.models import CoachingRelationship, RelationshipStatus


class CoachingError(Exception):
    """A coaching change was refused; the message says why, in words for the person asking."""


# What each status allows the pair to do.
SCHEDULING_STATUSES = (RelationshipStatus.AGREED, RelationshipStatus.ACTIVE)
WORKING_STATUSES = (RelationshipStatus.AGREED, RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)


def require_working(relationship: CoachingRelationship, *, scheduling: bool = False) -> None:
    """Refuse work on a relationship that isn't under way.

    Goals, actions and notes can change while a relationship is agreed, active or paused;
    sessions can be scheduled only while it is agreed or active. A completed or ended
    relationship is kept as it was.
    """
    allowed = SCHEDULING_STATUSES if scheduling else WORKING_STATUSES
    if relationship.status in allowed:
        return
    status = relationship.get_status_display().lower()
    if scheduling and relationship.status == RelationshipStatus.PAUSED:
        raise CoachingError("The relationship is paused: resume it before scheduling sessions.")
    if relationship.status == RelationshipStatus.PROPOSED:
        raise CoachingError("The pairing is still a proposal: both must accept it first.")
    raise CoachingError(f"The relationship is {status}; its record can no longer change.")
