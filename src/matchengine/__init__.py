"""Cadre's matching engine: pure Python with NumPy, SciPy and OR-Tools, never Django.

The engine takes plain arrays and dataclasses and returns assignments with explanations.
The ``cadre.matching`` app converts database rows to its inputs and back.

Entry points:

- :func:`solve` — the certified optimal assignment of coachees to coaches;
- :func:`explain_pair` — one pair's hard-rule check and score, for a hand swap;
- :func:`suggest` — a coachee's best feasible coaches, for coachee-choice mode.

See ``docs/matching.md`` for the rules, the score's formulas and the certificate.
"""

from matchengine.model import (
    DEFAULT_TOP_K,
    FACTORS,
    REASONS,
    Bound,
    CoacheeRecord,
    Coachees,
    Coaches,
    CoachRecord,
    CrossDepartment,
    MatchInputError,
    Objective,
    Pair,
    PairScore,
    Problem,
    Ragged,
    Result,
    Rules,
    Unmatched,
    Weights,
    availability_from_intervals,
    problem_from_records,
)
from matchengine.solver import explain_pair, solve, suggest

__all__ = [
    "DEFAULT_TOP_K",
    "FACTORS",
    "REASONS",
    "Bound",
    "CoachRecord",
    "CoacheeRecord",
    "Coachees",
    "Coaches",
    "CrossDepartment",
    "MatchInputError",
    "Objective",
    "Pair",
    "PairScore",
    "Problem",
    "Ragged",
    "Result",
    "Rules",
    "Unmatched",
    "Weights",
    "availability_from_intervals",
    "explain_pair",
    "problem_from_records",
    "solve",
    "suggest",
]
