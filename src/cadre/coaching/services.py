"""Changing coaching relationships and their agreements.

Every change to a relationship goes through these functions, whoever asks for it: an admin
pairing people by hand, matching proposing pairs, the coach and coachee accepting and signing,
an admin pausing or ending. The hard rules are checked here, with the rows that decide them
locked.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.access import require_programme_admin
from cadre.accounts.models import User
from cadre.accounts.queries import is_programme_admin
from cadre.accounts.services import audit_record
from cadre.coaching.access import person_of
from cadre.coaching.agreement_text import DEFAULT_SECTIONS, PLACEHOLDERS, SECTION_HEADINGS
from cadre.coaching.models import (
    LIVE_STATUSES,
    Agreement,
    AgreementTemplate,
    CoachingRelationship,
    EndReason,
    RelationshipOrigin,
    RelationshipStatus,
    RelationshipTransition,
)
from cadre.coaching.rules import CoachingError
from cadre.coaching.scheduling import upcoming_sessions_cancel
from cadre.enablement.services import CoachNotCertifiedError, require_certified_coach
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue
from cadre.people.models import Person
from cadre.people.queries import in_reporting_line
from cadre.programs.models import CoachProfile, Enrolment, Programme

# Relationships
#
# Who may do what:
# - programme admins may do everything: pair people by hand, confirm a proposal for both,
#   pause, resume, complete and end;
# - the coach and the coachee each accept or decline a proposal, edit and sign their
#   agreement, and may pause and resume their relationship (a holiday, a busy month);
# - only programme admins complete or end a relationship, so that every ending is recorded
#   with its reason, and a no-fault ending puts the coachee back in the pool with priority.

Status = RelationshipStatus

TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (Status.PROPOSED, Status.AGREED),
        (Status.PROPOSED, Status.ENDED),
        (Status.AGREED, Status.ACTIVE),
        (Status.AGREED, Status.ENDED),
        (Status.ACTIVE, Status.PAUSED),
        (Status.ACTIVE, Status.COMPLETED),
        (Status.ACTIVE, Status.ENDED),
        (Status.PAUSED, Status.ACTIVE),
        (Status.PAUSED, Status.COMPLETED),
        (Status.PAUSED, Status.ENDED),
    }
)

# Programmes in these statuses take new pairs.
PAIRING_PROGRAMME_STATUSES = (Programme.Status.MATCHING, Programme.Status.RUNNING)


def allowed_transitions(relationship: CoachingRelationship) -> list[str]:
    """The statuses the relationship may move to from its current one, in lifecycle order."""
    return [to for to in Status.values if (relationship.status, to) in TRANSITIONS]


def transition_refusal(relationship: CoachingRelationship, to_status: str) -> str | None:
    """Why the relationship can't move to ``to_status``, or None when it can."""
    current = Status(relationship.status).label.lower()
    target = Status(to_status).label.lower() if to_status in Status.values else to_status
    if relationship.status == to_status:
        return f"The relationship is {current} already."
    if (relationship.status, to_status) not in TRANSITIONS:
        return f"The relationship is {current}: it can't become {target}."
    return None


def _lock(relationship: CoachingRelationship) -> CoachingRelationship:
    return (
        CoachingRelationship.objects.select_for_update(of=("self",))
        .select_related("programme", "coach__user", "coachee__user")
        .get(pk=relationship.pk)
    )


