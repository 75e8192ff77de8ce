"""The matching engine: hard rules, optimality against brute force, the certificate, edge cases.

Plain pytest and hypothesis, no database: the whole folder runs in seconds.
"""

import contextlib
import dataclasses
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchengine import (
    REASONS,
    CoacheeRecord,
    CoachRecord,
    CrossDepartment,
    MatchInputError,
    Problem,
    Rules,
    explain_pair,
    problem_from_records,
    solve,
    solver,
    suggest,
)
from tests.matchengine.instances import (
    brute_force_value,
    contributions_sum,
    feasibility_and_scores,
    random_problem,
    result_value,
)

SMALL = settings(max_examples=25, deadline=None)
sizes = st.tuples(st.integers(0, 6), st.integers(0, 5))
modes = st.sampled_from(list(CrossDepartment))


@SMALL
@given(seed=st.integers(0, 2**32 - 1), size=sizes, mode=modes, pins=st.integers(0, 2))
def test_no_hard_rule_broken_and_capacities_and_pins_hold(seed, size, mode, pins):
    problem = random_problem(
        seed, coachees=size[0], coaches=size[1], cross_department=mode, pins=pins
    )
    result = solve(problem)
    feasible, _ = feasibility_and_scores(problem)
    row = {int(x): i for i, x in enumerate(problem.coachees.ids)}
    col = {int(x): j for j, x in enumerate(problem.coaches.ids)}
    taken = np.zeros(len(problem.coaches), dtype=np.int64)
    seen = set()
    for pair in result.pairs:
        assert feasible[row[pair.coachee_id], col[pair.coach_id]]
        assert problem.coaches.certified[col[pair.coach_id]]
        assert pair.coachee_id not in seen
        seen.add(pair.coachee_id)
        taken[col[pair.coach_id]] += 1
    room = np.maximum(problem.coaches.capacity - problem.coaches.load, 0)
    assert np.all(taken <= room)
    proposed = {(p.coachee_id, p.coach_id) for p in result.pairs}
    assert {(int(a), int(b)) for a, b in problem.pinned} <= proposed
    assert {p.coachee_id for p in result.pairs if p.pinned} == {int(a) for a, _ in problem.pinned}
    assert seen | {u.coachee_id for u in result.unmatched} == set(row)
    assert result.certified
    assert result.gap == 0


@SMALL
@given(seed=st.integers(0, 2**32 - 1), size=sizes, mode=modes, pins=st.integers(0, 1))
def test_the_result_is_the_brute_force_optimum(seed, size, mode, pins):
    problem = random_problem(
        seed, coachees=size[0], coaches=size[1], top_k=1, cross_department=mode, pins=pins
    )
    result = solve(problem)
    assert result_value(problem, result) == brute_force_value(problem)
    assert result.bound.matched_priority == pytest.approx(result.objective.matched_priority)
    assert result.bound.total_score == pytest.approx(result.objective.total_score)


@SMALL
@given(seed=st.integers(0, 2**32 - 1), size=sizes)
def test_the_certificate_is_right_removing_the_pruning_changes_nothing(seed, size):
    pruned = random_problem(seed, coachees=size[0], coaches=size[1], top_k=1)
    unpruned = dataclasses.replace(pruned, top_k=10_000)
    a, b = solve(pruned), solve(unpruned)
    assert result_value(pruned, a) == result_value(unpruned, b)
    assert b.statistics["added_arcs"] == 0


