"""The engine's inputs and outputs: frozen dataclasses over columnar NumPy arrays.

A problem holds its people as columns (one array per attribute, one row per person), so the
Django side can fill it from database rows and the benchmark can fill it at 200,000 × 40,000
without an object per person. Lists of different lengths per person (a management chain,
preferred coaches) are :class:`Ragged` arrays in the CSR layout. For tests and small callers,
:func:`problem_from_records` builds a problem from one record per person.

Conventions:

- ``ids`` are person ids (int64), unique on each side. A person may be both a coachee and a
  coach; ancestors (the management chain, any order, any depth) are person ids too.
- ``department`` and ``function`` are integer codes (any integers; ``function`` −1 means
  unknown). ``level`` is an integer grade, higher is more senior.
- ``languages`` is a bitmask (uint64): bit *b* set means the person speaks language *b*.
- ``utc_offset_minutes`` is the person's time zone as an offset from UTC, in minutes.
- ``availability`` is a (n, 168) boolean matrix: hour *h* of the week in UTC (Monday 00:00 UTC
  is hour 0) is free. Overlap between two people is counted in whole hours.
- ``growth`` (coachees) and ``strengths`` (coaches) are (n, competencies) float arrays over the
  same competency columns: growth weights ≥ 0 (how much the coachee wants to grow there),
  strengths in [0, 1].
- Pairs (pinned, excluded, past) are (k, 2) int64 arrays of ``(coachee id, coach id)``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

HOURS_PER_WEEK = 168
MINUTES_PER_WEEK = HOURS_PER_WEEK * 60

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
MaskArray = NDArray[np.uint64]


class MatchInputError(ValueError):
    """The problem is malformed: the message names the field and, where there is one, the id."""


@dataclass(frozen=True, eq=False)
class Ragged:
    """Per-row lists of ids in the CSR layout: row *i* is ``values[indptr[i]:indptr[i + 1]]``."""

    indptr: IntArray
    values: IntArray

    @classmethod
    def from_lists(cls, rows: Iterable[Iterable[int]]) -> Ragged:
        lists = [list(row) for row in rows]
        indptr = np.zeros(len(lists) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(row) for row in lists])
        values = np.fromiter(
            (value for row in lists for value in row), dtype=np.int64, count=int(indptr[-1])
        )
        return cls(indptr=indptr, values=values)

    @classmethod
    def empty(cls, rows: int) -> Ragged:
        return cls(indptr=np.zeros(rows + 1, dtype=np.int64), values=np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def row(self, index: int) -> IntArray:
        return self.values[self.indptr[index] : self.indptr[index + 1]]

    def row_indices(self) -> IntArray:
        """The row of every value, so ``(row_indices(), values)`` lists all (row, id) pairs."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.indptr))


@dataclass(frozen=True, eq=False)
class Coachees:
    """The people to be matched, one row each."""

    ids: IntArray
    level: IntArray
    department: IntArray
    function: IntArray  # −1: unknown
    ancestors: Ragged  # person ids above the coachee in the management chain
    growth: FloatArray  # (n, competencies), weights ≥ 0
    languages: MaskArray
    utc_offset_minutes: IntArray
    availability: BoolArray  # (n, 168) hours of the week in UTC
    priority: FloatArray  # > 0; matching a coachee of priority 2 counts as matching two
    preferred: Ragged  # coach ids the coachee asked for (a score factor)
    avoided: Ragged  # coach ids the coachee must not get (a hard rule)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, eq=False)
class Coaches:
    """The people who coach, one row each."""

    ids: IntArray
    level: IntArray
    department: IntArray
    function: IntArray  # −1: unknown
    ancestors: Ragged
    strengths: FloatArray  # (m, competencies), in [0, 1]
    languages: MaskArray
    utc_offset_minutes: IntArray
    availability: BoolArray  # (m, 168)
    capacity: IntArray  # coachees the coach takes in total
    load: IntArray  # coachees the coach already has
    certified: BoolArray

    def __len__(self) -> int:
        return len(self.ids)


class CrossDepartment(StrEnum):
    """How a programme treats pairs from the same department."""

    REQUIRED = "required"  # same department is a hard exclusion
    PREFERRED = "preferred"  # crossing departments scores (silo-breaking factor)
    NOT_CONSIDERED = "not_considered"  # departments neither exclude nor score


@dataclass(frozen=True)
class Rules:
    """The programme's hard rules."""

    min_level_gap: int = 1
    min_overlap_minutes: int = 60
    time_zone_window_hours: float = 3.0
    cross_department: CrossDepartment = CrossDepartment.PREFERRED
    exclude_past_pairs: bool = True


