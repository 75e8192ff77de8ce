"""Certification status: the caller's own (what is missing), and every coach's for admins."""

from typing import Any

from django.utils import timezone
from ninja import Router

from cadre.accounts.access import require_programme_admin
from cadre.accounts.http import AuthenticatedRequest
from cadre.api.queries import coach_statuses_in
from cadre.api.schemas import (
    CertificationStateName,
    CoachStatusOut,
    MessageOut,
    ValidationErrorOut,
)
from cadre.enablement.access import require_enablement_reader
from cadre.enablement.queries import CoachStatus, coach_status
from cadre.programs.access import participant_for_user

router = Router(tags=["certification"])

ERRORS: dict[int, Any] = {401: MessageOut, 403: MessageOut, 422: ValidationErrorOut}


@router.get("/me", response={200: CoachStatusOut, **ERRORS})
def my_certification(request: AuthenticatedRequest) -> CoachStatus:
    """The caller's certification status today and what they still lack (coaches, admins)."""
    require_enablement_reader(request.user)
    person = participant_for_user(request.user)
    return coach_status(person=person, on=timezone.localdate())


@router.get("/coaches", response={200: list[CoachStatusOut], **ERRORS})
def coach_certifications(
    request: AuthenticatedRequest, status: CertificationStateName | None = None
) -> list[CoachStatus]:
    """Every coach's certification status today, for programme admins; filter by ``status``."""
    require_programme_admin(request.user)
    return coach_statuses_in(state=status, on=timezone.localdate())