@SMALL
@given(seed=st.integers(0, 2**32 - 1), size=sizes)
def test_explanations_add_up_and_ranks_are_right(seed, size):
    problem = random_problem(seed, coachees=size[0], coaches=size[1], top_k=1)
    result = solve(problem)
    assert all(abs(d) < 1e-9 for d in contributions_sum(result))
    feasible, scores = feasibility_and_scores(problem)
    active = problem.coaches.certified & (problem.coaches.capacity > problem.coaches.load)
    row = {int(x): i for i, x in enumerate(problem.coachees.ids)}
    col = {int(x): j for j, x in enumerate(problem.coaches.ids)}
    for pair in result.pairs:
        i, j = row[pair.coachee_id], col[pair.coach_id]
        options = feasible[i] & active
        assert pair.options == options.sum()
        assert pair.rank == 1 + np.count_nonzero(options & (scores[i] > scores[i, j]))
    for unmatched in result.unmatched:
        i = row[unmatched.coachee_id]
        assert set(unmatched.reasons) == set(REASONS)
        assert unmatched.feasible == np.count_nonzero(feasible[i] & active)


@SMALL
@given(seed=st.integers(0, 2**32 - 1))
def test_same_input_and_seed_give_the_same_output(seed):
    problem = random_problem(seed, coachees=6, coaches=4, top_k=1)
    a, b = solve(problem), solve(problem)
    assert a.pairs == b.pairs
    assert a.unmatched == b.unmatched
    assert a.objective == b.objective


def person(pid, level, **extra):
    return {"id": pid, "level": level, "department": "Sales", "languages": ["en"], **extra}


def records(coachees, coaches, **options):
    return problem_from_records(
        coachees=[CoacheeRecord(**person(**c)) for c in coachees],
        coaches=[CoachRecord(**person(**c)) for c in coaches],
        **options,
    )


def test_empty_input_gives_an_empty_certified_result():
    result = solve(records([], []))
    assert result.pairs == ()
    assert result.unmatched == ()
    assert result.certified
    assert result.objective.matched == 0


def test_no_coaches_leaves_everyone_unmatched_with_reasons():
    result = solve(records([{"pid": 1, "level": 1}], []))
    assert [u.coachee_id for u in result.unmatched] == [1]
    assert result.unmatched[0].feasible == 0


def test_nobody_matchable_counts_each_rule():
    problem = records(
        [{"pid": 1, "level": 3, "ancestors": [10]}],
        [
            {"pid": 10, "level": 5},  # the coachee's manager
            {"pid": 11, "level": 2},  # too junior
            {"pid": 12, "level": 5, "languages": ["fr"]},
            {"pid": 13, "level": 5, "certified": False},
            {"pid": 14, "level": 5, "department": "Sales"},
        ],
        rules=Rules(cross_department=CrossDepartment.REQUIRED),
    )
    result = solve(problem)
    reasons = result.unmatched[0].reasons
    assert reasons["reporting_line"] == 1
    assert reasons["level_gap"] == 1
    assert reasons["language"] == 1
    assert reasons["not_certified"] == 1
    assert reasons["same_department"] == 5
    assert result.unmatched[0].feasible == 0


def test_all_coaches_full_leaves_coachees_unmatched_with_feasible_zero():
    problem = records(
        [{"pid": 1, "level": 1, "department": "Ops"}],
        [{"pid": 10, "level": 3, "capacity": 2, "load": 2}],
    )
    result = solve(problem)
    assert result.pairs == ()
    assert result.unmatched[0].reasons["no_capacity"] == 1


def test_one_coach_takes_the_highest_priority_first():
    problem = records(
        [
            {"pid": 1, "level": 1, "department": "Ops", "growth": {"a": 1.0}},
            {"pid": 2, "level": 1, "department": "Ops", "priority": 2.0},
        ],
        [{"pid": 10, "level": 3, "strengths": {"a": 1.0}}],
    )
    result = solve(problem)
    assert [(p.coachee_id, p.coach_id) for p in result.pairs] == [(2, 10)]


def test_duplicate_ids_are_refused_naming_the_id():
    with pytest.raises(MatchInputError, match=r"coaches\.ids: duplicate id 10"):
        solve(records([], [{"pid": 10, "level": 3}, {"pid": 10, "level": 4}]))