@dataclass(frozen=True)
class Weights:
    """The weight of each score factor, and the shape of two of them (see ``docs/matching.md``).

    Every factor is in [0, 1] before weighting, so a pair's score is in [0, sum of weights].
    """

    competency: float = 1.0
    silo: float = 1.0
    availability: float = 0.5
    preference: float = 0.5
    seniority: float = 0.5
    ideal_level_gap: int = 2  # the seniority sweet spot: coach level − coachee level
    level_gap_tolerance: int = 2  # the seniority factor falls to 0 this many levels away
    full_overlap_minutes: int = 240  # weekly overlap at which the availability factor is 1


# Each coachee's best coaches that start the flow (the coaches' side adds its own best).
DEFAULT_TOP_K = 4

FACTORS: tuple[str, ...] = ("competency", "silo", "availability", "preference", "seniority")

# Why a coach is excluded for a coachee, in the order they are reported.
REASONS: tuple[str, ...] = (
    "reporting_line",  # one is in the other's management chain (or they are the same person)
    "level_gap",  # the coach is not senior enough
    "language",  # no shared language
    "availability",  # too little overlap and time zones too far apart
    "excluded",  # the pair is excluded explicitly
    "past_pair",  # they were paired before and the programme excludes past pairs
    "same_department",  # the programme requires crossing departments
    "avoided",  # the coachee asked not to have this coach
    "not_certified",  # the coach is not certified
    "no_capacity",  # the coach has no capacity left (before this run)
)


def _empty_pairs() -> IntArray:
    return np.zeros((0, 2), dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Problem:
    """Everything one matching run needs."""

    coachees: Coachees
    coaches: Coaches
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)
    pinned: IntArray = field(default_factory=_empty_pairs)
    excluded: IntArray = field(default_factory=_empty_pairs)
    past: IntArray = field(default_factory=_empty_pairs)
    seed: int = 0
    top_k: int = DEFAULT_TOP_K  # each coachee's best coaches among the first flow's arcs


