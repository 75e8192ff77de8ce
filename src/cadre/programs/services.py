"""Writes about programmes: create, edit, objectives, responsibilities, and the lifecycle.

The lifecycle allows these moves only (``TRANSITIONS``):

- forward: draft → enrolling → matching → running → closed, each once the checklist of the
  next stage (``queries.programme_checklist``) has no open items; closing before the end date
  needs a note that says why;
- back: enrolling → draft (to fix the set-up; enrolment stops) and matching → enrolling (to
  take more applications before any pair is made). Nothing goes back from running or closed:
  by then pairs are coaching, and a closed programme is a record.

What can no longer change in each status is ``queries.LOCKED_FIELDS``; a change to a locked
field is refused with a message that names the fields.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.accounts.services import audit_record
from cadre.programs.default_responsibilities import DEFAULT_RESPONSIBILITIES
from cadre.programs.models import (
    Programme,
    ProgrammeObjective,
    ProgrammeResponsibility,
    ProgrammeTransition,
)
from cadre.programs.queries import (
    EDITABLE_FIELDS,
    NEXT_STATUS,
    field_labels,
    locked_fields,
    programme_checklist,
)

Status = Programme.Status

TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (Status.DRAFT, Status.ENROLLING),
        (Status.ENROLLING, Status.MATCHING),
        (Status.MATCHING, Status.RUNNING),
        (Status.RUNNING, Status.CLOSED),
        (Status.ENROLLING, Status.DRAFT),
        (Status.MATCHING, Status.ENROLLING),
    }
)


class ProgrammeError(Exception):
    """A change to a programme is refused; the message says why."""


def allowed_transitions(programme: Programme) -> list[str]:
    """The statuses the programme may move to from its current one, forward first."""
    forward = NEXT_STATUS.get(programme.status)
    back = [to for (origin, to) in TRANSITIONS if origin == programme.status and to != forward]
    return ([forward] if forward else []) + sorted(back)


def transition_refusal(programme: Programme, to_status: str, *, note: str = "") -> str | None:
    """Why the programme can't move to ``to_status`` now, or None when it can."""
    current = Status(programme.status).label.lower()
    target = Status(to_status).label.lower() if to_status in Status.values else to_status
    if programme.status == to_status:
        return f"“{programme}” is already {current}."
    if (programme.status, to_status) not in TRANSITIONS:
        return f"“{programme}” can't move from {current} to {target}."
    if NEXT_STATUS.get(programme.status) != to_status:
        return None  # a step back has nothing to check
    open_items = programme_checklist(programme).open_items
    if to_status == Status.CLOSED and note.strip():
        open_items = []
    if open_items:
        reasons = "; ".join(item.text for item in open_items)
        return f"“{programme}” can't move to {target} yet: {reasons}."
    return None


def programme_transition(
    *,
    programme: Programme,
    to_status: str,
    by: User,
    note: str = "",
    request: HttpRequest | None = None,
) -> ProgrammeTransition:
    """Move the programme to ``to_status``, if that move is allowed and nothing blocks it.

    The programme's row is locked while the move is checked and made, so two admins can't both
    move it: the second sees the first one's status and is refused. ``programme`` is updated.
    """
    with transaction.atomic():
        current = Programme.objects.select_for_update().get(pk=programme.pk)
        refusal = transition_refusal(current, to_status, note=note)
        if refusal is not None:
            programme.status = current.status
            raise ProgrammeError(refusal)
        moved = ProgrammeTransition.objects.create(
            programme=current,
            from_status=current.status,
            to_status=to_status,
            by=by,
            at=timezone.now(),
            note=note.strip(),
        )
        current.status = to_status
        current.updated_at = moved.at
        current.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by,
            action="programs.programme_transition",
            target=current,
            request=request,
            details={"from": moved.from_status, "to": to_status, "note": moved.note},
        )
    programme.status = to_status
    programme.updated_at = moved.at
    return moved


@dataclass(frozen=True)
class ObjectiveChanges:
    """Objectives to add, change and remove, e.g. from a formset's ``save(commit=False)``."""

    added: Sequence[ProgrammeObjective] = ()
    changed: Sequence[ProgrammeObjective] = ()
    removed: Sequence[ProgrammeObjective] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def programme_create(
    *,
    values: Mapping[str, Any],
    objectives: Sequence[ProgrammeObjective] = (),
    responsibilities: Mapping[str, str] | None = None,
    created_by: User,
    request: HttpRequest | None = None,
) -> Programme:
    """Create a draft programme from ``values`` (fields of ``queries.EDITABLE_FIELDS``).

    Responsibilities not given start as the defaults (``default_responsibilities``).
    """
    _refuse_unknown(values)
    fields = {name: value for name, value in values.items() if name != "eligible_departments"}
    now = timezone.now()
    programme = Programme(**fields, created_by=created_by, created_at=now, updated_at=now)
    programme.full_clean(exclude=["eligible_departments"])
    texts = {**DEFAULT_RESPONSIBILITIES, **(responsibilities or {})}
    with transaction.atomic():
        programme.save()
        programme.eligible_departments.set(values.get("eligible_departments") or [])
        ProgrammeResponsibility.objects.bulk_create(
            ProgrammeResponsibility(programme=programme, role=role, text=_tidy(texts[role]))
            for role in Role.values
        )
        audit_record(
            actor=created_by, action="programs.programme_create", target=programme, request=request
        )
        if objectives:
            _objectives_save(programme, ObjectiveChanges(added=objectives))
    return programme