def test_mismatched_lengths_are_refused_naming_the_field():
    problem = records([{"pid": 1, "level": 1}], [])
    broken = dataclasses.replace(
        problem,
        coachees=dataclasses.replace(problem.coachees, level=np.zeros(2, dtype=np.int64)),
    )
    with pytest.raises(MatchInputError, match=r"coachees.level: 2 rows, expected 1"):
        solve(broken)


def test_a_pin_that_breaks_a_rule_is_refused():
    problem = records([{"pid": 1, "level": 3}], [{"pid": 10, "level": 1}], pinned=[(1, 10)])
    with pytest.raises(MatchInputError, match=r"pinned: \(1, 10\) breaks level_gap"):
        solve(problem)


def test_pins_beyond_capacity_are_refused():
    problem = records(
        [{"pid": 1, "level": 1, "department": "Ops"}, {"pid": 2, "level": 1, "department": "Ops"}],
        [{"pid": 10, "level": 3, "capacity": 1}],
        pinned=[(1, 10), (2, 10)],
    )
    with pytest.raises(MatchInputError, match="pinned: coach id 10 has 1 places left but 2 pins"):
        solve(problem)


def test_a_pin_of_an_unknown_person_is_refused():
    problem = records([{"pid": 1, "level": 1}], [{"pid": 10, "level": 3}], pinned=[(1, 11)])
    with pytest.raises(MatchInputError, match="pinned: coach id 11 is not a coach"):
        solve(problem)


def test_explain_pair_names_broken_rules_and_suggest_ranks_by_score():
    problem = records(
        [{"pid": 1, "level": 1, "department": "Ops", "growth": {"a": 1.0}, "preferred": [11]}],
        [
            {"pid": 10, "level": 3, "strengths": {"a": 0.2}},
            {"pid": 11, "level": 3, "strengths": {"a": 0.2}},
            {"pid": 12, "level": 1},
        ],
    )
    assert explain_pair(problem, coachee_id=1, coach_id=12).broken_rules == ("level_gap",)
    suggestions = suggest(problem, coachee_id=1)
    assert [s.coach_id for s in suggestions] == [11, 10]
    assert suggestions[0].contributions["preference"] == 0.5


def test_problem_is_a_plain_dataclass():
    assert isinstance(records([], []), Problem)


# --- the pricing mechanisms: capped additions, both sides' pools, sampled thresholds -----------

MECHANISMS = [
    # (arcs added per coachee per round, pool as a multiple of the flow's candidates,
    #  a coach's candidates per free place, and beyond, coachees sampled for the coaches'
    #  thresholds, coaches sampled per coachee threshold (stride), slack in score units,
    #  arcs left out of later flows below this many units under their prices, until round,
    #  and the first round's slack when it differs)
    (1, 1, 0, 0, 10_000, 8, 0, 0, 10),  # no pool beyond K, no coach side, flows cut hard
    (1, 2, 0, 1, 2, 2, 0, 10**9, 1),  # a small pool, thresholds from a two-coachee sample
    (2, 3, 1, 0, 3, 1, 0, 0, 2),  # coach-side candidates, thresholds from every coach
    (1, 2, 0, 0, 10_000, 8, 400, 100, 3),  # near-violators join the violators
    (
        solver.PRICING_ARCS_PER_ROW,
        solver.POOL_PER_CANDIDATE,
        solver.COACH_CANDIDATES_PER_PLACE,
        solver.COACH_CANDIDATES_EXTRA,
        solver.SAMPLE_ROWS,
        solver.ROW_SAMPLE_STRIDE,
        solver.POOL_SLACK,
        solver.SOLVE_SLACK,
        solver.DROP_ROUNDS,
        solver.FIRST_ROUND_SLACK,
    ),  # the defaults
]


