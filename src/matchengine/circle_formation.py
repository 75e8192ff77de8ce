"""Group circle formation: partition participants into circles, each with a facilitator.

Every participant joins exactly one circle of ``min_size`` to ``max_size`` members (the
facilitator is not counted, as in ``cadre.coaching.circles``). Every circle gets one of the
given facilitators, and a facilitator leads at most their ``max_circles``. A manager and
anyone in their reporting line, at any depth, never share a circle, the facilitator included.

Objective, lexicographic:

1. **department diversity**: the sum over circles of the number of distinct departments among
   the members. It is the *quality* figure. Its upper bound counts each department at most once
   per circle and once per member, ``sum(min(members of d, circles))``; the exact solver's own
   bound tightens it when it proves more.
2. then **level balance**: a level's fair share of a circle is ``ceil(people at that level /
   circles)``; ``level_excess`` counts the members beyond their level's fair share, summed over
   circles. 0 means every level is spread as evenly as it can be.
3. then **even sizes**: members beyond ``ceil(participants / circles)`` in a circle.

The number of circles is the caller's, or else the feasible count whose mean size is nearest the
middle of the size range (fewer circles on a tie).

How: a greedy placement (most constrained first, each into the circle where they add the most)
and a local search of moves and swaps give a good partition in milliseconds. When that
partition doesn't already meet the bounds, OR-Tools CP-SAT starts from it to improve it or
prove it optimal, on one worker with a deterministic time limit. Ties break by a seeded random
generator, so the same input and seed always give the same circles.
"""

import math
import random
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

__all__ = [
    "CircleFormation",
    "CircleFormationError",
    "CircleParticipant",
    "Facilitator",
    "FormedCircle",
    "circles_form",
]

# The exact solver's model has a variable per participant and circle; above this it only
# slows the answer down without improving it.
EXACT_MODEL_LIMIT = 40_000
LOCAL_SEARCH_SWEEPS = 40


class CircleFormationError(ValueError):
    """The input can't be partitioned as asked; the message says why and what to change."""


@dataclass(frozen=True)
class CircleParticipant:
    """Someone to place in a circle. ``ancestors`` are the ids of everyone above them in the
    management chain (ids outside the input are ignored)."""

    id: int
    department: Hashable
    level: int
    ancestors: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Facilitator:
    """A certified coach who may lead up to ``max_circles`` circles."""

    id: int
    ancestors: frozenset[int] = field(default_factory=frozenset)
    max_circles: int = 1


@dataclass(frozen=True)
class FormedCircle:
    facilitator: int
    members: tuple[int, ...]
    departments: int
    """Distinct departments among the members."""


@dataclass(frozen=True)
class CircleFormation:
    circles: tuple[FormedCircle, ...]
    quality: int
    """Department diversity: distinct departments per circle, summed over circles."""
    bound: int
    """No partition of these participants into this many circles has a higher quality."""
    level_excess: int
    """Members beyond their level's fair share of their circle, summed; 0 is perfectly even."""
    proven_optimal: bool
    """The whole lexicographic objective is proven optimal, not only the quality."""

    @property
    def gap(self) -> int:
        return self.bound - self.quality


def _require_valid_input(
    participants: Sequence[CircleParticipant],
    facilitators: Sequence[Facilitator],
    min_size: int,
    max_size: int,
) -> None:
    if min_size < 1 or max_size < min_size:
        raise CircleFormationError(
            f"The size range {min_size}–{max_size} is empty: the smallest size must be at "
            "least 1 and no larger than the largest."
        )
    if not participants:
        raise CircleFormationError("There is nobody to place: choose some participants.")
    if not facilitators:
        raise CircleFormationError("There is no facilitator: choose at least one.")
    for kind, ids in (
        ("participant", [p.id for p in participants]),
        ("facilitator", [f.id for f in facilitators]),
    ):
        repeated = sorted(i for i, count in Counter(ids).items() if count > 1)
        if repeated:
            raise CircleFormationError(f"Each {kind} is listed once; repeated ids: {repeated}.")
    both = sorted({p.id for p in participants} & {f.id for f in facilitators})
    if both:
        raise CircleFormationError(
            f"A facilitator leads a circle and isn't placed in one; these ids are both: {both}."
        )
    negative = sorted(f.id for f in facilitators if f.max_circles < 0)
    if negative:
        raise CircleFormationError(f"A facilitator leads at least 0 circles; not so: {negative}.")


