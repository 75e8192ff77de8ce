"""Small random matching problems and an independent brute-force optimum for the tests."""

import numpy as np
from scipy.optimize import linear_sum_assignment

from matchengine import (
    FACTORS,
    Coachees,
    Coaches,
    CrossDepartment,
    Problem,
    Ragged,
    Result,
    Rules,
    Weights,
    explain_pair,
)

LANGUAGE_MASKS = np.asarray([1, 2, 3, 4, 5], dtype=np.uint64)


def random_problem(
    seed: int,
    *,
    coachees: int,
    coaches: int,
    top_k: int = 2,
    cross_department: CrossDepartment = CrossDepartment.PREFERRED,
    pins: int = 0,
) -> Problem:
    """A random instance; pins (if any) are picked among feasible pairs with room."""
    rng = np.random.default_rng(seed)
    n, m = coachees, coaches
    ids_e = rng.permutation(np.arange(1, n + 1)) * 10
    ids_c = rng.permutation(np.arange(1, m + 1)) * 10 + 1  # distinct from coachees
    # Some coaches are also coachees' managers and vice versa.
    ancestors_e = [
        list(rng.choice(ids_c, size=min(m, int(rng.integers(0, 2))), replace=False))
        for _ in range(n)
    ]
    ancestors_c = [
        list(rng.choice(ids_e, size=min(n, int(rng.integers(0, 2))), replace=False))
        for _ in range(m)
    ]
    availability_e = np.zeros((n, 168), dtype=np.bool_)
    availability_c = np.zeros((m, 168), dtype=np.bool_)
    for matrix in (availability_e, availability_c):
        for row in matrix:
            start = int(rng.integers(0, 160))
            row[start : start + int(rng.integers(0, 8))] = True
    preferred = [list(rng.choice(ids_c, size=int(rng.integers(0, 2)) * (m > 0))) for _ in range(n)]
    avoided = [list(rng.choice(ids_c, size=int(rng.integers(0, 2)) * (m > 2))) for _ in range(n)]
    problem_coachees = Coachees(
        ids=ids_e.astype(np.int64),
        level=rng.integers(0, 4, n),
        department=rng.integers(0, 3, n),
        function=rng.integers(-1, 2, n),
        ancestors=Ragged.from_lists(ancestors_e),
        growth=rng.integers(0, 3, (n, 3)).astype(np.float64),
        languages=rng.choice(LANGUAGE_MASKS, n),
        utc_offset_minutes=rng.choice([-300, 0, 60, 330], n).astype(np.int64),
        availability=availability_e,
        priority=rng.choice([1.0, 1.0, 2.0], n),
        preferred=Ragged.from_lists(preferred),
        avoided=Ragged.from_lists(avoided),
    )
    problem_coaches = Coaches(
        ids=ids_c.astype(np.int64),
        level=rng.integers(1, 6, m),
        department=rng.integers(0, 3, m),
        function=rng.integers(-1, 2, m),
        ancestors=Ragged.from_lists(ancestors_c),
        strengths=rng.random((m, 3)).round(2),
        languages=rng.choice(LANGUAGE_MASKS, m),
        utc_offset_minutes=rng.choice([-300, 0, 60, 330], m).astype(np.int64),
        availability=availability_c,
        capacity=rng.integers(0, 3, m),
        load=rng.integers(0, 2, m),
        certified=rng.random(m) < 0.85,
    )
    excluded = np.stack([rng.choice(ids_e, 2), rng.choice(ids_c, 2)], axis=1) if n and m else None
    past = np.stack([rng.choice(ids_e, 1), rng.choice(ids_c, 1)], axis=1) if n and m else None
    problem = Problem(
        coachees=problem_coachees,
        coaches=problem_coaches,
        rules=Rules(
            min_level_gap=int(rng.integers(0, 2)),
            min_overlap_minutes=120,
            time_zone_window_hours=float(rng.choice([0, 2, 6])),
            cross_department=cross_department,
            exclude_past_pairs=bool(rng.integers(0, 2)),
        ),
        weights=Weights(
            competency=float(rng.choice([0.0, 1.0, 2.0])),
            silo=float(rng.choice([0.0, 1.0])),
            availability=0.5,
            preference=float(rng.choice([0.0, 0.7])),
            seniority=0.5,
        ),
        excluded=excluded if excluded is not None else np.zeros((0, 2), np.int64),
        past=past if past is not None else np.zeros((0, 2), np.int64),
        seed=seed,
        top_k=top_k,
    )
    if pins:
        chosen: list[tuple[int, int]] = []
        room = problem_coaches.capacity - problem_coaches.load
        for coachee_id in ids_e:
            for k, coach_id in enumerate(ids_c):
                pair = explain_pair(problem, coachee_id=int(coachee_id), coach_id=int(coach_id))
                if pair.feasible and room[k] > 0:
                    chosen.append((int(coachee_id), int(coach_id)))
                    room[k] -= 1
                    break
            if len(chosen) == pins:
                break
        problem = Problem(
            coachees=problem.coachees,
            coaches=problem.coaches,
            rules=problem.rules,
            weights=problem.weights,
            pinned=np.asarray(chosen, dtype=np.int64).reshape(-1, 2),
            excluded=problem.excluded,
            past=problem.past,
            seed=seed,
            top_k=top_k,
        )
    return problem