@contextlib.contextmanager
def pricing_settings(
    per_row,
    pool,
    per_place,
    extra=0,
    sample=10_000,
    stride=8,
    slack=0,
    solve_slack=10**9,
    drop_rounds=1,
    first_slack=None,
):
    with (
        mock.patch.object(solver, "POOL_SLACK", slack),
        mock.patch.object(
            solver, "FIRST_ROUND_SLACK", slack if first_slack is None else first_slack
        ),
        mock.patch.object(solver, "SOLVE_SLACK", solve_slack),
        mock.patch.object(solver, "DROP_ROUNDS", drop_rounds),
        mock.patch.object(solver, "PRICING_ARCS_PER_ROW", per_row),
        mock.patch.object(solver, "POOL_PER_CANDIDATE", pool),
        mock.patch.object(solver, "COACH_CANDIDATES_PER_PLACE", per_place),
        mock.patch.object(solver, "COACH_CANDIDATES_EXTRA", extra),
        mock.patch.object(solver, "SAMPLE_ROWS", sample),
        mock.patch.object(solver, "SAMPLE_SHARE", 2),
        mock.patch.object(solver, "ROW_SAMPLE_STRIDE", stride),
    ):
        yield


@SMALL
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.tuples(st.integers(1, 7), st.integers(1, 5)),
    mode=modes,
    pins=st.integers(0, 1),
    mechanism=st.sampled_from(MECHANISMS),
)
def test_capped_pricing_and_the_pool_still_reach_the_brute_force_optimum(
    seed, size, mode, pins, mechanism
):
    problem = random_problem(
        seed, coachees=size[0], coaches=size[1], top_k=1, cross_department=mode, pins=pins
    )
    with pricing_settings(*mechanism):
        result = solve(problem)
    assert result.certified
    assert result.gap == 0
    assert result_value(problem, result) == brute_force_value(problem)
    unpruned = solve(dataclasses.replace(problem, top_k=10_000))
    assert result_value(problem, result) == result_value(problem, unpruned)


def test_capped_pricing_adds_at_most_the_cap_per_coachee_per_round():
    # One coach with many places, every coachee matched only through pricing.
    problem = random_problem(3, coachees=7, coaches=5, top_k=1)
    with pricing_settings(1, 1, 0):
        result = solve(problem)
    stats = result.statistics
    # The cap holds for the pool's pairs and for those found outside it, each.
    assert stats["added_arcs"] <= 2 * (stats["pricing_rounds"] - 1) * len(problem.coachees)
    assert result_value(problem, result) == brute_force_value(problem)


def test_price_pool_keeps_the_most_violating_pairs_per_coachee():
    # With zero prices every pool pair violates; the pass keeps each coachee's two best.
    problem = random_problem(5, coachees=7, coaches=5, top_k=1)
    prep, _, _ = solver._prepare(problem)
    blocks = solver._blocks(prep)
    with pricing_settings(8, 4, 0):
        pool, _, _ = solver._candidate_pass(
            prep, blocks, row_k=1, col_k=np.zeros(prep.m, dtype=np.int64), seed=0
        )
    free = np.ones(prep.n, dtype=np.bool_)
    rows, cols = solver._price_pool(
        prep,
        pool,
        u=np.zeros(prep.n, dtype=np.int64),
        v=np.zeros(prep.m, dtype=np.int64),
        big_m=10**6,
        priority_units=np.ones(prep.n, dtype=np.int64),
        free_rows=free,
        per_row=2,
        max_score=5.0,
        arc_keys=np.zeros(0, dtype=np.int64),
    )
    _, exact = feasibility_and_scores(problem)
    for row in range(prep.n):
        in_pool = pool.cols[pool.rows == row]
        kept = cols[rows == row]
        assert len(kept) == min(2, len(in_pool))
        if len(kept):
            worst_kept = min(round(1000 * exact[row, c]) for c in kept)
            others = [round(1000 * exact[row, c]) for c in in_pool if c not in kept]
            assert all(o <= worst_kept for o in others)


