"""The solver: hard rules, scores, min-cost flow and the certificate (being written)."""

from matchengine.model import PairScore, Problem, Result


def solve(problem: Problem) -> Result:
    """The optimal assignment over all feasible pairs, certified by dual prices."""
    raise NotImplementedError


def explain_pair(problem: Problem, *, coachee_id: int, coach_id: int) -> PairScore:
    """Check one pair against every hard rule and score it (for a swap by hand)."""
    raise NotImplementedError


def suggest(problem: Problem, *, coachee_id: int, limit: int = 5) -> tuple[PairScore, ...]:
    """A coachee's best-scored feasible coaches with capacity left, best first, ties by id."""
    raise NotImplementedError
