"""Coaching relationships: the caller's own (list, read, accept, decline, the agreement and
signing it) and, for programme admins, pairing by hand and moving a relationship on.

Admins never read a pair's agreement here: ``/agreement`` is for the coach and the coachee.
"""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.queries import is_programme_admin
from cadre.api.schemas import MessageOut, PersonRef, ValidationErrorOut
from cadre.coaching.access import (
    person_of,
    relationship_for_admin,
    relationship_for_party,
    relationships_for_party,
)
from cadre.coaching.models import (
    Agreement,
    CoachingRelationship,
    EndReason,
    RelationshipOrigin,
    RelationshipStatus,
)
from cadre.coaching.queries import agreement_of
from cadre.coaching.services import (
    agreement_document,
    agreement_sign,
    relationship_accept,
    relationship_complete,
    relationship_confirm,
    relationship_decline,
    relationship_end,
    relationship_pause,
    relationship_propose,
    relationship_resume,
)
from cadre.people.models import Person
from cadre.programs.access import programme_for_admin

router = Router(tags=["relationships"])

READ_ERRORS: dict[int, Any] = {
    401: MessageOut,
    403: MessageOut,
    404: MessageOut,
    422: ValidationErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {400: ValidationErrorOut, **READ_ERRORS}


class RelationshipOut(Schema):
    id: int
    programme: int = Field(validation_alias="programme_id")
    programme_name: str
    coach: PersonRef
    coachee: PersonRef
    status: RelationshipStatus
    origin: RelationshipOrigin
    coach_accepted_at: datetime | None
    coachee_accepted_at: datetime | None
    proposed_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    end_reason: EndReason | Literal[""]

    @staticmethod
    def resolve_programme_name(obj: CoachingRelationship) -> str:
        return obj.programme.name


class AgreementOut(Schema):
    relationship: int = Field(validation_alias="relationship_id")
    template_version: int
    goals: str
    confidentiality: str
    cadence: str
    concerns: str
    ending: str
    text: str = Field(
        description="The whole agreement in Markdown: once both signed, exactly as signed."
    )
    coach_signed_at: datetime | None
    coachee_signed_at: datetime | None
    signed_text_sha256: str

    @staticmethod
    def resolve_text(obj: Agreement) -> str:
        return obj.signed_text if obj.is_signed else agreement_document(obj)


class PairIn(Schema):
    model_config = ConfigDict(extra="forbid")

    programme_id: int
    coach_id: int
    coachee_id: int


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["confirm", "pause", "resume", "complete", "end"] = Field(
        description="confirm, complete and end: admins; pause and resume: admins and the pair."
    )
    reason: EndReason | Literal[""] = Field(default="", description="Why it ends (end only).")
    note: str = Field(default="", max_length=2000, description="For programme admins only.")


@router.get("", response={200: list[RelationshipOut], **READ_ERRORS})
def my_relationships(request: AuthenticatedRequest) -> Any:
    """The caller's relationships as coach or coachee, newest first."""
    return relationships_for_party(request.user).order_by("-proposed_at", "-pk")


@router.get("/{int:relationship_id}", response={200: RelationshipOut, **READ_ERRORS})
def relationship_detail(request: AuthenticatedRequest, relationship_id: int) -> Any:
    """One of the caller's relationships; 404 for anyone else."""
    return relationship_for_party(request.user, relationship_id)


def _party(request: AuthenticatedRequest, relationship_id: int) -> tuple[Any, Person]:
    relationship = relationship_for_party(request.user, relationship_id)
    person = person_of(request.user)
    assert person is not None  # the relationship is theirs
    return relationship, person


@router.post("/{int:relationship_id}/accept", response={200: RelationshipOut, **WRITE_ERRORS})
def relationship_acceptance(request: AuthenticatedRequest, relationship_id: int) -> Any:
    """Accept a proposal; once both have, the relationship is agreed."""
    relationship, person = _party(request, relationship_id)
    return relationship_accept(relationship=relationship, person=person, request=request)


@router.post("/{int:relationship_id}/decline", response={200: RelationshipOut, **WRITE_ERRORS})
def relationship_declining(request: AuthenticatedRequest, relationship_id: int) -> Any:
    """Decline a proposal: it ends, no fault, and the coachee is re-matched with priority."""
    relationship, person = _party(request, relationship_id)
    return relationship_decline(relationship=relationship, person=person, request=request)


@router.get("/{int:relationship_id}/agreement", response={200: AgreementOut, **READ_ERRORS})
def agreement_detail(request: AuthenticatedRequest, relationship_id: int) -> Any:
    """The pair's agreement; 404 before both accepted, and for anyone but the pair."""
    relationship = relationship_for_party(request.user, relationship_id)
    agreement = agreement_of(relationship)
    if agreement is None:
        return Status(404, {"detail": "There is no agreement yet: both must accept first."})
    return agreement


@router.post("/{int:relationship_id}/agreement/sign", response={200: AgreementOut, **WRITE_ERRORS})
def agreement_signing(
    request: AuthenticatedRequest, relationship_id: int, sha256: str | None = None
) -> Any:
    """Sign the agreement as it is now; signing twice changes nothing. When both have
    signed, the relationship is active. Pass ``sha256``, the SHA-256 of the ``text`` you read,
    and the signature is refused (400) if the other party changed the text since."""
    relationship, person = _party(request, relationship_id)
    agreement = agreement_of(relationship)
    if agreement is None:
        return Status(404, {"detail": "There is no agreement yet: both must accept first."})
    return agreement_sign(agreement=agreement, person=person, shown_sha256=sha256, request=request)


@router.post("", response={201: RelationshipOut, **WRITE_ERRORS})
def relationship_new(request: AuthenticatedRequest, payload: PairIn) -> Any:
    """Pair a coach with a coachee by hand (programme admins): a proposal both accept. Every
    hard rule broken is named in one 400."""
    programme = programme_for_admin(request.user, payload.programme_id)
    coach = Person.objects.filter(pk=payload.coach_id).first()
    coachee = Person.objects.filter(pk=payload.coachee_id).first()
    if coach is None or coachee is None:
        return Status(404, {"detail": "No such person."})
    relationship = relationship_propose(
        programme=programme,
        coach=coach,
        coachee=coachee,
        proposed_by=request.user,
        request=request,
    )
    return Status(201, relationship)


@router.post("/{int:relationship_id}/transitions", response={200: RelationshipOut, **WRITE_ERRORS})
def relationship_move(request: AuthenticatedRequest, relationship_id: int, payload: MoveIn) -> Any:
    """Move the relationship on. Admins may do everything; the coach and the coachee may
    pause and resume (403 otherwise)."""
    if is_programme_admin(request.user):
        relationship = relationship_for_admin(request.user, relationship_id)
    else:
        relationship = relationship_for_party(request.user, relationship_id)
    user = request.user
    if payload.action == "confirm":
        return relationship_confirm(relationship=relationship, by=user, request=request)
    if payload.action == "pause":
        return relationship_pause(
            relationship=relationship, by=user, note=payload.note, request=request
        )
    if payload.action == "resume":
        return relationship_resume(
            relationship=relationship, by=user, note=payload.note, request=request
        )
    if payload.action == "complete":
        return relationship_complete(
            relationship=relationship, by=user, note=payload.note, request=request
        )
    return relationship_end(
        relationship=relationship,
        reason=payload.reason,
        note=payload.note,
        ended_by=user,
        request=request,
    )
