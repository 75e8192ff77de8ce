"""From the database to the matching engine and back.

``matching_input`` reads everything a run needs about a programme in a fixed number of
queries, whatever its size, into plain records (``CoacheeRecord``, ``CoachRecord``);
``engine_problem`` turns them into ``matchengine``'s problem. Nothing here writes.

What goes in:

- coachees: a full run takes every approved coachee of the programme without a live
  relationship there; an incremental run only those not holding an undecided proposal of
  the programme's latest finished run (late joiners, and re-matches, which carry priority
  ``REMATCH_PRIORITY`` when their last pairing ended no-fault). The places those undecided
  proposals hold are counted against their coaches, so an incremental run disturbs neither
  live relationships nor the run being reviewed;
- coaches: the programme's approved coaches who still hold the coach role, certified on the
  day or not (the engine names "not certified" among the reasons a coachee is unmatched),
  with capacity from their profile (or the programme's default) and load from their live
  relationships;
- competencies: a coachee's growth areas weigh ``1 / rank``; a coach's strengths are their
  ratings 1–5;
- languages: the person's, and for a coach also their profile's;
- time: the person's time zone as a UTC offset on the day, and weekly availability windows
  turned into minutes of the week in UTC;
- management chains, for everyone at once (``queries.management_ancestors``);
- departments, and functions (the top of a department's branch);
- preferences: a coachee who prefers a coach from another function prefers every coach
  outside their function; avoided people are excluded;
- past pairs: anyone who was in a relationship together before, in any programme;
- pins and exclusions of the programme, and its rules.
"""

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
from django.db.models import Q
from django.utils import timezone

import matchengine
from cadre.coaching.models import LIVE_STATUSES, CoachingRelationship
from cadre.enablement.models import Certification
from cadre.enablement.queries import programme_coaches
from cadre.matching.models import MatchProposal, MatchRun
from cadre.matching.queries import (
    department_functions,
    exclusions_of,
    live_load,
    management_ancestors,
    pins_of,
)
from cadre.people.models import Person
from cadre.programs.models import (
    MAX_RATING,
    AvailabilityWindow,
    CoacheeProfile,
    CoachProfile,
    CoachStrength,
    Enrolment,
    GrowthCompetency,
    Programme,
)

REMATCH_PRIORITY = 2.0
MINUTES_PER_WEEK = 7 * 24 * 60

# Candidate depth and seed unless a run says otherwise (the engine's own defaults).
DEFAULT_TOP_K = matchengine.DEFAULT_TOP_K
DEFAULT_SEED = 0


@dataclass(frozen=True)
class PersonRecord:
    """What the engine needs to know about one participant."""

    person_id: int
    name: str
    level: int
    department_id: int  # 0: no department
    function_id: int  # 0: no department
    ancestors: tuple[int, ...]
    languages: frozenset[str]
    utc_offset_hours: float
    availability: tuple[tuple[int, int], ...]  # [start, end) minutes of the week, UTC


@dataclass(frozen=True)
class CoacheeRecord(PersonRecord):
    growth: dict[int, float] = field(default_factory=dict)  # competency id -> weight
    preferred: frozenset[int] = frozenset()
    avoided: frozenset[int] = frozenset()
    priority: float = 1.0


@dataclass(frozen=True)
class CoachRecord(PersonRecord):
    strengths: dict[int, float] = field(default_factory=dict)  # competency id -> rating
    capacity: int = 1
    load: int = 0
    certified: bool = False