@dataclass(frozen=True, slots=True)
class Pair:
    """A proposed pair and why."""

    coachee_id: int
    coach_id: int
    score: float  # the sum of ``contributions``
    contributions: Mapping[str, float]  # factor → weight × factor value
    rank: int  # 1 = the best-scored coach among this coachee's feasible coaches
    options: int  # how many coaches were feasible for this coachee
    pinned: bool


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A coachee left without a coach, and why.

    ``reasons`` counts, for each rule in :data:`REASONS`, the coaches it excludes (a coach
    broken by two rules counts under both); ``feasible`` is how many coaches no rule excludes,
    all of them taken by pairs that count more.
    """

    coachee_id: int
    feasible: int
    reasons: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class PairScore:
    """One pair scored and checked on its own (for a hand swap or a coachee's suggestions)."""

    coachee_id: int
    coach_id: int
    feasible: bool
    broken_rules: tuple[str, ...]  # names from :data:`REASONS`; empty when feasible
    score: float
    contributions: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Objective:
    matched: int
    matched_priority: float  # the first, dominant term
    total_score: float  # the second term


@dataclass(frozen=True, slots=True)
class Bound:
    """The best any assignment over ALL feasible pairs could reach, from the dual prices."""

    matched_priority: float
    total_score: float


@dataclass(frozen=True)
class Result:
    pairs: tuple[Pair, ...]  # sorted by coachee id
    unmatched: tuple[Unmatched, ...]  # sorted by coachee id
    objective: Objective
    bound: Bound
    # bound − objective in score units when the matched priority is the same, else infinity;
    # 0 when certified.
    gap: float
    certified: bool
    statistics: Mapping[str, float]  # seconds per stage, candidate arcs, pricing rounds, …


# --- a convenience builder from one record per person --------------------------------------


@dataclass(frozen=True)
class CoacheeRecord:
    id: int
    level: int
    department: Hashable
    languages: Sequence[str]
    utc_offset_minutes: int = 0
    availability: Sequence[tuple[int, int]] = ()  # [start, end) UTC minutes of the week
    growth: Mapping[str, float] = field(default_factory=dict)  # competency → weight
    ancestors: Sequence[int] = ()
    function: Hashable | None = None
    priority: float = 1.0
    preferred: Sequence[int] = ()
    avoided: Sequence[int] = ()


@dataclass(frozen=True)
class CoachRecord:
    id: int
    level: int
    department: Hashable
    languages: Sequence[str]
    utc_offset_minutes: int = 0
    availability: Sequence[tuple[int, int]] = ()
    strengths: Mapping[str, float] = field(default_factory=dict)  # competency → [0, 1]
    ancestors: Sequence[int] = ()
    function: Hashable | None = None
    capacity: int = 1
    load: int = 0
    certified: bool = True


def availability_from_intervals(intervals: Sequence[tuple[int, int]]) -> BoolArray:
    """A 168-hour row from [start, end) minute intervals of the week in UTC.

    An hour is free when the intervals cover all of it; intervals may wrap past the week's end.
    """
    minutes = np.zeros(MINUTES_PER_WEEK, dtype=np.bool_)
    for start, end in intervals:
        if end < start:
            raise MatchInputError(f"availability: interval ({start}, {end}) ends before it starts")
        for minute in range(start, end):
            minutes[minute % MINUTES_PER_WEEK] = True
    return np.asarray(minutes.reshape(HOURS_PER_WEEK, 60).all(axis=1), dtype=np.bool_)


def _codes(values: Iterable[Hashable | None]) -> tuple[IntArray, dict[Hashable, int]]:
    """Integer codes for hashable labels (ints pass through; None becomes −1)."""
    items = list(values)
    if all(isinstance(value, int | np.integer) or value is None for value in items):
        numbers = [-1 if value is None else int(str(value)) for value in items]
        return np.asarray(numbers, dtype=np.int64), {}
    labels = sorted({str(value) for value in items if value is not None})
    table: dict[Hashable, int] = {label: code for code, label in enumerate(labels)}
    coded = [-1 if value is None else table[str(value)] for value in items]
    return np.asarray(coded, dtype=np.int64), table


def problem_from_records(
    *,
    coachees: Sequence[CoacheeRecord],
    coaches: Sequence[CoachRecord],
    rules: Rules | None = None,
    weights: Weights | None = None,
    pinned: Sequence[tuple[int, int]] = (),
    excluded: Sequence[tuple[int, int]] = (),
    past: Sequence[tuple[int, int]] = (),
    seed: int = 0,
    top_k: int = DEFAULT_TOP_K,
) -> Problem:
    """Build a :class:`Problem` from one record per person (for tests and small callers).

    Departments and functions may be any labels (the same label on both sides is the same
    department); languages and competencies are names.
    """
    people: list[CoacheeRecord | CoachRecord] = [*coachees, *coaches]
    languages = sorted({name for person in people for name in person.languages})
    if len(languages) > 64:
        raise MatchInputError(f"languages: at most 64 distinct languages, got {len(languages)}")
    language_bit = {name: np.uint64(1) << np.uint64(bit) for bit, name in enumerate(languages)}
    competencies = sorted(
        {name for person in coachees for name in person.growth}
        | {name for person in coaches for name in person.strengths}
    )

    def mask(names: Sequence[str]) -> np.uint64:
        bits = np.uint64(0)
        for name in names:
            bits |= language_bit[name]
        return bits

    departments, _ = _codes([person.department for person in people])
    functions, _ = _codes([person.function for person in people])
    n = len(coachees)

    def matrix(rows: Sequence[Mapping[str, float]]) -> FloatArray:
        out = np.zeros((len(rows), len(competencies)), dtype=np.float64)
        for i, row in enumerate(rows):
            for j, name in enumerate(competencies):
                out[i, j] = float(row.get(name, 0.0))
        return out

    def hours(rows: Sequence[CoacheeRecord | CoachRecord]) -> BoolArray:
        out = np.zeros((len(rows), HOURS_PER_WEEK), dtype=np.bool_)
        for i, person in enumerate(rows):
            out[i] = availability_from_intervals(person.availability)
        return out

    def pairs(rows: Sequence[tuple[int, int]]) -> IntArray:
        return np.asarray(list(rows), dtype=np.int64).reshape(-1, 2)

    return Problem(
        coachees=Coachees(
            ids=np.asarray([p.id for p in coachees], dtype=np.int64),
            level=np.asarray([p.level for p in coachees], dtype=np.int64),
            department=departments[:n],
            function=functions[:n],
            ancestors=Ragged.from_lists(p.ancestors for p in coachees),
            growth=matrix([p.growth for p in coachees]),
            languages=np.asarray([mask(p.languages) for p in coachees], dtype=np.uint64),
            utc_offset_minutes=np.asarray([p.utc_offset_minutes for p in coachees], np.int64),
            availability=hours(coachees),
            priority=np.asarray([p.priority for p in coachees], dtype=np.float64),
            preferred=Ragged.from_lists(p.preferred for p in coachees),
            avoided=Ragged.from_lists(p.avoided for p in coachees),
        ),
        coaches=Coaches(
            ids=np.asarray([p.id for p in coaches], dtype=np.int64),
            level=np.asarray([p.level for p in coaches], dtype=np.int64),
            department=departments[n:],
            function=functions[n:],
            ancestors=Ragged.from_lists(p.ancestors for p in coaches),
            strengths=matrix([p.strengths for p in coaches]),
            languages=np.asarray([mask(p.languages) for p in coaches], dtype=np.uint64),
            utc_offset_minutes=np.asarray([p.utc_offset_minutes for p in coaches], np.int64),
            availability=hours(coaches),
            capacity=np.asarray([p.capacity for p in coaches], dtype=np.int64),
            load=np.asarray([p.load for p in coaches], dtype=np.int64),
            certified=np.asarray([p.certified for p in coaches], dtype=np.bool_),
        ),
        rules=rules or Rules(),
        weights=weights or Weights(),
        pinned=pairs(pinned),
        excluded=pairs(excluded),
        past=pairs(past),
        seed=seed,
        top_k=top_k,
    )
