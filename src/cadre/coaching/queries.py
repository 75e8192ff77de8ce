"""Reads about coaching: querysets and plain data for pages, the API and matching."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from cadre.coaching.models import (
    LIVE_STATUSES,
    Agreement,
    CoachingRelationship,
    RelationshipStatus,
    RelationshipTransition,
    SessionStatus,
)
from cadre.programs.models import Enrolment, Programme

# Relationships and agreements (helper "relationships")


def coachee_pool(programme: Programme) -> QuerySet[Enrolment]:
    """Approved coachees of the programme without a live relationship there, annotated
    ``priority`` (their last pairing ended no-fault or was declined), priority first."""
    live = CoachingRelationship.objects.filter(
        programme=programme, coachee=OuterRef("person"), status__in=LIVE_STATUSES
    )
    rematch = CoachingRelationship.objects.filter(
        programme=programme,
        coachee=OuterRef("person"),
        status=RelationshipStatus.ENDED,
        rematch_priority=True,
    )
    return (
        Enrolment.objects.filter(
            programme=programme,
            role=Enrolment.Role.COACHEE,
            status=Enrolment.Status.APPROVED,
        )
        .exclude(Exists(live))
        .annotate(priority=Exists(rematch))
        .select_related("person")
        .order_by("-priority", "person__full_name", "pk")
    )


class SignatureState:
    """Where a relationship's agreement stands, as the admin list filters it."""

    NONE = "none"
    UNSIGNED = "unsigned"
    ONE = "one"
    SIGNED = "signed"
    CHOICES = [
        (NONE, "No agreement yet"),
        (UNSIGNED, "Not signed"),
        (ONE, "Signed by one"),
        (SIGNED, "Signed by both"),
    ]
    LABELS = dict(CHOICES)


def with_signatures(
    relationships: QuerySet[CoachingRelationship],
) -> QuerySet[CoachingRelationship]:
    """Annotate the agreement's signature times and template version, never its text:
    ``agreement_id``, ``coach_signed_at``, ``coachee_signed_at``."""
    return relationships.annotate(
        agreement_pk=F("agreement__pk"),
        coach_signed_at=F("agreement__coach_signed_at"),
        coachee_signed_at=F("agreement__coachee_signed_at"),
    )


def signature_state(relationship: CoachingRelationship) -> str:
    """The ``SignatureState`` of a relationship annotated by ``with_signatures``."""
    if getattr(relationship, "agreement_pk", None) is None:
        return SignatureState.NONE
    signed = [
        getattr(relationship, "coach_signed_at", None),
        getattr(relationship, "coachee_signed_at", None),
    ]
    count = sum(1 for at in signed if at is not None)
    return [SignatureState.UNSIGNED, SignatureState.ONE, SignatureState.SIGNED][count]


def _signature_filter(state: str) -> Q:
    coach = Q(agreement__coach_signed_at__isnull=False)
    coachee = Q(agreement__coachee_signed_at__isnull=False)
    return {
        SignatureState.NONE: Q(agreement__isnull=True),
        SignatureState.UNSIGNED: Q(agreement__isnull=False) & ~coach & ~coachee,
        SignatureState.ONE: (coach & ~coachee) | (~coach & coachee),
        SignatureState.SIGNED: coach & coachee,
    }.get(state, Q())


@dataclass(frozen=True)
class RelationshipFilters:
    programme: Programme | None = None
    status: str = ""
    signature: str = ""
    search: str = ""


def relationships_for_overview(
    relationships: QuerySet[CoachingRelationship], filters: RelationshipFilters
) -> QuerySet[CoachingRelationship]:
    """The admin list: filtered, with signatures (``with_signatures``), ``sessions_held``
    and ``last_held_at`` (the start of the last held session), newest first. Nothing of what
    the pair wrote is loaded."""
    if filters.programme is not None:
        relationships = relationships.filter(programme=filters.programme)
    if filters.status:
        relationships = relationships.filter(status=filters.status)
    if filters.signature:
        relationships = relationships.filter(_signature_filter(filters.signature))
    if filters.search:
        term = filters.search.strip()
        relationships = relationships.filter(
            Q(coach__full_name__icontains=term)
            | Q(coach__preferred_name__icontains=term)
            | Q(coachee__full_name__icontains=term)
            | Q(coachee__preferred_name__icontains=term)
        )
    held = Q(sessions__status=SessionStatus.HELD)
    return with_signatures(
        relationships.select_related("programme", "coach", "coachee").annotate(
            sessions_held=Count("sessions", filter=held),
            last_held_at=Max("sessions__starts_at", filter=held),
        )
    ).order_by("-proposed_at", "-pk")


def cadence_overdue(relationship: CoachingRelationship, now: datetime | None = None) -> bool:
    """Whether an active relationship has gone longer than the programme's cadence without a
    held session (counted from its start when none was held). Needs ``last_held_at``."""
    if relationship.status != RelationshipStatus.ACTIVE:
        return False
    since = getattr(relationship, "last_held_at", None) or relationship.started_at
    if since is None:
        return False
    allowed = timedelta(days=relationship.programme.session_cadence_days)
    return (now or timezone.now()) - since > allowed


def agreement_of(relationship: CoachingRelationship) -> Agreement | None:
    """The relationship's agreement (for its pair only: fetch the relationship through
    ``access.relationship_for_party`` first), or None before both accepted."""
    agreement = Agreement.objects.filter(relationship=relationship).first()
    if agreement is not None:
        agreement.relationship = relationship
    return agreement


def relationship_transitions(
    relationship: CoachingRelationship,
) -> QuerySet[RelationshipTransition]:
    return relationship.transitions.select_related("by").order_by("at", "pk")