def _circle_count(
    participants: int, min_size: int, max_size: int, capacity: int, asked: int | None
) -> int:
    fewest = math.ceil(participants / max_size)
    most = participants // min_size
    if fewest > most:
        raise CircleFormationError(
            f"{participants} participants can't be split into circles of {min_size} to "
            f"{max_size}: widen the size range or change the participants."
        )
    if asked is not None:
        if not fewest <= asked <= most:
            raise CircleFormationError(
                f"{participants} participants make {fewest} to {most} circles of "
                f"{min_size} to {max_size}, not {asked}."
            )
        fewest = most = asked
    if capacity < fewest:
        raise CircleFormationError(
            f"{fewest} circles are needed but the facilitators can lead {capacity}: add "
            "facilitators, let them lead more circles, or make circles larger."
        )
    middle = (min_size + max_size) / 2
    candidates = range(fewest, min(most, capacity) + 1)
    return min(candidates, key=lambda count: (abs(participants / count - middle), count))


@dataclass
class _Instance:
    """The input by index: participants and facilitators sorted by id."""

    people: list[CircleParticipant]
    leaders: list[Facilitator]
    circles: int
    min_size: int
    max_size: int
    department: list[int]
    level: list[int]
    level_share: list[int]
    even: int
    clash: list[set[int]]
    """Participants in one reporting line with each participant."""
    led_clash: list[set[int]]
    """Facilitators in one reporting line with each participant."""

    @classmethod
    def build(
        cls,
        participants: Sequence[CircleParticipant],
        facilitators: Sequence[Facilitator],
        circles: int,
        min_size: int,
        max_size: int,
    ) -> "_Instance":
        people = sorted(participants, key=lambda p: p.id)
        leaders = sorted(facilitators, key=lambda f: f.id)
        index = {p.id: i for i, p in enumerate(people)}
        leader_index = {f.id: k for k, f in enumerate(leaders)}
        clash: list[set[int]] = [set() for _ in people]
        led_clash: list[set[int]] = [set() for _ in people]
        for j, person in enumerate(people):
            for ancestor in person.ancestors:
                if (i := index.get(ancestor)) is not None and i != j:
                    clash[i].add(j)
                    clash[j].add(i)
                if (k := leader_index.get(ancestor)) is not None:
                    led_clash[j].add(k)
        for k, leader in enumerate(leaders):
            for ancestor in leader.ancestors:
                if (i := index.get(ancestor)) is not None:
                    led_clash[i].add(k)
        departments = {d: n for n, d in enumerate(sorted({p.department for p in people}, key=repr))}
        levels = {lv: n for n, lv in enumerate(sorted({p.level for p in people}))}
        level_of = [levels[p.level] for p in people]
        level_sizes = Counter(level_of)
        return cls(
            people=people,
            leaders=leaders,
            circles=circles,
            min_size=min_size,
            max_size=max_size,
            department=[departments[p.department] for p in people],
            level=level_of,
            level_share=[math.ceil(level_sizes[lv] / circles) for lv in range(len(levels))],
            even=math.ceil(len(people) / circles),
            clash=clash,
            led_clash=led_clash,
        )

    @property
    def size(self) -> int:
        return len(self.people)

    def counting_bound(self) -> int:
        sizes = Counter(self.department)
        return min(self.size, sum(min(size, self.circles) for size in sizes.values()))


class _Partition:
    """A partition being built or improved, with the counts the objective needs."""

    def __init__(self, instance: _Instance, leader_of: list[int]) -> None:
        self.instance = instance
        self.leader_of = leader_of
        k = instance.circles
        self.circle_of = [-1] * instance.size
        self.members: list[set[int]] = [set() for _ in range(k)]
        self.departments = [Counter[int]() for _ in range(k)]
        self.levels = [Counter[int]() for _ in range(k)]

    def fits(self, i: int, c: int, leaving: int | None = None) -> bool:
        """``i`` may join circle ``c`` (once ``leaving`` has left it)."""
        if self.leader_of[c] in self.instance.led_clash[i]:
            return False
        together = self.instance.clash[i] & self.members[c]
        return not together or together == {leaving}

    def gain_add(self, i: int, c: int) -> tuple[int, int, int]:
        instance = self.instance
        return (
            int(self.departments[c][instance.department[i]] == 0),
            -int(self.levels[c][instance.level[i]] >= instance.level_share[instance.level[i]]),
            -int(len(self.members[c]) >= instance.even),
        )

    def gain_remove(self, i: int, c: int) -> tuple[int, int, int]:
        instance = self.instance
        return (
            -int(self.departments[c][instance.department[i]] == 1),
            int(self.levels[c][instance.level[i]] > instance.level_share[instance.level[i]]),
            int(len(self.members[c]) > instance.even),
        )

    def add(self, i: int, c: int) -> None:
        self.circle_of[i] = c
        self.members[c].add(i)
        self.departments[c][self.instance.department[i]] += 1
        self.levels[c][self.instance.level[i]] += 1

    def remove(self, i: int) -> int:
        c = self.circle_of[i]
        self.circle_of[i] = -1
        self.members[c].discard(i)
        self.departments[c][self.instance.department[i]] -= 1
        self.levels[c][self.instance.level[i]] -= 1
        return c

    def score(self) -> tuple[int, int, int]:
        instance = self.instance
        diversity = sum(sum(1 for n in counts.values() if n) for counts in self.departments)
        level_excess = sum(
            max(0, n - instance.level_share[lv])
            for counts in self.levels
            for lv, n in counts.items()
        )
        size_excess = sum(max(0, len(m) - instance.even) for m in self.members)
        return diversity, -level_excess, -size_excess


