"""Coachee-choice mode: coachees see their best coaches and ask one.

An admin opens choice for a programme (``choice_open``) and says how many suggestions each
coachee sees (5 by default). An approved coachee without a coach then sees that many coaches
(``suggestions_for``): the engine scores the coachee against every coach of the programme
with a place left, keeps only pairs no hard rule forbids, and explains each with the score
factors in words. The coachee asks one (``suggestion_request``): that proposes the pair
through ``cadre.coaching.services.relationship_propose(origin="matching")``, which checks
every rule again with the coach's enrolment locked (so two coachees asking for a coach's last
place at once make one pair), and counts as the coachee's acceptance. The coach accepts or
declines with ``relationship_accept`` / ``relationship_decline``; after a decline the coachee
chooses again (a past pair is never suggested twice).

A coachee whom the programme's latest run proposes a coach for waits for that proposal: the
suggestions leave out such coachees, and count those proposals against their coaches' places.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

import matchengine
from cadre.accounts.access import require_programme_admin
from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.coaching.access import person_of
from cadre.coaching.models import LIVE_STATUSES, CoachingRelationship, RelationshipOrigin
from cadre.coaching.rules import CoachingError
from cadre.coaching.services import (
    PAIRING_PROGRAMME_STATUSES,
    relationship_accept,
    relationship_propose,
)
from cadre.matching.access import programmes_for_choice
from cadre.matching.adapter import (
    FACTOR_LABELS,
    MatchingInputError,
    engine_problem,
    engine_weights,
    matching_input,
)
from cadre.matching.models import (
    DEFAULT_SUGGESTIONS,
    MAX_SUGGESTIONS,
    ChoiceMode,
    MatchProposal,
    MatchRun,
)
from cadre.people.models import Person
from cadre.programs.models import CoachProfile, Enrolment, Programme

# A request its coach hasn't answered for this many days shows as stale to the admins.
STALE_REQUEST_DAYS = 7
# A factor's value (its contribution over its weight, in [0, 1]) at or above each threshold
# reads as these words; below the last, the factor isn't mentioned.
FACTOR_WORDS: dict[str, tuple[tuple[float, str], ...]] = {
    "competency": (
        (0.75, "Strong in what you want to grow"),
        (0.4, "Good at what you want to grow"),
        (0.05, "Some strength in what you want to grow"),
    ),
    "silo": (
        (0.99, "From another part of the organisation"),
        (0.05, "From another department"),
    ),
    "availability": (
        (0.75, "Plenty of free time in common"),
        (0.25, "Some free time in common"),
    ),
    "preference": ((0.5, "Matches the preference you stated"),),
    "seniority": (
        (0.99, "An ideal step up in seniority"),
        (0.4, "A good step up in seniority"),
    ),
}


@dataclass(frozen=True)
class Suggestion:
    coach: Person
    rank: int  # 1: the best-scored coach for this coachee
    score: float
    factors: dict[str, float]  # factor -> contribution to the score
    reasons: list[str]  # the factors in words, strongest first
    bio: str = ""  # the coach's short bio in this programme

    @property
    def contributions(self) -> list[tuple[str, float]]:
        """Factor labels and contributions, largest first, for a breakdown."""
        labelled = [(FACTOR_LABELS.get(name, name), value) for name, value in self.factors.items()]
        return sorted(labelled, key=lambda item: (-item[1], item[0]))


@dataclass
class ChoicePage:
    """What a coachee sees for one programme: their suggestions, or why there are none."""

    programme: Programme
    suggestions: list[Suggestion] = field(default_factory=list)
    relationship: CoachingRelationship | None = None  # their live pairing, asked or agreed
    awaiting_run: bool = False  # the latest matching run proposes a coach for them
    problem: str = ""  # why the engine could not suggest (bad programme data)


def choice_mode_of(programme: Programme) -> ChoiceMode:
    """The programme's choice settings (closed, 5 suggestions, if never set)."""
    mode = ChoiceMode.objects.filter(programme=programme).first()
    return mode or ChoiceMode(programme=programme)