def _transition(
    current: CoachingRelationship,
    to_status: str,
    *,
    by: User | None,
    action: str,
    note: str = "",
    request: HttpRequest | None = None,
    details: Mapping[str, object] | None = None,
    changes: Mapping[str, object] | None = None,
) -> RelationshipTransition:
    """Move the locked ``current`` to ``to_status``: the transition row, the status (with
    ``changes`` to other fields, saved in the same UPDATE) and the audit entry (``details``
    must hold no free text)."""
    refusal = transition_refusal(current, to_status)
    if refusal is not None:
        raise CoachingError(refusal)
    moved = RelationshipTransition.objects.create(
        relationship=current,
        from_status=current.status,
        to_status=to_status,
        by=by,
        at=timezone.now(),
        note=note.strip(),
    )
    current.status = to_status
    current.updated_at = moved.at
    fields = ["status", "updated_at"]
    for name, value in (changes or {}).items():
        setattr(current, name, value)
        fields.append(name)
    if to_status == Status.ACTIVE and current.started_at is None:
        current.started_at = moved.at
        fields.append("started_at")
    if to_status in (Status.COMPLETED, Status.ENDED):
        current.finished_at = moved.at
        fields.append("finished_at")
    current.save(update_fields=fields)
    audit_record(
        actor=by,
        action=action,
        target=current,
        request=request,
        details={"from": moved.from_status, "to": to_status, **(details or {})},
    )
    return moved


def _require_party(relationship: CoachingRelationship, person: Person | None) -> str:
    role = relationship.party_role(person)
    if role is None:
        raise PermissionDenied("Only the coach and the coachee can do this.")
    return role


def _require_admin_or_party(relationship: CoachingRelationship, user: User) -> None:
    if is_programme_admin(user):
        return
    _require_party(relationship, person_of(user))


def _approved(programme: Programme, person: Person, role: str) -> Enrolment | None:
    return (
        Enrolment.objects.select_for_update()
        .filter(programme=programme, person=person, role=role, status=Enrolment.Status.APPROVED)
        .first()
    )


def pairing_refusals(*, programme: Programme, coach: Person, coachee: Person) -> list[str]:
    """Every hard rule the pair breaks, in words; empty when they may be paired.

    Called inside ``relationship_propose``'s transaction: the coach's enrolment row is locked
    first, so two proposals to the same coach are checked one after the other.
    """
    problems: list[str] = []
    coach_enrolment = _approved(programme, coach, Enrolment.Role.COACH)
    if programme.status not in PAIRING_PROGRAMME_STATUSES:
        status = Programme.Status(programme.status).label.lower()
        problems.append(
            f"“{programme}” is {status}: pairs are made only while it is matching or running."
        )
    if coach.pk == coachee.pk:
        problems.append("Nobody coaches themselves.")
    if coach_enrolment is None:
        problems.append(f"{coach} is not an approved coach in “{programme}”.")
    if _approved(programme, coachee, Enrolment.Role.COACHEE) is None:
        problems.append(f"{coachee} is not an approved coachee in “{programme}”.")
    try:
        require_certified_coach(person=coach, on=timezone.localdate())
    except CoachNotCertifiedError as error:
        problems.append(f"Only certified coaches coach: {error}")
    if coach.pk != coachee.pk and in_reporting_line(coach, coachee):
        problems.append(
            f"{coach} and {coachee} are in one reporting line: nobody coaches someone they "
            "manage or who manages them, at any depth."
        )
    profile = (
        CoachProfile.objects.filter(enrolment=coach_enrolment).first() if coach_enrolment else None
    )
    capacity = profile.capacity if profile is not None else programme.default_coach_capacity
    live = CoachingRelationship.objects.filter(
        programme=programme, coach=coach, status__in=LIVE_STATUSES
    ).count()
    if live >= capacity:
        problems.append(
            f"{coach} has no free place in “{programme}”: {live} of {capacity} "
            f"coachee{'s' if capacity != 1 else ''} already."
        )
    if CoachingRelationship.objects.filter(
        programme=programme, coachee=coachee, status__in=LIVE_STATUSES
    ).exists():
        problems.append(f"{coachee} already has a coach in “{programme}”.")
    return problems


