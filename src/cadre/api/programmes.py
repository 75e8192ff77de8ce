"""Programmes: the list and detail (``programs.access``), create, update and transitions
(programme admins only)."""

from typing import Any

from django.core.exceptions import ValidationError
from ninja import Router, Status

from cadre.accounts.access import require_programme_admin
from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.models import Role
from cadre.api.queries import departments_by_id, sponsor_candidates
from cadre.api.schemas import (
    MessageOut,
    ProgrammeCreateIn,
    ProgrammeOut,
    ProgrammeSummaryOut,
    ProgrammeUpdateIn,
    TransitionIn,
    TransitionOut,
    ValidationErrorOut,
)
from cadre.programs import queries
from cadre.programs.access import (
    programme_for_admin,
    programme_page_for_user,
    programmes_for_user,
    require_programme_reader,
)
from cadre.programs.models import ProgrammeObjective, ProgrammeTransition
from cadre.programs.services import programme_create, programme_transition, programme_update

router = Router(tags=["programmes"])

READ_ERRORS: dict[int, Any] = {401: MessageOut, 403: MessageOut, 404: MessageOut}
WRITE_ERRORS: dict[int, Any] = {
    400: ValidationErrorOut,
    422: ValidationErrorOut,
    401: MessageOut,
    403: MessageOut,
    404: MessageOut,
}


@router.get("", response={200: list[ProgrammeSummaryOut], **READ_ERRORS})
def programme_list(request: AuthenticatedRequest) -> Any:
    """The programmes the caller may see: every one for admins, the ones they sponsor."""
    require_programme_reader(request.user)
    return queries.programme_list(programmes_for_user(request.user))


@router.get("/{int:programme_id}", response={200: ProgrammeOut, **READ_ERRORS})
def programme_detail(request: AuthenticatedRequest, programme_id: int) -> Any:
    return programme_page_for_user(request.user, programme_id)


@router.post("", response={201: ProgrammeOut, **WRITE_ERRORS})
def programme_new(request: AuthenticatedRequest, payload: ProgrammeCreateIn) -> Any:
    """Create a draft programme. Responsibilities not given start as the defaults."""
    require_programme_admin(request.user)
    values = _values(payload.model_dump(exclude={"responsibilities", "objectives"}))
    programme = programme_create(
        values=values,
        objectives=[ProgrammeObjective(**o.model_dump()) for o in payload.objectives],
        responsibilities=_texts(payload.responsibilities),
        created_by=request.user,
        request=request,
    )
    return Status(201, programme_page_for_user(request.user, programme.pk))


@router.patch("/{int:programme_id}", response={200: ProgrammeOut, **WRITE_ERRORS})
def programme_edit(
    request: AuthenticatedRequest, programme_id: int, payload: ProgrammeUpdateIn
) -> Any:
    """Change the fields given. A change to a field locked in the programme's status is
    refused (400) with a message naming the fields."""
    programme = programme_for_admin(request.user, programme_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"responsibilities"})
    programme_update(
        programme=programme,
        values=_values(changes),
        responsibilities=_texts(payload.responsibilities),
        changed_by=request.user,
        request=request,
    )
    return programme_page_for_user(request.user, programme.pk)


@router.post("/{int:programme_id}/transitions", response={201: TransitionOut, **WRITE_ERRORS})
def programme_move(
    request: AuthenticatedRequest, programme_id: int, payload: TransitionIn
) -> Status[ProgrammeTransition]:
    """Move the programme to another status, if the move is allowed and nothing blocks it."""
    programme = programme_for_admin(request.user, programme_id)
    moved = programme_transition(
        programme=programme,
        to_status=payload.to_status,
        by=request.user,
        note=payload.note,
        request=request,
    )
    return Status(201, moved)


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    """The service's values: the sponsor and departments by id turned into objects."""
    values = dict(fields)
    if values.get("sponsor") is not None:
        values["sponsor"] = sponsor_candidates().filter(pk=values["sponsor"]).first()
        if values["sponsor"] is None:
            raise ValidationError({"sponsor": f"No sponsor has the id {fields['sponsor']}."})
    if "eligible_departments" in values:
        ids = values["eligible_departments"] or []
        found = departments_by_id(ids)
        missing = sorted(set(ids) - set(found))
        if missing:
            raise ValidationError(
                {"eligible_departments": f"No department has the id {missing[0]}."}
            )
        values["eligible_departments"] = list(found.values())
    return values


def _texts(responsibilities: dict[Role, str] | None) -> dict[str, str] | None:
    if responsibilities is None:
        return None
    return {role.value: text for role, text in responsibilities.items()}
