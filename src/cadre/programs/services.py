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
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.accounts.services import audit_record, role_grant
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue
from cadre.people.models import Competency, Person
from cadre.programs.default_responsibilities import DEFAULT_RESPONSIBILITIES
from cadre.programs.models import (
    MAX_COACH_CAPACITY,
    MAX_RATING,
    WEEKDAY_CHOICES,
    AvailabilityWindow,
    CoacheeProfile,
    CoachProfile,
    CoachStrength,
    Enrolment,
    GrowthCompetency,
    Programme,
    ProgrammeObjective,
    ProgrammeResponsibility,
    ProgrammeTransition,
)
from cadre.programs.queries import (
    EDITABLE_FIELDS,
    NEXT_STATUS,
    eligibility_refusals,
    field_labels,
    locked_fields,
    programme_checklist,
    window_refusal,
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


# Enrolment (issue 3 §2)
#
# Routes: a person applies themselves (``enrolment_apply``), their direct manager nominates
# them (``enrolment_nominate``: the nominator must be the person's manager on record, not a
# manager further up, so the nomination comes from whoever knows their work best), or an
# admin enrols them in bulk (``enrolment_bulk``, approved at once). Applications and
# nominations wait for an admin's decision (``enrolments_decide``): approve, waitlist or
# decline. The waitlist is the admins' choice: programmes have no cap on coachees; coaches'
# capacity counts at matching, not here. Consent to the programme's terms is required to
# apply; nominated and bulk-enrolled people give it when they first save their profile.
#
# One enrolment per programme, person and role is held by a unique constraint, so two
# concurrent applications make one enrolment and one clear refusal. Nobody is both coach and
# coachee in one programme: that is checked with the person's row locked.

EnrolmentRole = Enrolment.Role
EnrolmentStatus = Enrolment.Status

# Decisions an admin may take, and the statuses they may take them from.
DECISIONS = (EnrolmentStatus.APPROVED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.DECLINED)
DECIDABLE = (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITLISTED)
# Statuses in which an admin may still add people in bulk.
BULK_STATUSES = (Status.ENROLLING, Status.MATCHING)


class EnrolmentError(Exception):
    """An enrolment is refused; ``messages`` says why, one message per problem."""

    def __init__(self, messages: str | Sequence[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


class BulkEnrolmentError(EnrolmentError):
    """A bulk enrolment is refused; ``rows`` holds (row number, message) for each problem."""

    def __init__(self, rows: Sequence[tuple[int, str]]) -> None:
        self.rows = list(rows)
        super().__init__([f"Row {number}: {message}" for number, message in self.rows])


def _role_label(role: str) -> str:
    return EnrolmentRole(role).label.lower()


def _answers_clean(
    programme: Programme, answers: Mapping[int, str]
) -> tuple[dict[str, str], list[str]]:
    questions = list(programme.application_questions.order_by("position", "pk"))
    known = {question.pk for question in questions}
    unknown = sorted(set(answers) - known)
    problems = [f"Question {pk} is not one of this programme's questions." for pk in unknown]
    cleaned: dict[str, str] = {}
    for question in questions:
        text = str(answers.get(question.pk, "")).strip()
        if question.required and not text:
            problems.append(f"Answer the question “{question.text}”.")
        if text:
            cleaned[str(question.pk)] = text[:5000]
    return cleaned, problems


def _enrolment_create(
    *,
    programme: Programme,
    person: Person,
    role: str,
    route: str,
    status: str = EnrolmentStatus.APPLIED,
    answers: dict[str, str] | None = None,
    nominated_by: Person | None = None,
    consent_at: datetime | None = None,
    decided_by: User | None = None,
) -> Enrolment:
    """Create the enrolment inside the caller's transaction, with the person's row locked.

    Refuses a second role in the same programme, and (through the unique constraint) a second
    enrolment in the same role, even when two requests race.
    """
    Person.objects.select_for_update().filter(pk=person.pk).first()
    other = (
        Enrolment.objects.filter(programme=programme, person=person)
        .exclude(role=role)
        .values_list("role", flat=True)
        .first()
    )
    if other is not None:
        raise EnrolmentError(
            f"{person.display_name} is already enrolled as {_role_label(other)} in "
            f"“{programme}”: nobody can be both coach and coachee in one programme."
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            return Enrolment.objects.create(
                programme=programme,
                person=person,
                role=role,
                route=route,
                status=status,
                answers=answers or {},
                nominated_by=nominated_by,
                consent_at=consent_at,
                decided_by=decided_by,
                decided_at=now if decided_by is not None else None,
                created_at=now,
            )
    except IntegrityError:
        raise EnrolmentError(
            f"{person.display_name} is already enrolled as {_role_label(role)} in “{programme}”."
        ) from None


def _apply_checks(programme: Programme, person: Person, role: str) -> list[str]:
    problems: list[str] = []
    refusal = window_refusal(programme)
    if refusal:
        problems.append(refusal)
    if role not in EnrolmentRole.values:
        problems.append(f"Unknown role: {role}.")
    if not person.is_active:
        problems.append(f"{person.display_name} has left the organisation.")
    if role == EnrolmentRole.COACHEE:
        problems += eligibility_refusals(programme, person)
    return problems


def enrolment_apply(
    *,
    programme: Programme,
    person: Person,
    role: str,
    answers: Mapping[int, str],
    consent: bool,
    by: User,
    request: HttpRequest | None = None,
) -> Enrolment:
    """Apply to the programme as coach or coachee (self-nomination).

    Refused, with every reason at once, unless the programme is enrolling and within its
    window, the person meets the eligibility rules (coachees), agrees to the terms and answers
    every required question.
    """
    problems = _apply_checks(programme, person, role)
    if not consent:
        problems.append("Agree to the programme's terms (confidentiality and data use) to apply.")
    cleaned, answer_problems = _answers_clean(programme, answers)
    problems += answer_problems
    if problems:
        raise EnrolmentError(problems)
    with transaction.atomic():
        enrolment = _enrolment_create(
            programme=programme,
            person=person,
            role=role,
            route=Enrolment.Route.SELF_NOMINATION,
            answers=cleaned,
            consent_at=timezone.now(),
        )
        audit_record(
            actor=by,
            action="programs.enrolment_apply",
            target=enrolment,
            request=request,
            details={"programme": programme.pk, "person": person.pk, "role": role},
        )
        _enrolment_notify(enrolment, NotificationKind.ENROLMENT_RECEIVED, programme)
    return enrolment


def enrolment_nominate(
    *,
    programme: Programme,
    person: Person,
    nominated_by: Person,
    role: str = EnrolmentRole.COACHEE,
    answers: Mapping[int, str] | None = None,
    by: User,
    request: HttpRequest | None = None,
) -> Enrolment:
    """A manager nominates one of their direct reports; the nomination waits for an admin.

    The same window and eligibility rules as an application apply; required questions need
    not be answered by the manager (the nominee adds what they want on their profile).
    """
    problems: list[str] = []
    if person.manager_id != nominated_by.pk:
        problems.append(f"Only {person.display_name}'s direct manager can nominate them.")
    problems += _apply_checks(programme, person, role)
    cleaned, _ = _answers_clean(programme, answers or {})
    if problems:
        raise EnrolmentError(problems)
    with transaction.atomic():
        enrolment = _enrolment_create(
            programme=programme,
            person=person,
            role=role,
            route=Enrolment.Route.MANAGER_NOMINATION,
            answers=cleaned,
            nominated_by=nominated_by,
        )
        audit_record(
            actor=by,
            action="programs.enrolment_nominate",
            target=enrolment,
            request=request,
            details={"programme": programme.pk, "person": person.pk, "role": role},
        )
        _enrolment_notify(enrolment, NotificationKind.ENROLMENT_RECEIVED, programme)
    return enrolment


def enrolments_decide(
    *,
    programme: Programme,
    enrolment_ids: Sequence[int],
    decision: str,
    by: User,
    request: HttpRequest | None = None,
) -> list[Enrolment]:
    """Approve, waitlist or decline the programme's enrolments, all or none.

    Only applications and waitlisted enrolments can be decided. Approving gives the person's
    login the coach or coachee role. Each decision is one audit event.
    """
    if decision not in DECISIONS:
        raise EnrolmentError(f"Unknown decision: {decision}.")
    if not enrolment_ids:
        raise EnrolmentError("Choose at least one enrolment.")
    with transaction.atomic():
        current = _lock_open(programme, "enrolments")
        enrolments = list(
            Enrolment.objects.select_for_update(of=("self",))
            .filter(programme=current, pk__in=enrolment_ids)
            .select_related("person", "person__user")
            .order_by("pk")
        )
        if len(enrolments) != len(set(enrolment_ids)):
            raise EnrolmentError(f"Some of the chosen enrolments are not in “{current}”.")
        problems = [
            f"{enrolment.person.display_name} is {enrolment.get_status_display().lower()}: "
            "only applications and waitlisted enrolments can be decided."
            for enrolment in enrolments
            if enrolment.status not in DECIDABLE
        ]
        if problems:
            raise EnrolmentError(problems)
        now = timezone.now()
        for enrolment in enrolments:
            before = enrolment.status
            enrolment.status = decision
            enrolment.decided_by = by
            enrolment.decided_at = now
            enrolment.save(update_fields=["status", "decided_by", "decided_at"])
            audit_record(
                actor=by,
                action="programs.enrolment_decide",
                target=enrolment,
                request=request,
                details={"from": before, "to": decision, "programme": current.pk},
            )
            user = enrolment.person.user
            if decision == EnrolmentStatus.APPROVED and user is not None:
                role_grant(user=user, role=Role(enrolment.role), granted_by=by, request=request)
            if decision in DECISION_NOTIFICATIONS:
                _enrolment_notify(enrolment, DECISION_NOTIFICATIONS[decision], current)
    return enrolments


# The e-mail each decision sends; a decline is told in person, not by e-mail.
DECISION_NOTIFICATIONS: dict[str, NotificationKind] = {
    EnrolmentStatus.APPROVED: NotificationKind.ENROLMENT_APPROVED,
    EnrolmentStatus.WAITLISTED: NotificationKind.ENROLMENT_WAITLISTED,
}


def _enrolment_notify(enrolment: Enrolment, kind: NotificationKind, programme: Programme) -> None:
    """Queue the e-mail about ``enrolment`` (once per enrolment and kind), sent when the
    transaction commits. People without an active login get none."""
    user = enrolment.person.user
    if user is None or not user.is_active:
        return
    received = kind == NotificationKind.ENROLMENT_RECEIVED
    nominator = enrolment.nominated_by if received and enrolment.nominated_by_id else None
    name = kind.value.replace("-", "_")
    notification_queue(
        key=f"{kind.value}:{enrolment.pk}",
        recipient=user,
        kind=kind,
        subject_template=f"notifications/email/{name}_subject.txt",
        body_template=f"notifications/email/{name}.txt",
        context={
            "programme": programme.name,
            "role": enrolment.get_role_display().lower(),
            "nominated_by": nominator.display_name if nominator else "",
            "link": settings.SITE_URL.rstrip("/") + reverse("programs:my_enrolments"),
        },
    )


def enrolment_withdraw(
    *, enrolment: Enrolment, by: User, request: HttpRequest | None = None
) -> Enrolment:
    """The participant withdraws their application or place."""
    with transaction.atomic():
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if current.status in (EnrolmentStatus.DECLINED, EnrolmentStatus.WITHDRAWN):
            raise EnrolmentError(
                f"This enrolment is {current.get_status_display().lower()} already."
            )
        before = current.status
        current.status = EnrolmentStatus.WITHDRAWN
        current.save(update_fields=["status"])
        audit_record(
            actor=by,
            action="programs.enrolment_withdraw",
            target=current,
            request=request,
            details={"from": before},
        )
    return current


def enrolment_bulk(
    *,
    programme: Programme,
    employee_ids: Sequence[str],
    role: str,
    by: User,
    request: HttpRequest | None = None,
) -> list[Enrolment]:
    """Enrol people by employee id, approved at once: every row is checked first, then all
    are enrolled or none.

    Rows are numbered from 1 in the order given; blank rows are skipped. Refused rows name the
    row and the reason: unknown or repeated ids, people who left, coachees who are not
    eligible, and people already enrolled in the programme.
    """
    if programme.status not in BULK_STATUSES:
        status = Status(programme.status).label.lower()
        raise EnrolmentError(f"“{programme}” is {status}: people can't be enrolled now.")
    if role not in EnrolmentRole.values:
        raise EnrolmentError(f"Unknown role: {role}.")
    rows = [(number, raw.strip()) for number, raw in enumerate(employee_ids, start=1)]
    rows = [(number, employee_id) for number, employee_id in rows if employee_id]
    if not rows:
        raise EnrolmentError("Give at least one employee id.")
    people = {
        person.employee_id: person
        for person in Person.objects.filter(employee_id__in=[e for _, e in rows]).select_related(
            "department", "user"
        )
    }
    enrolled = dict(
        Enrolment.objects.filter(programme=programme, person__in=people.values()).values_list(
            "person_id", "role"
        )
    )
    programme = Programme.objects.prefetch_related("eligible_departments").get(pk=programme.pk)
    problems: list[tuple[int, str]] = []
    first_row: dict[str, int] = {}
    chosen: list[Person] = []
    for number, employee_id in rows:
        person = people.get(employee_id)
        if employee_id in first_row:
            problems.append((number, f"{employee_id} is also on row {first_row[employee_id]}."))
            continue
        first_row[employee_id] = number
        if person is None:
            problems.append((number, f"No one has the employee id “{employee_id}”."))
            continue
        name = f"{person.display_name} ({employee_id})"
        if not person.is_active:
            problems.append((number, f"{name} has left the organisation."))
            continue
        if person.pk in enrolled:
            problems.append(
                (number, f"{name} is already enrolled as {_role_label(enrolled[person.pk])}.")
            )
            continue
        if role == EnrolmentRole.COACHEE:
            problems += [
                (number, f"{name} is not eligible. {refusal}")
                for refusal in eligibility_refusals(programme, person)
            ]
        chosen.append(person)
    if problems:
        raise BulkEnrolmentError(problems)
    with transaction.atomic():
        created = [
            _enrolment_create(
                programme=programme,
                person=person,
                role=role,
                route=Enrolment.Route.ADMIN,
                status=EnrolmentStatus.APPROVED,
                decided_by=by,
            )
            for person in chosen
        ]
        audit_record(
            actor=by,
            action="programs.enrolment_bulk",
            target=programme,
            request=request,
            details={"role": role, "people": [person.pk for person in chosen]},
        )
        for person in chosen:
            if person.user is not None:
                role_grant(user=person.user, role=Role(role), granted_by=by, request=request)
        for enrolment in created:
            _enrolment_notify(enrolment, NotificationKind.ENROLMENT_APPROVED, programme)
    return created


@dataclass(frozen=True)
class Window:
    """A weekly availability window in the participant's own time zone (0 is Monday)."""

    weekday: int
    starts_at: time
    ends_at: time


WEEKDAYS = dict(WEEKDAY_CHOICES)


def _windows_check(windows: Sequence[Window]) -> list[str]:
    problems = []
    for window in windows:
        if window.weekday not in WEEKDAYS:
            problems.append(f"Day {window.weekday} is not a weekday (0 is Monday, 6 is Sunday).")
        elif window.ends_at <= window.starts_at:
            problems.append(
                f"{WEEKDAYS[window.weekday]} {window.starts_at:%H:%M}–{window.ends_at:%H:%M}: "
                "a window must end after it starts."
            )
    return problems


def _profile_checks(enrolment: Enrolment, role: str, consent: bool) -> list[str]:
    problems = []
    if enrolment.role != role:
        problems.append(f"This is a {_role_label(enrolment.role)} enrolment.")
    if enrolment.status in (EnrolmentStatus.DECLINED, EnrolmentStatus.WITHDRAWN):
        problems.append(
            f"This enrolment is {enrolment.get_status_display().lower()}: its profile is closed."
        )
    if enrolment.programme.status == Status.CLOSED:
        problems.append(f"“{enrolment.programme}” is closed.")
    if enrolment.consent_at is None and not consent:
        problems.append("Agree to the programme's terms (confidentiality and data use) first.")
    return problems


def _windows_replace(enrolment: Enrolment, windows: Sequence[Window]) -> None:
    enrolment.availability.all().delete()
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(
            enrolment=enrolment, weekday=w.weekday, starts_at=w.starts_at, ends_at=w.ends_at
        )
        for w in windows
    )


def _consent_record(enrolment: Enrolment) -> None:
    if enrolment.consent_at is None:
        enrolment.consent_at = timezone.now()
        enrolment.save(update_fields=["consent_at"])


def coach_profile_save(
    *,
    enrolment: Enrolment,
    capacity: int,
    strengths: Mapping[Competency, int],
    availability: Sequence[Window],
    languages: Sequence[str] = (),
    bio: str = "",
    preferences: str = "",
    consent: bool = False,
    by: User,
    request: HttpRequest | None = None,
) -> CoachProfile:
    """Write a coach's profile: capacity (1 to 5), strengths (1 to 5 per competency), weekly
    availability, languages, bio and preferences. Replaces what was there."""
    problems = _profile_checks(enrolment, EnrolmentRole.COACH, consent)
    if not 1 <= capacity <= MAX_COACH_CAPACITY:
        problems.append(f"Capacity must be between 1 and {MAX_COACH_CAPACITY} coachees.")
    problems += [
        f"Rate “{competency}” from 1 to {MAX_RATING}."
        for competency, rating in strengths.items()
        if not 1 <= rating <= MAX_RATING
    ]
    problems += _windows_check(availability)
    if problems:
        raise EnrolmentError(problems)
    with transaction.atomic():
        profile, _ = CoachProfile.objects.update_or_create(
            enrolment=enrolment,
            defaults={
                "capacity": capacity,
                "languages": [language.strip() for language in languages if language.strip()],
                "bio": bio.strip(),
                "preferences": preferences.strip(),
                "updated_at": timezone.now(),
            },
        )
        profile.strengths.all().delete()
        CoachStrength.objects.bulk_create(
            CoachStrength(profile=profile, competency=competency, rating=rating)
            for competency, rating in strengths.items()
        )
        _windows_replace(enrolment, availability)
        _consent_record(enrolment)
        audit_record(
            actor=by, action="programs.coach_profile_save", target=enrolment, request=request
        )
    return profile


def coachee_profile_save(
    *,
    enrolment: Enrolment,
    goals: str,
    growth: Sequence[Competency],
    availability: Sequence[Window],
    prefers_other_function: bool = False,
    avoid: Sequence[Person] = (),
    consent: bool = False,
    by: User,
    request: HttpRequest | None = None,
) -> CoacheeProfile:
    """Write a coachee's profile: goals, competencies to grow (most important first),
    preferences and weekly availability. Replaces what was there."""
    problems = _profile_checks(enrolment, EnrolmentRole.COACHEE, consent)
    if len({competency.pk for competency in growth}) != len(growth):
        problems.append("Rank each competency to grow once.")
    if any(person.pk == enrolment.person_id for person in avoid):
        problems.append("People to avoid can't include yourself.")
    problems += _windows_check(availability)
    if problems:
        raise EnrolmentError(problems)
    with transaction.atomic():
        profile, _ = CoacheeProfile.objects.update_or_create(
            enrolment=enrolment,
            defaults={
                "goals": goals.strip(),
                "prefers_other_function": prefers_other_function,
                "updated_at": timezone.now(),
            },
        )
        profile.growth_competencies.all().delete()
        GrowthCompetency.objects.bulk_create(
            GrowthCompetency(profile=profile, competency=competency, rank=rank)
            for rank, competency in enumerate(growth, start=1)
        )
        profile.avoid.set(avoid)
        _windows_replace(enrolment, availability)
        _consent_record(enrolment)
        audit_record(
            actor=by, action="programs.coachee_profile_save", target=enrolment, request=request
        )
    return profile