@SMALL
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.tuples(st.integers(1, 9), st.integers(1, 6)),
    mechanism=st.sampled_from(MECHANISMS),
)
def test_every_pair_left_out_of_the_pool_is_within_both_bounds(seed, size, mechanism):
    problem = random_problem(seed, coachees=size[0], coaches=size[1], top_k=1)
    prep, _, _ = solver._prepare(problem)
    blocks = solver._blocks(prep)
    with pricing_settings(*mechanism):
        col_k = solver.COACH_CANDIDATES_PER_PLACE * np.maximum(prep.residual, 0) + 1
        pool, feasible_count, _ = solver._candidate_pass(
            prep, blocks, row_k=1, col_k=col_k, seed=seed
        )
    feasible, exact = feasibility_and_scores(problem)
    feasible &= prep.active[None, :]
    in_pool = np.zeros_like(feasible)
    in_pool[pool.rows, pool.cols] = True
    assert not np.any(in_pool & ~feasible)
    assert list(feasible_count) == list(feasible.sum(axis=1))
    for row, col in zip(*np.nonzero(feasible & ~in_pool), strict=True):
        assert exact[row, col] <= round(1000 * pool.row_bound[row]) + 1
        assert exact[row, col] <= round(1000 * pool.col_bound[col]) + 1


def test_ranked_orders_each_group_best_first():
    groups = np.asarray([1, 0, 1, 1, 0, 2])
    values = np.asarray([0.5, 2.0, -0.25, 3.0, 1.0, -1.0], dtype=np.float32)
    assert list(solver._ranked(groups, values)) == [1, 0, 2, 0, 1, 0]


def test_three_priority_levels_reach_the_brute_force_optimum():
    # The flow enforces, level by level, the most coachees a matching can cover.
    for seed in range(12):
        problem = random_problem(seed, coachees=8, coaches=4, top_k=1)
        priorities = np.random.default_rng(seed).choice([1.0, 1.5, 3.0], len(problem.coachees))
        problem = dataclasses.replace(
            problem, coachees=dataclasses.replace(problem.coachees, priority=priorities)
        )
        assert result_value(problem, solve(problem)) == brute_force_value(problem)


@SMALL
@given(seed=st.integers(0, 2**32 - 1), size=sizes, top_k=st.integers(1, 3))
def test_the_dual_prices_are_feasible_on_every_arc(seed, size, top_k):
    problem = random_problem(seed, coachees=size[0], coaches=size[1], top_k=top_k)
    prep, pin_rows, _ = solver._prepare(problem)
    blocks = solver._blocks(prep)
    pool, _, _ = solver._candidate_pass(
        prep, blocks, row_k=top_k, col_k=np.ones(prep.m, dtype=np.int64), seed=seed
    )
    free = np.ones(prep.n, dtype=np.bool_)
    free[pin_rows] = False
    keep = pool.in_flow & free[pool.rows]
    arcs = solver._exact_arcs(prep, pool.rows[keep], pool.cols[keep])
    priority_units = np.ones(prep.n, dtype=np.int64)
    flow = solver._solve_flow(prep, arcs, free, priority_units)
    values = 10**6 * priority_units[arcs.rows] + arcs.scores
    u, v = solver._duals(prep, arcs, values, flow)
    assert np.all(v >= 0)
    assert np.all(u[free] >= 0)
    assert np.all(values <= u[arcs.rows] + v[arcs.cols])
    used = flow.arc_flow
    assert np.all(values[used] == u[arcs.rows[used]] + v[arcs.cols[used]])


def test_the_bounds_clear_coachees_from_the_scan_and_the_result_stays_optimal():
    # Pricing outside the pool scans only the coachees (and coaches) the bounds leave open.
    problem = random_problem(10, coachees=40, coaches=12, top_k=1)
    with pricing_settings(8, 1, 0):
        result = solve(problem)
    stats = result.statistics
    assert stats["pricing_scans"] >= 1
    assert 0 < stats["pricing_rows_skipped"] < stats["pricing_rounds"] * 40
    assert result_value(problem, result) == brute_force_value(problem)


