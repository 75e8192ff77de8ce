"""Development goals and action items: the changes a coach and coachee make to them.

Both parties may do all of it, while the relationship is under way (``require_working``):
set goals, edit them, record progress, drop and reopen them, agree actions and tick them off.
Refusals raise ``CoachingError`` with a message that names the field at fault.

Progress is recorded, never overwritten: each update writes a ``GoalProgress`` row with a
comment, and ``Goal.progress`` holds the latest figure. **Recording 100% marks the goal
achieved**, so every achievement carries a comment saying what was achieved; there is no other
way to achieve a goal. A goal that is achieved or dropped can't change until it is reopened;
reopening keeps its progress, and the next update moves it.

Audit entries target the relationship and name the goal or action by id, with figures and
dates only: the audit log's target label is the object's ``str()``, and a goal's or action's is
its title, which is the pair's own words and not for admins' eyes.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.coaching.access import person_of
from cadre.coaching.models import (
    ActionItem,
    CoachingRelationship,
    CoachingSession,
    Goal,
    GoalProgress,
    GoalStatus,
)
from cadre.coaching.rules import CoachingError, require_working
from cadre.people.models import Competency, Person

TITLE_MAX = Goal._meta.get_field("title").max_length or 300
MEASURE_MAX = Goal._meta.get_field("measure").max_length or 500
COMMENT_MAX = 2000
ACTION_TITLE_MAX = ActionItem._meta.get_field("title").max_length or 300


def _require_party(relationship: CoachingRelationship, by: User) -> None:
    if relationship.party_role(person_of(by)) is None:
        raise CoachingError("Only the coach and the coachee work on their goals and actions.")


def _text(value: str, *, label: str, maximum: int) -> str:
    text = value.strip()
    if not text:
        raise CoachingError(f"{label}: this can't be empty.")
    if len(text) > maximum:
        raise CoachingError(f"{label}: keep it to {maximum} characters at most.")
    return text


def _competencies(
    competencies: Iterable[Competency], *, already: Iterable[Competency] = ()
) -> list[Competency]:
    """The competencies to link: in use ones, or ones the goal was linked to already."""
    kept = {competency.pk for competency in already}
    chosen = list({competency.pk: competency for competency in competencies}.values())
    for competency in chosen:
        if not competency.is_active and competency.pk not in kept:
            raise CoachingError(f"Competencies: “{competency}” is no longer in use.")
    return chosen


def _target_date(target_date: date, *, unchanged_from: date | None = None) -> date:
    if target_date != unchanged_from and target_date < timezone.localdate():
        raise CoachingError("Target date: choose today or a later date.")
    return target_date


def _require_open(goal: Goal) -> None:
    if goal.status != GoalStatus.OPEN:
        status = goal.get_status_display().lower()
        raise CoachingError(f"This goal is {status}: reopen it before changing it.")


def goal_create(
    *,
    relationship: CoachingRelationship,
    by: User,
    title: str,
    measure: str,
    target_date: date,
    competencies: Iterable[Competency] = (),
    request: HttpRequest | None = None,
) -> Goal:
    """Set a new SMART goal for the relationship, at 0% progress."""
    _require_party(relationship, by)
    require_working(relationship)
    title = _text(title, label="Specific outcome", maximum=TITLE_MAX)
    measure = _text(measure, label="Measure", maximum=MEASURE_MAX)
    target_date = _target_date(target_date)
    linked = _competencies(competencies)
    with transaction.atomic():
        goal = Goal.objects.create(
            relationship=relationship,
            title=title,
            measure=measure,
            target_date=target_date,
            created_by=by,
        )
        goal.competencies.set(linked)
        audit_record(
            actor=by,
            action="coaching.goal_create",
            target=relationship,
            request=request,
            details={
                "goal": goal.pk,
                "competencies": sorted(competency.pk for competency in linked),
            },
        )
    return goal


def goal_update(
    *,
    goal: Goal,
    by: User,
    title: str,
    measure: str,
    target_date: date,
    competencies: Iterable[Competency],
    request: HttpRequest | None = None,
) -> Goal:
    """Change an open goal's outcome, measure, target date and competencies.

    A target date already in the past may stay as it is; a new one must not be past.
    """
    relationship = goal.relationship
    _require_party(relationship, by)
    require_working(relationship)
    _require_open(goal)
    title = _text(title, label="Specific outcome", maximum=TITLE_MAX)
    measure = _text(measure, label="Measure", maximum=MEASURE_MAX)
    target_date = _target_date(target_date, unchanged_from=goal.target_date)
    linked = _competencies(competencies, already=goal.competencies.all())
    with transaction.atomic():
        changed = [
            name
            for name, value in (
                ("title", title),
                ("measure", measure),
                ("target_date", target_date),
            )
            if getattr(goal, name) != value
        ]
        goal.title, goal.measure, goal.target_date = title, measure, target_date
        goal.updated_at = timezone.now()
        goal.save(update_fields=["title", "measure", "target_date", "updated_at"])
        goal.competencies.set(linked)
        audit_record(
            actor=by,
            action="coaching.goal_update",
            target=relationship,
            request=request,
            details={
                "goal": goal.pk,
                "changed": changed,
                "competencies": sorted(competency.pk for competency in linked),
            },
        )
    return goal


def goal_progress_record(
    *,
    goal: Goal,
    by: User,
    progress: int,
    comment: str,
    request: HttpRequest | None = None,
) -> GoalProgress:
    """Record where an open goal stands (0–100%) and what moved it; 100% achieves the goal."""
    relationship = goal.relationship
    _require_party(relationship, by)
    require_working(relationship)
    _require_open(goal)
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise CoachingError("Progress: give a whole number from 0 to 100.")
    comment = _text(comment, label="Comment", maximum=COMMENT_MAX)
    now = timezone.now()
    with transaction.atomic():
        locked = Goal.objects.select_for_update().get(pk=goal.pk)
        _require_open(locked)
        update = GoalProgress.objects.create(
            goal=goal, progress=progress, comment=comment, by=by, at=now
        )
        previous = locked.progress
        goal.progress = progress
        goal.status = GoalStatus.ACHIEVED if progress == 100 else GoalStatus.OPEN
        goal.updated_at = now
        goal.save(update_fields=["progress", "status", "updated_at"])
        audit_record(
            actor=by,
            action="coaching.goal_progress",
            target=relationship,
            request=request,
            details={"goal": goal.pk, "from": previous, "to": progress, "status": goal.status},
        )
    return update


def _goal_status_set(
    *, goal: Goal, by: User, status: GoalStatus, action: str, request: HttpRequest | None
) -> Goal:
    with transaction.atomic():
        previous = goal.status
        goal.status = status
        goal.updated_at = timezone.now()
        goal.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            action=action,
            target=goal.relationship,
            request=request,
            details={
                "goal": goal.pk,
                "from": previous,
                "to": status.value,
                "progress": goal.progress,
            },
        )
    return goal


def goal_drop(*, goal: Goal, by: User, request: HttpRequest | None = None) -> Goal:
    """Set an open goal aside; its progress and history stay."""
    _require_party(goal.relationship, by)
    require_working(goal.relationship)
    if goal.status != GoalStatus.OPEN:
        raise CoachingError("Only a goal in progress can be dropped.")
    return _goal_status_set(
        goal=goal, by=by, status=GoalStatus.DROPPED, action="coaching.goal_drop", request=request
    )


def goal_reopen(*, goal: Goal, by: User, request: HttpRequest | None = None) -> Goal:
    """Bring an achieved or dropped goal back into progress, at the progress it had."""
    _require_party(goal.relationship, by)
    require_working(goal.relationship)
    if goal.status == GoalStatus.OPEN:
        raise CoachingError("This goal is already in progress.")
    return _goal_status_set(
        goal=goal, by=by, status=GoalStatus.OPEN, action="coaching.goal_reopen", request=request
    )


def action_create(
    *,
    relationship: CoachingRelationship,
    by: User,
    title: str,
    owner: Person,
    due_on: date,
    session: CoachingSession | None = None,
    goal: Goal | None = None,
    request: HttpRequest | None = None,
) -> ActionItem:
    """Agree an action: the coach or the coachee owns it, by a date; it may come from one of
    the relationship's sessions and serve one of its goals."""
    _require_party(relationship, by)
    require_working(relationship)
    title = _text(title, label="Action", maximum=ACTION_TITLE_MAX)
    if relationship.party_role(owner) is None:
        raise CoachingError("Owner: choose the coach or the coachee.")
    if due_on < timezone.localdate():
        raise CoachingError("Due on: choose today or a later date.")
    if session is not None and session.relationship_id != relationship.pk:
        raise CoachingError("Session: choose one of this relationship's sessions.")
    if goal is not None and goal.relationship_id != relationship.pk:
        raise CoachingError("Goal: choose one of this relationship's goals.")
    with transaction.atomic():
        action = ActionItem.objects.create(
            relationship=relationship,
            title=title,
            owner=owner,
            due_on=due_on,
            session=session,
            goal=goal,
            created_by=by,
        )
        audit_record(
            actor=by,
            action="coaching.action_create",
            target=relationship,
            request=request,
            details={
                "action": action.pk,
                "owner": owner.pk,
                "due_on": due_on.isoformat(),
                "session": session.pk if session else None,
                "goal": goal.pk if goal else None,
            },
        )
    return action


def action_complete(
    *, action: ActionItem, by: User, request: HttpRequest | None = None
) -> ActionItem:
    """Tick an open action off, now."""
    _require_party(action.relationship, by)
    require_working(action.relationship)
    if action.done_at is not None:
        raise CoachingError("This action is already done.")
    with transaction.atomic():
        action.done_at = timezone.now()
        action.save(update_fields=["done_at"])
        audit_record(
            actor=by,
            action="coaching.action_complete",
            target=action.relationship,
            request=request,
            details={
                "action": action.pk,
                "overdue": action.due_on < timezone.localdate(action.done_at),
            },
        )
    return action


def action_reopen(
    *, action: ActionItem, by: User, request: HttpRequest | None = None
) -> ActionItem:
    """Put a done action back on the list; it keeps its due date."""
    _require_party(action.relationship, by)
    require_working(action.relationship)
    if action.done_at is None:
        raise CoachingError("This action is still open.")
    with transaction.atomic():
        action.done_at = None
        action.save(update_fields=["done_at"])
        audit_record(
            actor=by,
            action="coaching.action_reopen",
            target=action.relationship,
            request=request,
            details={"action": action.pk},
        )
    return action
