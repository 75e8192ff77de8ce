"""Benchmark the matching engine on synthetic organisations, against three baselines.

Usage::

    .venv/bin/python bench/matching.py                        # small, medium, large, huge
    .venv/bin/python bench/matching.py --sizes small,medium --repeat 5

Sizes (coachees × coaches): small 200 × 50, medium 5,000 × 1,000, large 50,000 × 10,000,
huge 200,000 × 40,000. Each organisation has a management tree (eight levels, a pyramid),
divisions and departments inherited down the tree, functions, regions with their time zone
and languages, working-hour availability in local time, growth areas (three of ten
competencies, weights 3-2-1), coach strengths, capacities 1–5 with some load, 90% of coaches
certified, a few stated preferences and avoided coaches, and past pairs.

Each size runs in its own process, so that the peak memory (``ru_maxrss``, the whole process
including the synthetic data) belongs to that case. The engine is timed ``--repeat`` times and
the median of each stage is printed, end to end from the engine's input to a certified
optimum: ``build`` (rules, classes and the top-K candidate pass), ``solve`` (the first
min-cost flow), ``certify`` (dual prices, pricing the pool and then the pairs outside it,
re-solves). One line per
case, for example::

    matching engine size=medium coachees=5000 coaches=1000 build_s=0.12 solve_s=0.05 ...

In the same run, as yardsticks: networkx's min-cost flow (network simplex) on the engine's
first candidate graph for medium (``vs_networkx`` is the engine's total time as a multiple of
networkx's solve alone), and the total score of a greedy assignment and of stable
hospital/residents (the ``matching`` package; coachees propose) on the same candidates,
as a percentage of the certified optimum, at every size where they finish.
"""

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
# This script is named like the ``matching`` package it compares against: keep its folder off
# the import path so ``import matching`` finds the package.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO / "src"))

from matchengine import Coachees, Coaches, Problem, Ragged, Rules, solve  # noqa: E402

SIZES = {
    "small": (200, 50),
    "medium": (5_000, 1_000),
    "large": (50_000, 10_000),
    "huge": (200_000, 40_000),
}
TARGETS = {"medium": (0.5, None), "large": (8.0, 1536), "huge": (60.0, 4096)}
LEVELS = 8
COMPETENCIES = 10
# Regions: UTC offset in minutes and the languages people there speak (bits).
REGIONS = [
    (-300, [0, 1]),
    (-480, [0, 1]),
    (0, [0, 2]),
    (60, [3, 0, 4]),
    (330, [0, 5]),
    (540, [6, 0]),
]
REGION_SHARE = [0.25, 0.1, 0.2, 0.2, 0.15, 0.1]
# Local working-hour windows people offer for coaching: (weekday, start hour, hours).
WINDOWS = [(1, 9, 2), (1, 14, 2), (2, 10, 2), (3, 9, 3), (3, 15, 2), (4, 11, 2)]


