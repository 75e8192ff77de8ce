"""360° assessments: the coachee nominates raters, the coach or an admin approves each, then
every approved rater and the coachee (as self) answer the 360 questionnaire about the coachee.
The "after" assessment asks the same approved raters again (``assessment_repeat``).

Rules for raters: nobody rates themselves as another group, the coach (who reads the report)
is no rater, at most one manager, at least ``FEWEST_PEERS`` approved peers before surveys go
out, and raters must be active people.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.queries import is_programme_admin
from cadre.accounts.services import audit_record
from cadre.coaching.models import CoachingRelationship, RelationshipStatus
from cadre.feedback.models import (
    Assessment360,
    AssessmentPhase,
    AssessmentStatus,
    NominationStatus,
    RaterGroup,
    RaterNomination,
    SurveyPurpose,
)
from cadre.feedback.services import FeedbackError, survey_assign, template_for
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue
from cadre.people.models import Person

FEWEST_PEERS = 3
MOST_RATERS = 20
ASSESSMENT_OPEN_FOR = timedelta(days=21)

# The groups a coachee picks people for; the coachee is added as ``self`` by the service.
NOMINABLE_GROUPS = (RaterGroup.MANAGER, RaterGroup.PEER, RaterGroup.DIRECT_REPORT)


def _is_coachee(assessment: Assessment360, user: User) -> bool:
    return assessment.coachee.user_id == user.pk


def may_approve(assessment: Assessment360, user: User) -> bool:
    """The coachee's coach in the assessment's relationship, or a programme admin."""
    relationship = assessment.relationship
    if relationship is not None and relationship.coach.user_id == user.pk:
        return True
    return is_programme_admin(user)


def assessment_start(
    *, relationship: CoachingRelationship, by: User, request: HttpRequest | None = None
) -> Assessment360:
    """Start the coachee's "before" 360 in ``relationship``; the coachee nominates next."""
    if relationship.coachee.user_id != by.pk:
        raise FeedbackError("Only the coachee starts their 360° assessment.")
    if relationship.status not in (RelationshipStatus.AGREED, RelationshipStatus.ACTIVE):
        raise FeedbackError("A 360° assessment starts once the coaching is agreed or under way.")
    if Assessment360.objects.filter(
        programme=relationship.programme, coachee=relationship.coachee, phase="before"
    ).exists():
        raise FeedbackError("You already have a 360° assessment in this programme.")
    with transaction.atomic():
        assessment = Assessment360.objects.create(
            programme=relationship.programme,
            coachee=relationship.coachee,
            relationship=relationship,
            phase=AssessmentPhase.BEFORE,
        )
        audit_record(
            actor=by, action="feedback.assessment_start", target=assessment, request=request
        )
    return assessment


def _lock_status(assessment: Assessment360) -> None:
    """Lock the assessment's row until the transaction ends and re-read its status into
    ``assessment``: changes to one rater list take turns, each seeing the one before."""
    assessment.status = (
        Assessment360.objects.select_for_update()
        .filter(pk=assessment.pk)
        .values_list("status", flat=True)
        .get()
    )


def _require_nominating(assessment: Assessment360, by: User) -> None:
    """Refuse anyone but the coachee, and a list no longer being chosen. Call it inside
    ``transaction.atomic``: it locks the assessment (``_lock_status``)."""
    if not _is_coachee(assessment, by):
        raise FeedbackError("Only the person being assessed chooses their raters.")
    _lock_status(assessment)
    if assessment.status != AssessmentStatus.NOMINATING:
        raise FeedbackError("Raters can't change now: the list was sent for approval.")


def nomination_add(
    *, assessment: Assessment360, rater: Person, group: str, by: User
) -> RaterNomination:
    """The coachee proposes ``rater`` in ``group`` (manager, peer or direct report)."""
    with transaction.atomic():
        _require_nominating(assessment, by)
        return _nomination_add(assessment=assessment, rater=rater, group=group)


def _nomination_add(*, assessment: Assessment360, rater: Person, group: str) -> RaterNomination:
    if group not in NOMINABLE_GROUPS:
        raise FeedbackError("Group: choose manager, peer or direct report.")
    if rater.pk == assessment.coachee_id:
        raise FeedbackError("Rater: you rate yourself anyway; choose someone else.")
    if assessment.relationship is not None and rater.pk == assessment.relationship.coach_id:
        # The coach reads the report: knowing their own rating, they could take it out of
        # their group's figure and learn the others' by difference.
        raise FeedbackError(
            f"Rater: {rater.display_name} is your coach and reads this report with you; "
            "choose someone else."
        )
    if not rater.is_active:
        raise FeedbackError(f"Rater: {rater.display_name} is no longer in the organisation.")
    nominations = list(assessment.nominations.all())
    if any(n.rater_id == rater.pk for n in nominations):
        raise FeedbackError(f"Rater: {rater.display_name} is already on your list.")
    if group == RaterGroup.MANAGER and any(n.group == RaterGroup.MANAGER for n in nominations):
        raise FeedbackError("Group: you can choose one manager; remove the other first.")
    if len(nominations) >= MOST_RATERS:
        raise FeedbackError(f"Rater: {MOST_RATERS} raters at most.")
    return RaterNomination.objects.create(assessment=assessment, rater=rater, group=group)


