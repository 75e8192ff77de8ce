"""Writes for coach enablement: submitting a knowledge check, signing off a practice session,
granting certifications, and the resource library. Every change is audited.
``require_certified_coach`` is the gate that matching and coaching services call.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.queries import is_programme_admin
from cadre.accounts.services import audit_record
from cadre.enablement.models import (
    Certification,
    ModuleAttempt,
    PracticeSignOff,
    Resource,
    TrainingModule,
)
from cadre.enablement.queries import (
    coach_matchable,
    coach_status,
    expiry_for,
    is_coach,
    module_with_quiz,
)
from cadre.people.models import Competency, Person
from cadre.programs.models import Programme


class EnablementError(Exception):
    """A refused enablement operation; the message says why, for the person who tried."""


class CoachNotCertifiedError(EnablementError):
    """The person may not be matched as a coach: not a certified coach on the day."""


class QuizAnswersError(EnablementError):
    """The answers don't fit the quiz: ``errors`` maps question ids to messages."""

    def __init__(self, errors: dict[int, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def attempt_submit(
    *,
    person: Person,
    module: TrainingModule,
    answers: Mapping[int, int | None],
    at: Any = None,
    request: HttpRequest | None = None,
) -> ModuleAttempt:
    """Score ``answers`` (question id → chosen option id) and record the attempt.

    Every question needs an answer that is one of its options; the error names the question.
    The score is the share of correct answers, rounded down to a whole per cent; the attempt
    passes at the module's pass mark. A pass may complete a certification: see
    ``certification_grant_if_due``.
    """
    quiz = module_with_quiz(
        TrainingModule.objects.filter(pk=module.pk, published=True), module.slug
    )
    questions = list(quiz.questions.all())
    if not questions:
        raise EnablementError(f"“{quiz}” has no questions yet.")
    errors: dict[int, str] = {}
    correct = 0
    chosen: dict[str, int] = {}
    for number, question in enumerate(questions, start=1):
        option_id = answers.get(question.pk)
        options = {option.pk: option for option in question.options.all()}
        if option_id is None:
            errors[question.pk] = f"Question {number} (“{question}”) has no answer."
        elif option_id not in options:
            errors[question.pk] = f"Question {number} (“{question}”): choose one of its options."
        else:
            chosen[str(question.pk)] = option_id
            correct += options[option_id].is_correct
    if errors:
        raise QuizAnswersError(errors)
    score = correct * 100 // len(questions)
    submitted_at = at or timezone.now()
    with transaction.atomic():
        attempt = ModuleAttempt.objects.create(
            person=person,
            module=quiz,
            answers=chosen,
            correct_count=correct,
            question_count=len(questions),
            score_percent=score,
            passed=score >= quiz.pass_mark_percent,
            submitted_at=submitted_at,
        )
        audit_record(
            actor=person.user,
            action="enablement.attempt_submit",
            target=attempt,
            request=request,
            details={"module": quiz.slug, "score": score, "passed": attempt.passed},
        )
        if attempt.passed:
            certification_grant_if_due(
                person=person, on=timezone.localdate(submitted_at), granted_by=person.user
            )
    return attempt


def practice_sign_off(
    *,
    coach: Person,
    signed_off_by: User,
    note: str = "",
    at: Any = None,
    request: HttpRequest | None = None,
) -> PracticeSignOff:
    """Sign off a coach's practice session. Refused for oneself, and for signers who are
    neither a programme admin nor a certified coach on the day."""
    signed_at = at or timezone.now()
    on = timezone.localdate(signed_at)
    signer = getattr(signed_off_by, "person", None)
    if signer is not None and signer.pk == coach.pk:
        raise EnablementError("You can't sign off your own practice session.")
    if not is_coach(coach):
        raise EnablementError(f"{coach} doesn't hold the coach role.")
    if not is_programme_admin(signed_off_by) and not (
        signer is not None and coach_matchable(person=signer, on=on)
    ):
        raise EnablementError(
            "Only a programme admin or a certified coach can sign off a practice session."
        )
    with transaction.atomic():
        sign_off = PracticeSignOff.objects.create(
            coach=coach, signed_off_by=signed_off_by, signed_at=signed_at, note=note.strip()
        )
        audit_record(
            actor=signed_off_by,
            action="enablement.practice_sign_off",
            target=coach,
            request=request,
            details={"sign_off": sign_off.pk},
        )
        certification_grant_if_due(person=coach, on=on, granted_by=signed_off_by)
    return sign_off


def certification_grant(
    *,
    person: Person,
    on: date,
    granted_by: User | None,
    programme: Programme | None = None,
    request: HttpRequest | None = None,
) -> Certification:
    """Certify ``person`` from ``on``, or renew their certification, if the conditions are met.

    The expiry follows ``programme``'s rule (``CertificationRule``), or the default of
    ``queries.DEFAULT_VALID_MONTHS``. Refused with what is missing otherwise.
    """
    status = coach_status(person=person, on=on)
    if not status.can_be_granted:
        if status.certification is not None and not status.renewal_due:
            raise EnablementError(
                f"{person} is certified until {status.certification.expires_on:%-d %b %Y}; "
                "renewal opens closer to the expiry."
            )
        raise EnablementError(f"{person} is not ready: {'; '.join(status.lacks)}.")
    with transaction.atomic():
        certification = Certification.objects.create(
            person=person,
            certified_on=on,
            expires_on=expiry_for(on, programme),
            programme=programme,
            renewed_from=status.certification,
            granted_by=granted_by,
        )
        audit_record(
            actor=granted_by,
            action="enablement.certification_grant",
            target=person,
            request=request,
            details={
                "certification": certification.pk,
                "expires_on": certification.expires_on.isoformat(),
                "renewal": status.certification is not None,
            },
        )
    return certification


def certification_grant_if_due(
    *, person: Person, on: date, granted_by: User | None
) -> Certification | None:
    """Grant (or renew) the certification when the conditions have just been met."""
    if not coach_status(person=person, on=on).can_be_granted:
        return None
    return certification_grant(person=person, on=on, granted_by=granted_by)


def require_certified_coach(*, person: Person, on: date) -> None:
    """Raise ``CoachNotCertifiedError`` unless ``person`` is a coach certified on ``on``.

    Matching and coaching services call this before they pair a coach with anyone.
    """
    if coach_matchable(person=person, on=on):
        return
    if not is_coach(person):
        raise CoachNotCertifiedError(f"{person} is not a coach.")
    status = coach_status(person=person, on=on)
    if status.certification is not None:
        raise CoachNotCertifiedError(
            f"{person}'s certification expired on {status.certification.expires_on:%-d %b %Y}: "
            "they renew it by passing the required modules again."
        )
    raise CoachNotCertifiedError(f"{person} is not certified yet: {'; '.join(status.lacks)}.")


def resource_save(
    *,
    resource: Resource,
    competencies: Iterable[Competency],
    saved_by: User,
    request: HttpRequest | None = None,
) -> Resource:
    """Create or change a library resource (validated by its constraints) and its tags."""
    created = resource.pk is None
    if created:
        resource.created_by = saved_by
    resource.updated_at = timezone.now()
    if resource.kind != Resource.Kind.FILE:
        resource.file = None
    resource.full_clean()
    with transaction.atomic():
        resource.save()
        resource.competencies.set(list(competencies))
        audit_record(
            actor=saved_by,
            action="enablement.resource_create" if created else "enablement.resource_update",
            target=resource,
            request=request,
            details={"kind": resource.kind},
        )
    return resource
