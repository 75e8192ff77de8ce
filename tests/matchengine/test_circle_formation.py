"""Group circle formation: the rules always hold, the quality never beats its bound, small
instances reach the brute-force optimum, and impossible inputs say why."""

import itertools
import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchengine.circle_formation import (
    CircleFormation,
    CircleFormationError,
    CircleParticipant,
    Facilitator,
    circles_form,
)

FACILITATOR_IDS = (101, 102, 103)


def _chain(managers: list[int | None], i: int) -> frozenset[int]:
    above = []
    while (manager := managers[i]) is not None:
        above.append(manager)
        i = manager
    return frozenset(above)


@st.composite
def instances(draw, max_people=12):
    """A circle count, sizes that allow it, participants in a small organisation (managers
    earlier in the list) and facilitators, some of whom manage participants or report to one.
    Returns (participants, facilitators, min_size, max_size, circle_count)."""
    k = draw(st.integers(1, 3))
    min_size = draw(st.integers(1, max(1, max_people // k)))
    n = draw(st.integers(k * min_size, max_people))
    max_size = draw(st.integers(max(min_size, math.ceil(n / k)), math.ceil(n / k) + 2))
    managers: list[int | None] = [
        draw(st.integers(0, i - 1)) if i and draw(st.integers(0, 5)) == 0 else None
        for i in range(n)
    ]
    facilitator_ids = FACILITATOR_IDS[: draw(st.integers(1 if k == 1 else 2, 3))]
    facilitator_managed = {
        i: draw(st.sampled_from(facilitator_ids))
        for i in range(n)
        if managers[i] is None and draw(st.integers(0, 9)) == 0
    }
    participants = []
    for i in range(n):
        ancestors = set(_chain(managers, i))
        top = min([i, *ancestors])
        if top in facilitator_managed:
            ancestors.add(facilitator_managed[top])
        participants.append(
            CircleParticipant(
                id=i,
                department=draw(st.sampled_from("ABC")),
                level=draw(st.integers(1, 3)),
                ancestors=frozenset(ancestors),
            )
        )
    facilitators = [
        Facilitator(
            id=f,
            max_circles=draw(st.integers(1, 2)) if draw(st.integers(0, 5)) else 0,
            ancestors=frozenset({draw(st.integers(0, n - 1))})
            if draw(st.integers(0, 5)) == 0
            else frozenset(),
        )
        for f in facilitator_ids
    ]
    return participants, facilitators, min_size, max_size, k


def _related(a: CircleParticipant | Facilitator, b: CircleParticipant | Facilitator) -> bool:
    return a.id in b.ancestors or b.id in a.ancestors


def _score(circles, by_id, k):
    """(diversity, -level excess, -size excess) of circles given as lists of participants."""
    n = sum(len(members) for members in circles)
    levels = Counter(by_id[i].level for members in circles for i in members)
    even = math.ceil(n / k)
    diversity = sum(len({by_id[i].department for i in members}) for members in circles)
    level_excess = sum(
        max(0, count - math.ceil(levels[level] / k))
        for members in circles
        for level, count in Counter(by_id[i].level for i in members).items()
    )
    size_excess = sum(max(0, len(members) - even) for members in circles)
    return diversity, -level_excess, -size_excess


def _check_rules(result: CircleFormation, participants, facilitators, min_size, max_size):
    by_id = {p.id: p for p in participants}
    leaders = {f.id: f for f in facilitators}
    placed = [i for circle in result.circles for i in circle.members]
    assert sorted(placed) == sorted(by_id)
    led = Counter(circle.facilitator for circle in result.circles)
    for facilitator, count in led.items():
        assert count <= leaders[facilitator].max_circles
    for circle in result.circles:
        assert min_size <= len(circle.members) <= max_size
        assert circle.members == tuple(sorted(circle.members))
        people = [by_id[i] for i in circle.members]
        assert circle.departments == len({p.department for p in people})
        for a, b in itertools.combinations(people, 2):
            assert not _related(a, b)
        for person in people:
            assert not _related(person, leaders[circle.facilitator])
    k = len(result.circles)
    diversity, level_excess, _ = _score([c.members for c in result.circles], by_id, k)
    assert result.quality == diversity
    assert result.level_excess == -level_excess
    assert result.quality <= result.bound
    assert result.gap == result.bound - result.quality


@settings(max_examples=150, deadline=None)
@given(instances())
def test_every_result_keeps_the_rules_and_stays_under_its_bound(instance):
    participants, facilitators, min_size, max_size, _ = instance
    try:
        result = circles_form(
            participants=participants,
            facilitators=facilitators,
            min_size=min_size,
            max_size=max_size,
        )
    except CircleFormationError:
        return
    _check_rules(result, participants, facilitators, min_size, max_size)


def _brute_force(participants, facilitators, min_size, max_size, k):
    """The best score over every partition into k circles and every facilitator choice, or
    None when there is no valid one."""
    by_id = {p.id: p for p in participants}
    ids = sorted(by_id)
    best = None
    for labels in itertools.product(range(k), repeat=len(ids)):
        # Count each partition once: circles numbered by their first member.
        if any(
            label > max(labels[:position], default=-1) + 1 for position, label in enumerate(labels)
        ):
            continue
        circles = [
            [i for i, label in zip(ids, labels, strict=True) if label == c] for c in range(k)
        ]
        if not all(min_size <= len(members) <= max_size for members in circles):
            continue
        if any(
            _related(by_id[a], by_id[b])
            for members in circles
            for a, b in itertools.combinations(members, 2)
        ):
            continue
        score = _score(circles, by_id, k)
        if best is not None and score <= best:
            continue
        for leaders in itertools.product(facilitators, repeat=k):
            if all(
                count <= leader.max_circles for leader, count in Counter(leaders).items()
            ) and not any(
                _related(leader, by_id[i])
                for leader, members in zip(leaders, circles, strict=True)
                for i in members
            ):
                best = score
                break
    return best


@settings(max_examples=80, deadline=None)
@given(instances(max_people=7))
def test_small_instances_reach_the_brute_force_optimum(instance):
    participants, facilitators, min_size, max_size, k = instance
    optimum = _brute_force(participants, facilitators, min_size, max_size, k)
    if optimum is None:
        with pytest.raises(CircleFormationError):
            circles_form(
                participants=participants,
                facilitators=facilitators,
                min_size=min_size,
                max_size=max_size,
                circle_count=k,
            )
        return
    result = circles_form(
        participants=participants,
        facilitators=facilitators,
        min_size=min_size,
        max_size=max_size,
        circle_count=k,
    )
    by_id = {p.id: p for p in participants}
    assert result.proven_optimal
    assert _score([c.members for c in result.circles], by_id, k) == optimum
    assert result.bound >= optimum[0]


def _organisation(n, departments=6, levels=4, span=5, skip=31):
    """The people below the top ``skip`` of a tree where person i reports to (i - 1) // span."""
    participants = []
    for i in range(skip, skip + n):
        managers: list[int] = []
        j = i
        while j > 0:
            j = (j - 1) // span
            managers.append(j)
        participants.append(
            CircleParticipant(
                id=i + 1,
                department=f"D{(i * 7) % departments}",
                level=1 + (i * 3) % levels,
                ancestors=frozenset(m + 1 for m in managers),
            )
        )
    return participants


def test_a_large_programme_reaches_its_bound_quickly():
    participants = _organisation(240)
    facilitators = [Facilitator(id=1000 + f, max_circles=2) for f in range(20)]
    result = circles_form(
        participants=participants, facilitators=facilitators, min_size=5, max_size=8
    )
    _check_rules(result, participants, facilitators, 5, 8)
    assert len(result.circles) == 37
    assert result.gap == 0
    assert result.level_excess == 0


def test_the_same_input_and_seed_give_the_same_circles_whatever_the_order():
    participants = _organisation(60)
    facilitators = [Facilitator(id=1000 + f, max_circles=2) for f in range(6)]
    first = circles_form(
        participants=participants, facilitators=facilitators, min_size=4, max_size=6, seed=7
    )
    again = circles_form(
        participants=list(reversed(participants)),
        facilitators=list(reversed(facilitators)),
        min_size=4,
        max_size=6,
        seed=7,
    )
    assert first == again


def test_departments_and_levels_are_spread_across_circles():
    participants = [
        CircleParticipant(id=i, department="ABC"[i % 3], level=1 + i % 2) for i in range(12)
    ]
    result = circles_form(
        participants=participants,
        facilitators=[Facilitator(id=100), Facilitator(id=200)],
        min_size=6,
        max_size=6,
    )
    assert result.quality == 6
    assert result.bound == 6
    assert result.level_excess == 0
    assert result.proven_optimal
    for circle in result.circles:
        assert Counter(participants[i].department for i in circle.members) == {
            "A": 2,
            "B": 2,
            "C": 2,
        }
        assert Counter(participants[i].level for i in circle.members) == {1: 3, 2: 3}


def test_a_crowded_department_caps_the_bound_at_one_seat_per_circle():
    participants = [CircleParticipant(id=i, department="Sales", level=1) for i in range(9)]
    participants.append(CircleParticipant(id=9, department="Legal", level=1))
    result = circles_form(
        participants=participants,
        facilitators=[Facilitator(id=100, max_circles=3)],
        min_size=3,
        max_size=4,
    )
    assert [len(circle.members) for circle in result.circles] == [4, 3, 3]
    assert result.quality == 4
    assert result.bound == 4
    assert {circle.facilitator for circle in result.circles} == {100}


def test_managers_and_their_reports_are_kept_apart_and_facilitators_dont_lead_their_own():
    # 0 manages 1 and 2, 3 manages 4, facilitator 100 manages 5.
    ancestors = {1: {0}, 2: {0}, 4: {3}, 5: {100}}
    participants = [
        CircleParticipant(
            id=i, department="AB"[i % 2], level=1, ancestors=frozenset(ancestors.get(i, ()))
        )
        for i in range(8)
    ]
    facilitators = [Facilitator(id=100), Facilitator(id=200)]
    result = circles_form(
        participants=participants, facilitators=facilitators, min_size=4, max_size=4
    )
    _check_rules(result, participants, facilitators, 4, 4)
    circle_of = {i: circle for circle in result.circles for i in circle.members}
    assert circle_of[5].facilitator == 200
    assert circle_of[0] is not circle_of[1]
    assert circle_of[0] is not circle_of[2]
    assert circle_of[3] is not circle_of[4]


@pytest.mark.parametrize(
    ("participants", "facilitators", "sizes", "message"),
    [
        ([], [Facilitator(id=100)], (3, 5), "There is nobody to place"),
        (
            [CircleParticipant(id=1, department="A", level=1)],
            [],
            (1, 5),
            "There is no facilitator",
        ),
        (
            [CircleParticipant(id=1, department="A", level=1)],
            [Facilitator(id=100)],
            (4, 3),
            "The size range 4–3 is empty",
        ),
        (
            [CircleParticipant(id=i, department="A", level=1) for i in (1, 1, 2)],
            [Facilitator(id=100)],
            (1, 5),
            "repeated ids: [1]",
        ),
        (
            [CircleParticipant(id=i, department="A", level=1) for i in (1, 2)],
            [Facilitator(id=2)],
            (1, 5),
            "these ids are both: [2]",
        ),
        (
            [CircleParticipant(id=i, department="A", level=1) for i in range(2)],
            [Facilitator(id=100)],
            (3, 5),
            "2 participants can't be split into circles of 3 to 5",
        ),
        (
            [CircleParticipant(id=i, department="A", level=1) for i in range(9)],
            [Facilitator(id=100)],
            (3, 4),
            "3 circles are needed but the facilitators can lead 1",
        ),
        (
            [
                CircleParticipant(id=i, department="A", level=1, ancestors=frozenset({100}))
                for i in range(3)
            ],
            [Facilitator(id=100)],
            (3, 4),
            "Every facilitator is in one reporting line with participants [0, 1, 2]",
        ),
        (
            # 0 manages 1, who manages 2: three circles are needed, and six make two.
            [
                CircleParticipant(id=i, department="A", level=1, ancestors=frozenset(range(i)))
                for i in range(3)
            ]
            + [CircleParticipant(id=i, department="A", level=1) for i in range(3, 6)],
            [Facilitator(id=100, max_circles=2)],
            (3, 3),
            "No 2 circles of 3 to 3 keep every manager apart from their reports",
        ),
        (
            [CircleParticipant(id=0, department="A", level=2)]
            + [
                CircleParticipant(id=i, department="A", level=1, ancestors=frozenset({0}))
                for i in range(1, 7)
            ],
            [Facilitator(id=100, max_circles=2)],
            (3, 4),
            "Participants [0] share a reporting line with so many others",
        ),
    ],
)
def test_impossible_inputs_say_why(participants, facilitators, sizes, message):
    with pytest.raises(CircleFormationError) as error:
        circles_form(
            participants=participants,
            facilitators=facilitators,
            min_size=sizes[0],
            max_size=sizes[1],
        )
    assert message in str(error.value)


def test_a_circle_count_outside_the_size_range_is_refused():
    participants = [CircleParticipant(id=i, department="A", level=1) for i in range(10)]
    with pytest.raises(CircleFormationError, match="make 2 to 3 circles of 3 to 5, not 4"):
        circles_form(
            participants=participants,
            facilitators=[Facilitator(id=100, max_circles=4)],
            min_size=3,
            max_size=5,
            circle_count=4,
        )
