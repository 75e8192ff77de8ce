"""The matching engine: hard rules, optimality against brute force, the certificate, edge cases.

Plain pytest and hypothesis, no database: the whole folder runs in seconds.
"""

import dataclasses

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
    suggest,
)
from tests.matchengine.instances import (
    brute_force_value,
    contributions_sum,
    feasibility_and_scores,
    random_problem,
    result_value,
)

SMALL = settings(max_examples=40, deadline=None)
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
    assert result.certified and result.gap == 0


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
    assert a.pairs == b.pairs and a.unmatched == b.unmatched and a.objective == b.objective


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
    assert result.pairs == () and result.unmatched == () and result.certified
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
    with pytest.raises(MatchInputError, match="coaches.ids: duplicate id 10"):
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
