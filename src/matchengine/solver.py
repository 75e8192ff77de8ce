"""The solver: hard rules, scores, a min-cost flow over candidates, and its certificate.

Hard rules (a pair that breaks one is never proposed; see :data:`matchengine.model.REASONS`):
the coach is not in the coachee's management chain nor the coachee in the coach's (and they
are not the same person); coach level ≥ coachee level + ``min_level_gap``; a shared language;
weekly availability overlap ≥ ``min_overlap_minutes`` or UTC offsets within
``time_zone_window_hours``; not excluded explicitly, not a past pair when
``exclude_past_pairs``, not the same department when crossing departments is required, not a
coach the coachee avoids; the coach is certified and has capacity left.

Score of a feasible pair (every factor in [0, 1], multiplied by its weight in
:class:`~matchengine.model.Weights`):

- competency: ``Σ_k g_k·s_k / Σ_k g_k`` — the coachee's growth weights ``g`` against the
  coach's strengths ``s``; 0 when the coachee states no growth area;
- silo: ``(d + f) / 2`` — ``d`` is 1 when the departments differ (0 when the programme does not
  consider departments), ``f`` is 1 when both functions are known and differ;
- availability: ``min(1, overlap minutes / full_overlap_minutes)``;
- preference: 1 when the coachee asked for this coach;
- seniority: ``max(0, 1 − |gap − ideal_level_gap| / (level_gap_tolerance + 1))`` with
  ``gap`` = coach level − coachee level.

Objective, lexicographic: the largest priority-weighted number of matched coachees, then the
largest total score. As one objective with integer values (the dual prices and the certificate
use it), a pair is worth ``M·p + round(1000·score)``, where ``p`` is the coachee's priority in
hundredths (divided by their common divisor) and ``M`` exceeds any total score, so the first
term always dominates. The flow itself needs no ``M``: see :func:`_solve_flow`.

How it is solved fast and proved optimal:

1. People are grouped in classes with equal level, languages, availability and time zone; a
   class-to-class table holds those rules and the seniority and availability factors, so a
   coachee class is only ever scored against the coaches it may have.
2. Scores are computed block by block (float32 matrix products for competencies and functions,
   a per-time-zone table for the class factors, column slices for departments), the coachee
   groups shared out among threads; each time zone's coachees meet only the coaches one of
   them can reach. One pass keeps each coachee's best coaches and each coach's best
   coachees: the best ``top_k`` and ``16 × places + 8`` start the flow, four times as many
   form a pool, and every pair left out is bounded on both sides (pins are fixed
   beforehand).
3. OR-Tools solves the flow on the candidates. The dual prices are then derived from the
   optimal flow: ``v`` (per coach) is the least solution of the complementary-slackness
   constraints, ``u`` (per coachee) follows.
4. Pricing: the known arcs left out of the last flow and the pool are checked exactly, and
   the pairs outside the pool that the two bounds leave open are scanned, ``w ≤ u + v``. Any
   pair that violates it (checked exactly in integers) joins the candidates and the flow is
   solved again, on the arcs near their prices. When none does, ``u, v`` is a feasible dual
   for the problem over ALL feasible pairs with the same value as the flow: the optimum is
   certified and the gap is 0.
"""

from __future__ import annotations

import ctypes
import dataclasses
import math
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import max_flow, min_cost_flow

from matchengine.model import (
    FACTORS,
    HOURS_PER_WEEK,
    REASONS,
    BoolArray,
    Bound,
    CrossDepartment,
    FloatArray,
    IntArray,
    MatchInputError,
    Objective,
    Pair,
    PairScore,
    Problem,
    Result,
    Unmatched,
)

SCORE_SCALE = 1000  # integer score units per score point in the flow's costs
PRIORITY_SCALE = 100  # priorities are counted in hundredths
BLOCK_ELEMENTS = 1 << 21  # pairs scored per block (8 MB of float32: fewer, larger blocks win)
MAX_PRICING_ROUNDS = 50
PRICING_ARCS_PER_ROW = 16  # most violating pairs added per coachee per round (pool; outside)
POOL_SLACK = 50  # pairs within 50 score units (0.05 points) of violating join the violators
FIRST_ROUND_SLACK = 100  # … 0.1 points in the first round, when prices still move most
SOLVE_SLACK = 200  # later flows leave out arcs more than 0.2 points below their prices…
DROP_ROUNDS = 3  # … until this round; from it on, every arc is in the flow
POOL_PER_CANDIDATE = 4  # the pool keeps 4 × the flow's first candidates, on both sides
COACH_CANDIDATES_PER_PLACE = 16  # a coach's first candidates: its best 16 coachees per place
COACH_CANDIDATES_EXTRA = 8  # … and 8 more
SAMPLE_ROWS = 512  # coachees scored first to set the coaches' pool thresholds (at least)…
SAMPLE_SHARE = 16  # … or one in 16
ROW_SAMPLE_STRIDE = 16  # a coachee's pool threshold comes from every 16th coach of its block
NEG_INF = np.float32(-np.inf)
CGROUP_ROOT = Path("/sys/fs/cgroup")  # cgroup v2; each cgroup's cpu.max: "<quota> <period>"
PROC_CGROUP = Path("/proc/self/cgroup")  # this process's cgroup v2 on the line "0::<path>"