def scanned_pairs(problem: Problem) -> np.ndarray:
    """(coachee row, coach row, finite score) of every pair the engine's scan scores."""
    solver._validate(problem)
    prep, _, _ = solver._prepare(problem)
    blocks = solver._blocks(prep)
    found = [np.zeros((0, 3), dtype=np.int64)]
    for rows, cols, finite in solver._map_blocks(
        prep, blocks, lambda block: (block.rows, block.cols, np.isfinite(block.scores))
    ):
        r, c = np.meshgrid(rows, cols, indexing="ij")
        found.append(np.stack([r.ravel(), c.ravel(), finite.ravel()], axis=1))
    return np.concatenate(found)


@SMALL
@given(seed=st.integers(0, 2**32 - 1), size=sizes)
def test_the_scan_scores_every_feasible_pair_exactly_once(seed, size):
    # Coachees are scanned by time zone against the coaches some of them can reach: no
    # feasible pair with an active coach may be lost, and none is scored twice.
    problem = random_problem(seed, coachees=size[0] * 5, coaches=size[1] * 3)
    feasible, _ = feasibility_and_scores(problem)
    active = problem.coaches.certified & (problem.coaches.capacity > problem.coaches.load)
    pairs = scanned_pairs(problem)
    keys = pairs[:, 0] * max(len(problem.coaches), 1) + pairs[:, 1]
    assert len(np.unique(keys)) == len(keys)
    scored_feasible = np.zeros_like(feasible)
    scored_feasible[pairs[pairs[:, 2] == 1, 0], pairs[pairs[:, 2] == 1, 1]] = True
    assert np.array_equal(scored_feasible, feasible & active[None, :])