def choice_open(
    *,
    programme: Programme,
    by: User,
    suggestions: int = DEFAULT_SUGGESTIONS,
    request: HttpRequest | None = None,
) -> ChoiceMode:
    """Open coachee choice for ``programme`` (admins only), showing ``suggestions`` coaches to
    each coachee; opening it again changes the number."""
    require_programme_admin(by)
    if not 1 <= suggestions <= MAX_SUGGESTIONS:
        raise CoachingError(f"Coachees see 1 to {MAX_SUGGESTIONS} suggestions, not {suggestions}.")
    if programme.status not in PAIRING_PROGRAMME_STATUSES:
        status = Programme.Status(programme.status).label.lower()
        raise CoachingError(
            f"“{programme}” is {status}: coachees choose only while it is matching or running."
        )
    with transaction.atomic():
        mode, _ = ChoiceMode.objects.select_for_update().get_or_create(programme=programme)
        mode.is_open = True
        mode.suggestions = suggestions
        mode.changed_by = by
        mode.changed_at = timezone.now()
        mode.save()
        audit_record(
            actor=by,
            action="matching.choice_open",
            target=programme,
            request=request,
            details={"suggestions": suggestions},
        )
    return mode


def choice_close(
    *, programme: Programme, by: User, request: HttpRequest | None = None
) -> ChoiceMode:
    """Close coachee choice (admins only): requests already made stay for the coaches to
    answer."""
    require_programme_admin(by)
    with transaction.atomic():
        mode, _ = ChoiceMode.objects.select_for_update().get_or_create(programme=programme)
        if not mode.is_open:
            raise CoachingError(f"Coachee choice is closed in “{programme}” already.")
        mode.is_open = False
        mode.changed_by = by
        mode.changed_at = timezone.now()
        mode.save()
        audit_record(actor=by, action="matching.choice_close", target=programme, request=request)
    return mode


def choice_programmes(person: Person | None) -> list[Programme]:
    """The programmes where ``person`` is an approved coachee and may choose a coach now."""
    if person is None:
        return []
    return list(programmes_for_choice(person).select_related("choice_mode").order_by("name", "pk"))