def feasibility_and_scores(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Every pair checked and scored one by one through ``explain_pair``."""
    n, m = len(problem.coachees), len(problem.coaches)
    feasible = np.zeros((n, m), dtype=np.bool_)
    scores = np.zeros((n, m), dtype=np.int64)
    for i, coachee_id in enumerate(problem.coachees.ids):
        for j, coach_id in enumerate(problem.coaches.ids):
            pair = explain_pair(problem, coachee_id=int(coachee_id), coach_id=int(coach_id))
            feasible[i, j] = pair.feasible
            scores[i, j] = round(pair.score * 1000)
    return feasible, scores


def brute_force_value(problem: Problem) -> tuple[int, int]:
    """(matched priority in hundredths, total score in thousandths) of the optimum.

    An assignment problem over coach places, solved by SciPy's Hungarian algorithm with the
    lexicographic objective as one weight (priority first), independent of the engine.
    """
    feasible, scores = feasibility_and_scores(problem)
    n = len(problem.coachees)
    room = np.maximum(problem.coaches.capacity - problem.coaches.load, 0)
    pinned_rows = []
    fixed_priority = fixed_score = 0
    id_row = {int(x): i for i, x in enumerate(problem.coachees.ids)}
    id_col = {int(x): j for j, x in enumerate(problem.coaches.ids)}
    for coachee_id, coach_id in problem.pinned:
        i, j = id_row[int(coachee_id)], id_col[int(coach_id)]
        pinned_rows.append(i)
        room[j] -= 1
        fixed_priority += round(problem.coachees.priority[i] * 100)
        fixed_score += scores[i, j]
    slots = [j for j in range(len(problem.coaches)) for _ in range(room[j])]
    priority = np.rint(problem.coachees.priority * 100).astype(np.int64)
    big = 10**7
    weight = np.full((n, len(slots) + n), 0, dtype=np.float64)
    for s, j in enumerate(slots):
        ok = feasible[:, j]
        weight[:, s] = np.where(ok, priority * big + scores[:, j], -1e15)
    weight[pinned_rows, :] = 0.0
    rows, cols = linear_sum_assignment(weight, maximize=True)
    total_priority, total_score = fixed_priority, fixed_score
    for i, c in zip(rows, cols, strict=True):
        if i in pinned_rows or c >= len(slots) or weight[i, c] <= 0:
            continue
        total_priority += priority[i]
        total_score += scores[i, slots[c]]
    return int(total_priority), int(total_score)


def result_value(problem: Problem, result: Result) -> tuple[int, int]:
    id_row = {int(x): i for i, x in enumerate(problem.coachees.ids)}
    priority = sum(
        round(problem.coachees.priority[id_row[p.coachee_id]] * 100) for p in result.pairs
    )
    return priority, sum(round(p.score * 1000) for p in result.pairs)


def contributions_sum(result: Result) -> list[float]:
    return [sum(p.contributions[name] for name in FACTORS) - p.score for p in result.pairs]