def relationship_propose(
    *,
    programme: Programme,
    coach: Person,
    coachee: Person,
    proposed_by: User | None,
    origin: str = RelationshipOrigin.MANUAL,
    request: HttpRequest | None = None,
) -> CoachingRelationship:
    """Propose ``coach`` for ``coachee`` in ``programme``: an admin pairing by hand, or
    matching (``origin="matching"``). Every hard rule is checked (``pairing_refusals``) and
    every one broken is named in one refusal. Both are told by e-mail.
    """
    if origin not in RelationshipOrigin.values:
        raise CoachingError(f"Unknown origin: {origin}.")
    with transaction.atomic():
        current = Programme.objects.get(pk=programme.pk)
        problems = pairing_refusals(programme=current, coach=coach, coachee=coachee)
        if problems:
            raise CoachingError(f"{coach} can't coach {coachee}: " + " ".join(problems))
        now = timezone.now()
        try:
            with transaction.atomic():
                relationship = CoachingRelationship.objects.create(
                    programme=current,
                    coach=coach,
                    coachee=coachee,
                    origin=origin,
                    proposed_by=proposed_by,
                    proposed_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            raise CoachingError(f"{coachee} already has a coach in “{current}”.") from None
        RelationshipTransition.objects.create(
            relationship=relationship,
            from_status="",
            to_status=Status.PROPOSED,
            by=proposed_by,
            at=now,
        )
        audit_record(
            actor=proposed_by,
            action="coaching.relationship_propose",
            target=relationship,
            request=request,
            details={
                "programme": current.pk,
                "coach": coach.pk,
                "coachee": coachee.pk,
                "origin": origin,
            },
        )
        _notify_both(relationship, NotificationKind.RELATIONSHIP_PROPOSED, event="proposed")
    return relationship


def relationship_accept(
    *, relationship: CoachingRelationship, person: Person, request: HttpRequest | None = None
) -> CoachingRelationship:
    """The coach or the coachee accepts the proposal; accepting twice changes nothing.

    Once both have accepted, the relationship is agreed and their agreement is drawn up from
    the programme's template, for both to sign. Returns the relationship as it is now.
    """
    with transaction.atomic():
        current = _lock(relationship)
        role = _require_party(current, person)
        if current.status != Status.PROPOSED:
            status = Status(current.status).label.lower()
            raise CoachingError(f"The relationship is {status}: only a proposal can be accepted.")
        field = f"{role}_accepted_at"
        if getattr(current, field) is not None:
            return current
        setattr(current, field, timezone.now())
        current.save(update_fields=[field])
        audit_record(
            actor=person.user,
            action="coaching.relationship_accept",
            target=current,
            request=request,
            details={"role": role},
        )
        if current.coach_accepted_at and current.coachee_accepted_at:
            _agree(current, by=person.user, request=request)
    return current


def relationship_confirm(
    *, relationship: CoachingRelationship, by: User, request: HttpRequest | None = None
) -> CoachingRelationship:
    """A programme admin accepts the proposal on both parties' behalf (after talking to
    them): the relationship is agreed and the agreement drawn up for both to sign."""
    require_programme_admin(by)
    with transaction.atomic():
        current = _lock(relationship)
        if current.status != Status.PROPOSED:
            status = Status(current.status).label.lower()
            raise CoachingError(f"The relationship is {status}: only a proposal can be confirmed.")
        now = timezone.now()
        current.coach_accepted_at = current.coach_accepted_at or now
        current.coachee_accepted_at = current.coachee_accepted_at or now
        current.save(update_fields=["coach_accepted_at", "coachee_accepted_at"])
        audit_record(
            actor=by, action="coaching.relationship_confirm", target=current, request=request
        )
        _agree(current, by=by, request=request)
    return current


def _agree(current: CoachingRelationship, *, by: User | None, request: HttpRequest | None) -> None:
    _transition(
        current, Status.AGREED, by=by, action="coaching.relationship_agree", request=request
    )
    template = agreement_template_for(current.programme)
    Agreement.objects.create(
        relationship=current,
        template_version=template.version,
        updated_at=timezone.now(),
        **{name: agreement_fill(getattr(template, name), current) for name in SECTIONS},
    )
    _notify_both(current, NotificationKind.AGREEMENT_TO_SIGN, event="agreement")


def relationship_decline(
    *,
    relationship: CoachingRelationship,
    person: Person,
    request: HttpRequest | None = None,
) -> CoachingRelationship:
    """The coach or the coachee declines the proposal: it ends, no fault of anyone's, and the
    coachee goes back to the pool with priority."""
    with transaction.atomic():
        current = _lock(relationship)
        role = _require_party(current, person)
        if current.status != Status.PROPOSED:
            status = Status(current.status).label.lower()
            raise CoachingError(f"The relationship is {status}: only a proposal can be declined.")
        moved = _transition(
            current,
            Status.ENDED,
            by=person.user,
            action="coaching.relationship_decline",
            request=request,
            details={"role": role, "reason": EndReason.DECLINED},
            changes={"end_reason": EndReason.DECLINED, "rematch_priority": True},
        )
        _notify_both(current, NotificationKind.RELATIONSHIP_CHANGED, event=f"moved:{moved.pk}")
    return current


def relationship_pause(
    *,
    relationship: CoachingRelationship,
    by: User,
    note: str = "",
    request: HttpRequest | None = None,
) -> CoachingRelationship:
    """Pause an active relationship: either party or an admin. Sessions can't be scheduled
    while it is paused; goals, actions and notes still can change."""
    return _move(relationship, Status.PAUSED, by=by, note=note, request=request, verb="pause")


def relationship_resume(
    *,
    relationship: CoachingRelationship,
    by: User,
    note: str = "",
    request: HttpRequest | None = None,
) -> CoachingRelationship:
    """Resume a paused relationship: either party or an admin."""
    return _move(relationship, Status.ACTIVE, by=by, note=note, request=request, verb="resume")


def relationship_complete(
    *,
    relationship: CoachingRelationship,
    by: User,
    note: str = "",
    request: HttpRequest | None = None,
) -> CoachingRelationship:
    """Record that an active or paused relationship has run its course: admins only."""
    require_programme_admin(by)
    return _move(relationship, Status.COMPLETED, by=by, note=note, request=request, verb="complete")


def _move(
    relationship: CoachingRelationship,
    to_status: str,
    *,
    by: User,
    note: str,
    request: HttpRequest | None,
    verb: str,
) -> CoachingRelationship:
    with transaction.atomic():
        current = _lock(relationship)
        _require_admin_or_party(current, by)
        if to_status == Status.ACTIVE and current.status == Status.AGREED:
            # Only the second signature makes an agreed relationship active.
            raise CoachingError(
                "The relationship becomes active once both have signed the agreement."
            )
        moved = _transition(
            current,
            to_status,
            by=by,
            action=f"coaching.relationship_{verb}",
            note=note,
            request=request,
        )
        if to_status == Status.COMPLETED:
            _sessions_cancel(current, by=by, request=request)
        _notify_both(current, NotificationKind.RELATIONSHIP_CHANGED, event=f"moved:{moved.pk}")
    return current


def relationship_end(
    *,
    relationship: CoachingRelationship,
    reason: str,
    note: str = "",
    ended_by: User,
    request: HttpRequest | None = None,
) -> CoachingRelationship:
    """End a relationship early, with a reason: admins only.

    A ``no_fault`` ending puts the coachee back in the pool ahead of others
    (``rematch_priority``). ``note`` is for programme admins; it is kept on the relationship
    and never goes to the audit log or the pair.
    """
    require_programme_admin(ended_by)
    if reason not in EndReason.values or reason == EndReason.DECLINED:
        raise CoachingError("Choose why the relationship ends.")
    with transaction.atomic():
        current = _lock(relationship)
        priority = reason == EndReason.NO_FAULT
        moved = _transition(
            current,
            Status.ENDED,
            by=ended_by,
            action="coaching.relationship_end",
            request=request,
            details={"reason": reason, "rematch_priority": priority},
            changes={"end_reason": reason, "end_note": note.strip(), "rematch_priority": priority},
        )
        _sessions_cancel(current, by=ended_by, request=request)
        _notify_both(current, NotificationKind.RELATIONSHIP_CHANGED, event=f"moved:{moved.pk}")
    return current


def _sessions_cancel(
    relationship: CoachingRelationship, *, by: User, request: HttpRequest | None
) -> None:
    """Cancel the sessions still to come of a relationship that is over."""
    upcoming_sessions_cancel(
        relationship=relationship,
        cancelled_by=by,
        reason="The coaching relationship has ended.",
        request=request,
    )


def _notify_both(relationship: CoachingRelationship, kind: NotificationKind, *, event: str) -> None:
    """E-mail the coach and the coachee about ``event`` (once each), after the commit."""
    name = kind.value.replace("-", "_")
    link = settings.SITE_URL.rstrip("/") + reverse("coaching:relationship", args=[relationship.pk])
    for person in (relationship.coach, relationship.coachee):
        user = person.user
        if user is None or not user.is_active:
            continue
        notification_queue(
            key=f"coaching:{relationship.pk}:{event}:{user.pk}",
            recipient=user,
            kind=kind,
            subject_template=f"coaching/email/{name}_subject.txt",
            body_template=f"coaching/email/{name}.txt",
            context={
                "programme": relationship.programme.name,
                "other": relationship.other_party(person).display_name,
                "role": relationship.party_role(person),
                "status": relationship.get_status_display().lower(),
                "link": link,
            },
        )


# Agreements

SECTIONS = AgreementTemplate.SECTIONS
SECTION_MAX_LENGTH = 5000


def agreement_template_for(programme: Programme) -> AgreementTemplate:
    """The programme's agreement template, created with Cadre's default text the first time."""
    template, _ = AgreementTemplate.objects.get_or_create(
        programme=programme, defaults={**DEFAULT_SECTIONS, "updated_at": timezone.now()}
    )
    return template


def agreement_template_save(
    *,
    programme: Programme,
    values: Mapping[str, str],
    by: User,
    request: HttpRequest | None = None,
) -> AgreementTemplate:
    """Change the programme's template (admins only); the version goes up when the text
    changes. Agreements already drawn up keep their own text."""
    require_programme_admin(by)
    _refuse_unknown_sections(values)
    with transaction.atomic():
        agreement_template_for(programme)
        template = AgreementTemplate.objects.select_for_update().get(programme=programme)
        changed = _sections_set(template, values)
        if changed:
            template.version += 1
            template.updated_by = by
            template.updated_at = timezone.now()
            template.save()
            audit_record(
                actor=by,
                action="coaching.agreement_template_save",
                target=template,
                request=request,
                details={"sections": changed, "version": template.version},
            )
    return template


def agreement_fill(text: str, relationship: CoachingRelationship) -> str:
    """A template section with the pair's names and the programme's figures filled in."""
    values = {
        "coach": relationship.coach.display_name,
        "coachee": relationship.coachee.display_name,
        "programme": relationship.programme.name,
        "cadence_days": str(relationship.programme.session_cadence_days),
        "months": str(relationship.programme.relationship_months),
    }
    for name in PLACEHOLDERS:
        text = text.replace("{" + name + "}", values[name])
    return text


def agreement_document(agreement: Agreement) -> str:
    """The whole agreement as one Markdown document: what the pair reads and signs."""
    relationship = agreement.relationship
    parts = [
        f"# Coaching agreement: {relationship.coach.display_name} and "
        f"{relationship.coachee.display_name}",
        f"{relationship.coach.display_name} (coach) and {relationship.coachee.display_name} "
        f"(coachee) agree to work together in {relationship.programme.name} as follows.",
    ]
    for name in SECTIONS:
        parts.append(f"## {SECTION_HEADINGS[name]}")
        parts.append(getattr(agreement, name).strip())
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True)
class AgreementChange:
    """What an edit did: the sections it changed and the signatures it withdrew."""

    agreement: Agreement
    changed: list[str]
    withdrawn: list[str]