def test_coaches_no_coachee_of_a_time_zone_can_reach_are_not_scored_for_it():
    # Two regions ten hours apart, with working hours that never overlap: each region's
    # coachees are scored against their own region's coaches only.
    base = random_problem(3, coachees=12, coaches=6)
    n, m = len(base.coachees), len(base.coaches)
    zone_e, zone_c = np.arange(n) % 2 * 600, np.arange(m) % 2 * 600
    hours_e = np.zeros((n, 168), dtype=np.bool_)
    hours_c = np.zeros((m, 168), dtype=np.bool_)
    hours_e[zone_e == 0, 9:12] = hours_c[zone_c == 0, 9:12] = True
    hours_e[zone_e == 600, 30:33] = hours_c[zone_c == 600, 30:33] = True
    problem = dataclasses.replace(
        base,
        coachees=dataclasses.replace(
            base.coachees,
            level=np.zeros(n, dtype=np.int64),
            languages=np.ones(n, dtype=np.uint64),
            utc_offset_minutes=zone_e,
            availability=hours_e,
        ),
        coaches=dataclasses.replace(
            base.coaches,
            level=np.full(m, 3, dtype=np.int64),
            languages=np.ones(m, dtype=np.uint64),
            utc_offset_minutes=zone_c,
            availability=hours_c,
            certified=np.ones(m, dtype=np.bool_),
            capacity=np.full(m, 2, dtype=np.int64),
            load=np.zeros(m, dtype=np.int64),
        ),
        rules=dataclasses.replace(base.rules, time_zone_window_hours=2.0),
    )
    pairs = scanned_pairs(problem)
    assert len(pairs) == 2 * (n // 2) * (m // 2)  # 36 pairs, not the 72 of every coach
    assert np.all(zone_e[pairs[:, 0]] == zone_c[pairs[:, 1]])


def test_scoring_in_threads_gives_the_same_result_as_one_thread():
    # Blocks are shared out among threads by coachee group; the results are put back in
    # group order, so pairs, ranks, candidates and statistics are the same.
    problem = random_problem(21, coachees=60, coaches=15, top_k=2)
    with mock.patch.object(solver, "SCAN_THREADS", 1):
        alone = solve(problem)
    with (
        mock.patch.object(solver, "SCAN_THREADS", 3),
        mock.patch.object(solver, "THREADS_FROM_PAIRS", 0),  # threads even for a small scan
    ):
        shared = solve(problem)
    assert alone.pairs == shared.pairs
    assert alone.unmatched == shared.unmatched
    assert alone.objective == shared.objective
    assert {k: v for k, v in alone.statistics.items() if not k.startswith("seconds")} == {
        k: v for k, v in shared.statistics.items() if not k.startswith("seconds")
    }


@pytest.mark.parametrize(
    ("quotas", "expected"),
    [
        ({"": "max 100000", "app": "max 100000"}, 8),  # no quota: the affinity stands
        ({"app": "400000 100000"}, 4),
        ({"app": "150000 100000"}, 1),  # 1.5 CPUs keep one thread busy
        ({"app": "50000 100000"}, 1),  # at least one
        ({"app": "800000 100000"}, 8),  # a quota above the affinity changes nothing
        ({"": "300000 100000", "app": "max 100000"}, 3),  # a parent's quota counts too
        ({"": "600000 100000", "app": "200000 100000"}, 2),  # the tightest one
        ({"app": "garbled"}, 8),
        ({}, 8),  # no cpu.max anywhere
    ],
)
def test_usable_cores_are_the_affinity_capped_by_the_tightest_cgroup_quota(
    tmp_path, quotas, expected
):
    root = tmp_path / "cgroup"
    (root / "app").mkdir(parents=True)
    for folder, text in quotas.items():
        (root / folder / "cpu.max").write_text(text + "\n")
    proc = tmp_path / "proc-cgroup"
    proc.write_text("0::/app\n")
    with mock.patch.object(solver.os, "sched_getaffinity", return_value=set(range(8)), create=True):
        assert solver._usable_cores(root, proc) == expected


def test_usable_cores_without_a_cgroup_v2_are_the_affinity(tmp_path):
    root = tmp_path / "cgroup"
    root.mkdir()
    (root / "cpu.max").write_text("100000 100000\n")
    v1_only = tmp_path / "proc-cgroup"
    v1_only.write_text("4:cpu,cpuacct:/app\n")
    with mock.patch.object(solver.os, "sched_getaffinity", return_value={0, 1}, create=True):
        assert solver._usable_cores(root, v1_only) == 2  # a cgroup v1 line is not read
        assert solver._usable_cores(root, tmp_path / "missing") == 2


@SMALL
@given(rows=st.lists(st.tuples(st.integers(-3, 3), st.integers(-(2**63), 2**63 - 1)), max_size=30))
def test_unique_rows_matches_numpy_unique_by_rows(rows):
    table = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
    expected, expected_inverse = np.unique(table, axis=0, return_inverse=True)
    unique, inverse = solver._unique_rows(table)
    assert unique.tolist() == expected.tolist()
    assert inverse.tolist() == expected_inverse.reshape(-1).tolist()


def test_unique_rows_of_packed_bits_and_of_nothing():
    # Availability patterns are packed into 21 bytes a row; byte order decides the order.
    bits = np.random.default_rng(4).random((40, 168)) < 0.1
    bits[20:] = bits[:20]  # every pattern twice
    packed = np.packbits(bits, axis=1)
    expected, expected_inverse = np.unique(packed, axis=0, return_inverse=True)
    unique, inverse = solver._unique_rows(packed)
    assert unique.dtype == np.uint8
    assert unique.tolist() == expected.tolist()
    assert inverse.tolist() == expected_inverse.reshape(-1).tolist()
    empty, empty_inverse = solver._unique_rows(np.zeros((0, 4), dtype=np.int64))
    assert empty.shape == (0, 4)
    assert empty_inverse.tolist() == []