def _cgroup_cpus(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> int | None:
    """The whole CPUs the tightest cgroup v2 quota on this process's cgroup or a parent of it
    allows (1.5 CPUs allow 1); None when there is no quota or no cgroup v2 to read."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    path = next((line[3:] for line in lines if line.startswith("0::")), None)
    if path is None:
        return None
    folder, cpus = root / path.strip("/"), None
    while True:
        try:
            quota, period = (folder / "cpu.max").read_text().split()[:2]
            if quota != "max" and int(quota) > 0:
                allowed = int(quota) // int(period)
                cpus = allowed if cpus is None else min(cpus, allowed)
        except (OSError, ValueError, ZeroDivisionError):
            pass  # no quota here, or one this can't read
        if folder == root or folder.parent == folder:
            return cpus
        folder = folder.parent


def _usable_cores(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> int:
    """How many CPUs this process can keep busy: those it may run on, capped by a cgroup v2
    CPU quota (a container's, or a systemd unit's ``CPUQuota=``), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    quota = _cgroup_cpus(root, proc_cgroup)
    return max(1, cores if quota is None else min(cores, quota))


# Threads that score blocks at once: the cores this process may use, at most four; only
# while OpenBLAS is held to one thread (otherwise its own threads and these would compete).
SCAN_THREADS = min(4, _usable_cores())
_blas_pinned = False  # set by _single_threaded_blas
THREADS_FROM_PAIRS = 50_000_000  # smaller scans are faster in one thread than in several

F32Array = NDArray[np.float32]


@contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Run NumPy's OpenBLAS on one thread for the duration.

    The blocks are small matrix products (tens of columns deep); on a shared machine
    OpenBLAS's worker threads spin and made them up to 100× slower in measurements here.
    A no-op when NumPy does not ship its own OpenBLAS.
    """
    libraries = sorted((Path(np.__file__).parent.parent / "numpy.libs").glob("libscipy_openblas*"))
    library = None
    if libraries:
        try:
            library = ctypes.CDLL(str(libraries[0]))
            get = library.scipy_openblas_get_num_threads64_
            put = library.scipy_openblas_set_num_threads64_
        except (OSError, AttributeError):
            library = None
    global _blas_pinned
    if library is None:
        yield
        return
    before = int(get())
    put(1)
    _blas_pinned = True
    try:
        yield
    finally:
        _blas_pinned = False
        put(before)


# --- validation ------------------------------------------------------------------------------


def _check_length(name: str, array: NDArray[np.generic], rows: int) -> None:
    if array.shape[0] != rows:
        raise MatchInputError(f"{name}: {array.shape[0]} rows, expected {rows}")


def _check_unique(name: str, ids: IntArray) -> None:
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    duplicated = sorted_ids[1:][sorted_ids[1:] == sorted_ids[:-1]]
    if len(duplicated):
        raise MatchInputError(f"{name}: duplicate id {int(duplicated[0])}")


def _validate(problem: Problem) -> None:
    coachees, coaches = problem.coachees, problem.coaches
    n, m = len(coachees.ids), len(coaches.ids)
    for name in ("level", "department", "function", "languages", "utc_offset_minutes"):
        _check_length(f"coachees.{name}", getattr(coachees, name), n)
        _check_length(f"coaches.{name}", getattr(coaches, name), m)
    for name in ("priority", "growth", "availability"):
        _check_length(f"coachees.{name}", getattr(coachees, name), n)
    for name in ("capacity", "load", "certified", "strengths", "availability"):
        _check_length(f"coaches.{name}", getattr(coaches, name), m)
    for side, ragged_names, rows in (
        ("coachees", ("ancestors", "preferred", "avoided"), n),
        ("coaches", ("ancestors",), m),
    ):
        for name in ragged_names:
            ragged = getattr(getattr(problem, side), name)
            if len(ragged.indptr) != rows + 1 or ragged.indptr[-1] != len(ragged.values):
                raise MatchInputError(f"{side}.{name}: indptr does not fit {rows} rows")
            if rows and (ragged.indptr[0] != 0 or np.any(np.diff(ragged.indptr) < 0)):
                raise MatchInputError(f"{side}.{name}: indptr must start at 0 and not decrease")
    if coachees.growth.ndim != 2 or coaches.strengths.ndim != 2:
        raise MatchInputError("coachees.growth and coaches.strengths must be 2-D")
    if coachees.growth.shape[1] != coaches.strengths.shape[1]:
        raise MatchInputError(
            f"coaches.strengths: {coaches.strengths.shape[1]} competencies, "
            f"coachees.growth has {coachees.growth.shape[1]}"
        )
    for side, matrix in (("coachees", coachees.availability), ("coaches", coaches.availability)):
        if matrix.ndim != 2 or matrix.shape[1] != HOURS_PER_WEEK:
            raise MatchInputError(f"{side}.availability: must be (rows, {HOURS_PER_WEEK})")
    _check_unique("coachees.ids", coachees.ids)
    _check_unique("coaches.ids", coaches.ids)
    if (n and not np.all(np.isfinite(coachees.growth))) or np.any(coachees.growth < 0):
        bad = int(coachees.ids[np.nonzero(~(coachees.growth >= 0).all(axis=1))[0][0]])
        raise MatchInputError(f"coachees.growth: weights must be finite and ≥ 0 (id {bad})")
    if m and not np.all(np.isfinite(coaches.strengths)):
        bad = int(coaches.ids[np.nonzero(~np.isfinite(coaches.strengths).all(axis=1))[0][0]])
        raise MatchInputError(f"coaches.strengths: must be finite (id {bad})")
    bad_priority = ~(coachees.priority > 0) | ~np.isfinite(coachees.priority)
    if np.any(bad_priority):
        bad = int(coachees.ids[np.nonzero(bad_priority)[0][0]])
        raise MatchInputError(f"coachees.priority: must be > 0 (id {bad})")
    if np.any(coaches.capacity < 0) or np.any(coaches.load < 0):
        bad = int(coaches.ids[np.nonzero((coaches.capacity < 0) | (coaches.load < 0))[0][0]])
        raise MatchInputError(f"coaches.capacity/load: must be ≥ 0 (id {bad})")
    for name in ("pinned", "excluded", "past"):
        pairs = getattr(problem, name)
        if pairs.ndim != 2 or pairs.shape[1] != 2:
            raise MatchInputError(f"{name}: must be a (k, 2) array of (coachee id, coach id)")
    weights = problem.weights
    for name in FACTORS:
        value = getattr(weights, name)
        if not math.isfinite(value) or value < 0:
            raise MatchInputError(f"weights.{name}: must be finite and ≥ 0, got {value}")
    if weights.full_overlap_minutes <= 0 or weights.level_gap_tolerance < 0:
        raise MatchInputError("weights: full_overlap_minutes > 0 and level_gap_tolerance ≥ 0")
    if problem.top_k < 1:
        raise MatchInputError(f"top_k: must be ≥ 1, got {problem.top_k}")


# --- preparation ----------------------------------------------------------------------------


def _index_of(sorted_ids: IntArray, order: IntArray, ids: IntArray) -> IntArray:
    """Positions of ``ids`` in the original array (−1 when absent)."""
    if len(sorted_ids) == 0:
        return np.full(len(ids), -1, dtype=np.int64)
    at = np.searchsorted(sorted_ids, ids)
    at_clipped = np.minimum(at, len(sorted_ids) - 1)
    found = sorted_ids[at_clipped] == ids
    return np.where(found, order[at_clipped], -1).astype(np.int64)


def _pair_keys(rows: IntArray, cols: IntArray, m: int) -> IntArray:
    return rows.astype(np.int64) * max(m, 1) + cols.astype(np.int64)


@dataclass(frozen=True, eq=False)
class _Prepared:
    """Everything the blocked passes and the exact scorer need, indexed by row position."""

    problem: Problem
    n: int
    m: int
    growth_unit: FloatArray  # (n, c): w_competency · g / Σg
    strengths: FloatArray  # (m, c) in [0, 1]
    # class of each person and the class-to-class tables
    coachee_class: IntArray
    coach_class: IntArray
    class_feasible: BoolArray  # (E, C) level, language, availability rules all hold
    class_base: FloatArray  # (E, C) seniority + availability contributions
    class_seniority: FloatArray
    class_availability: FloatArray
    class_reason_level: BoolArray
    class_reason_language: BoolArray
    class_reason_availability: BoolArray
    department: IntArray  # coachee departments, coded 0..D-1 over both sides
    coach_department: IntArray
    function_known_coachee: BoolArray
    function_known_coach: BoolArray
    same_department_silo: float  # added to the silo factor (weighted) when departments match
    silo_base: float  # weighted silo for differing departments (the constant part)
    # sparse: forbidden pair keys by reason, preferred keys
    forbidden_keys: IntArray  # sorted unique keys of any sparse-forbidden pair
    reason_keys: dict[str, IntArray]  # reason → sorted keys
    preferred_keys: IntArray  # sorted
    forbidden_lists: tuple[IntArray, IntArray]  # the same as per-row lists (CSR)
    preferred_lists: tuple[IntArray, IntArray]
    active: BoolArray  # coach certified with residual capacity (after pins)
    residual: IntArray
    coachee_pattern: IntArray  # availability pattern of each person
    coach_pattern: IntArray
    overlap_hours: IntArray  # (patterns, patterns)  # coach capacity left for this run (after pins)


def _unique_rows[T: np.generic](
    table: NDArray[T],
) -> tuple[NDArray[T], IntArray]:
    """``np.unique(table, axis=0, return_inverse=True)``, in the same order, but by a lexsort
    of the columns (several times faster than sorting whole rows)."""
    if len(table) == 0:
        return table[:0], np.zeros(0, dtype=np.int64)
    order = np.lexsort(table.T[::-1])
    ordered = table[order]
    new = np.ones(len(table), dtype=np.bool_)
    new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    inverse = np.empty(len(table), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def _codes(*arrays: IntArray) -> list[IntArray]:
    joined = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
    _, inverse = np.unique(joined, return_inverse=True)
    out, start = [], 0
    for array in arrays:
        out.append(inverse[start : start + len(array)].astype(np.int64))
        start += len(array)
    return out


def _prepare(problem: Problem) -> tuple[_Prepared, IntArray, IntArray]:
    """Build the prepared problem; also returns pinned pairs as (coachee row, coach row)."""
    coachees, coaches, rules, weights = (
        problem.coachees,
        problem.coaches,
        problem.rules,
        problem.weights,
    )
    n, m = len(coachees.ids), len(coaches.ids)
    coachee_order = np.argsort(coachees.ids, kind="stable")
    coach_order = np.argsort(coaches.ids, kind="stable")
    coachee_sorted, coach_sorted = coachees.ids[coachee_order], coaches.ids[coach_order]

    # Competencies.
    growth = coachees.growth.astype(np.float64)
    totals = growth.sum(axis=1, keepdims=True)
    growth_unit = np.divide(
        growth * weights.competency, totals, out=np.zeros_like(growth), where=totals > 0
    )
    strengths = np.clip(coaches.strengths.astype(np.float64), 0.0, 1.0)

    # Classes: level, languages, availability pattern and time zone.
    patterns = np.concatenate([coachees.availability, coaches.availability]).astype(np.bool_)
    packed = np.packbits(patterns, axis=1)
    unique_packed, pattern_of = _unique_rows(packed)
    pattern_hours = np.unpackbits(unique_packed, axis=1)[:, :HOURS_PER_WEEK].astype(np.float32)
    overlap_hours = (pattern_hours @ pattern_hours.T).round().astype(np.int64)

    def classes(
        level: IntArray, languages: NDArray[np.uint64], pattern: IntArray, offset: IntArray
    ) -> tuple[IntArray, IntArray]:
        keys = np.stack(
            [level.astype(np.int64), languages.view(np.int64), pattern, offset.astype(np.int64)],
            axis=1,
        )
        return _unique_rows(keys)

    e_keys, coachee_class = classes(
        coachees.level, coachees.languages, pattern_of[:n], coachees.utc_offset_minutes
    )
    c_keys, coach_class = classes(
        coaches.level, coaches.languages, pattern_of[n:], coaches.utc_offset_minutes
    )
    e_keys = e_keys.reshape(-1, 4)
    c_keys = c_keys.reshape(-1, 4)
    level_gap = c_keys[None, :, 0] - e_keys[:, None, 0]
    reason_level = level_gap < rules.min_level_gap
    reason_language = (e_keys[:, None, 1].view(np.uint64) & c_keys[None, :, 1].view(np.uint64)) == 0
    overlap_minutes = overlap_hours[e_keys[:, None, 2], c_keys[None, :, 2]] * 60
    zone_apart = np.abs(e_keys[:, None, 3] - c_keys[None, :, 3])
    reason_availability = (overlap_minutes < rules.min_overlap_minutes) & (
        zone_apart > rules.time_zone_window_hours * 60
    )
    class_feasible = ~(reason_level | reason_language | reason_availability)
    seniority = weights.seniority * np.maximum(
        0.0,
        1.0 - np.abs(level_gap - weights.ideal_level_gap) / (weights.level_gap_tolerance + 1),
    )
    availability = weights.availability * np.minimum(
        1.0, overlap_minutes / weights.full_overlap_minutes
    )

    # Departments and functions.
    coachee_department, coach_department = _codes(coachees.department, coaches.department)
    if rules.cross_department == CrossDepartment.NOT_CONSIDERED:
        silo_base, same_department_silo = 0.0, 0.0
    else:
        silo_base, same_department_silo = weights.silo / 2, -weights.silo / 2
    class_base = seniority + availability + silo_base

    # Sparse rules, as keys row * m + col over row positions.
    def pairs_to_rows(name: str, pairs: IntArray) -> tuple[IntArray, IntArray]:
        rows = _index_of(coachee_sorted, coachee_order, pairs[:, 0])
        cols = _index_of(coach_sorted, coach_order, pairs[:, 1])
        return rows, cols

    reason_keys: dict[str, IntArray] = {}
    # Reporting line: coaches among the coachee's ancestors, coachees among the coach's, and
    # the same person on both sides.
    e_rows = coachees.ancestors.row_indices()
    e_cols = _index_of(coach_sorted, coach_order, coachees.ancestors.values)
    c_cols = coaches.ancestors.row_indices()
    c_rows = _index_of(coachee_sorted, coachee_order, coaches.ancestors.values)
    self_cols = _index_of(coach_sorted, coach_order, coachees.ids)
    self_rows = np.arange(n, dtype=np.int64)
    line_rows = np.concatenate([e_rows, c_rows, self_rows])
    line_cols = np.concatenate([e_cols, c_cols, self_cols])
    keep = (line_rows >= 0) & (line_cols >= 0)
    reason_keys["reporting_line"] = np.unique(_pair_keys(line_rows[keep], line_cols[keep], m))
    for name, pairs in (("excluded", problem.excluded), ("past_pair", problem.past)):
        if name == "past_pair" and not rules.exclude_past_pairs:
            reason_keys[name] = np.zeros(0, dtype=np.int64)
            continue
        rows, cols = pairs_to_rows(name, pairs)
        keep = (rows >= 0) & (cols >= 0)
        reason_keys[name] = np.unique(_pair_keys(rows[keep], cols[keep], m))
    avoided_cols = _index_of(coach_sorted, coach_order, coachees.avoided.values)
    avoided_rows = coachees.avoided.row_indices()
    keep = avoided_cols >= 0
    reason_keys["avoided"] = np.unique(_pair_keys(avoided_rows[keep], avoided_cols[keep], m))
    forbidden_keys = np.unique(np.concatenate(list(reason_keys.values())))
    preferred_cols = _index_of(coach_sorted, coach_order, coachees.preferred.values)
    preferred_rows = coachees.preferred.row_indices()
    keep = preferred_cols >= 0
    preferred_keys = np.unique(_pair_keys(preferred_rows[keep], preferred_cols[keep], m))

    # Pins.
    pin_rows, pin_cols = pairs_to_rows("pinned", problem.pinned)
    for (coachee_id, coach_id), row, col in zip(problem.pinned, pin_rows, pin_cols, strict=True):
        if row < 0:
            raise MatchInputError(f"pinned: coachee id {int(coachee_id)} is not a coachee")
        if col < 0:
            raise MatchInputError(f"pinned: coach id {int(coach_id)} is not a coach")
    pinned_rows_sorted = np.sort(pin_rows)
    twice = pinned_rows_sorted[1:][pinned_rows_sorted[1:] == pinned_rows_sorted[:-1]]
    if len(twice):
        raise MatchInputError(f"pinned: coachee id {int(coachees.ids[twice[0]])} pinned twice")
    residual = (coaches.capacity - coaches.load).astype(np.int64)
    pins_per_coach = np.bincount(pin_cols, minlength=m) if m else np.zeros(0, np.int64)
    over = np.nonzero(pins_per_coach > np.maximum(residual, 0))[0]
    if len(over):
        raise MatchInputError(
            f"pinned: coach id {int(coaches.ids[over[0]])} has {int(max(residual[over[0]], 0))} "
            f"places left but {int(pins_per_coach[over[0]])} pins"
        )
    residual_after = np.maximum(residual, 0) - pins_per_coach
    active = coaches.certified.astype(np.bool_) & (residual_after > 0)

    prepared = _Prepared(
        problem=problem,
        n=n,
        m=m,
        growth_unit=growth_unit,
        strengths=strengths,
        coachee_class=coachee_class,
        coach_class=coach_class,
        class_feasible=class_feasible,
        class_base=class_base,
        class_seniority=seniority,
        class_availability=availability,
        class_reason_level=reason_level,
        class_reason_language=reason_language,
        class_reason_availability=reason_availability,
        department=coachee_department,
        coach_department=coach_department,
        function_known_coachee=coachees.function >= 0,
        function_known_coach=coaches.function >= 0,
        same_department_silo=same_department_silo,
        silo_base=silo_base,
        forbidden_keys=forbidden_keys,
        reason_keys=reason_keys,
        preferred_keys=preferred_keys,
        forbidden_lists=_row_lists(forbidden_keys, n, m),
        preferred_lists=_row_lists(preferred_keys, n, m),
        active=active,
        residual=residual_after,
        coachee_pattern=pattern_of[:n].astype(np.int64),
        coach_pattern=pattern_of[n:].astype(np.int64),
        overlap_hours=overlap_hours,
    )
    for row, col in zip(pin_rows, pin_cols, strict=True):
        broken = _broken_rules(prepared, int(row), int(col), for_pin=True)
        if broken:
            raise MatchInputError(
                f"pinned: ({int(coachees.ids[row])}, {int(coaches.ids[col])}) breaks "
                + ", ".join(broken)
            )
    return prepared, pin_rows, pin_cols


def _in_sorted(sorted_keys: IntArray, keys: IntArray) -> BoolArray:
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=np.bool_)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.asarray(sorted_keys[at] == keys, dtype=np.bool_)


# --- exact scoring of listed pairs ----------------------------------------------------------


def _pair_contributions(
    prep: _Prepared, rows: IntArray, cols: IntArray
) -> tuple[FloatArray, BoolArray]:
    """Exact (float64) factor contributions of the pairs and whether each is feasible.

    Feasible here means every hard rule except the coach's certification and capacity.
    """
    problem = prep.problem
    weights = problem.weights
    e_class, c_class = prep.coachee_class[rows], prep.coach_class[cols]
    contributions = np.zeros((len(rows), len(FACTORS)), dtype=np.float64)
    contributions[:, 0] = np.einsum("ij,ij->i", prep.growth_unit[rows], prep.strengths[cols])
    same_department = prep.department[rows] == prep.coach_department[cols]
    function_differs = (
        prep.function_known_coachee[rows]
        & prep.function_known_coach[cols]
        & (problem.coachees.function[rows] != problem.coaches.function[cols])
    )
    silo = prep.silo_base + np.where(same_department, prep.same_department_silo, 0.0)
    contributions[:, 1] = silo + np.where(function_differs, weights.silo / 2, 0.0)
    contributions[:, 2] = prep.class_availability[e_class, c_class]
    keys = _pair_keys(rows, cols, prep.m)
    contributions[:, 3] = np.where(_in_sorted(prep.preferred_keys, keys), weights.preference, 0.0)
    contributions[:, 4] = prep.class_seniority[e_class, c_class]
    feasible = prep.class_feasible[e_class, c_class] & ~_in_sorted(prep.forbidden_keys, keys)
    if problem.rules.cross_department == CrossDepartment.REQUIRED:
        feasible &= ~same_department
    return contributions, feasible


def _broken_rules(prep: _Prepared, row: int, col: int, *, for_pin: bool = False) -> list[str]:
    """The names of the hard rules one pair breaks, in the order of REASONS."""
    e_class, c_class = prep.coachee_class[row], prep.coach_class[col]
    key = np.asarray([row * max(prep.m, 1) + col], dtype=np.int64)
    coaches = prep.problem.coaches
    checks = {
        "reporting_line": bool(_in_sorted(prep.reason_keys["reporting_line"], key)[0]),
        "level_gap": bool(prep.class_reason_level[e_class, c_class]),
        "language": bool(prep.class_reason_language[e_class, c_class]),
        "availability": bool(prep.class_reason_availability[e_class, c_class]),
        "excluded": bool(_in_sorted(prep.reason_keys["excluded"], key)[0]),
        "past_pair": bool(_in_sorted(prep.reason_keys["past_pair"], key)[0]),
        "same_department": prep.problem.rules.cross_department == CrossDepartment.REQUIRED
        and bool(prep.department[row] == prep.coach_department[col]),
        "avoided": bool(_in_sorted(prep.reason_keys["avoided"], key)[0]),
        "not_certified": not bool(coaches.certified[col]),
        # pins are checked against capacity separately (they may fill the coach exactly)
        "no_capacity": not for_pin and bool(coaches.capacity[col] <= coaches.load[col]),
    }
    return [name for name in REASONS if checks[name]]


def _integer_scores(contributions: FloatArray) -> IntArray:
    return np.rint(contributions.sum(axis=1) * SCORE_SCALE).astype(np.int64)


# --- the blocked pass -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Blocks:
    """Coachee rows grouped by class; for each class, its feasible active coaches."""

    row_order: IntArray  # coachee rows sorted by (group, department, id)
    class_starts: IntArray  # row_order[class_starts[g]:class_starts[g+1]] are group g
    group_keys: IntArray  # (groups, 2): level and languages of each group of coachees
    coachee_avail: IntArray  # availability key (pattern, time zone) of each coachee
    coach_avail: IntArray
    availability_table: F32Array  # (keys, keys): availability contribution, −inf if too far
    coach_features: F32Array  # (m, c + F + 1) competencies, function one-hot, function known
    coachee_features: F32Array  # (n, c + F + 1)
    # per coachee group: its feasible active coaches (by department, id), base, features
    columns: dict[int, tuple[IntArray, F32Array, F32Array]]
    group_of: IntArray  # group of each coachee row


def _blocks(prep: _Prepared) -> _Blocks:
    problem = prep.problem
    coachee_function, coach_function = _codes(problem.coachees.function, problem.coaches.function)
    known_e, known_c = prep.function_known_coachee, prep.function_known_coach
    functions = int(max(coachee_function.max(initial=-1), coach_function.max(initial=-1)) + 1)
    c = prep.growth_unit.shape[1]
    half_silo = problem.weights.silo / 2
    width = c + (functions + 1 if half_silo and (known_e.any() and known_c.any()) else 0)
    coachee_features = np.zeros((prep.n, width), dtype=np.float32)
    coach_features = np.zeros((prep.m, width), dtype=np.float32)
    coachee_features[:, :c] = prep.growth_unit
    coach_features[:, :c] = prep.strengths
    if width > c:
        # f = known·known − same function
        coachee_features[:, c] = np.where(known_e, half_silo, 0.0)
        coach_features[:, c] = known_c
        rows = np.nonzero(known_e)[0]
        coachee_features[rows, c + 1 + coachee_function[rows]] = -half_silo
        cols = np.nonzero(known_c)[0]
        coach_features[cols, c + 1 + coach_function[cols]] = 1.0
    coachees, coaches, rules = problem.coachees, problem.coaches, problem.rules
    group_keys, group_of = _unique_rows(
        np.stack(
            [coachees.level.astype(np.int64), coachees.languages.view(np.int64)], axis=1
        ).reshape(-1, 2)
    )
    avail_keys, avail_of = _unique_rows(
        np.stack(
            [
                np.concatenate([prep.coachee_pattern, prep.coach_pattern]),
                np.concatenate([coachees.utc_offset_minutes, coaches.utc_offset_minutes]),
            ],
            axis=1,
        ).reshape(-1, 2)
    )
    avail_keys = avail_keys.reshape(-1, 2)
    overlap = prep.overlap_hours[avail_keys[:, None, 0], avail_keys[None, :, 0]] * 60
    near = np.abs(avail_keys[:, None, 1] - avail_keys[None, :, 1]) <= (
        rules.time_zone_window_hours * 60
    )
    ok = (overlap >= rules.min_overlap_minutes) | near
    value = problem.weights.availability * np.minimum(
        1.0, overlap / problem.weights.full_overlap_minutes
    )
    availability_table = np.where(ok, value, -np.inf).astype(np.float32)
    row_order = np.lexsort((coachees.ids, prep.department, group_of))
    class_starts = np.searchsorted(
        group_of[row_order], np.arange(len(group_keys) + 1), side="left"
    ).astype(np.int64)
    return _Blocks(
        row_order=row_order,
        class_starts=class_starts,
        group_keys=group_keys,
        coachee_avail=avail_of[: prep.n],
        coach_avail=avail_of[prep.n :],
        availability_table=availability_table,
        coach_features=coach_features,
        coachee_features=coachee_features,
        columns={},
        group_of=group_of,
    )


@dataclass(frozen=True, eq=False)
class _Block:
    rows: IntArray  # coachee rows
    cols: IntArray  # coach rows (active, feasible by class), sorted by department
    scores: F32Array  # (len(rows), len(cols)); −inf where a hard rule is broken


def _active_coach_order(prep: _Prepared) -> IntArray:
    """Active coaches sorted by department then id: any subset keeps departments contiguous."""
    order = np.lexsort((prep.problem.coaches.ids, prep.coach_department))
    return order[prep.active[order]]


def _group_columns(
    prep: _Prepared, blocks: _Blocks, group: int, coach_order: IntArray
) -> tuple[IntArray, F32Array, F32Array]:
    """A coachee group's feasible active coaches, their base scores and feature columns."""
    cached = blocks.columns.get(group)
    if cached is None:
        problem, weights = prep.problem, prep.problem.weights
        level, languages = blocks.group_keys[group]
        coach_level = problem.coaches.level[coach_order]
        shared = problem.coaches.languages[coach_order] & np.asarray(languages).view(np.uint64)
        cols = coach_order[(coach_level >= level + problem.rules.min_level_gap) & (shared != 0)]
        gap = problem.coaches.level[cols] - level
        seniority = weights.seniority * np.maximum(
            0.0,
            1.0 - np.abs(gap - weights.ideal_level_gap) / (weights.level_gap_tolerance + 1),
        )
        base_per_col = (seniority + prep.silo_base).astype(np.float32)
        features = blocks.coach_features[cols].T.copy()
        cached = (cols, base_per_col, features)
        blocks.columns[group] = cached  # one group per thread: no two threads write one key
    return cached


def _scan_group(
    prep: _Prepared,
    blocks: _Blocks,
    group: int,
    coach_order: IntArray,
    rows_wanted: BoolArray | None,
    cols_wanted: BoolArray | None,
) -> Iterator[_Block]:
    """Score every feasible pair of one coachee group, block by block (float32)."""
    start, stop = blocks.class_starts[group], blocks.class_starts[group + 1]
    if start == stop:
        return
    class_rows = blocks.row_order[start:stop]
    if rows_wanted is not None:
        class_rows = class_rows[rows_wanted[class_rows]]
        if len(class_rows) == 0:
            return
    cols, base_per_col, features = _group_columns(prep, blocks, group, coach_order)
    if cols_wanted is not None:
        selected = cols_wanted[cols]
        if not selected.all():
            cols, base_per_col = cols[selected], base_per_col[selected]
            features = np.ascontiguousarray(features[:, selected])
    if len(cols) == 0:
        return
    # Availability rules out most coaches in far time zones, so each time zone's coachees are
    # scored only against the coaches at least one of them can reach (40 % fewer pairs on the
    # benchmark's organisation, spread over six regions). Seniority, the silo base and
    # availability depend only on the coachee's availability key for a given coach: one small
    # table per time zone, added to each block by rows (a gather of whole rows is several
    # times cheaper than one by columns).
    zones = prep.problem.coachees.utc_offset_minutes[class_rows]
    for zone in np.unique(zones):
        zone_rows = class_rows[zones == zone]
        row_keys, row_key_of = np.unique(blocks.coachee_avail[zone_rows], return_inverse=True)
        table = blocks.availability_table[row_keys][:, blocks.coach_avail[cols]]
        reachable = np.isfinite(table).any(axis=0)
        if reachable.all():
            zone_cols, zone_features = cols, features
            table += base_per_col
        elif reachable.any():
            zone_cols = cols[reachable]
            zone_features = np.ascontiguousarray(features[:, reachable])
            table = table[:, reachable] + base_per_col[reachable]
        else:
            continue
        yield from _score_blocks(
            prep, blocks, zone_rows, zone_cols, zone_features, table, row_key_of.reshape(-1)
        )


def _score_blocks(
    prep: _Prepared,
    blocks: _Blocks,
    rows: IntArray,
    cols: IntArray,
    features: F32Array,
    table: F32Array,
    row_key_of: IntArray,
) -> Iterator[_Block]:
    """Score ``rows`` × ``cols`` block by block: the products, then ``table`` by the rows'
    availability keys, the department rules and the stated preferences and exclusions."""
    required = prep.problem.rules.cross_department == CrossDepartment.REQUIRED
    col_departments = prep.coach_department[cols]
    chunk = max(1, BLOCK_ELEMENTS // max(len(cols), 1))
    for chunk_start in range(0, len(rows), chunk):
        block_rows = rows[chunk_start : chunk_start + chunk]
        scores = blocks.coachee_features[block_rows] @ features
        scores += table[row_key_of[chunk_start : chunk_start + chunk]]
        # Departments: rows and columns are both sorted by department.
        if prep.same_department_silo or required:
            row_departments = prep.department[block_rows]
            starts = np.flatnonzero(np.diff(row_departments, prepend=-1))
            departments = row_departments[starts]
            spans = zip(
                starts.tolist(),
                np.append(starts[1:], len(block_rows)).tolist(),
                np.searchsorted(col_departments, departments, side="left").tolist(),
                np.searchsorted(col_departments, departments, side="right").tolist(),
                strict=True,
            )
            for r0, r1, c0, c1 in spans:
                if c0 == c1:
                    continue
                if required:
                    scores[r0:r1, c0:c1] = NEG_INF
                else:
                    scores[r0:r1, c0:c1] += np.float32(prep.same_department_silo)
        _apply_sparse(prep, block_rows, cols, scores, prep.problem.weights.preference)
        yield _Block(rows=block_rows, cols=cols, scores=scores)


def _map_blocks[R](
    prep: _Prepared,
    blocks: _Blocks,
    consume: Callable[[_Block], R],
    *,
    rows_wanted: BoolArray | None = None,
    cols_wanted: BoolArray | None = None,
) -> Iterator[R]:
    """``consume`` applied to every block of every coachee group, yielded in group order.

    The coachee groups are shared out among ``SCAN_THREADS`` threads (NumPy releases the
    interpreter lock in the products, comparisons and sorts that make up a block) when
    OpenBLAS runs on one thread (:func:`_single_threaded_blas`) and the scan may cover at
    least ``THREADS_FROM_PAIRS`` pairs. The results come back in group order, so the outcome
    does not depend on the threads; at most two groups per thread are ahead of the caller,
    which keeps memory near what one thread would hold. ``consume`` must only read shared
    state.
    """
    coach_order = _active_coach_order(prep)
    groups = range(len(blocks.group_keys))

    def work(group: int) -> list[R]:
        return [
            consume(block)
            for block in _scan_group(prep, blocks, group, coach_order, rows_wanted, cols_wanted)
        ]

    rows = prep.n if rows_wanted is None else int(np.count_nonzero(rows_wanted))
    cols = int(np.count_nonzero(prep.active if cols_wanted is None else prep.active & cols_wanted))
    threads = SCAN_THREADS if _blas_pinned and rows * cols >= THREADS_FROM_PAIRS else 1
    if threads <= 1 or len(groups) <= 1:
        for group in groups:
            yield from work(group)
        return
    with ThreadPoolExecutor(max_workers=threads) as executor:
        ahead: deque[Future[list[R]]] = deque()
        for group in groups:
            ahead.append(executor.submit(work, group))
            if len(ahead) > 2 * threads:
                yield from ahead.popleft().result()
        while ahead:
            yield from ahead.popleft().result()


def _row_lists(keys: IntArray, n: int, m: int) -> tuple[IntArray, IntArray]:
    """Sorted pair keys as per-row lists of columns (CSR)."""
    rows = keys // max(m, 1)
    indptr = np.searchsorted(rows, np.arange(n + 1)).astype(np.int64)
    return indptr, (keys % max(m, 1)).astype(np.int64)


def _gather_rows(indptr: IntArray, values: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """(position in ``rows``, value) for every entry of the given rows of a CSR list."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    local = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return local, values[np.repeat(starts, lengths) + offsets]


def _apply_sparse(
    prep: _Prepared, rows: IntArray, cols: IntArray, scores: F32Array, preference: float
) -> None:
    """Forbid sparse-excluded pairs and add the preference bonus inside one block."""
    col_position = np.full(prep.m, -1, dtype=np.int64)
    col_position[cols] = np.arange(len(cols))
    for (indptr, values), bonus in (
        (prep.forbidden_lists, None),
        (prep.preferred_lists, preference),
    ):
        if len(values) == 0 or (bonus is not None and bonus == 0):
            continue
        local, entry_cols = _gather_rows(indptr, values, rows)
        positions = col_position[entry_cols]
        keep = positions >= 0
        if bonus is None:
            scores[local[keep], positions[keep]] = NEG_INF
        else:
            scores[local[keep], positions[keep]] += np.float32(bonus)


# --- candidates, flow, duals, pricing ---------------------------------------------------------


@dataclass(eq=False)
class _Arcs:
    rows: IntArray
    cols: IntArray
    contributions: FloatArray
    scores: IntArray  # integer score units


@dataclass(frozen=True, eq=False)
class _Pool:
    """The pairs the candidate pass kept, with bounds on every pair it left out.

    Each coachee keeps about its ``POOL_PER_CANDIDATE × top_k`` best coaches and each coach
    its ``POOL_PER_CANDIDATE ×`` (its flow candidates) best coachees; the flow starts on the
    best of both (``in_flow``). Every feasible pair outside the pool scores at most
    ``row_bound`` of its coachee and at most ``col_bound`` of its coach (approximate float32
    scores; −1 when nothing is outside).
    """

    rows: IntArray
    cols: IntArray
    scores: F32Array  # approximate (float32), as the blocked pass computed them
    in_flow: BoolArray
    keys: IntArray  # sorted pair keys
    row_bound: FloatArray
    col_bound: FloatArray


def _column_thresholds(
    prep: _Prepared, blocks: _Blocks, wanted: IntArray, seed: int
) -> tuple[F32Array, int]:
    """Per coach, a score about ``wanted`` coachees reach: each coach's threshold for the pool.

    A sample of coachees is scored first (all of them in small problems); a coach's threshold
    is the score its ``f × wanted``-th best sampled coachee reaches, ``f`` the sampled share.
    Any threshold is sound (what falls below it is bounded by it); a good one keeps the pass's
    memory near the pool's size.
    """
    n, m = prep.n, prep.m
    size = n if n <= SAMPLE_ROWS else max(SAMPLE_ROWS, n // SAMPLE_SHARE)
    sampled = np.zeros(n, dtype=np.bool_)
    if size == n:
        sampled[:] = True
    else:
        sampled[np.random.default_rng(seed).choice(n, size=size, replace=False)] = True
    need = np.maximum(1, np.ceil(wanted * (size / max(n, 1)))).astype(np.int64)
    deepest = int(need.max(initial=1))
    # Each coach's best ``deepest`` sampled scores so far, merged block by block.
    best = np.full((deepest, m), NEG_INF, dtype=np.float32)

    def consume(block: _Block) -> tuple[IntArray, F32Array, int]:
        scores = block.scores
        if scores.shape[0] > deepest:
            scores = np.partition(scores, scores.shape[0] - deepest, axis=0)[-deepest:]
        return block.cols, scores, block.scores.size

    scored = 0
    for cols, scores, block_size in _map_blocks(prep, blocks, consume, rows_wanted=sampled):
        scored += block_size
        merged = np.concatenate([best[:, cols], scores])
        if merged.shape[0] > deepest:
            merged = np.partition(merged, merged.shape[0] - deepest, axis=0)[-deepest:]
        best[:, cols] = merged
    best.sort(axis=0)  # ascending: the k-th best of a coach is best[deepest − k]
    threshold = best[deepest - need, np.arange(m)]
    threshold = np.where(threshold > NEG_INF, threshold, np.float32(-1.0)).astype(np.float32)
    return np.maximum(threshold, np.float32(-1.0)), scored


def _ranked(group: IntArray, values: F32Array) -> IntArray:
    """Each entry's rank within its group, best value first (ties in a fixed order).

    One int64 key per entry (the group, then the float's bits made to sort descending)
    sorts several times faster than a lexsort of the two.
    """
    bits = values.astype(np.float32).view(np.uint32).astype(np.int64)
    ascending = np.where(bits >= 1 << 31, (1 << 32) - 1 - bits, bits | (1 << 31))
    order = np.argsort((group.astype(np.int64) << 32) | ((1 << 32) - 1 - ascending))
    grouped = group[order]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.searchsorted(grouped, grouped, side="left")
    return rank


@dataclass(frozen=True, eq=False)
class _Found:
    """What the candidate pass keeps of one block."""

    rows: IntArray
    feasible: IntArray  # feasible coaches of each row in the block
    bound: FloatArray  # the row's bound on the pairs its cut leaves out
    scored: int
    by_row: tuple[IntArray, IntArray, F32Array, BoolArray]  # rows, cols, scores, in the flow
    by_col: tuple[IntArray, IntArray, F32Array, BoolArray]  # … and whether in the rows' share


def _candidate_pass(
    prep: _Prepared, blocks: _Blocks, *, row_k: int, col_k: IntArray, seed: int
) -> tuple[_Pool, IntArray, int]:
    """The pool and the flow's first candidates; each coachee's feasible count; pairs scored.

    A block holds whole coachee rows, so each coachee's share of the pool is cut in its block:
    the pairs at or above a threshold from every ``ROW_SAMPLE_STRIDE``-th coach of the block
    (about the pool's size), then the best ``POOL_PER_CANDIDATE × top_k`` of them. A coach's
    share needs every block: pairs at or above its threshold (:func:`_column_thresholds`) are
    collected, then cut once. What a cut drops raises that side's bound.
    """
    n, m = prep.n, prep.m
    row_pool = POOL_PER_CANDIDATE * row_k
    col_pool = POOL_PER_CANDIDATE * col_k
    col_threshold, scored = _column_thresholds(prep, blocks, col_pool, seed)
    row_bound = np.full(n, -1.0, dtype=np.float64)
    feasible_count = np.zeros(n, dtype=np.int64)
    in_sample = max(1, math.ceil(row_pool / ROW_SAMPLE_STRIDE))

    def consume(block: _Block) -> _Found:
        scores = block.scores
        flat = scores.ravel()
        height, width = scores.shape
        feasible = np.count_nonzero(scores > NEG_INF, axis=1)
        sample = scores[:, ::ROW_SAMPLE_STRIDE]
        if width > row_pool and sample.shape[1] > in_sample:
            at = sample.shape[1] - in_sample
            best = (
                sample.max(axis=1)  # one pass, where a partition would copy and select
                if in_sample == 1
                else np.partition(sample, at, axis=1)[:, at]
            )
            threshold = np.maximum(best, np.float32(-1.0))
        else:
            threshold = np.full(height, -1.0, dtype=np.float32)
        # The coachees' side, cut here.
        at_row = np.flatnonzero(scores >= threshold[:, None])
        local = at_row // width
        values = flat[at_row]
        rank = _ranked(local, values)
        bound = threshold.astype(np.float64)
        first_dropped = rank == row_pool
        bound[local[first_dropped]] = np.maximum(bound[local[first_dropped]], values[first_dropped])
        kept = rank < row_pool
        kept_at = at_row[kept]
        # The coaches' side, collected for one cut at the end.
        at_col = np.flatnonzero(scores >= col_threshold[block.cols])
        in_rows = np.zeros(scores.size, dtype=np.bool_)
        in_rows[kept_at] = True
        return _Found(
            rows=block.rows,
            feasible=feasible,
            bound=bound,
            scored=scores.size,
            by_row=(
                block.rows[local[kept]],
                block.cols[kept_at % width],
                values[kept],
                rank[kept] < row_k,
            ),
            by_col=(
                block.rows[at_col // width],
                block.cols[at_col % width],
                flat[at_col],
                in_rows[at_col],
            ),
        )

    found = list(_map_blocks(prep, blocks, consume))
    for part in found:
        feasible_count[part.rows] = part.feasible
        row_bound[part.rows] = part.bound
        scored += part.scored
    row_found = [part.by_row for part in found]
    col_found = [part.by_col for part in found]

    def joined(
        found: list[tuple[IntArray, IntArray, F32Array, BoolArray]],
    ) -> tuple[IntArray, IntArray, F32Array, BoolArray]:
        if not found:
            return (
                np.zeros(0, np.int64),
                np.zeros(0, np.int64),
                np.zeros(0, np.float32),
                np.zeros(0, np.bool_),
            )
        a, b, c, d = zip(*found, strict=True)
        return np.concatenate(a), np.concatenate(b), np.concatenate(c), np.concatenate(d)

    rows, cols, values, in_flow = joined(row_found)
    c_rows, c_cols, c_values, in_row_pool = joined(col_found)
    rank = _ranked(c_cols, c_values)
    col_bound = col_threshold.astype(np.float64)
    first_dropped = rank == col_pool[c_cols]
    col_bound[c_cols[first_dropped]] = np.maximum(
        col_bound[c_cols[first_dropped]], c_values[first_dropped]
    )
    in_col_pool = rank < col_pool[c_cols]
    col_flow = in_col_pool & (rank < col_k[c_cols])
    # A coach's first candidates already in a coachee's share start the flow from there.
    both = col_flow & in_row_pool
    in_flow |= _in_sorted(
        np.sort(_pair_keys(c_rows[both], c_cols[both], m)), _pair_keys(rows, cols, m)
    )
    extra = in_col_pool & ~in_row_pool
    rows = np.concatenate([rows, c_rows[extra]])
    cols = np.concatenate([cols, c_cols[extra]])
    values = np.concatenate([values, c_values[extra]])
    in_flow = np.concatenate([in_flow, col_flow[extra]])
    pool = _Pool(
        rows=rows,
        cols=cols,
        scores=values,
        in_flow=in_flow,
        keys=np.sort(_pair_keys(rows, cols, m)),
        row_bound=row_bound,
        col_bound=col_bound,
    )
    return pool, feasible_count, scored


def _flag_offsets(
    *,
    u: IntArray,
    v: IntArray,
    big_m: int,
    priority_units: IntArray,
    rows_wanted: BoolArray,
    max_score: float,
) -> tuple[bool, F32Array, F32Array, float]:
    """Float32 offsets that flag every pair with w > u + v: approx − col[j] > row[i].

    ``u`` and ``v`` are split into multiples of M and remainders so that float32 keeps the
    remainders exact enough; the threshold has a safety margin of ``tolerance``. ``safe`` is
    false for pathological dual magnitudes, when every pair must be checked exactly.
    """
    alpha = u - big_m * priority_units  # row offset in integer units
    half = big_m // 2
    q = np.floor_divide(v + half, big_m)
    sigma = v - big_m * q
    p = np.floor_divide(alpha + half, big_m)
    tau = alpha - big_m * p
    spread = float(np.abs(sigma).max(initial=0) + np.abs(tau[rows_wanted]).max(initial=0))
    safe = spread + SCORE_SCALE * max_score < half
    bigq = max_score + spread / SCORE_SCALE + 1.0
    magnitude = max_score + bigq * (
        1 + np.abs(q).max(initial=0) + np.abs(p[rows_wanted]).max(initial=0)
    )
    tolerance = 2e-3 + 8 * float(np.finfo(np.float32).eps) * magnitude
    column_offset = (sigma / SCORE_SCALE + bigq * q).astype(np.float32)
    row_threshold = (tau / SCORE_SCALE + bigq * p - tolerance).astype(np.float32)
    return bool(safe), column_offset, row_threshold, tolerance


def _price_pool(
    prep: _Prepared,
    pool: _Pool,
    *,
    u: IntArray,
    v: IntArray,
    big_m: int,
    priority_units: IntArray,
    free_rows: BoolArray,
    per_row: int,
    max_score: float,
    arc_keys: IntArray,
    slack: int = 0,
) -> tuple[IntArray, IntArray]:
    """Pool pairs with w > u + v (flagged in float32, confirmed exactly), the ``per_row`` most
    violating per coachee, never one of the known arcs (``arc_keys``, sorted).

    Known arcs, in the last flow or left out of it, are priced by the caller from their exact
    values, so none is added twice. With a ``slack``, when anything violates, the pairs
    within ``slack`` of violating come too: prices move a little after each solve, and those
    are the pairs the next round would otherwise find, one solve later.
    """
    safe, column_offset, row_threshold, _ = _flag_offsets(
        u=u,
        v=v,
        big_m=big_m,
        priority_units=priority_units,
        rows_wanted=free_rows,
        max_score=max_score,
    )
    flagged = free_rows[pool.rows]
    if safe:
        flagged &= pool.scores - column_offset[pool.cols] > row_threshold[pool.rows] - np.float32(
            slack / SCORE_SCALE
        )
    at = np.nonzero(flagged)[0]
    rows, cols = pool.rows[at], pool.cols[at]
    contributions, _ = _pair_contributions(prep, rows, cols)
    values = big_m * priority_units[rows] + _integer_scores(contributions)
    excess = values - u[rows] - v[cols]
    if not np.any(excess > 0):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    violated = excess > -slack
    violated &= ~_in_sorted(arc_keys, _pair_keys(rows, cols, prep.m))
    rows, cols, excess = rows[violated], cols[violated], excess[violated]
    order = np.lexsort((cols, -excess, rows))
    rows, cols = rows[order], cols[order]
    first = np.searchsorted(rows, rows, side="left")
    keep = np.arange(len(rows)) - first < max(1, per_row)
    return rows[keep], cols[keep]


def _arc_order(prep: _Prepared, rows: IntArray, cols: IntArray) -> IntArray:
    """The order of pairs by (coachee id, coach id)."""
    coachee_rank = np.empty(prep.n, dtype=np.int64)
    coachee_rank[np.argsort(prep.problem.coachees.ids, kind="stable")] = np.arange(prep.n)
    coach_rank = np.empty(prep.m, dtype=np.int64)
    coach_rank[np.argsort(prep.problem.coaches.ids, kind="stable")] = np.arange(prep.m)
    keys = coachee_rank[rows] * max(prep.m, 1) + coach_rank[cols]
    return np.argsort(keys, kind="stable")


def _exact_arcs(prep: _Prepared, rows: IntArray, cols: IntArray) -> _Arcs:
    order = _arc_order(prep, rows, cols)
    rows, cols = rows[order], cols[order]
    contributions, feasible = _pair_contributions(prep, rows, cols)
    if not np.all(feasible):  # the blocked pass and the exact rules disagree: a bug
        raise AssertionError("candidate pass proposed an infeasible pair")
    return _Arcs(rows, cols, contributions, _integer_scores(contributions))


def _merge_arcs(a: _Arcs, b: _Arcs, prep: _Prepared) -> tuple[_Arcs, IntArray]:
    """Both sets of arcs in (coachee id, coach id) order, and where each came from (the
    positions in ``a`` then ``b``)."""
    rows = np.concatenate([a.rows, b.rows])
    cols = np.concatenate([a.cols, b.cols])
    order = _arc_order(prep, rows, cols)  # two sorted runs: the stable sort merges them
    merged = _Arcs(
        rows[order],
        cols[order],
        np.concatenate([a.contributions, b.contributions])[order],
        np.concatenate([a.scores, b.scores])[order],
    )
    return merged, order


def _subset(arcs: _Arcs, keep: BoolArray) -> _Arcs:
    return _Arcs(arcs.rows[keep], arcs.cols[keep], arcs.contributions[keep], arcs.scores[keep])


@dataclass(frozen=True, eq=False)
class _Flow:
    assigned: IntArray  # per coachee row: coach row or −1
    arc_flow: BoolArray  # per arc: used


def _solve_flow(
    prep: _Prepared,
    arcs: _Arcs,
    free_rows: BoolArray,
    priority_units: IntArray,
) -> _Flow:
    """The lexicographic optimum on the arcs, as a min-cost flow with score costs only.

    The coachees a matching can cover form a matroid, so the matchings with the largest
    priority-weighted count are exactly those that cover, for each priority level, as many
    coachees at that level or above as any matching can (the greedy basis). With those
    counts from a max flow per level, one min-cost flow whose supplies enforce them
    maximises the score among them: the costs stay in score units instead of carrying
    ``M·p``, which makes the flow several times faster. The super-sources ``T_0`` (highest
    priority) … ``T_{q−1}`` form a chain ``T_{k+1} → T_k``, so supply at a level reaches
    its own and higher levels only.
    """
    n, m = prep.n, prep.m
    # Only people with an arc are nodes, numbered compactly (coachees, then coaches): one
    # without an arc can't take part, and the solver's time grows with the nodes.
    has_arc = np.zeros(n, dtype=np.bool_)
    has_arc[arcs.rows] = True
    coachee_nodes = np.nonzero(free_rows & has_arc)[0]
    has_arc = np.zeros(m, dtype=np.bool_)
    has_arc[arcs.cols] = True
    coach_nodes = np.nonzero(prep.active & has_arc)[0]
    ne, nc = len(coachee_nodes), len(coach_nodes)
    node_of_row = np.full(n, -1, dtype=np.int64)
    node_of_row[coachee_nodes] = np.arange(ne)
    node_of_col = np.full(m, -1, dtype=np.int64)
    node_of_col[coach_nodes] = ne + np.arange(nc)
    arc_tails, arc_heads = node_of_row[arcs.rows], node_of_col[arcs.cols]
    if np.any(arc_tails < 0) or np.any(arc_heads < 0):
        raise RuntimeError(
            "an arc joins a pinned coachee or an inactive coach (uncertified or full)"
        )
    coach_node_ids = ne + np.arange(nc)
    sink = ne + nc
    levels = np.unique(priority_units[coachee_nodes])[::-1]
    level_of = np.searchsorted(-levels, -priority_units[coachee_nodes])
    q = len(levels)
    sources = sink + 1 + np.arange(q, dtype=np.int64)
    arc_level = np.searchsorted(-levels, -priority_units[arcs.rows])
    ranks: list[int] = []
    # With one level, the flow itself finds the largest count (a max flow at the least cost).
    for level in range(q if q > 1 else 0):
        max_flow_solver = max_flow.SimpleMaxFlow()
        source = sources[0]
        nodes = np.nonzero(level_of <= level)[0]
        at = arc_level <= level
        max_flow_solver.add_arcs_with_capacity(
            np.concatenate([np.full(len(nodes), source), arc_tails[at], coach_node_ids]),
            np.concatenate([nodes, arc_heads[at], np.full(nc, sink)]),
            np.concatenate(
                [np.ones(len(nodes) + int(at.sum()), np.int64), prep.residual[coach_nodes]]
            ),
        )
        if max_flow_solver.solve(source, sink) != max_flow_solver.OPTIMAL:
            raise RuntimeError("max flow did not solve")
        ranks.append(int(max_flow_solver.optimal_flow()))
    solver = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([arc_tails, coach_node_ids, sources[level_of], sources[1:]])
    heads = np.concatenate([arc_heads, np.full(nc, sink), np.arange(ne), sources[:-1]])
    capacities = np.concatenate(
        [
            np.ones(len(arcs.rows), np.int64),
            prep.residual[coach_nodes],
            np.ones(ne, np.int64),
            np.full(max(q - 1, 0), max(ne, 1), np.int64),
        ]
    )
    costs = np.concatenate([-arcs.scores, np.zeros(nc + ne + max(q - 1, 0), np.int64)])
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities, costs
    )
    supplies = np.zeros(sink + 1 + q, dtype=np.int64)
    before = 0
    for level, rank in enumerate(ranks):
        supplies[sources[level]] = rank - before
        before = rank
    if q == 1:
        supplies[sources[0]] = ne
        before = ne
    supplies[sink] = -before
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    if q == 0:
        status = solver.OPTIMAL
    elif q == 1:
        status = solver.solve_max_flow_with_min_cost()
    else:
        status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: {status}")
    used = (
        solver.flows(np.arange(len(arcs.rows), dtype=np.int32)) > 0
        if q
        else np.zeros(len(arcs.rows), dtype=np.bool_)
    )
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[arcs.rows[used]] = arcs.cols[used]
    return _Flow(assigned=assigned, arc_flow=used)


def _duals(
    prep: _Prepared, arcs: _Arcs, values: IntArray, flow: _Flow
) -> tuple[IntArray, IntArray]:
    """Dual prices (u per coachee row, v per coach row) certifying the flow on its arcs.

    v is the least solution of: v ≥ 0; v_j ≥ w_ij for an unmatched coachee i; and
    v_j ≥ v_μ + w_ij − w_iμ for a coachee i matched to μ. Then u_i = w_iμ − v_μ (0 when
    unmatched). Optimality of the flow makes v_j = 0 for a coach with places left and u ≥ 0.
    """
    n, m = prep.n, prep.m
    v = np.zeros(m, dtype=np.int64)
    assigned = flow.assigned
    arc_assigned = assigned[arcs.rows]
    unmatched_arc = arc_assigned < 0
    if np.any(unmatched_arc):
        np.maximum.at(v, arcs.cols[unmatched_arc], values[unmatched_arc])
    matched_value = np.zeros(n, dtype=np.int64)
    matched_value[arcs.rows[flow.arc_flow]] = values[flow.arc_flow]
    edge = (~unmatched_arc) & ~flow.arc_flow
    source = arc_assigned[edge]
    target = arcs.cols[edge]
    delta = values[edge] - matched_value[arcs.rows[edge]]
    order = np.argsort(source, kind="stable")
    source, target, delta = source[order], target[order], delta[order]
    starts = np.searchsorted(source, np.arange(m + 1))
    # Every coach with an outgoing edge starts the label-correcting pass, including those at
    # v = 0: a coachee matched to a coach with places left (v_μ = 0) who prefers a full coach j
    # still forces v_j ≥ w_ij − w_iμ > 0.
    changed = np.unique(source)
    rounds = 0
    while len(changed):
        rounds += 1
        if rounds > m + 1:
            raise RuntimeError("dual prices did not converge: the flow is not optimal")
        lengths = starts[changed + 1] - starts[changed]
        if lengths.sum() == 0:
            break
        ends = np.cumsum(lengths)
        picks = np.arange(int(ends[-1])) + np.repeat(starts[changed] - (ends - lengths), lengths)
        candidate = v[source[picks]] + delta[picks]
        before = v[target[picks]].copy()
        np.maximum.at(v, target[picks], candidate)
        grew = target[picks][v[target[picks]] > before]
        changed = np.unique(grew)
    u = np.zeros(n, dtype=np.int64)
    matched_rows = arcs.rows[flow.arc_flow]
    u[matched_rows] = matched_value[matched_rows] - v[assigned[matched_rows]]
    return u, v


def _row_score_bound(prep: _Prepared) -> IntArray:
    """An upper bound, in integer score units, on any pair's score for each coachee row."""
    weights = prep.problem.weights
    competency = prep.growth_unit.sum(axis=1)  # strengths are at most 1
    preferred = np.diff(prep.preferred_lists[0]) > 0
    other = weights.silo + weights.availability + weights.seniority
    bound = competency + other + np.where(preferred, weights.preference, 0.0)
    return np.ceil(bound * SCORE_SCALE).astype(np.int64) + 1


@dataclass(frozen=True, eq=False)
class _Priced:
    rows: IntArray  # violating pairs, at most ``per_row`` per coachee
    cols: IntArray
    best_excess: IntArray  # per row: an upper bound on max(w − u − v, 0) over its pairs
    scored: int
    truncated: BoolArray  # rows with more flagged pairs than ``per_row``
    skipped_rows: int  # coachee rows the dual bound proved need no scan


def _pricing_pass(
    prep: _Prepared,
    blocks: _Blocks,
    *,
    u: IntArray,
    v: IntArray,
    big_m: int,
    priority_units: IntArray,
    rows_wanted: BoolArray,
    known_keys: tuple[IntArray, ...],
    max_score: float,
    per_row: int,
    score_bound: IntArray,
    cols_wanted: BoolArray | None = None,
    slack: int = 0,
) -> _Priced:
    """Feasible pairs outside the arcs whose reduced cost is negative: w > u + v, exactly.

    Only ``rows_wanted`` × ``cols_wanted`` (every coach when None) are scanned. With a
    ``slack``, when anything violates, the pairs within ``slack`` of violating come too.

    Memory stays bounded: each block's flagged pairs are confirmed exactly at once and only
    the ``per_row`` most violating pairs of each coachee are kept (per block, then overall).
    Coachees and coaches the dual bound rules out are not scanned at all: a pair can only
    violate when ``v_j < M·p_i + score_bound_i − u_i``.
    """
    n, m = prep.n, prep.m
    safe, column_offset, row_threshold, tolerance = _flag_offsets(
        u=u,
        v=v,
        big_m=big_m,
        priority_units=priority_units,
        rows_wanted=rows_wanted,
        max_score=max_score,
    )
    # Dual bound: the most any pair of row i can exceed its coachee's price u_i.
    row_reach = big_m * priority_units + score_bound - u
    skipped = np.zeros(n, dtype=np.bool_)
    if m:
        # The cheapest coach any row could use (every feasible coach is active): rows that
        # cannot beat even that coach's price are certified without a scan.
        cheapest = int(v[prep.active].min(initial=0))
        skipped = rows_wanted & (row_reach <= cheapest)
    wanted = rows_wanted & ~skipped
    reach_max = int(row_reach[wanted].max(initial=np.iinfo(np.int64).min))
    col_ok = v < reach_max  # coaches priced out for every wanted row
    if cols_wanted is not None:
        col_ok &= cols_wanted
    cap = max(1, per_row)

    def consume(block: _Block) -> tuple[IntArray, IntArray, IntArray, IntArray, int]:
        """The block's pairs within ``slack`` of violating, its truncated rows, its size."""
        scores = block.scores
        size = scores.size
        if safe:
            scores -= column_offset[block.cols]
            scores -= row_threshold[block.rows, None]
            flagged = scores > np.float32(-slack / SCORE_SCALE)
        else:  # pathological dual magnitudes: check every feasible pair exactly
            flagged = scores > NEG_INF
        counts = np.count_nonzero(flagged, axis=1)
        few = np.nonzero((counts > 0) & (counts <= cap))[0]
        many = np.nonzero(counts > cap)[0]
        hit_r, hit_c = np.nonzero(flagged[few])
        local_rows = [few[hit_r]]
        local_cols = [hit_c]
        if len(many):
            sub = scores[many]
            if not safe:
                sub = np.where(flagged[many], sub, NEG_INF)
            best = np.argpartition(sub, sub.shape[1] - cap, axis=1)[:, sub.shape[1] - cap :]
            keep = np.take_along_axis(flagged[many], best, axis=1)
            local_rows.append(np.repeat(many, cap)[keep.ravel()])
            local_cols.append(best[keep])
        del flagged
        rows = block.rows[np.concatenate(local_rows)]
        cols = block.cols[np.concatenate(local_cols)]
        keys = _pair_keys(rows, cols, m)
        fresh = np.ones(len(keys), dtype=np.bool_)
        for known in known_keys:
            fresh &= ~_in_sorted(known, keys)
        rows, cols = rows[fresh], cols[fresh]
        contributions, feasible = _pair_contributions(prep, rows, cols)
        values = big_m * priority_units[rows] + _integer_scores(contributions)
        excess = values - u[rows] - v[cols]
        violated = feasible & (excess > -slack)
        return rows[violated], cols[violated], excess[violated], block.rows[many], size

    found_rows: list[IntArray] = []
    found_cols: list[IntArray] = []
    found_excess: list[IntArray] = []
    truncated = np.zeros(n, dtype=np.bool_)
    violation = False
    scored = 0
    for rows, cols, excess, many_rows, size in _map_blocks(
        prep, blocks, consume, rows_wanted=wanted, cols_wanted=col_ok
    ):
        scored += size
        truncated[many_rows] = True
        violation |= bool(np.any(excess > 0))
        found_rows.append(rows)
        found_cols.append(cols)
        found_excess.append(excess)
    if not violation:
        found_rows, found_cols, found_excess = [], [], []
    rows = np.concatenate(found_rows) if found_rows else np.zeros(0, np.int64)
    cols = np.concatenate(found_cols) if found_cols else np.zeros(0, np.int64)
    excess = np.concatenate(found_excess) if found_excess else np.zeros(0, np.int64)
    best_excess = np.zeros(n, dtype=np.int64)
    if len(rows):
        np.maximum.at(best_excess, rows, excess)
        # At most ``per_row`` per coachee overall, the most violating first (ties by column).
        order = np.lexsort((cols, -excess, rows))
        rows, cols = rows[order], cols[order]
        first = np.searchsorted(rows, rows, side="left")
        keep = np.arange(len(rows)) - first < cap
        rows, cols = rows[keep], cols[keep]
    # A truncated row's best pair may have been ranked below the cap by float32 error:
    # widen its bound by that error (only used for the bound of an uncertified result).
    margin = math.ceil(2 * tolerance * SCORE_SCALE) + 1 if safe else 0
    best_excess[truncated] += margin
    return _Priced(rows, cols, best_excess, scored, truncated, int(skipped.sum()))


# --- the entry points ---------------------------------------------------------------------------


def solve(problem: Problem) -> Result:
    """The optimal assignment over all feasible pairs, certified by dual prices."""
    with _single_threaded_blas():
        return _solve(problem)


def _outside_units(bound: FloatArray, max_score: float, cap: IntArray | int) -> IntArray:
    """Approximate score bounds as integer score units, widened by the float32 error (−1: none).

    −1 exactly is the pool's "nothing left out"; any other bound counts, even one a hair below
    0 from float32 rounding of a score that is 0."""
    error = 64 * float(np.finfo(np.float32).eps) * (1 + max_score)
    units = np.maximum(np.ceil((bound + error) * SCORE_SCALE).astype(np.int64) + 1, 0)
    return np.where(bound > -1, np.minimum(units, cap), -1).astype(np.int64)


def _price_outside(
    prep: _Prepared,
    blocks: _Blocks,
    pool: _Pool,
    *,
    u: IntArray,
    v: IntArray,
    big_m: int,
    priority_units: IntArray,
    free_rows: BoolArray,
    row_outside: IntArray,
    col_outside: IntArray,
    max_score: float,
    per_row: int,
    arc_keys: IntArray,
    slack: int = 0,
) -> tuple[_Priced, int]:
    """Pairs outside the pool with ``w > u + v``; and how many coachees the bounds cleared.

    A pair outside the pool scores at most its coachee's bound ``b_i`` and its coach's
    ``c_j``. A coachee needs no scan when ``M·p_i + b_i ≤ u_i + v_j`` for its group's
    cheapest coach; a coach needs none for coachees of priority ``p`` when
    ``M·p + c_j ≤ v_j`` (``u ≥ 0``). Only what is left is scanned, priority level by level.
    """
    group_min = np.full(len(blocks.group_keys), np.iinfo(np.int64).max, np.int64)
    for group, (group_cols, _, _) in blocks.columns.items():
        if len(group_cols):
            group_min[group] = v[group_cols].min()
    reach = big_m * priority_units + row_outside - u
    wanted = free_rows & (row_outside >= 0) & (reach > group_min[blocks.group_of])
    cleared = int(np.count_nonzero(free_rows) - np.count_nonzero(wanted))
    known = (pool.keys, arc_keys)
    found: list[_Priced] = []
    for level in np.unique(priority_units[wanted]):
        rows_wanted = wanted & (priority_units == level)
        cols_wanted = prep.active & (col_outside >= 0) & (v < big_m * level + col_outside)
        if not cols_wanted.any():
            continue
        priced = _pricing_pass(
            prep,
            blocks,
            u=u,
            v=v,
            big_m=big_m,
            priority_units=priority_units,
            rows_wanted=rows_wanted,
            cols_wanted=cols_wanted,
            known_keys=known,
            max_score=max_score,
            per_row=per_row,
            score_bound=row_outside,
            slack=slack,
        )
        if len(priced.rows) == 0 and np.any(priced.truncated):
            # Nothing among each row's best flagged pairs (float32 false alarms): check the
            # truncated rows' flagged pairs without a cap.
            more = _pricing_pass(
                prep,
                blocks,
                u=u,
                v=v,
                big_m=big_m,
                priority_units=priority_units,
                rows_wanted=priced.truncated,
                cols_wanted=cols_wanted,
                known_keys=known,
                max_score=max_score,
                per_row=max(prep.m, 1),
                score_bound=row_outside,
            )
            priced = dataclasses.replace(more, scored=priced.scored + more.scored)
        found.append(priced)
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return _Priced(
            empty, empty, np.zeros(prep.n, np.int64), 0, np.zeros(prep.n, np.bool_), 0
        ), cleared
    return (
        _Priced(
            rows=np.concatenate([p.rows for p in found]),
            cols=np.concatenate([p.cols for p in found]),
            best_excess=np.maximum.reduce([p.best_excess for p in found]).astype(np.int64),
            scored=sum(p.scored for p in found),
            truncated=np.any([p.truncated for p in found], axis=0),
            skipped_rows=sum(p.skipped_rows for p in found),
        ),
        cleared,
    )


def _solve(problem: Problem) -> Result:
    clock = time.perf_counter()
    _validate(problem)
    prep, pin_rows, pin_cols = _prepare(problem)
    blocks = _blocks(prep)
    n = prep.n
    weights = problem.weights
    max_score = sum(getattr(weights, name) for name in FACTORS)
    units = np.rint(problem.coachees.priority * PRIORITY_SCALE).astype(np.int64)
    units = np.maximum(units, 1)
    divisor = int(np.gcd.reduce(units)) if n else 1
    priority_units = units // divisor
    big_m = math.ceil(SCORE_SCALE * max_score) * max(n, 1) + 1
    free_rows = np.ones(n, dtype=np.bool_)
    free_rows[pin_rows] = False
    prepared_at = time.perf_counter()

    col_k = COACH_CANDIDATES_PER_PLACE * np.maximum(prep.residual, 0) + COACH_CANDIDATES_EXTRA
    pool, feasible_count, scored = _candidate_pass(
        prep, blocks, row_k=problem.top_k, col_k=col_k, seed=problem.seed
    )
    first = pool.in_flow & free_rows[pool.rows]
    arcs = _exact_arcs(prep, pool.rows[first], pool.cols[first])
    built_at = time.perf_counter()

    flow = _solve_flow(prep, arcs, free_rows, priority_units)
    values = big_m * priority_units[arcs.rows] + arcs.scores
    in_solve = np.ones(len(arcs.rows), dtype=np.bool_)  # the arcs the flow was solved on
    solved_at = time.perf_counter()
    first_arcs = len(arcs.rows)

    rounds = 0  # pricing rounds: each one adds arcs and solves the flow again, or certifies
    scans = 0  # of them, the rounds that scanned pairs outside the pool
    added = 0
    certified = False
    cleared = 0
    best_excess = np.zeros(n, dtype=np.int64)
    score_bound = _row_score_bound(prep)
    row_outside = _outside_units(pool.row_bound, max_score, score_bound)
    col_outside = _outside_units(pool.col_bound, max_score, int(score_bound.max(initial=0)))
    per_row = PRICING_ARCS_PER_ROW
    while True:
        solved = _subset(arcs, in_solve)
        u, v = _duals(prep, solved, values[in_solve], flow)
        rounds += 1
        # Arcs left out of this solve are priced exactly like any other pair.
        excess = values - u[arcs.rows] - v[arcs.cols]
        arc_keys = np.sort(_pair_keys(arcs.rows, arcs.cols, prep.m))
        slack = FIRST_ROUND_SLACK if rounds == 1 else POOL_SLACK
        rows, cols = _price_pool(
            prep,
            pool,
            max_score=max_score,
            u=u,
            v=v,
            big_m=big_m,
            priority_units=priority_units,
            free_rows=free_rows,
            per_row=per_row,
            slack=slack,
            arc_keys=arc_keys,
        )
        # The pairs outside the pool that the bounds leave open, in the same round: prices
        # settle in fewer solves when both kinds of violators join at once.
        priced, cleared_now = _price_outside(
            prep,
            blocks,
            pool,
            u=u,
            v=v,
            big_m=big_m,
            priority_units=priority_units,
            free_rows=free_rows,
            row_outside=row_outside,
            col_outside=col_outside,
            max_score=max_score,
            per_row=per_row,
            slack=slack,
            arc_keys=arc_keys,
        )
        cleared += cleared_now
        scored += priced.scored
        scans += int(priced.scored > 0)
        rows = np.concatenate([rows, priced.rows])
        cols = np.concatenate([cols, priced.cols])
        if len(rows) == 0 and not np.any(excess > 0):
            # The certificate also needs complementary slackness, which an optimal flow
            # gives: every price u ≥ 0, and a coach with places left has v = 0.
            taken = np.bincount(flow.assigned[flow.assigned >= 0], minlength=prep.m)
            if np.any(u[free_rows] < 0) or np.any((v > 0) & (taken < prep.residual)):
                raise RuntimeError("the prices break complementary slackness: a bug")
            certified = True
            break
        if rounds >= MAX_PRICING_ROUNDS:
            # Not certified: price every pair outside the solved arcs once more for a valid
            # bound.
            priced = _pricing_pass(
                prep,
                blocks,
                u=u,
                v=v,
                big_m=big_m,
                priority_units=priority_units,
                rows_wanted=free_rows,
                known_keys=(np.sort(_pair_keys(solved.rows, solved.cols, prep.m)),),
                max_score=max_score,
                per_row=per_row,
                score_bound=score_bound,
            )
            best_excess = priced.best_excess
            break
        extra = _exact_arcs(prep, rows, cols)
        added += len(rows)
        # The next flow is solved on the arcs within SOLVE_SLACK of their prices (those far
        # below hardly ever carry flow: the solver's time grows with its arcs and nodes) and
        # the new ones; from round DROP_ROUNDS on, on every arc, so that the rounds end.
        keep = excess >= -SOLVE_SLACK if rounds < DROP_ROUNDS else np.ones(len(excess), np.bool_)
        arcs, order = _merge_arcs(arcs, extra, prep)
        in_solve = np.concatenate([keep, np.ones(len(extra.rows), dtype=np.bool_)])[order]
        values = big_m * priority_units[arcs.rows] + arcs.scores
        flow = _solve_flow(prep, _subset(arcs, in_solve), free_rows, priority_units)
    certified_at = time.perf_counter()

    kth = np.where(pool.row_bound > -1, pool.row_bound, -np.inf)
    result = _result(
        prep,
        arcs=arcs,
        pool=pool,
        flow=flow,
        pin_rows=pin_rows,
        pin_cols=pin_cols,
        feasible_count=feasible_count,
        kth=kth,
        blocks=blocks,
        dual_value=int(
            (u + best_excess)[free_rows].sum() + (prep.residual[prep.active] * v[prep.active]).sum()
        ),
        big_m=big_m,
        priority_units=priority_units,
        divisor=divisor,
        certified=certified,
    )
    done = time.perf_counter()
    statistics = {
        "seconds_prepare": prepared_at - clock,
        "seconds_candidates": built_at - prepared_at,
        "seconds_build": built_at - clock,
        "seconds_solve": solved_at - built_at,
        "seconds_certify": certified_at - solved_at,
        "seconds_explain": done - certified_at,
        "seconds_total": done - clock,
        "candidate_arcs": float(first_arcs),
        "added_arcs": float(added),
        "pricing_rounds": float(rounds),
        "pricing_rows_skipped": float(cleared),
        "pricing_scans": float(scans),
        "pool_arcs": float(len(pool.rows)),
        "candidate_k": float(problem.top_k),
        "pairs_scored": float(scored),
        "coachee_classes": float(prep.class_feasible.shape[0]),
        "coach_classes": float(prep.class_feasible.shape[1]),
    }
    return Result(
        pairs=result.pairs,
        unmatched=result.unmatched,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        certified=certified,
        statistics=statistics,
    )


@dataclass(frozen=True)
class _Explained:
    pairs: tuple[Pair, ...]
    unmatched: tuple[Unmatched, ...]
    objective: Objective
    bound: Bound
    gap: float


def _ranks(
    prep: _Prepared,
    blocks: _Blocks,
    *,
    rows: IntArray,
    cols: IntArray,
    scores: IntArray,
    pool: _Pool,
    kth: FloatArray,
) -> IntArray:
    """1 + the number of feasible coaches scoring higher than the assigned one (in 1/1000).

    Every pair scoring above a coachee's pool bound ``kth`` is in the pool, which then
    suffices; other coachees are scanned.
    """
    threshold = np.full(prep.n, np.inf, dtype=np.float32)
    threshold[rows] = ((scores + 0.5) / SCORE_SCALE).astype(np.float32)
    cut = (scores + 0.5) / SCORE_SCALE - 1e-5
    safe = np.zeros(prep.n, dtype=np.bool_)
    safe[rows] = cut > kth[rows]
    higher = pool.scores > threshold[pool.rows]
    counts = np.bincount(pool.rows[higher], minlength=prep.n).astype(np.int64)
    unsafe = np.zeros(prep.n, dtype=np.bool_)
    unsafe[rows] = ~safe[rows]
    if np.any(unsafe):

        def consume(block: _Block) -> tuple[IntArray, IntArray]:
            above = np.count_nonzero(block.scores > threshold[block.rows, None], axis=1)
            return block.rows, above

        for block_rows, above in _map_blocks(prep, blocks, consume, rows_wanted=unsafe):
            counts[block_rows] = above
    return np.asarray(counts[rows] + 1, dtype=np.int64)


def _reason_counts(prep: _Prepared, rows: IntArray) -> dict[str, IntArray]:
    """For each rule, how many coaches it excludes for each of ``rows``."""
    problem = prep.problem
    m = max(prep.m, 1)
    counts: dict[str, IntArray] = {}
    coach_class_sizes = np.bincount(prep.coach_class, minlength=prep.class_feasible.shape[1])
    for name, table in (
        ("level_gap", prep.class_reason_level),
        ("language", prep.class_reason_language),
        ("availability", prep.class_reason_availability),
    ):
        per_class = table.astype(np.int64) @ coach_class_sizes
        counts[name] = per_class[prep.coachee_class[rows]]
    for name in ("reporting_line", "excluded", "past_pair", "avoided"):
        per_row = np.bincount(prep.reason_keys[name] // m, minlength=prep.n)
        counts[name] = per_row[rows]
    if problem.rules.cross_department == CrossDepartment.REQUIRED:
        per_department = np.bincount(
            prep.coach_department, minlength=int(prep.department.max(initial=0)) + 1
        )
        counts["same_department"] = per_department[prep.department[rows]]
    else:
        counts["same_department"] = np.zeros(len(rows), dtype=np.int64)
    counts["not_certified"] = np.full(
        len(rows), int(np.count_nonzero(~problem.coaches.certified)), dtype=np.int64
    )
    counts["no_capacity"] = np.full(
        len(rows), int(np.count_nonzero(prep.residual <= 0)), dtype=np.int64
    )
    return counts


def _result(
    prep: _Prepared,
    *,
    arcs: _Arcs,
    pool: _Pool,
    flow: _Flow,
    pin_rows: IntArray,
    pin_cols: IntArray,
    feasible_count: IntArray,
    kth: FloatArray,
    blocks: _Blocks,
    dual_value: int,
    big_m: int,
    priority_units: IntArray,
    divisor: int,
    certified: bool,
) -> _Explained:
    problem = prep.problem
    coachees, coaches = problem.coachees, problem.coaches
    assigned = flow.assigned.copy()
    assigned[pin_rows] = pin_cols
    pinned = np.zeros(prep.n, dtype=np.bool_)
    pinned[pin_rows] = True
    matched_rows = np.nonzero(assigned >= 0)[0]
    matched_rows = matched_rows[np.argsort(coachees.ids[matched_rows], kind="stable")]
    matched_cols = assigned[matched_rows]
    contributions, _ = _pair_contributions(prep, matched_rows, matched_cols)
    scores = _integer_scores(contributions)
    # Every pair scoring above a row's kth is among its first candidates: they suffice.
    ranks = _ranks(
        prep, blocks, rows=matched_rows, cols=matched_cols, scores=scores, pool=pool, kth=kth
    )
    options = feasible_count[matched_rows] + (
        pinned[matched_rows] & ~prep.active[matched_cols]
    ).astype(np.int64)
    pair_scores = contributions.sum(axis=1)
    # Plain lists first: reading NumPy scalars one by one is several times slower.
    pairs = tuple(
        Pair(
            coachee_id=coachee_id,
            coach_id=coach_id,
            score=score,
            contributions=dict(zip(FACTORS, factors, strict=True)),
            rank=rank,
            options=max(option, rank),
            pinned=is_pinned,
        )
        for coachee_id, coach_id, score, factors, rank, option, is_pinned in zip(
            coachees.ids[matched_rows].tolist(),
            coaches.ids[matched_cols].tolist(),
            pair_scores.tolist(),
            contributions.tolist(),
            ranks.tolist(),
            options.tolist(),
            pinned[matched_rows].tolist(),
            strict=True,
        )
    )
    unmatched_rows = np.nonzero(assigned < 0)[0]
    unmatched_rows = unmatched_rows[np.argsort(coachees.ids[unmatched_rows], kind="stable")]
    reasons = _reason_counts(prep, unmatched_rows)
    reason_counts = zip(*(reasons[name].tolist() for name in REASONS), strict=True)
    unmatched = tuple(
        Unmatched(
            coachee_id=coachee_id,
            feasible=feasible,
            reasons=dict(zip(REASONS, counts, strict=True)),
        )
        for coachee_id, feasible, counts in zip(
            coachees.ids[unmatched_rows].tolist(),
            feasible_count[unmatched_rows].tolist(),
            reason_counts,
            strict=True,
        )
    )
    matched_units = int(priority_units[matched_rows].sum())
    primal_score = int(scores.sum())
    objective = Objective(
        matched=len(pairs),
        matched_priority=float(coachees.priority[matched_rows].sum()),
        total_score=float(pair_scores.sum()),
    )
    if certified:
        bound = Bound(objective.matched_priority, objective.total_score)
        gap = 0.0
    else:
        pinned_value = int((big_m * priority_units[pin_rows]).sum()) + int(
            scores[pinned[matched_rows]].sum()
        )
        total = dual_value + pinned_value
        bound_units = total // big_m
        bound_score = total - big_m * bound_units
        bound = Bound(
            matched_priority=bound_units * divisor / PRIORITY_SCALE,
            total_score=bound_score / SCORE_SCALE,
        )
        gap = (
            (bound_score - primal_score) / SCORE_SCALE if bound_units == matched_units else math.inf
        )
    return _Explained(pairs=pairs, unmatched=unmatched, objective=objective, bound=bound, gap=gap)


def _coachee_row(problem: Problem, coachee_id: int) -> int:
    found = np.nonzero(problem.coachees.ids == coachee_id)[0]
    if len(found) == 0:
        raise MatchInputError(f"coachee_id: {coachee_id} is not a coachee")
    return int(found[0])


def explain_pair(problem: Problem, *, coachee_id: int, coach_id: int) -> PairScore:
    """Check one pair against every hard rule and score it (for a swap by hand)."""
    _validate(problem)
    prep, _, _ = _prepare(problem)
    row = _coachee_row(problem, coachee_id)
    found = np.nonzero(problem.coaches.ids == coach_id)[0]
    if len(found) == 0:
        raise MatchInputError(f"coach_id: {coach_id} is not a coach")
    col = int(found[0])
    contributions, _ = _pair_contributions(
        prep, np.asarray([row], np.int64), np.asarray([col], np.int64)
    )
    broken = tuple(_broken_rules(prep, row, col))
    return PairScore(
        coachee_id=coachee_id,
        coach_id=coach_id,
        feasible=not broken,
        broken_rules=broken,
        score=float(contributions[0].sum()),
        contributions=dict(zip(FACTORS, contributions[0].tolist(), strict=True)),
    )


def suggest(problem: Problem, *, coachee_id: int, limit: int = 5) -> tuple[PairScore, ...]:
    """A coachee's best-scored feasible coaches with capacity left, best first, ties by id."""
    _validate(problem)
    prep, _, _ = _prepare(problem)
    row = _coachee_row(problem, coachee_id)
    cols = np.nonzero(prep.active)[0]
    rows = np.full(len(cols), row, dtype=np.int64)
    contributions, feasible = _pair_contributions(prep, rows, cols)
    cols, contributions = cols[feasible], contributions[feasible]
    scores = contributions.sum(axis=1)
    order = np.lexsort((problem.coaches.ids[cols], -np.rint(scores * SCORE_SCALE)))[:limit]
    return tuple(
        PairScore(
            coachee_id=coachee_id,
            coach_id=int(problem.coaches.ids[cols[k]]),
            feasible=True,
            broken_rules=(),
            score=float(scores[k]),
            contributions=dict(zip(FACTORS, contributions[k].tolist(), strict=True)),
        )
        for k in order.tolist()
    )