def agreement_update(
    *,
    agreement: Agreement,
    by: User,
    values: Mapping[str, str],
    request: HttpRequest | None = None,
) -> AgreementChange:
    """The coach or the coachee changes sections of their agreement before both have signed.

    A change withdraws any signature already given (the text signed is no longer the text),
    and says so in ``withdrawn``.
    """
    _refuse_unknown_sections(values)
    with transaction.atomic():
        current = _lock_agreement(agreement)
        relationship = current.relationship
        _require_party(relationship, person_of(by))
        if current.is_signed or relationship.status != Status.AGREED:
            raise CoachingError("The agreement is signed by both: its text can no longer change.")
        changed = _sections_set(current, values)
        withdrawn: list[str] = []
        if changed:
            for role in ("coach", "coachee"):
                if getattr(current, f"{role}_signed_at") is not None:
                    setattr(current, f"{role}_signed_at", None)
                    withdrawn.append(role)
            current.updated_at = timezone.now()
            current.save()
            audit_record(
                actor=by,
                action="coaching.agreement_update",
                target=relationship,
                request=request,
                details={"sections": changed, "withdrawn": withdrawn},
            )
    return AgreementChange(agreement=current, changed=changed, withdrawn=withdrawn)


def agreement_sign(
    *,
    agreement: Agreement,
    person: Person,
    shown_sha256: str | None = None,
    request: HttpRequest | None = None,
) -> Agreement:
    """The coach or the coachee signs; signing twice changes nothing.

    ``shown_sha256`` is the digest of the text the signer read (``agreement_sha256``): if the
    other party changed the text since, the signature is refused, so nobody signs a text they
    haven't seen. When both have signed, the exact text is kept (``signed_text`` and its
    SHA-256), the relationship becomes active and both are told.
    """
    with transaction.atomic():
        current = _lock_agreement(agreement)
        relationship = current.relationship
        role = _require_party(relationship, person)
        field = f"{role}_signed_at"
        if getattr(current, field) is not None:
            return current
        if relationship.status != Status.AGREED:
            status = Status(relationship.status).label.lower()
            raise CoachingError(f"The relationship is {status}: its agreement can't be signed now.")
        if shown_sha256 is not None and shown_sha256 != agreement_sha256(current):
            raise CoachingError(
                "The agreement changed since you opened it: read it again, then sign."
            )
        now = timezone.now()
        setattr(current, field, now)
        current.updated_at = now
        audit_record(
            actor=person.user,
            action="coaching.agreement_sign",
            target=relationship,
            request=request,
            details={"role": role},
        )
        if current.is_signed:
            current.signed_text = agreement_document(current)
            current.signed_text_sha256 = agreement_sha256(current)
            _transition(
                relationship,
                Status.ACTIVE,
                by=person.user,
                action="coaching.relationship_activate",
                request=request,
                details={"sha256": current.signed_text_sha256},
            )
            _notify_both(relationship, NotificationKind.RELATIONSHIP_STARTED, event="started")
        current.save()
    return current