def organisation(coachees: int, coaches: int, seed: int) -> Problem:
    """A synthetic organisation's matching problem, built as arrays."""
    rng = np.random.default_rng(seed)
    people = (coachees + coaches) * 2  # the organisation is larger than the programme
    # A pyramid of levels, 8 (the chief executive) to 1, each level about 2.2× the one above.
    shares = 2.2 ** np.arange(LEVELS)[::-1]
    counts = np.maximum(1, np.round(shares / shares.sum() * people)).astype(np.int64)
    counts[-1] = 1  # index LEVELS-1 is the top
    counts = counts[::-1]  # counts[0] is level 8
    level = np.repeat(np.arange(LEVELS, 0, -1), counts)
    total = len(level)
    starts = np.concatenate([[0], np.cumsum(counts)])
    manager = np.full(total, -1, dtype=np.int64)
    division = np.zeros(total, dtype=np.int64)
    department = np.zeros(total, dtype=np.int64)
    region = rng.choice(len(REGIONS), total, p=REGION_SHARE)
    for k in range(1, LEVELS):
        lo, hi = starts[k], starts[k + 1]
        above = np.arange(starts[k - 1], starts[k])
        manager[lo:hi] = rng.choice(above, hi - lo)
        if k == 1:
            division[lo:hi] = np.arange(hi - lo) % 8
            department[lo:hi] = division[lo:hi] * 6
        elif k == 2:
            division[lo:hi] = division[manager[lo:hi]]
            department[lo:hi] = division[lo:hi] * 6 + rng.integers(0, 6, hi - lo)
        else:
            division[lo:hi] = division[manager[lo:hi]]
            department[lo:hi] = department[manager[lo:hi]]
        same_region = rng.random(hi - lo) < 0.7
        region[lo:hi] = np.where(same_region, region[manager[lo:hi]], region[lo:hi])
    function = (department * 7 + level) % 9
    # Ancestors: walk up the tree, at most LEVELS − 1 steps.
    chain = np.full((total, LEVELS), -1, dtype=np.int64)
    current = manager.copy()
    for depth in range(LEVELS):
        chain[:, depth] = current
        current = np.where(current >= 0, manager[np.maximum(current, 0)], -1)
    person_ids = np.arange(total, dtype=np.int64) + 1
    # Coaches among levels 4–7, coachees among levels 1–5, disjoint.
    coach_pool = np.nonzero((level >= 4) & (level <= 7))[0]
    coach_rows = np.sort(rng.choice(coach_pool, coaches, replace=len(coach_pool) < coaches))
    coach_rows = np.unique(coach_rows)
    taken = np.zeros(total, dtype=np.bool_)
    taken[coach_rows] = True
    coachee_pool = np.nonzero((level <= 5) & ~taken)[0]
    coachee_rows = np.sort(rng.choice(coachee_pool, coachees, replace=False))

    def languages(rows: np.ndarray) -> np.ndarray:
        masks = np.zeros(len(rows), dtype=np.uint64)
        for r, (_, spoken) in enumerate(REGIONS):
            here = region[rows] == r
            first = np.uint64(1) << np.uint64(spoken[0])
            second = np.uint64(1) << np.uint64(spoken[1])
            both = rng.random(len(rows)) < 0.6
            masks[here] = np.where(both[here], first | second, first)
        return masks

    def availability(rows: np.ndarray) -> np.ndarray:
        hours = np.zeros((len(rows), 168), dtype=np.bool_)
        choice = rng.integers(0, len(WINDOWS), (len(rows), 2))
        offsets = np.asarray([REGIONS[r][0] for r in region[rows]]) // 60
        for slot in range(2):
            for w, (day, start, length) in enumerate(WINDOWS):
                here = np.nonzero(choice[:, slot] == w)[0]
                for h in range(length):
                    utc = (day * 24 + start + h - offsets[here]) % 168
                    hours[here, utc] = True
        return hours

    def ragged_chain(rows: np.ndarray) -> Ragged:
        sub = chain[rows]
        valid = sub >= 0
        indptr = np.concatenate([[0], np.cumsum(valid.sum(axis=1))]).astype(np.int64)
        return Ragged(indptr=indptr, values=person_ids[sub[valid]])

    n, m = len(coachee_rows), len(coach_rows)
    growth = np.zeros((n, COMPETENCIES))
    picks = np.argsort(rng.random((n, COMPETENCIES)), axis=1)[:, :3]
    np.put_along_axis(growth, picks, np.asarray([3.0, 2.0, 1.0])[None, :], axis=1)
    strengths = np.zeros((m, COMPETENCIES))
    picks = np.argsort(rng.random((m, COMPETENCIES)), axis=1)[:, :4]
    np.put_along_axis(strengths, picks, rng.choice([0.4, 0.6, 0.8, 1.0], (m, 4)), axis=1)
    coach_ids = person_ids[coach_rows]
    coachee_ids = person_ids[coachee_rows]
    preferred = [[] for _ in range(n)]
    avoided = [[] for _ in range(n)]
    for i in np.nonzero(rng.random(n) < 0.05)[0]:
        preferred[i] = [int(rng.choice(coach_ids))]
    for i in np.nonzero(rng.random(n) < 0.02)[0]:
        avoided[i] = [int(rng.choice(coach_ids))]
    past_count = n // 50
    past = np.stack([rng.choice(coachee_ids, past_count), rng.choice(coach_ids, past_count)], 1)
    capacity = rng.integers(1, 6, m)
    load = np.minimum(capacity, rng.binomial(1, 0.3, m))
    return Problem(
        coachees=Coachees(
            ids=coachee_ids,
            level=level[coachee_rows],
            department=department[coachee_rows],
            function=function[coachee_rows],
            ancestors=ragged_chain(coachee_rows),
            growth=growth,
            languages=languages(coachee_rows),
            utc_offset_minutes=np.asarray([REGIONS[r][0] for r in region[coachee_rows]]),
            availability=availability(coachee_rows),
            priority=np.where(rng.random(n) < 0.05, 2.0, 1.0),
            preferred=Ragged.from_lists(preferred),
            avoided=Ragged.from_lists(avoided),
        ),
        coaches=Coaches(
            ids=coach_ids,
            level=level[coach_rows],
            department=department[coach_rows],
            function=function[coach_rows],
            ancestors=ragged_chain(coach_rows),
            strengths=strengths,
            languages=languages(coach_rows),
            utc_offset_minutes=np.asarray([REGIONS[r][0] for r in region[coach_rows]]),
            availability=availability(coach_rows),
            capacity=capacity,
            load=load,
            certified=rng.random(m) < 0.9,
        ),
        rules=Rules(min_level_gap=1, min_overlap_minutes=60, time_zone_window_hours=3),
        past=past,
        seed=seed,
    )


