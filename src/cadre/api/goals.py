"""Goals and actions of the caller's own coaching relationships: list, create, change, record
progress, drop and reopen goals; add, complete and reopen actions.

Only the coach and the coachee of a relationship reach its goals and actions (404 for
anyone else, admins included), through ``cadre.coaching.access``; every change goes through
``cadre.coaching.goals``, so the API refuses what the pages refuse (400, the service's words).
"""

from datetime import date, datetime
from typing import Any

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from cadre.accounts.http import AuthenticatedRequest
from cadre.api.schemas import MessageOut, PersonRef, ValidationErrorOut
from cadre.coaching import goals as services
from cadre.coaching import queries
from cadre.coaching.access import action_for_party, goal_for_party, relationship_for_party
from cadre.coaching.models import (
    ActionItem,
    CoachingRelationship,
    CoachingSession,
    Goal,
    GoalProgress,
    GoalStatus,
)
from cadre.coaching.rules import CoachingError
from cadre.people.models import Competency, Person

router = Router(tags=["goals and actions"])

READ_ERRORS: dict[int, Any] = {401: MessageOut, 403: MessageOut, 404: MessageOut}
WRITE_ERRORS: dict[int, Any] = {400: ValidationErrorOut, 422: ValidationErrorOut, **READ_ERRORS}


# Shapes


class CompetencyRef(Schema):
    id: int
    name: str


class GoalUpdateOut(Schema):
    progress: int
    comment: str
    by: str | None
    at: datetime

    @staticmethod
    def resolve_by(obj: GoalProgress) -> str | None:
        return str(obj.by) if obj.by is not None else None


class GoalOut(Schema):
    id: int
    relationship: int = Field(alias="relationship_id")
    title: str = Field(description="The specific outcome.")
    measure: str
    target_date: date
    progress: int = Field(description="0 to 100; 100 means achieved.")
    status: GoalStatus
    competencies: list[CompetencyRef]
    updates: list[GoalUpdateOut] = Field(description="The progress history, oldest first.")

    @staticmethod
    def resolve_competencies(obj: Goal) -> list[Competency]:
        return list(obj.competencies.all())

    @staticmethod
    def resolve_updates(obj: Goal) -> list[GoalProgress]:
        return list(obj.updates.all())


class GoalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="The specific outcome.")
    measure: str
    target_date: date = Field(description="Today or later.")
    competencies: list[int] = Field([], description="Ids of competencies in use.")


class GoalChangeIn(Schema):
    """The fields to change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    measure: str | None = None
    target_date: date | None = None
    competencies: list[int] | None = None


class ProgressIn(Schema):
    model_config = ConfigDict(extra="forbid")

    progress: int = Field(description="0 to 100; 100 marks the goal achieved.")
    comment: str = Field(description="What moved it; required.")


class ActionOut(Schema):
    id: int
    relationship: int = Field(alias="relationship_id")
    title: str
    owner: PersonRef
    due_on: date
    done_at: datetime | None
    overdue: bool
    session: int | None = Field(alias="session_id")
    goal: int | None = Field(alias="goal_id")

    @staticmethod
    def resolve_overdue(obj: ActionItem) -> bool:
        return obj.is_overdue()


class ActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str
    owner: int = Field(description="The person id of the coach or the coachee.")
    due_on: date = Field(description="Today or later.")
    session: int | None = Field(None, description="One of the relationship's sessions.")
    goal: int | None = Field(None, description="One of the relationship's goals.")


# Parsing references


def _competencies(ids: list[int]) -> list[Competency]:
    found = {competency.pk: competency for competency in Competency.objects.filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise CoachingError(f"Competencies: no competency with id {', '.join(missing)}.")
    return list(found.values())


def _owner(relationship: CoachingRelationship, person_id: int) -> Person:
    parties = {
        relationship.coach_id: relationship.coach,
        relationship.coachee_id: relationship.coachee,
    }
    if person_id not in parties:
        raise CoachingError("Owner: choose the coach or the coachee.")
    return parties[person_id]


def _session(relationship: CoachingRelationship, pk: int | None) -> CoachingSession | None:
    if pk is None:
        return None
    session = CoachingSession.objects.filter(relationship=relationship, pk=pk).first()
    if session is None:
        raise CoachingError("Session: choose one of this relationship's sessions.")
    return session


def _goal(relationship: CoachingRelationship, pk: int | None) -> Goal | None:
    if pk is None:
        return None
    goal = Goal.objects.filter(relationship=relationship, pk=pk).first()
    if goal is None:
        raise CoachingError("Goal: choose one of this relationship's goals.")
    return goal


def _goal_out(goal: Goal) -> Goal:
    return queries.goal_with_history(Goal.objects.all(), goal.pk)


def _action_out(action: ActionItem) -> ActionItem:
    return ActionItem.objects.select_related("owner").get(pk=action.pk)


# Goals


@router.get(
    "/relationships/{int:relationship_id}/goals", response={200: list[GoalOut], **READ_ERRORS}
)
def goal_list(request: AuthenticatedRequest, relationship_id: int) -> Any:
    """The relationship's goals, in progress first, each with competencies and history."""
    relationship = relationship_for_party(request.user, relationship_id)
    return queries.goals_of(relationship)


