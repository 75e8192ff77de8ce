"""Coachee choice: the caller's own suggestions, and asking one of them.

``GET /suggestions`` answers for the caller only, in every programme where they are an
approved coachee and coachee choice is open; nobody reads another person's suggestions.
``POST /suggestions`` asks one of them: a proposed relationship the coachee has accepted, for
the coach to accept or decline (``/relationships/{id}/accept`` or ``/decline``).
"""

from typing import Any, Literal

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from cadre.accounts.http import AuthenticatedRequest
from cadre.api.relationships import READ_ERRORS, WRITE_ERRORS, RelationshipOut
from cadre.api.schemas import PersonRef
from cadre.coaching.access import person_of
from cadre.matching.access import programme_for_choice
from cadre.matching.choice import (
    ChoicePage,
    choice_programmes,
    suggestion_request,
    suggestions_for,
)
from cadre.people.models import Person

router = Router(tags=["suggestions"])


class SuggestionOut(Schema):
    coach: PersonRef
    rank: int = Field(description="1 is the best-scored coach for the caller.")
    score: float
    factors: dict[str, float] = Field(description="Each score factor's contribution.")
    reasons: list[str] = Field(description="The strongest factors, in words.")
    bio: str = Field(description="The coach's short bio in this programme (may be empty).")


class ProgrammeSuggestionsOut(Schema):
    programme: int
    programme_name: str
    state: Literal["choose", "requested", "paired", "awaiting_run", "unavailable"] = Field(
        description="choose: pick one of ``suggestions`` (empty when no coach has a place); "
        "requested: waiting for the coach asked; paired: the caller has a coach; awaiting_run: "
        "the programme's team has proposed a coach; unavailable: the programme's data can't "
        "be matched at the moment (``problem`` says why)."
    )
    relationship: int | None
    suggestions: list[SuggestionOut]
    problem: str


class SuggestionRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    programme_id: int
    coach_id: int


def _state(page: ChoicePage) -> str:
    if page.relationship is not None:
        return "requested" if page.relationship.status == "proposed" else "paired"
    if page.awaiting_run:
        return "awaiting_run"
    return "unavailable" if page.problem else "choose"


@router.get("", response={200: list[ProgrammeSuggestionsOut], **READ_ERRORS})
def my_suggestions(request: AuthenticatedRequest) -> Any:
    """The caller's suggestions in each programme where they may choose a coach now."""
    person = person_of(request.user)
    if person is None:
        return []
    pages = [
        suggestions_for(programme=programme, coachee=person)
        for programme in choice_programmes(person)
    ]
    return [
        {
            "programme": page.programme.pk,
            "programme_name": page.programme.name,
            "state": _state(page),
            "relationship": page.relationship.pk if page.relationship else None,
            "suggestions": page.suggestions,
            "problem": page.problem,
        }
        for page in pages
    ]


@router.post("", response={201: RelationshipOut, **WRITE_ERRORS})
def suggestion_ask(request: AuthenticatedRequest, payload: SuggestionRequestIn) -> Any:
    """Ask one of the caller's suggestions to be their coach; 400 if the coach is no longer
    among them (their places went) or the caller has asked or has a coach already."""
    programme = programme_for_choice(request.user, payload.programme_id)
    coach = Person.objects.filter(pk=payload.coach_id).first()
    if coach is None:
        return Status(404, {"detail": "No such person."})
    relationship = suggestion_request(
        programme=programme, coach=coach, requested_by=request.user, request=request
    )
    return Status(201, relationship)