def candidate_graph(problem: Problem):  # type: ignore[no-untyped-def]
    """The engine's first candidate arcs with integer values, for the baselines.

    Built the way ``solve`` builds them, OpenBLAS held to one thread included: with its own
    threads, the float32 products round differently and a few pairs at the cut change.
    """
    from matchengine import solver

    with solver._single_threaded_blas():
        prep, _, _ = solver._prepare(problem)
        blocks = solver._blocks(prep)
        col_k = solver.COACH_CANDIDATES_PER_PLACE * np.maximum(prep.residual, 0)
        pool, *_ = solver._candidate_pass(
            prep,
            blocks,
            row_k=problem.top_k,
            col_k=col_k + solver.COACH_CANDIDATES_EXTRA,
            seed=problem.seed,
        )
        arcs = solver._exact_arcs(prep, pool.rows[pool.in_flow], pool.cols[pool.in_flow])
    units = np.rint(problem.coachees.priority * 100).astype(np.int64)
    units //= int(np.gcd.reduce(units))
    max_score = sum(getattr(problem.weights, f) for f in solver.FACTORS)
    big_m = int(np.ceil(1000 * max_score)) * max(prep.n, 1) + 1
    values = big_m * units[arcs.rows] + arcs.scores
    return prep, arcs, values


def greedy(problem: Problem, prep, arcs, values) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """Take candidate pairs best value first while both sides are free."""
    order = np.lexsort((arcs.cols, arcs.rows, -values))
    room = prep.residual.copy()
    used = np.zeros(prep.n, dtype=np.bool_)
    matched, score = 0, 0.0
    rows, cols, scores = arcs.rows[order], arcs.cols[order], arcs.scores[order]
    for i, j, s in zip(rows.tolist(), cols.tolist(), scores.tolist(), strict=True):
        if not used[i] and room[j] > 0 and prep.active[j]:
            used[i] = True
            room[j] -= 1
            matched += 1
            score += s / 1000
    return matched, score


def stable_hospital_residents(problem: Problem, prep, arcs, values) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """Resident-optimal stable matching on the candidate lists (coachees propose)."""
    from matching.games import HospitalResident

    resident_prefs: dict[int, list[int]] = {}
    hospital_prefs: dict[int, list[int]] = {}
    score_of = {}
    order = np.lexsort((arcs.cols, -values, arcs.rows))
    for i, j, s, v in zip(
        arcs.rows[order].tolist(),
        arcs.cols[order].tolist(),
        arcs.scores[order].tolist(),
        values[order].tolist(),
        strict=True,
    ):
        resident_prefs.setdefault(i, []).append(j)
        hospital_prefs.setdefault(j, []).append((v, i))
        score_of[i, j] = s
    hospital_prefs = {
        j: [i for _, i in sorted(pairs, key=lambda p: (-p[0], p[1]))]
        for j, pairs in hospital_prefs.items()
    }
    capacities = {j: int(prep.residual[j]) for j in hospital_prefs}
    game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
    solution = game.solve(optimal="resident")
    matched, score = 0, 0.0
    for hospital, residents in solution.items():
        for resident in residents:
            matched += 1
            score += score_of[resident.name, hospital.name] / 1000
    return matched, score


def networkx_seconds(problem: Problem, prep, arcs, values) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    import networkx as nx

    graph = nx.DiGraph()
    sink = "sink"
    free = np.ones(prep.n, dtype=np.bool_)
    for i in range(prep.n):
        graph.add_node(("e", i), demand=-1)
        graph.add_edge(("e", i), sink, capacity=1, weight=0)
    for j in np.nonzero(prep.active)[0].tolist():
        graph.add_edge(("c", j), sink, capacity=int(prep.residual[j]), weight=0)
    graph.add_node(sink, demand=int(free.sum()))
    for i, j, v in zip(arcs.rows.tolist(), arcs.cols.tolist(), values.tolist(), strict=True):
        graph.add_edge(("e", i), ("c", j), capacity=1, weight=-v)
    start = time.perf_counter()
    cost, _ = nx.network_simplex(graph)
    return time.perf_counter() - start, -cost