def agreement_sha256(agreement: Agreement) -> str:
    """The SHA-256 of the agreement's whole text as it reads now."""
    return hashlib.sha256(agreement_document(agreement).encode()).hexdigest()


def _lock_agreement(agreement: Agreement) -> Agreement:
    current = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related(
            "relationship__programme", "relationship__coach__user", "relationship__coachee__user"
        )
        .get(pk=agreement.pk)
    )
    # The relationship's row too: signing moves it.
    current.relationship = _lock(current.relationship)
    return current


def _refuse_unknown_sections(values: Mapping[str, str]) -> None:
    unknown = sorted(set(values) - set(SECTIONS))
    if unknown:
        raise CoachingError(f"Unknown sections: {', '.join(unknown)}.")


def _sections_set(target: Agreement | AgreementTemplate, values: Mapping[str, str]) -> list[str]:
    """Set the sections given on ``target``; the names of those that changed."""
    changed: list[str] = []
    for name in SECTIONS:
        if name not in values:
            continue
        text = values[name].replace("\r\n", "\n").strip()
        label = SECTION_HEADINGS[name].lower()
        if not text:
            raise CoachingError(f"The {label} section can't be empty.")
        if len(text) > SECTION_MAX_LENGTH:
            raise CoachingError(
                f"The {label} section is too long: at most {SECTION_MAX_LENGTH} characters."
            )
        if text != getattr(target, name).strip():
            setattr(target, name, text)
            changed.append(name)
    return changed