def _add3(a: tuple[int, int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


def _choose_leaders(instance: _Instance) -> list[int]:
    """One facilitator slot per circle: everyone leads one before anyone leads two, those in
    fewer participants' reporting lines first."""
    blocked = Counter(k for clashes in instance.led_clash for k in clashes)
    order = sorted(range(len(instance.leaders)), key=lambda k: (blocked[k], k))
    slots = [
        k
        for turn in range(max(leader.max_circles for leader in instance.leaders))
        for k in order
        if instance.leaders[k].max_circles > turn
    ]
    return slots[: instance.circles]


def _greedy(instance: _Instance, rng: random.Random) -> _Partition | None:
    """Place the most constrained first, each where they add the most; ``None`` if stuck."""
    partition = _Partition(instance, _choose_leaders(instance))
    degree = [len(instance.clash[i]) + len(instance.led_clash[i]) for i in range(instance.size)]
    tie = [rng.random() for _ in range(instance.size)]
    order = sorted(range(instance.size), key=lambda i: (-degree[i], tie[i]))
    circles = range(instance.circles)
    for i in order:
        for room in (instance.even, instance.max_size):
            options = [
                c for c in circles if len(partition.members[c]) < room and partition.fits(i, c)
            ]
            if options:
                best = max(
                    options,
                    key=lambda c: (partition.gain_add(i, c), -len(partition.members[c]), -c),
                )
                partition.add(i, best)
                break
        else:
            if not _make_room(partition, i):
                return None
    for c in circles:
        while len(partition.members[c]) < instance.min_size:
            if not _fill(partition, c):
                return None
    return partition


def _make_room(partition: _Partition, i: int) -> bool:
    """Place ``i`` in a circle they fit, first moving out a member who fits elsewhere."""
    instance = partition.instance
    for c in range(instance.circles):
        if not partition.fits(i, c):
            continue
        for j in sorted(partition.members[c]):
            if j in instance.clash[i]:
                continue
            for other in range(instance.circles):
                if (
                    other != c
                    and len(partition.members[other]) < instance.max_size
                    and partition.fits(j, other)
                ):
                    partition.remove(j)
                    partition.add(j, other)
                    partition.add(i, c)
                    return True
    return False


def _fill(partition: _Partition, c: int) -> bool:
    """Bring one member into circle ``c`` from a circle that can spare one."""
    instance = partition.instance
    for j in range(instance.size):
        source = partition.circle_of[j]
        if (
            source != c
            and len(partition.members[source]) > instance.min_size
            and partition.fits(j, c)
        ):
            partition.remove(j)
            partition.add(j, c)
            return True
    return False


def _swap_gain(partition: _Partition, i: int, j: int) -> tuple[int, int, int]:
    """The change in score if ``i`` and ``j`` trade circles (sizes don't change)."""
    instance = partition.instance
    a, b = partition.circle_of[i], partition.circle_of[j]
    diversity = level = 0
    di, dj = instance.department[i], instance.department[j]
    if di != dj:
        in_a, in_b = partition.departments[a], partition.departments[b]
        diversity = (in_a[dj] == 0) - (in_a[di] == 1) + (in_b[di] == 0) - (in_b[dj] == 1)
    li, lj = instance.level[i], instance.level[j]
    if li != lj:
        share = instance.level_share
        at_a, at_b = partition.levels[a], partition.levels[b]
        level = (
            (at_a[li] > share[li])
            - (at_a[lj] >= share[lj])
            + (at_b[lj] > share[lj])
            - (at_b[li] >= share[li])
        )
    return diversity, level, 0


def _improve(partition: _Partition, rng: random.Random, target: tuple[int, int, int]) -> None:
    """First-improvement local search over moving one member and swapping two, until nothing
    improves or the score reaches ``target``, a bound."""
    instance = partition.instance
    people = list(range(instance.size))
    score = partition.score()
    zero = (0, 0, 0)
    for _ in range(LOCAL_SEARCH_SWEEPS):
        if score >= target:
            return
        improved = False
        rng.shuffle(people)
        for i in people:
            a = partition.circle_of[i]
            for b in range(instance.circles):
                if b == a:
                    continue
                if (
                    len(partition.members[a]) > instance.min_size
                    and len(partition.members[b]) < instance.max_size
                    and partition.fits(i, b)
                ):
                    delta = _add3(partition.gain_remove(i, a), partition.gain_add(i, b))
                    if delta > zero:
                        partition.remove(i)
                        partition.add(i, b)
                        score = _add3(score, delta)
                        improved = True
                        break
                for j in partition.members[b]:
                    delta = _swap_gain(partition, i, j)
                    if (
                        delta > zero
                        and partition.fits(i, b, leaving=j)
                        and partition.fits(j, a, leaving=i)
                    ):
                        partition.remove(i)
                        partition.remove(j)
                        partition.add(i, b)
                        partition.add(j, a)
                        score = _add3(score, delta)
                        improved = True
                        break
                if partition.circle_of[i] != a:
                    break
        if not improved:
            return


@dataclass
class _Exact:
    partition: _Partition | None
    optimal: bool
    infeasible: bool
    diversity_bound: int


def _solve_exactly(
    instance: _Instance, hint: _Partition | None, seed: int, time_limit: float
) -> _Exact:
    """CP-SAT over the lexicographic objective, started from ``hint``."""
    n, k = instance.size, instance.circles
    circles = range(k)
    model = cp_model.CpModel()
    # Circles are interchangeable: number them by their first member, so participant i sits in
    # a circle numbered at most i.
    x = {(i, c): model.new_bool_var(f"x{i}_{c}") for i in range(n) for c in circles if c <= i}
    usable = [f for f, leader in enumerate(instance.leaders) if leader.max_circles > 0]
    y = {(f, c): model.new_bool_var(f"y{f}_{c}") for f in usable for c in circles}
    for i in range(n):
        model.add_exactly_one(x[i, c] for c in circles if c <= i)
    for c in circles:
        model.add_linear_constraint(
            sum(x[i, c] for i in range(c, n)), instance.min_size, instance.max_size
        )
        model.add_exactly_one(y[f, c] for f in usable)
    for f in usable:
        model.add(sum(y[f, c] for c in circles) <= instance.leaders[f].max_circles)
    for j in range(n):
        for i in instance.clash[j]:
            if i < j:
                for c in range(min(i + 1, k)):
                    model.add_bool_or([x[i, c].Not(), x[j, c].Not()])
        for f in instance.led_clash[j]:
            if instance.leaders[f].max_circles > 0:
                for c in range(min(j + 1, k)):
                    model.add_bool_or([y[f, c].Not(), x[j, c].Not()])
    present = []
    for d in set(instance.department):
        for c in circles:
            seats = [x[i, c] for i in range(c, n) if instance.department[i] == d]
            if seats:
                var = model.new_bool_var(f"d{d}_{c}")
                model.add_bool_or(seats).only_enforce_if(var)
                present.append(var)
    excess = []
    for lv, share in enumerate(instance.level_share):
        for c in circles:
            seats = [x[i, c] for i in range(c, n) if instance.level[i] == lv]
            if len(seats) > share:
                over = model.new_int_var(0, len(seats) - share, f"l{lv}_{c}")
                model.add(over >= sum(seats) - share)
                excess.append(over)
    for c in circles:
        if instance.max_size > instance.even:
            over = model.new_int_var(0, instance.max_size - instance.even, f"s{c}")
            model.add(over >= sum(x[i, c] for i in range(c, n)) - instance.even)
            excess.append(over)
    # Lexicographic through weights: the level terms are at most n, the size terms too.
    level_weight = n + 1
    weight = level_weight * (n + 1) + 1
    level_terms = len(excess) - (k if instance.max_size > instance.even else 0)
    model.maximize(
        weight * sum(present) - level_weight * sum(excess[:level_terms]) - sum(excess[level_terms:])
    )
    if hint is not None:
        renumber = _by_first_member(hint)
        for (i, c), var in x.items():
            model.add_hint(var, renumber[hint.circle_of[i]] == c)
        for (f, c), var in y.items():
            model.add_hint(var, hint.leader_of[renumber.index(c)] == f)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = time_limit
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return _Exact(partition=None, optimal=False, infeasible=True, diversity_bound=0)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Exact(partition=None, optimal=False, infeasible=False, diversity_bound=n)
    leader_of = [next(f for f in usable if solver.boolean_value(y[f, c])) for c in circles]
    partition = _Partition(instance, leader_of)
    for (i, c), var in x.items():
        if solver.boolean_value(var):
            partition.add(i, c)
    # Any partition's diversity D has weight * D - (balance terms) <= the solver's bound, and
    # the balance terms are below weight, so D <= (bound + weight - 1) / weight.
    bound = math.floor((solver.best_objective_bound + weight - 1) / weight)
    return _Exact(
        partition=partition,
        optimal=status == cp_model.OPTIMAL,
        infeasible=False,
        diversity_bound=bound,
    )


def _by_first_member(partition: _Partition) -> list[int]:
    """``renumber[c]``: circle ``c``'s position when circles are ordered by first member."""
    firsts = sorted(range(partition.instance.circles), key=lambda c: min(partition.members[c]))
    renumber = [0] * len(firsts)
    for position, c in enumerate(firsts):
        renumber[c] = position
    return renumber


def circles_form(
    *,
    participants: Sequence[CircleParticipant],
    facilitators: Sequence[Facilitator],
    min_size: int,
    max_size: int,
    circle_count: int | None = None,
    seed: int = 0,
    time_limit: float = 2.0,
) -> CircleFormation:
    """Partition ``participants`` into circles of ``min_size`` to ``max_size`` members, each
    led by one of ``facilitators``; see the module's docstring for the objective.

    ``time_limit`` bounds the exact solver in CP-SAT's deterministic time units (about
    seconds on an idle core), so the machine's load never changes the result. Raises
    ``CircleFormationError`` when no partition exists or none was found in time.
    """
    _require_valid_input(participants, facilitators, min_size, max_size)
    capacity = sum(f.max_circles for f in facilitators)
    k = _circle_count(len(participants), min_size, max_size, capacity, circle_count)
    instance = _Instance.build(participants, facilitators, k, min_size, max_size)
    stuck = [
        instance.people[i].id
        for i in range(instance.size)
        if len(instance.led_clash[i]) == len(instance.leaders)
    ]
    if stuck:
        raise CircleFormationError(
            f"Every facilitator is in one reporting line with participants {sorted(stuck)}: "
            "add a facilitator from elsewhere in the organisation."
        )
    crowded = [
        instance.people[i].id
        for i in range(instance.size)
        if instance.size - 1 - len(instance.clash[i]) < min_size - 1
    ]
    if crowded:
        raise CircleFormationError(
            f"Participants {sorted(crowded)} share a reporting line with so many others that "
            f"fewer than {min_size - 1} remain to share a circle with: leave them out or make "
            "circles smaller."
        )
    rng = random.Random(seed)
    best = _greedy(instance, rng)
    counting_bound = instance.counting_bound()
    if best is not None:
        _improve(best, rng, (counting_bound, 0, 0))
    bound = counting_bound
    optimal = best is not None and best.score() == (counting_bound, 0, 0)
    if not optimal and (best is None or instance.size * k <= EXACT_MODEL_LIMIT):
        exact = _solve_exactly(instance, best, seed, time_limit)
        if exact.infeasible:
            raise CircleFormationError(
                f"No {k} circles of {min_size} to {max_size} keep every manager apart from "
                "their reports with these facilitators: add facilitators, change the size "
                "range or the participants."
            )
        if exact.partition is not None and (
            best is None or exact.partition.score() >= best.score()
        ):
            best = exact.partition
        optimal = exact.optimal
        bound = min(bound, exact.diversity_bound)
    if best is None:
        raise CircleFormationError(
            "No partition was found within the time limit: allow more time, add facilitators "
            "or widen the size range."
        )
    diversity, level_excess, _ = best.score()
    circles = [
        FormedCircle(
            facilitator=instance.leaders[best.leader_of[c]].id,
            members=tuple(sorted(instance.people[i].id for i in best.members[c])),
            departments=sum(1 for n in best.departments[c].values() if n),
        )
        for c in range(k)
    ]
    return CircleFormation(
        circles=tuple(sorted(circles, key=lambda circle: circle.members)),
        quality=diversity,
        bound=bound,
        level_excess=-level_excess,
        proven_optimal=optimal,
    )