def programme_update(
    *,
    programme: Programme,
    values: Mapping[str, Any],
    objectives: ObjectiveChanges | None = None,
    responsibilities: Mapping[str, str] | None = None,
    changed_by: User,
    request: HttpRequest | None = None,
) -> Programme:
    """Change the programme's fields, objectives and responsibilities in one go.

    A change to a field that is locked in the programme's status is refused, naming the
    fields; so is any change to a closed programme. Returns the saved programme.
    """
    _refuse_unknown(values)
    with transaction.atomic():
        current = Programme.objects.select_for_update().get(pk=programme.pk)
        changed = _changed_fields(current, values)
        refused = [name for name in changed if name in locked_fields(current)]
        status = Status(current.status).label.lower()
        if refused:
            raise ProgrammeError(
                f"“{current}” is {status}: {', '.join(field_labels(refused))} can't be "
                "changed any more."
            )
        for name in changed:
            if name != "eligible_departments":
                setattr(current, name, values[name])
        if changed:
            current.updated_at = timezone.now()
            current.full_clean(exclude=["eligible_departments"])
            current.save()
            if "eligible_departments" in changed:
                current.eligible_departments.set(values["eligible_departments"])
            audit_record(
                actor=changed_by,
                action="programs.programme_update",
                target=current,
                request=request,
                details={"fields": sorted(changed)},
            )
        if objectives:
            programme_objectives_save(
                programme=current, changes=objectives, changed_by=changed_by, request=request
            )
        if responsibilities is not None:
            programme_responsibilities_save(
                programme=current,
                responsibilities=responsibilities,
                changed_by=changed_by,
                request=request,
            )
    return current


def programme_objectives_save(
    *,
    programme: Programme,
    changes: ObjectiveChanges,
    changed_by: User,
    request: HttpRequest | None = None,
) -> None:
    """Add, change and remove the programme's objectives; refused once it is closed."""
    with transaction.atomic():
        current = _lock_open(programme, "objectives")
        counts = _objectives_save(current, changes)
        audit_record(
            actor=changed_by,
            action="programs.objectives_save",
            target=current,
            request=request,
            details=counts,
        )


def programme_responsibilities_save(
    *,
    programme: Programme,
    responsibilities: Mapping[str, str],
    changed_by: User,
    request: HttpRequest | None = None,
) -> None:
    """Write the responsibilities of the roles given (role → text, one per line).

    Saving the texts already there changes nothing and writes no audit event. Refused once
    the programme is closed.
    """
    unknown = set(responsibilities) - set(Role.values)
    if unknown:
        raise ProgrammeError(f"Unknown roles: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = _lock_open(programme, "responsibilities")
        existing = {r.role: r for r in current.responsibilities.all()}
        changed: list[str] = []
        for role, text in responsibilities.items():
            tidy = _tidy(text)
            row = existing.get(role)
            if row is None:
                ProgrammeResponsibility.objects.create(programme=current, role=role, text=tidy)
            elif row.text != tidy:
                row.text = tidy
                row.save(update_fields=["text"])
            else:
                continue
            changed.append(role)
        if changed:
            audit_record(
                actor=changed_by,
                action="programs.responsibilities_save",
                target=current,
                request=request,
                details={"roles": sorted(changed)},
            )


def _refuse_unknown(values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ProgrammeError(f"Not a programme setting: {', '.join(sorted(unknown))}.")


def _changed_fields(current: Programme, values: Mapping[str, Any]) -> list[str]:
    changed = []
    for name, value in values.items():
        if name == "eligible_departments":
            before = set(current.eligible_departments.values_list("pk", flat=True))
            if before != {_pk(department) for department in value}:
                changed.append(name)
        elif _pk(getattr(current, name)) != _pk(value):
            changed.append(name)
    return changed


def _pk(value: object) -> object:
    return value.pk if isinstance(value, Model) else value


def _lock_open(programme: Programme, what: str) -> Programme:
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    if current.status == Status.CLOSED:
        raise ProgrammeError(f"“{current}” is closed: its {what} can't be changed any more.")
    return current


def _objectives_save(programme: Programme, changes: ObjectiveChanges) -> dict[str, int]:
    for objective in changes.removed:
        if objective.programme_id != programme.pk:
            raise ProgrammeError(f"“{objective}” is not an objective of “{programme}”.")
        objective.delete()
    for objective in [*changes.added, *changes.changed]:
        if objective.pk is not None and objective.programme_id != programme.pk:
            raise ProgrammeError(f"“{objective}” is not an objective of “{programme}”.")
        objective.programme = programme
        objective.full_clean(exclude=["programme"])
        objective.save()
    return {
        "added": len(changes.added),
        "changed": len(changes.changed),
        "removed": len(changes.removed),
    }


def _tidy(text: str) -> str:
    """One responsibility per line: lines stripped, empty lines dropped."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