@dataclass(frozen=True)
class Rules:
    """The programme's matching rules, as a run records them."""

    min_level_gap: int
    time_zone_window_hours: int
    cross_department: str  # Programme.CrossDepartment
    exclude_past_pairs: bool = True
    min_overlap_minutes: int = 60

    @classmethod
    def of(cls, programme: Programme, **overrides: Any) -> "Rules":
        values: dict[str, Any] = {
            "min_level_gap": programme.min_level_gap,
            "time_zone_window_hours": programme.time_zone_window_hours,
            "cross_department": programme.cross_department,
        }
        values.update(
            {k: v for k, v in overrides.items() if k in cls.__dataclass_fields__ and v is not None}
        )
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class MatchingInput:
    """Everything a run of one programme feeds the engine, read from the database."""

    programme: Programme
    rules: Rules
    coachees: list[CoacheeRecord]
    coaches: list[CoachRecord]
    pins: list[tuple[int, int]]  # (coachee, coach) person ids
    exclusions: list[tuple[int, int]]
    past_pairs: list[tuple[int, int]]

    @property
    def names(self) -> dict[int, str]:
        people: list[PersonRecord] = [*self.coachees, *self.coaches]
        return {record.person_id: record.name for record in people}


def utc_offset_hours(zone_name: str, on: datetime) -> float:
    """The UTC offset of ``zone_name`` at ``on``, in hours (0 for an unknown zone)."""
    try:
        zone = ZoneInfo(zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return 0.0
    offset = on.astimezone(zone).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def weekly_utc_windows(
    windows: list[tuple[int, time, time]], offset_hours: float
) -> tuple[tuple[int, int], ...]:
    """Local weekly windows ``(weekday, from, until)`` as ``[start, end)`` minutes of the
    week in UTC, split where they wrap past Sunday midnight, sorted."""
    shift = round(offset_hours * 60)
    found: list[tuple[int, int]] = []
    for weekday, starts, ends in windows:
        start = (weekday * 1440 + _minutes(starts) - shift) % MINUTES_PER_WEEK
        length = _minutes(ends) - _minutes(starts)
        end = start + length
        if end <= MINUTES_PER_WEEK:
            found.append((start, end))
        else:
            found += [(start, MINUTES_PER_WEEK), (0, end - MINUTES_PER_WEEK)]
    return tuple(sorted(found))


def _pending_proposals(programme: Programme) -> list[MatchProposal]:
    """The undecided proposals of the programme's latest finished run."""
    latest = (
        MatchRun.objects.filter(programme=programme, status=MatchRun.Status.FINISHED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None:
        return []
    return list(
        MatchProposal.objects.filter(run=latest, relationship__isnull=True, refusal="").only(
            "coach_id", "coachee_id"
        )
    )


def matching_input(
    *,
    programme: Programme,
    kind: str = MatchRun.Kind.FULL,
    on: date | None = None,
    rules: Rules | None = None,
    coachee_ids: list[int] | None = None,
    include_matched: bool = False,
) -> MatchingInput:
    """Read what a run of ``programme`` needs, in a fixed number of queries.

    ``coachee_ids`` narrows the coachees further (coachee-choice mode asks for one);
    ``include_matched`` keeps coachees who have a live relationship (to score a pair).
    """
    on = on or timezone.localdate()
    now = timezone.now()
    rules = rules or Rules.of(programme)
    live_coachees = CoachingRelationship.objects.filter(
        programme=programme, status__in=LIVE_STATUSES
    ).values("coachee_id")
    coachee_enrolments = (
        Enrolment.objects.filter(
            programme=programme, role=Enrolment.Role.COACHEE, status=Enrolment.Status.APPROVED
        )
        .filter(person__is_active=True)
        .select_related("person", "coachee_profile")
        .order_by("person__full_name", "person_id")
    )
    if not include_matched:
        coachee_enrolments = coachee_enrolments.exclude(person_id__in=live_coachees)
    if coachee_ids is not None:
        coachee_enrolments = coachee_enrolments.filter(person_id__in=coachee_ids)
    load = live_load(programme)
    reserved: set[int] = set()
    if kind == MatchRun.Kind.INCREMENTAL:
        for proposal in _pending_proposals(programme):
            reserved.add(proposal.coachee_id)
            load[proposal.coach_id] = load.get(proposal.coach_id, 0) + 1
    coachee_rows = [e for e in coachee_enrolments if e.person_id not in reserved]
    coach_people = {person.pk for person in programme_coaches(programme)}
    coach_rows = list(
        Enrolment.objects.filter(
            programme=programme,
            role=Enrolment.Role.COACH,
            status=Enrolment.Status.APPROVED,
            person_id__in=coach_people,
            person__is_active=True,
        )
        .select_related("person", "coach_profile")
        .order_by("person__full_name", "person_id")
    )
    enrolment_ids = [e.pk for e in (*coachee_rows, *coach_rows)]
    people_ids = [e.person_id for e in (*coachee_rows, *coach_rows)]

    windows: dict[int, list[tuple[int, time, time]]] = defaultdict(list)
    for enrolment_id, weekday, starts, ends in AvailabilityWindow.objects.filter(
        enrolment_id__in=enrolment_ids
    ).values_list("enrolment_id", "weekday", "starts_at", "ends_at"):
        windows[enrolment_id].append((weekday, starts, ends))
    growth: dict[int, dict[int, float]] = defaultdict(dict)
    for enrolment_id, competency_id, rank in GrowthCompetency.objects.filter(
        profile__enrolment_id__in=enrolment_ids
    ).values_list("profile__enrolment_id", "competency_id", "rank"):
        growth[enrolment_id][competency_id] = 1.0 / rank
    strengths: dict[int, dict[int, float]] = defaultdict(dict)
    for enrolment_id, competency_id, rating in CoachStrength.objects.filter(
        profile__enrolment_id__in=enrolment_ids
    ).values_list("profile__enrolment_id", "competency_id", "rating"):
        strengths[enrolment_id][competency_id] = float(rating)
    avoided: dict[int, set[int]] = defaultdict(set)
    through = CoacheeProfile.avoid.through
    for enrolment_id, person_id in through.objects.filter(
        coacheeprofile__enrolment_id__in=enrolment_ids
    ).values_list("coacheeprofile__enrolment_id", "person_id"):
        avoided[enrolment_id].add(person_id)
    certified = set(
        Certification.objects.filter(
            person_id__in=coach_people, certified_on__lte=on, expires_on__gt=on
        ).values_list("person_id", flat=True)
    )
    ancestors = management_ancestors(people_ids)
    functions = department_functions()
    past_pairs = sorted(
        set(
            CoachingRelationship.objects.filter(
                Q(coachee_id__in=[e.person_id for e in coachee_rows])
                & Q(coach_id__in=[e.person_id for e in coach_rows])
                & ~Q(status__in=LIVE_STATUSES)
            ).values_list("coachee_id", "coach_id")
        )
    )

    def base(enrolment: Enrolment, languages: set[str]) -> dict[str, Any]:
        person: Person = enrolment.person
        offset = utc_offset_hours(person.time_zone, now)
        department = person.department_id or 0
        return {
            "person_id": person.pk,
            "name": person.display_name,
            "level": person.level or 0,
            "department_id": department,
            "function_id": functions.get(department, 0),
            "ancestors": tuple(ancestors.get(person.pk, ())),
            "languages": frozenset(code.lower() for code in languages if code),
            "utc_offset_hours": offset,
            "availability": weekly_utc_windows(windows[enrolment.pk], offset),
        }

    coaches = []
    for enrolment in coach_rows:
        profile: CoachProfile | None = getattr(enrolment, "coach_profile", None)
        languages = set(enrolment.person.languages or [])
        if profile is not None:
            languages |= set(profile.languages or [])
        coaches.append(
            CoachRecord(
                **base(enrolment, languages),
                strengths=strengths[enrolment.pk],
                capacity=profile.capacity if profile else programme.default_coach_capacity,
                load=load.get(enrolment.person_id, 0),
                certified=enrolment.person_id in certified,
            )
        )
    priorities = _rematch_priorities(programme, [e.person_id for e in coachee_rows])
    coachees = []
    for enrolment in coachee_rows:
        coachee_profile: CoacheeProfile | None = getattr(enrolment, "coachee_profile", None)
        record = base(enrolment, set(enrolment.person.languages or []))
        preferred: frozenset[int] = frozenset()
        if coachee_profile is not None and coachee_profile.prefers_other_function:
            preferred = frozenset(
                coach.person_id for coach in coaches if coach.function_id != record["function_id"]
            )
        coachees.append(
            CoacheeRecord(
                **record,
                growth=growth[enrolment.pk],
                preferred=preferred,
                avoided=frozenset(avoided[enrolment.pk]),
                priority=REMATCH_PRIORITY if priorities.get(enrolment.person_id) else 1.0,
            )
        )
    in_run = {record.person_id for record in coachees} | {record.person_id for record in coaches}
    return MatchingInput(
        programme=programme,
        rules=rules,
        coachees=coachees,
        coaches=coaches,
        pins=[
            (pin.coachee_id, pin.coach_id)
            for pin in pins_of(programme)
            if pin.coachee_id in in_run and pin.coach_id in in_run
        ],
        exclusions=[(e.coachee_id, e.coach_id) for e in exclusions_of(programme)],
        past_pairs=past_pairs if rules.exclude_past_pairs else [],
    )


def _rematch_priorities(programme: Programme, person_ids: list[int]) -> dict[int, bool]:
    """Whether each coachee's latest ended pairing in the programme gives them priority."""
    latest: dict[int, bool] = {}
    for coachee_id, priority in (
        CoachingRelationship.objects.filter(
            programme=programme,
            coachee_id__in=person_ids,
            status__in=[CoachingRelationship.Status.ENDED, CoachingRelationship.Status.COMPLETED],
        )
        .order_by("finished_at", "pk")
        .values_list("coachee_id", "rematch_priority")
    ):
        latest[coachee_id] = priority
    return latest


# The engine's answer, in the app's terms ------------------------------------------------------


@dataclass(frozen=True)
class PairOutcome:
    coachee_id: int
    coach_id: int
    score: float
    factors: dict[str, float]
    rank: int | None
    options: int | None = None


@dataclass(frozen=True)
class EngineOutcome:
    pairs: list[PairOutcome]
    unmatched: list[tuple[int, dict[str, int]]]  # coachee id, rule -> coaches it excluded
    objective: float
    bound: float
    gap: float
    certified: bool
    statistics: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PairScore:
    score: float
    factors: dict[str, float]
    rank: int | None
    refusals: list[str]  # the hard rules the pair breaks, in words; empty when allowed


# Words for the engine's factor and rule names, as pages and summaries show them.
FACTOR_LABELS = {
    "competency": "Competency fit",
    "silo": "Crossing departments",
    "availability": "Shared availability",
    "preference": "Stated preference",
    "seniority": "Seniority gap",
}
REASON_LABELS = {
    "reporting_line": "in their reporting line",
    "level_gap": "not senior enough",
    "language": "no shared language",
    "availability": "no shared time and too far apart in time zone",
    "excluded": "excluded by an admin",
    "past_pair": "paired with them before",
    "same_department": "from the same department",
    "avoided": "asked to be avoided",
    "not_certified": "not certified",
    "no_capacity": "no place left",
    "taken": "allowed, but their places went to others",
}


def engine_problem(
    data: MatchingInput,
    *,
    weights: dict[str, float] | None = None,
    top_k: int = DEFAULT_TOP_K,
    seed: int = DEFAULT_SEED,
    pins: list[tuple[int, int]] | None = None,
) -> matchengine.Problem:
    """The engine's problem for ``data``: columnar arrays, one row per person."""
    coachees, coaches = data.coachees, data.coaches
    codes = sorted({code for record in [*coachees, *coaches] for code in record.languages})
    if len(codes) > 64:
        raise MatchingInputError(
            f"At most 64 languages can be matched; the programme has {len(codes)}."
        )
    bit = {code: np.uint64(1) << np.uint64(index) for index, code in enumerate(codes)}
    competencies = sorted(
        {pk for record in coachees for pk in record.growth}
        | {pk for record in coaches for pk in record.strengths}
    )
    column = {pk: index for index, pk in enumerate(competencies)}

    def mask(languages: frozenset[str]) -> np.uint64:
        bits = np.uint64(0)
        for code in languages:
            bits |= bit[code]
        return bits

    def department(record: PersonRecord) -> int:
        # Nobody without a department shares one with anybody.
        return record.department_id or -record.person_id

    def function(record: PersonRecord) -> int:
        return record.function_id or -1

    def hours(records: Sequence[PersonRecord]) -> npt.NDArray[np.bool_]:
        out = np.zeros((len(records), matchengine.model.HOURS_PER_WEEK), dtype=np.bool_)
        for row, record in enumerate(records):
            out[row] = matchengine.availability_from_intervals(record.availability)
        return out

    def common(records: Sequence[PersonRecord]) -> dict[str, Any]:
        return {
            "ids": np.asarray([r.person_id for r in records], dtype=np.int64),
            "level": np.asarray([r.level for r in records], dtype=np.int64),
            "department": np.asarray([department(r) for r in records], dtype=np.int64),
            "function": np.asarray([function(r) for r in records], dtype=np.int64),
            "ancestors": matchengine.Ragged.from_lists(r.ancestors for r in records),
            "languages": np.asarray([mask(r.languages) for r in records], dtype=np.uint64),
            "utc_offset_minutes": np.asarray(
                [round(r.utc_offset_hours * 60) for r in records], dtype=np.int64
            ),
            "availability": hours(records),
        }

    growth = np.zeros((len(coachees), len(competencies)), dtype=np.float64)
    for row, coachee in enumerate(coachees):
        for pk, weight in coachee.growth.items():
            growth[row, column[pk]] = weight
    strengths = np.zeros((len(coaches), len(competencies)), dtype=np.float64)
    for row, coach in enumerate(coaches):
        for pk, rating in coach.strengths.items():
            strengths[row, column[pk]] = rating / MAX_RATING
    return matchengine.Problem(
        coachees=matchengine.Coachees(
            **common(coachees),
            growth=growth,
            priority=np.asarray([r.priority for r in coachees], dtype=np.float64),
            preferred=matchengine.Ragged.from_lists(sorted(r.preferred) for r in coachees),
            avoided=matchengine.Ragged.from_lists(sorted(r.avoided) for r in coachees),
        ),
        coaches=matchengine.Coaches(
            **common(coaches),
            strengths=strengths,
            capacity=np.asarray([r.capacity for r in coaches], dtype=np.int64),
            load=np.asarray([r.load for r in coaches], dtype=np.int64),
            certified=np.asarray([r.certified for r in coaches], dtype=np.bool_),
        ),
        rules=matchengine.Rules(
            min_level_gap=data.rules.min_level_gap,
            min_overlap_minutes=data.rules.min_overlap_minutes,
            time_zone_window_hours=float(data.rules.time_zone_window_hours),
            cross_department=matchengine.CrossDepartment(data.rules.cross_department),
            exclude_past_pairs=data.rules.exclude_past_pairs,
        ),
        weights=engine_weights(weights),
        pinned=_pairs(data.pins if pins is None else pins),
        excluded=_pairs(data.exclusions),
        past=_pairs(data.past_pairs),
        seed=seed,
        top_k=top_k,
    )


def engine_weights(weights: dict[str, float] | None) -> matchengine.Weights:
    """The engine's weights with a run's overrides; names the engine doesn't know are
    ignored, whole-number settings (the level gap's sweet spot) kept whole."""
    defaults = matchengine.Weights()
    values: dict[str, Any] = {}
    for name, value in (weights or {}).items():
        if name in {f.name for f in dataclasses.fields(defaults)}:
            values[name] = type(getattr(defaults, name))(value)
    return dataclasses.replace(defaults, **values)


def _pairs(pairs: Sequence[tuple[int, int]]) -> npt.NDArray[np.int64]:
    return np.asarray(list(pairs), dtype=np.int64).reshape(-1, 2)


class MatchingInputError(ValueError):
    """The programme's data can't be matched as it is; the message says why."""


def broken_rules_in_words(rules: Sequence[str]) -> list[str]:
    return [REASON_LABELS.get(rule, rule.replace("_", " ")) for rule in rules]


def engine_solve(
    data: MatchingInput, *, weights: dict[str, float], top_k: int, seed: int
) -> EngineOutcome:
    """Solve ``data`` with the engine. Pins the hard rules no longer allow (a coach who lost
    their certification, a new exclusion) are left out and named in ``dropped_pins``."""
    problem = engine_problem(data, weights=weights, top_k=top_k, seed=seed, pins=[])
    kept, dropped = [], []
    for coachee_id, coach_id in data.pins:
        check = matchengine.explain_pair(problem, coachee_id=coachee_id, coach_id=coach_id)
        if check.feasible:
            kept.append((coachee_id, coach_id))
        else:
            dropped.append((coachee_id, coach_id, list(check.broken_rules)))
    if kept:
        problem = dataclasses.replace(problem, pinned=_pairs(kept))
    try:
        result = matchengine.solve(problem)
    except matchengine.MatchInputError as error:
        raise MatchingInputError(str(error)) from error
    return EngineOutcome(
        pairs=[
            PairOutcome(
                coachee_id=int(pair.coachee_id),
                coach_id=int(pair.coach_id),
                score=float(pair.score),
                factors={name: float(value) for name, value in pair.contributions.items()},
                rank=int(pair.rank),
                options=int(pair.options),
            )
            for pair in result.pairs
        ],
        unmatched=[
            (
                int(item.coachee_id),
                {
                    **{rule: int(count) for rule, count in item.reasons.items() if count},
                    **({"taken": int(item.feasible)} if item.feasible else {}),
                },
            )
            for item in result.unmatched
        ],
        objective=float(result.objective.total_score),
        bound=float(result.bound.total_score),
        gap=float(result.gap) if np.isfinite(result.gap) else float(result.bound.total_score),
        certified=bool(result.certified),
        statistics={
            **{name: float(value) for name, value in result.statistics.items()},
            "matched_priority": float(result.objective.matched_priority),
            "bound_matched_priority": float(result.bound.matched_priority),
            "dropped_pins": dropped,
        },
    )


def pair_score(
    *,
    programme: Programme,
    rules: Rules,
    coachee: Person,
    coach: Person,
    weights: dict[str, float],
) -> PairScore:
    """Check and score one pair with the engine, as a run of the programme would (for a
    swap by hand): its score, each factor's contribution, the coach's rank among the
    coachee's feasible coaches, and the rules it breaks, in words."""
    data = matching_input(
        programme=programme, rules=rules, coachee_ids=[coachee.pk], include_matched=True
    )
    if not any(record.person_id == coachee.pk for record in data.coachees):
        return PairScore(0.0, {}, None, [f"{coachee} is not an approved coachee here"])
    if not any(record.person_id == coach.pk for record in data.coaches):
        return PairScore(0.0, {}, None, [f"{coach} is not an approved coach here"])
    # Capacity is the caller's to check against the run; score the pair as if places were free.
    data.coaches = [dataclasses.replace(record, load=0) for record in data.coaches]
    problem = engine_problem(data, weights=weights, pins=[])
    check = matchengine.explain_pair(problem, coachee_id=coachee.pk, coach_id=coach.pk)
    if not check.feasible:
        return PairScore(0.0, {}, None, broken_rules_in_words(check.broken_rules))
    options = matchengine.suggest(problem, coachee_id=coachee.pk, limit=len(data.coaches))
    better = sum(1 for option in options if option.score > check.score)
    return PairScore(
        score=float(check.score),
        factors={name: float(value) for name, value in check.contributions.items()},
        rank=better + 1,
        refusals=[],
    )
