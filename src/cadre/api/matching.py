"""Matching, for programme admins: start a run of a programme, read its status and result
(proposals with their explanation, the unmatched with their reasons), approve proposals.

Anyone else gets 403; an id that isn't there, 404. Refusals (a run already going, a
programme not taking pairs) are 400 with the reason.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from cadre.accounts.http import AuthenticatedRequest
from cadre.api.schemas import MessageOut, PersonRef, ValidationErrorOut
from cadre.matching.access import programme_for_matching, run_for_admin
from cadre.matching.models import MatchRun, MatchRunKind, MatchRunStatus
from cadre.matching.queries import ReviewFilters, proposals_for_review, unmatched_for_review
from cadre.matching.services import (
    match_run_fail_if_left_behind,
    match_run_start,
    proposals_approve,
    run_parameters,
)

router = Router(tags=["matching"])

READ_ERRORS: dict[int, Any] = {401: MessageOut, 403: MessageOut, 404: MessageOut}
WRITE_ERRORS: dict[int, Any] = {400: ValidationErrorOut, 422: ValidationErrorOut, **READ_ERRORS}


class RunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    programme_id: int
    kind: MatchRunKind = MatchRunKind.FULL
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="competency, silo, availability, preference, seniority (docs/matching.md).",
    )
    exclude_past_pairs: bool = True


class RunOut(Schema):
    id: int
    programme: int = Field(validation_alias="programme_id")
    kind: MatchRunKind
    status: MatchRunStatus
    progress: int = Field(description="0 to 100.")
    stage: str
    parameters: dict[str, Any]
    started_by: int | None = Field(validation_alias="started_by_id")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    objective: float | None = Field(description="The total score of the proposed pairs.")
    bound: float | None
    gap: float | None = Field(description="Bound minus objective: 0 when proved optimal.")
    certified: bool
    summary: dict[str, Any]
    error: str


class ProposalOut(Schema):
    id: int
    coachee: PersonRef
    coach: PersonRef
    score: float
    factors: dict[str, float] = Field(description="Each factor's contribution to the score.")
    rank: int | None = Field(description="The coach's place among the coachee's allowed coaches.")
    options: int | None
    pinned: bool
    relationship: int | None = Field(validation_alias="relationship_id")
    refusal: str


class UnmatchedOut(Schema):
    coachee: PersonRef
    reasons: dict[str, int] = Field(description="Rule to the number of coaches it ruled out.")


class RunResultOut(Schema):
    run: RunOut
    proposals: list[ProposalOut]
    unmatched: list[UnmatchedOut]


class ApproveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    proposal_ids: list[int] = Field(min_length=1)


class RefusalOut(Schema):
    proposal: int
    reason: str


class ApprovalOut(Schema):
    approved: list[int]
    already: list[int]
    refused: list[RefusalOut]


@router.post("/runs", response={202: RunOut, **WRITE_ERRORS})
def run_start(request: AuthenticatedRequest, body: RunIn) -> Any:
    """Start a run of a programme (202): follow it at ``GET /matching/runs/{id}``."""
    programme = programme_for_matching(request.user, body.programme_id)
    parameters = run_parameters(
        programme=programme,
        weights=body.weights,
        rules={"exclude_past_pairs": body.exclude_past_pairs},
    )
    run = match_run_start(
        programme=programme, by=request.user, kind=body.kind, parameters=parameters, request=request
    )
    return Status(202, run)


@router.get("/runs/{int:run_id}", response={200: RunOut, **READ_ERRORS})
def run_status(request: AuthenticatedRequest, run_id: int) -> MatchRun:
    """A run's status and progress, and once finished its figures and summary. A run left
    queued or running for two hours (its worker gone) is failed first, with the reason."""
    return match_run_fail_if_left_behind(
        run=run_for_admin(request.user, run_id), by=request.user, request=request
    )


@router.get("/runs/{int:run_id}/result", response={200: RunResultOut, **READ_ERRORS})
def run_result(request: AuthenticatedRequest, run_id: int) -> Any:
    """A run with every proposal (and its explanation) and every unmatched coachee."""
    run = match_run_fail_if_left_behind(
        run=run_for_admin(request.user, run_id), by=request.user, request=request
    )
    return {
        "run": run,
        "proposals": list(proposals_for_review(run, ReviewFilters())),
        "unmatched": list(unmatched_for_review(run, ReviewFilters())),
    }


@router.post("/runs/{int:run_id}/approve", response={200: ApprovalOut, **WRITE_ERRORS})
def run_approve(request: AuthenticatedRequest, run_id: int, body: ApproveIn) -> Any:
    """Approve proposals: each becomes a proposed relationship through coaching, every hard
    rule checked again; the ones refused come back with the reason."""
    run = run_for_admin(request.user, run_id)
    outcome = proposals_approve(
        run=run, proposal_ids=body.proposal_ids, by=request.user, request=request
    )
    return {
        "approved": [p.pk for p in outcome.approved],
        "already": [p.pk for p in outcome.already],
        "refused": [{"proposal": p.pk, "reason": reason} for p, reason in outcome.refused],
    }


__all__ = ["router"]
