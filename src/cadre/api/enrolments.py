"""Enrolments: the caller's own (list, apply, withdraw) and, for programme admins, a
programme's enrolments (list with filters, decide in bulk)."""

from typing import Any

from ninja import Router, Status

from cadre.accounts.http import AuthenticatedRequest
from cadre.api.schemas import (
    ApplicationIn,
    DecisionIn,
    EnrolmentOut,
    MessageOut,
    MyEnrolmentOut,
    ValidationErrorOut,
)
from cadre.programs import queries
from cadre.programs.access import (
    enrolment_for_participant,
    open_programme_for_user,
    participant_for_user,
    programme_for_admin,
)
from cadre.programs.models import Enrolment, EnrolmentRole, EnrolmentRoute, EnrolmentStatus
from cadre.programs.services import enrolment_apply, enrolment_withdraw, enrolments_decide

router = Router(tags=["enrolments"])

READ_ERRORS: dict[int, Any] = {
    401: MessageOut,
    403: MessageOut,
    404: MessageOut,
    422: ValidationErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {400: ValidationErrorOut, **READ_ERRORS}


@router.get("/enrolments", response={200: list[MyEnrolmentOut], **READ_ERRORS})
def my_enrolments(request: AuthenticatedRequest) -> Any:
    """The caller's own enrolments, newest first; 403 for a login linked to no one."""
    person = participant_for_user(request.user)
    return queries.enrolments_of(person)


@router.post(
    "/programmes/{int:programme_id}/enrolments",
    response={201: MyEnrolmentOut, **WRITE_ERRORS},
)
def enrolment_new(
    request: AuthenticatedRequest, programme_id: int, payload: ApplicationIn
) -> Status[Enrolment]:
    """Apply to a programme taking applications (self-nomination). 404 if it isn't."""
    programme = open_programme_for_user(request.user, programme_id)
    enrolment = enrolment_apply(
        programme=programme,
        person=participant_for_user(request.user),
        role=payload.role,
        answers=payload.answers,
        consent=payload.consent,
        by=request.user,
        request=request,
    )
    return Status(201, enrolment)


@router.post(
    "/enrolments/{int:enrolment_id}/withdraw", response={200: MyEnrolmentOut, **WRITE_ERRORS}
)
def enrolment_withdrawal(request: AuthenticatedRequest, enrolment_id: int) -> Enrolment:
    """Withdraw one's own application or place."""
    enrolment = enrolment_for_participant(request.user, enrolment_id)
    return enrolment_withdraw(enrolment=enrolment, by=request.user, request=request)


@router.get(
    "/programmes/{int:programme_id}/enrolments", response={200: list[EnrolmentOut], **READ_ERRORS}
)
def programme_enrolments(
    request: AuthenticatedRequest,
    programme_id: int,
    role: EnrolmentRole | None = None,
    status: EnrolmentStatus | None = None,
    route: EnrolmentRoute | None = None,
) -> Any:
    """A programme's enrolments, for programme admins, filtered by role, status and route."""
    programme = programme_for_admin(request.user, programme_id)
    filters = queries.ReviewFilters(role=role or "", status=status or "", route=route or "")
    return queries.enrolments_for_review(programme, filters)


@router.post(
    "/programmes/{int:programme_id}/enrolments/decisions",
    response={200: list[EnrolmentOut], **WRITE_ERRORS},
)
def enrolment_decisions(
    request: AuthenticatedRequest, programme_id: int, payload: DecisionIn
) -> list[Enrolment]:
    """Approve, waitlist or decline enrolments of the programme: all or none."""
    programme = programme_for_admin(request.user, programme_id)
    return enrolments_decide(
        programme=programme,
        enrolment_ids=payload.enrolment_ids,
        decision=payload.decision,
        by=request.user,
        request=request,
    )