def run_case(size: str, repeat: int, seed: int, baselines: bool) -> None:
    coachees, coaches = SIZES[size]
    start = time.perf_counter()
    problem = organisation(coachees, coaches, seed)
    generate = time.perf_counter() - start
    print(
        f"matching generate size={size} coachees={len(problem.coachees)} "
        f"coaches={len(problem.coaches)} seconds={generate:.1f}",
        flush=True,
    )
    results = []
    for _ in range(repeat):
        results.append(solve(problem))
    stats = {
        key: statistics.median(r.statistics[key] for r in results) for key in results[0].statistics
    }
    result = results[-1]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    target_seconds, target_mb = TARGETS.get(size, (None, None))
    verdict = ""
    if target_seconds is not None:
        ok = stats["seconds_total"] <= target_seconds and (
            target_mb is None or peak_mb <= target_mb
        )
        verdict = f" target_s={target_seconds}" + (f" target_mb={target_mb}" if target_mb else "")
        verdict += f" result={'pass' if ok else 'miss'}"
    line = (
        f"matching engine size={size} coachees={len(problem.coachees)}"
        f" coaches={len(problem.coaches)}"
        f" build_s={stats['seconds_build']:.2f} solve_s={stats['seconds_solve']:.2f}"
        f" certify_s={stats['seconds_certify']:.2f} total_s={stats['seconds_total']:.2f}"
        f" runs={repeat} peak_mb={peak_mb:.0f} matched={result.objective.matched}"
        f" objective_priority={result.objective.matched_priority:.0f}"
        f" objective_score={result.objective.total_score:.1f} gap={result.gap:g}"
        f" certified={result.certified} arcs={stats['candidate_arcs']:.0f}"
        f" added_arcs={stats['added_arcs']:.0f} pricing_rounds={stats['pricing_rounds']:.0f}"
        f" scans={stats['pricing_scans']:.0f} pool_arcs={stats['pool_arcs']:.0f}"
        f" k={stats['candidate_k']:.0f} pairs_scored={stats['pairs_scored']:.3g}"
        f"{verdict}"
    )
    print(line, flush=True)
    if not baselines:
        return
    prep, arcs, values = candidate_graph(problem)
    optimum = result.objective.total_score
    start = time.perf_counter()
    matched, score = greedy(problem, prep, arcs, values)
    print(
        f"matching greedy size={size} seconds={time.perf_counter() - start:.2f} matched={matched}"
        f" score={score:.1f} vs_optimum={100 * (score - optimum) / optimum:+.1f}%",
        flush=True,
    )
    if size in ("small", "medium"):
        start = time.perf_counter()
        sys.setrecursionlimit(1_000_000)  # the package deep-copies its linked players
        try:
            matched, score = stable_hospital_residents(problem, prep, arcs, values)
        except RecursionError:
            print(f"matching stable-hospital-residents size={size} result=did-not-finish")
            return
        print(
            f"matching stable-hospital-residents size={size}"
            f" seconds={time.perf_counter() - start:.2f} matched={matched} score={score:.1f}"
            f" vs_optimum={100 * (score - optimum) / optimum:+.1f}%",
            flush=True,
        )
    if size == "medium":
        seconds, _ = networkx_seconds(problem, prep, arcs, values)
        print(
            f"matching networkx-min-cost-flow size={size} seconds={seconds:.2f}"
            f" (first candidate graph, {len(arcs.rows)} arcs, solve only)"
            f" engine_total_s={stats['seconds_total']:.2f}"
            f" speedup={seconds / stats['seconds_total']:.0f}x",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium,large,huge")
    parser.add_argument("--repeat", type=int, default=0, help="runs per size (default 5/3/3/1)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.case:
        run_case(options.case, options.repeat, options.seed, not options.no_baselines)
        return
    defaults = {"small": 5, "medium": 5, "large": 3, "huge": 1}
    for size in options.sizes.split(","):
        repeat = options.repeat or defaults[size]
        command = [sys.executable, __file__, "--case", size, "--repeat", str(repeat)]
        command += ["--seed", str(options.seed)]
        if options.no_baselines:
            command.append("--no-baselines")
        subprocess.run(command, check=False)


if __name__ == "__main__":
    main()