def nomination_remove(*, nomination: RaterNomination, by: User) -> None:
    """The coachee takes a proposed rater off their list while choosing; a rater already
    decided (approved, or rejected) stays, so a decision is never undone behind the back of
    the person who made it."""
    with transaction.atomic():
        _require_nominating(nomination.assessment, by)
        status = (
            RaterNomination.objects.filter(pk=nomination.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status is None:
            raise FeedbackError(f"{nomination.rater.display_name} is no longer on your list.")
        if status == NominationStatus.APPROVED:
            raise FeedbackError(
                f"{nomination.rater.display_name} is already approved and stays on your list; "
                "ask your coach if they shouldn't rate you."
            )
        if status == NominationStatus.REJECTED:
            raise FeedbackError(
                f"{nomination.rater.display_name} was not approved; the decision stays on your "
                "list."
            )
        RaterNomination.objects.filter(pk=nomination.pk).delete()


def nominations_submit(
    *, assessment: Assessment360, by: User, request: HttpRequest | None = None
) -> Assessment360:
    """The coachee sends their list for approval; their coach is told by e-mail."""
    with transaction.atomic():
        _require_nominating(assessment, by)
        nominations = list(assessment.nominations.exclude(status=NominationStatus.REJECTED))
        peers = sum(n.group == RaterGroup.PEER for n in nominations)
        if peers < FEWEST_PEERS:
            raise FeedbackError(f"Raters: choose at least {FEWEST_PEERS} peers (you have {peers}).")
        assessment.status = AssessmentStatus.AWAITING_APPROVAL
        assessment.save(update_fields=["status"])
        audit_record(
            actor=by,
            action="feedback.raters_submit",
            target=assessment,
            request=request,
            details={"raters": len(nominations)},
        )
        _approval_mail(assessment)
    return assessment


def _approval_mail(assessment: Assessment360) -> None:
    relationship = assessment.relationship
    coach = relationship.coach if relationship is not None else None
    if coach is None or coach.user is None:
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "feedback:assessment_approve", args=[assessment.pk]
    )
    notification_queue(
        key=f"{NotificationKind.RATERS_TO_APPROVE.value}:{assessment.pk}:"
        f"{timezone.now().isoformat()}",
        recipient=coach.user,
        kind=NotificationKind.RATERS_TO_APPROVE,
        subject_template="feedback/email/raters_to_approve_subject.txt",
        body_template="feedback/email/raters_to_approve.txt",
        context={"coachee": assessment.coachee.display_name, "link": link},
    )


def nomination_decide(
    *,
    nomination: RaterNomination,
    approve: bool,
    by: User,
    now: datetime,
    reason: str = "",
    request: HttpRequest | None = None,
) -> RaterNomination:
    """The coach or an admin approves or rejects one proposed rater.

    When none is left to decide: with enough approved peers the surveys go out; otherwise
    the list goes back to the coachee to add more."""
    if not may_approve(nomination.assessment, by):
        raise FeedbackError("Only the coach or a programme admin approves raters.")
    reason = reason.strip()
    if len(reason) > 300:
        raise FeedbackError("Reason: keep it to 300 characters at most.")
    with transaction.atomic():
        # Decisions on one assessment take turns, each reading the others' outcome: two
        # approvers deciding its last two raters at once would otherwise each see the other
        # still proposed, and the surveys would never go out.
        assessment = nomination.assessment
        assessment.status = (
            Assessment360.objects.select_for_update()
            .filter(pk=assessment.pk)
            .values_list("status", flat=True)
            .get()
        )
        if assessment.status != AssessmentStatus.AWAITING_APPROVAL:
            raise FeedbackError("These raters are not awaiting approval.")
        nomination.refresh_from_db(fields=["status", "reason", "decided_by", "decided_at"])
        if nomination.status != NominationStatus.PROPOSED:
            raise FeedbackError(f"{nomination.rater.display_name} was already decided.")
        nomination.status = NominationStatus.APPROVED if approve else NominationStatus.REJECTED
        nomination.reason = "" if approve else reason
        nomination.decided_by = by
        nomination.decided_at = now
        nomination.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit_record(
            actor=by,
            action="feedback.rater_approve" if approve else "feedback.rater_reject",
            target=assessment,
            request=request,
            details={"nomination": nomination.pk, "group": nomination.group},
        )
        statuses = Counter(
            (n.status, n.group) for n in assessment.nominations.exclude(pk=nomination.pk)
        )
        statuses[nomination.status, nomination.group] += 1
        if not any(status == NominationStatus.PROPOSED for status, _ in statuses):
            peers = statuses[NominationStatus.APPROVED, RaterGroup.PEER]
            if peers >= FEWEST_PEERS:
                assessment_open(assessment=assessment, now=now)
            else:
                assessment.status = AssessmentStatus.NOMINATING
                assessment.save(update_fields=["status"])
    return nomination


def assessment_open(*, assessment: Assessment360, now: datetime) -> Assessment360:
    """Send the 360 survey to each approved rater and to the coachee (self)."""
    template = template_for(key="assessment-360", programme=assessment.programme)
    purpose = (
        SurveyPurpose.ASSESSMENT_BEFORE
        if assessment.phase == AssessmentPhase.BEFORE
        else SurveyPurpose.ASSESSMENT_AFTER
    )
    due = now + ASSESSMENT_OPEN_FOR
    with transaction.atomic():
        assessment.status = AssessmentStatus.COLLECTING
        assessment.opens_at, assessment.due_at = now, due
        assessment.save(update_fields=["status", "opens_at", "due_at"])
        raters = [(assessment.coachee, RaterGroup.SELF.value)] + [
            (n.rater, n.group)
            for n in assessment.nominations.filter(status=NominationStatus.APPROVED)
            .select_related("rater__user")
            .order_by("pk")
        ]
        for rater, group in raters:
            survey_assign(
                template=template,
                respondent=rater,
                programme=assessment.programme,
                purpose=purpose,
                dedupe_key=f"360:{assessment.pk}:{rater.pk}",
                opens_at=now,
                due_at=due,
                about_person=assessment.coachee,
                rater_group=group,
                assessment=assessment,
            )
    return assessment


def assessment_repeat(
    *, assessment: Assessment360, by: User, now: datetime, request: HttpRequest | None = None
) -> Assessment360:
    """The "after" 360: the same approved raters (still in the organisation) asked again."""
    if not may_approve(assessment, by):
        raise FeedbackError("Only the coach or a programme admin repeats an assessment.")
    if assessment.phase != AssessmentPhase.BEFORE:
        raise FeedbackError("Only a “before” assessment is repeated.")
    try:
        with transaction.atomic():
            return _assessment_repeat(assessment=assessment, by=by, now=now, request=request)
    except IntegrityError:
        # Two repeats at once: the lock makes the second wait and see the first, and the
        # unique constraints catch anything that slips past it.
        raise FeedbackError("This assessment was already repeated.") from None


REPEATABLE_STATUSES = (AssessmentStatus.COLLECTING, AssessmentStatus.CLOSED)


def _repeated(assessment: Assessment360) -> bool:
    return Assessment360.objects.filter(
        Q(previous=assessment)
        | Q(
            programme_id=assessment.programme_id,
            coachee_id=assessment.coachee_id,
            phase=AssessmentPhase.AFTER,
        )
    ).exists()


def assessment_repeatable(assessment: Assessment360) -> bool:
    """Whether ``assessment_repeat`` would take this assessment now (for the page's button)."""
    return (
        assessment.phase == AssessmentPhase.BEFORE
        and assessment.status in REPEATABLE_STATUSES
        and not _repeated(assessment)
    )


def assessments_repeat_due(*, now: datetime) -> int:
    """Repeat every "before" 360 whose coaching is over (the relationship completed, or the
    programme past its end date) and that nobody has repeated yet: the same approved raters
    are asked again at the end. Returns how many were repeated; running again repeats none."""
    due = (
        Assessment360.objects.filter(
            phase=AssessmentPhase.BEFORE,
            status__in=REPEATABLE_STATUSES,
        )
        .filter(
            Q(relationship__status=RelationshipStatus.COMPLETED)
            | Q(programme__ends_on__lte=timezone.localdate(now))
        )
        .exclude(Exists(Assessment360.objects.filter(previous=OuterRef("pk"))))
        .order_by("pk")
    )
    repeated = 0
    for assessment in due:
        try:
            with transaction.atomic():
                _assessment_repeat(assessment=assessment, by=None, now=now, request=None)
        except (FeedbackError, IntegrityError):
            continue  # repeated meanwhile by the coach or an admin
        repeated += 1
    return repeated


def _assessment_repeat(
    *, assessment: Assessment360, by: User | None, now: datetime, request: HttpRequest | None
) -> Assessment360:
    _lock_status(assessment)
    if assessment.status not in REPEATABLE_STATUSES:
        raise FeedbackError("The “before” assessment hasn't gone to its raters yet.")
    if _repeated(assessment):
        raise FeedbackError("This assessment was already repeated.")
    approved = list(
        assessment.nominations.filter(
            status=NominationStatus.APPROVED, rater__is_active=True
        ).order_by("pk")
    )
    Assessment360.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.CLOSED)
    assessment.status = AssessmentStatus.CLOSED
    after = Assessment360.objects.create(
        programme=assessment.programme,
        coachee=assessment.coachee,
        relationship=assessment.relationship,
        phase=AssessmentPhase.AFTER,
        previous=assessment,
    )
    RaterNomination.objects.bulk_create(
        RaterNomination(
            assessment=after,
            rater_id=n.rater_id,
            group=n.group,
            status=NominationStatus.APPROVED,
            decided_by=by,
            decided_at=now,
        )
        for n in approved
    )
    assessment_open(assessment=after, now=now)
    audit_record(
        actor=by,
        action="feedback.assessment_repeat",
        target=after,
        request=request,
        details={"previous": assessment.pk, "raters": len(approved)},
    )
    return after