def choice_programmes_to_choose(person: Person | None) -> list[Programme]:
    """Of ``choice_programmes``, those where ``person`` may ask a coach now: they have no
    coach yet, asked or agreed, and the latest run proposes none for them (one query)."""
    if person is None:
        return []
    live = CoachingRelationship.objects.filter(
        programme=OuterRef("pk"), coachee=person, status__in=LIVE_STATUSES
    )
    latest_run = (
        MatchRun.objects.filter(programme=OuterRef(OuterRef("pk")), status=MatchRun.Status.FINISHED)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    proposed = MatchProposal.objects.filter(
        run=Subquery(latest_run), coachee=person, relationship__isnull=True, refusal=""
    )
    return list(
        programmes_for_choice(person)
        .exclude(Exists(live))
        .exclude(Exists(proposed))
        .order_by("name", "pk")
    )


def _words(name: str, contribution: float, weight: float) -> str | None:
    if weight <= 0 or contribution <= 0:
        return None
    value = contribution / weight
    for threshold, words in FACTOR_WORDS.get(name, ()):
        if value >= threshold:
            return words
    return None


def suggestions_for(
    *, programme: Programme, coachee: Person, limit: int | None = None
) -> ChoicePage:
    """The coachee's best coaches in ``programme`` with a place left, best first (ties by
    name), ``limit`` of them (the programme's setting by default), or why there are none."""
    page = ChoicePage(programme=programme)
    page.relationship = (
        CoachingRelationship.objects.filter(
            programme=programme, coachee=coachee, status__in=LIVE_STATUSES
        )
        .select_related("coach")
        .first()
    )
    if page.relationship is not None:
        return page
    limit = limit or choice_mode_of(programme).suggestions
    data = matching_input(
        programme=programme, kind=MatchRun.Kind.INCREMENTAL, coachee_ids=[coachee.pk]
    )
    if not data.coachees:
        # An approved coachee without a live relationship left out: a run proposes them.
        page.awaiting_run = True
        return page
    try:
        problem = engine_problem(data)
        options = matchengine.suggest(problem, coachee_id=coachee.pk, limit=limit)
    except (MatchingInputError, matchengine.MatchInputError) as error:
        page.problem = str(error)
        return page
    weights = engine_weights(None)
    coach_ids = [int(option.coach_id) for option in options]
    coaches = Person.objects.select_related("department").in_bulk(coach_ids)
    bios = dict(
        CoachProfile.objects.filter(
            enrolment__programme=programme,
            enrolment__role=Enrolment.Role.COACH,
            enrolment__person_id__in=coach_ids,
        ).values_list("enrolment__person_id", "bio")
    )
    for rank, option in enumerate(options, start=1):
        factors = {name: float(value) for name, value in option.contributions.items()}
        weight = {name: float(getattr(weights, name, 0.0)) for name in factors}
        strongest = sorted(factors, key=lambda name: -factors[name] / (weight[name] or 1.0))
        reasons = [
            words
            for name in strongest
            if (words := _words(name, factors[name], weight[name])) is not None
        ]
        page.suggestions.append(
            Suggestion(
                coach=coaches[int(option.coach_id)],
                rank=rank,
                score=float(option.score),
                factors=factors,
                reasons=reasons,
                bio=bios.get(int(option.coach_id), ""),
            )
        )
    return page


def suggestion_request(
    *,
    programme: Programme,
    coach: Person,
    requested_by: User,
    request: HttpRequest | None = None,
) -> CoachingRelationship:
    """The coachee ``requested_by`` asks ``coach``, one of their current suggestions: a
    proposed relationship the coachee has accepted, for the coach to accept or decline."""
    coachee = person_of(requested_by)
    if coachee is None:
        raise CoachingError("Only a coachee with a profile here can ask for a coach.")
    mode = choice_mode_of(programme)
    if not mode.is_open:
        raise CoachingError(f"Coachees don't choose their coach in “{programme}” at the moment.")
    page = suggestions_for(programme=programme, coachee=coachee, limit=mode.suggestions)
    if page.relationship is not None:
        raise CoachingError(
            f"You have asked {page.relationship.coach} already in “{programme}”: wait for "
            "their answer."
            if page.relationship.status == CoachingRelationship.Status.PROPOSED
            else f"You already have a coach in “{programme}”."
        )
    if page.awaiting_run:
        raise CoachingError(
            f"A coach is being proposed for you in “{programme}”: wait for the programme's team."
        )
    if coach.pk not in {suggestion.coach.pk for suggestion in page.suggestions}:
        raise CoachingError(
            f"{coach} isn't among your suggestions any more (their places may have gone): "
            "choose one of those shown."
        )
    with transaction.atomic():
        relationship = relationship_propose(
            programme=programme,
            coach=coach,
            coachee=coachee,
            proposed_by=requested_by,
            origin=RelationshipOrigin.MATCHING,
            request=request,
        )
        relationship = relationship_accept(
            relationship=relationship, person=coachee, request=request
        )
        audit_record(
            actor=requested_by,
            action="matching.suggestion_request",
            target=relationship,
            request=request,
            details={"programme": programme.pk, "coach": coach.pk},
        )
    return relationship


def choice_requests(programme: Programme) -> list[CoachingRelationship]:
    """Coachees' requests in ``programme`` that their coach hasn't answered yet, oldest first."""
    return list(
        CoachingRelationship.objects.filter(
            programme=programme,
            origin=RelationshipOrigin.MATCHING,
            status=CoachingRelationship.Status.PROPOSED,
            proposed_by=F("coachee__user"),
        )
        .select_related("coach", "coachee")
        .order_by("proposed_at", "pk")
    )