@router.post("/relationships/{int:relationship_id}/goals", response={201: GoalOut, **WRITE_ERRORS})
def goal_new(request: AuthenticatedRequest, relationship_id: int, payload: GoalIn) -> Any:
    relationship = relationship_for_party(request.user, relationship_id)
    goal = services.goal_create(
        relationship=relationship,
        by=request.user,
        title=payload.title,
        measure=payload.measure,
        target_date=payload.target_date,
        competencies=_competencies(payload.competencies),
        request=request,
    )
    return Status(201, _goal_out(goal))


@router.patch("/goals/{int:goal_id}", response={200: GoalOut, **WRITE_ERRORS})
def goal_change(request: AuthenticatedRequest, goal_id: int, payload: GoalChangeIn) -> Any:
    """Change an open goal's fields given; the others stay."""
    goal = goal_for_party(request.user, goal_id)
    competencies = (
        list(goal.competencies.all())
        if payload.competencies is None
        else _competencies(payload.competencies)
    )
    services.goal_update(
        goal=goal,
        by=request.user,
        title=goal.title if payload.title is None else payload.title,
        measure=goal.measure if payload.measure is None else payload.measure,
        target_date=goal.target_date if payload.target_date is None else payload.target_date,
        competencies=competencies,
        request=request,
    )
    return _goal_out(goal)


@router.post("/goals/{int:goal_id}/progress", response={201: GoalOut, **WRITE_ERRORS})
def goal_progress(request: AuthenticatedRequest, goal_id: int, payload: ProgressIn) -> Any:
    """Record progress (0–100) with a comment; 100 marks the goal achieved."""
    goal = goal_for_party(request.user, goal_id)
    services.goal_progress_record(
        goal=goal,
        by=request.user,
        progress=payload.progress,
        comment=payload.comment,
        request=request,
    )
    return Status(201, _goal_out(goal))


@router.post("/goals/{int:goal_id}/drop", response={200: GoalOut, **WRITE_ERRORS})
def goal_drop(request: AuthenticatedRequest, goal_id: int) -> Any:
    goal = goal_for_party(request.user, goal_id)
    services.goal_drop(goal=goal, by=request.user, request=request)
    return _goal_out(goal)


@router.post("/goals/{int:goal_id}/reopen", response={200: GoalOut, **WRITE_ERRORS})
def goal_reopen(request: AuthenticatedRequest, goal_id: int) -> Any:
    goal = goal_for_party(request.user, goal_id)
    services.goal_reopen(goal=goal, by=request.user, request=request)
    return _goal_out(goal)


# Actions


@router.get(
    "/relationships/{int:relationship_id}/actions", response={200: list[ActionOut], **READ_ERRORS}
)
def action_list(request: AuthenticatedRequest, relationship_id: int) -> Any:
    """The relationship's actions: open ones first by due date, then done ones."""
    relationship = relationship_for_party(request.user, relationship_id)
    return queries.actions_of(relationship)


@router.post(
    "/relationships/{int:relationship_id}/actions", response={201: ActionOut, **WRITE_ERRORS}
)
def action_new(request: AuthenticatedRequest, relationship_id: int, payload: ActionIn) -> Any:
    relationship = relationship_for_party(request.user, relationship_id)
    action = services.action_create(
        relationship=relationship,
        by=request.user,
        title=payload.title,
        owner=_owner(relationship, payload.owner),
        due_on=payload.due_on,
        session=_session(relationship, payload.session),
        goal=_goal(relationship, payload.goal),
        request=request,
    )
    return Status(201, _action_out(action))


@router.post("/actions/{int:action_id}/complete", response={200: ActionOut, **WRITE_ERRORS})
def action_complete(request: AuthenticatedRequest, action_id: int) -> Any:
    action = action_for_party(request.user, action_id)
    return services.action_complete(action=action, by=request.user, request=request)


@router.post("/actions/{int:action_id}/reopen", response={200: ActionOut, **WRITE_ERRORS})
def action_reopen(request: AuthenticatedRequest, action_id: int) -> Any:
    action = action_for_party(request.user, action_id)
    return services.action_reopen(action=action, by=request.user, request=request)
