"""Group circle formation: a programme's participants split into circles by the engine.

An admin chooses who to place (the programme's approved coachees for group coaching circles,
its coaches for peer-supervision circles), the size range and the facilitators (certified
coaches, each leading up to a number of circles). ``circles_propose`` reads departments,
levels and management chains and asks ``matchengine.circle_formation`` for the circles: every
department spread as widely as it can be, levels balanced, nobody in a circle with someone in
their reporting line (the facilitator included), with the diversity figure against its upper
bound. ``circles_create`` proposes again (the same input and seed give the same circles) and
saves each circle through ``cadre.coaching.circles.circle_save``, all or none.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.access import require_programme_admin
from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.coaching.circles import MAX_MEMBERS, MIN_MEMBERS, circle_save
from cadre.coaching.models import Circle, CircleKind
from cadre.coaching.queries import certified_coaches, circle_member_choices
from cadre.coaching.rules import CoachingError
from cadre.enablement.queries import programme_coaches
from cadre.matching.queries import management_ancestors
from cadre.people.models import Person
from cadre.programs.models import Programme
from matchengine.circle_formation import (
    CircleFormationError,
    CircleParticipant,
    Facilitator,
    circles_form,
)


@dataclass(frozen=True)
class ProposedCircle:
    name: str
    facilitator: Person
    members: list[Person]
    departments: int


@dataclass(frozen=True)
class FormationProposal:
    kind: str
    circles: list[ProposedCircle]
    quality: int  # distinct departments per circle, summed
    bound: int  # no partition into this many circles does better
    level_excess: int  # members beyond their level's fair share; 0 is even
    proven_optimal: bool

    @property
    def gap(self) -> int:
        return self.bound - self.quality

    @property
    def placed(self) -> int:
        return sum(len(circle.members) for circle in self.circles)


def formation_participant_choices(*, programme: Programme, kind: str) -> QuerySet[Person]:
    """Who may be placed: the approved coachees of the programme for group coaching, its
    approved coaches for peer supervision."""
    if kind == CircleKind.SUPERVISION:
        return programme_coaches(programme)
    return circle_member_choices(kind=kind, programme=programme)


def formation_facilitator_choices() -> QuerySet[Person]:
    """Who may facilitate: coaches certified today."""
    return certified_coaches()


def already_in_circles(*, programme: Programme, kind: str) -> set[int]:
    """People already in an active circle of this kind of the programme: left unticked."""
    return set(
        Circle.objects.filter(programme=programme, kind=kind, is_active=True).values_list(
            "members", flat=True
        )
    ) - {None}


def _department(person: Person) -> int:
    # Nobody without a department shares one with anybody.
    return person.department_id or -person.pk


def circles_propose(
    *,
    programme: Programme,
    kind: str,
    participants: list[Person],
    facilitators: list[Person],
    min_size: int,
    max_size: int,
    circles_per_facilitator: int = 1,
    seed: int = 0,
    by: User,
) -> FormationProposal:
    """The circles the engine forms from ``participants`` (a facilitator chosen as a
    participant too only facilitates), or a ``CoachingError`` saying why there are none."""
    require_programme_admin(by)
    if kind not in CircleKind.values:
        raise CoachingError(f"Unknown kind of circle: {kind}.")
    if kind == CircleKind.COACHING and not programme.offers_group_circles:
        raise CoachingError(
            f"“{programme}” doesn't offer group coaching circles: add the format to the "
            "programme first."
        )
    if not MIN_MEMBERS <= min_size <= max_size <= MAX_MEMBERS:
        raise CoachingError(
            f"A circle has {MIN_MEMBERS} to {MAX_MEMBERS} members besides its facilitator: "
            f"choose sizes in that range, the smallest first (not {min_size} to {max_size})."
        )
    if circles_per_facilitator < 1:
        raise CoachingError("A facilitator leads at least one circle.")
    leading = {person.pk for person in facilitators}
    placed = [person for person in participants if person.pk not in leading]
    chains = management_ancestors([person.pk for person in [*placed, *facilitators]])
    try:
        formed = circles_form(
            participants=[
                CircleParticipant(
                    id=person.pk,
                    department=_department(person),
                    level=person.level or 0,
                    ancestors=frozenset(chains.get(person.pk, ())),
                )
                for person in placed
            ],
            facilitators=[
                Facilitator(
                    id=person.pk,
                    ancestors=frozenset(chains.get(person.pk, ())),
                    max_circles=circles_per_facilitator,
                )
                for person in facilitators
            ],
            min_size=min_size,
            max_size=max_size,
            seed=seed,
        )
    except CircleFormationError as error:
        raise CoachingError(_in_names(str(error), [*placed, *facilitators])) from None
    people = {person.pk: person for person in [*placed, *facilitators]}
    by_name = sorted(
        formed.circles, key=lambda circle: [people[pk].full_name for pk in circle.members]
    )
    names = _circle_names(programme, kind, len(by_name))
    return FormationProposal(
        kind=kind,
        circles=[
            ProposedCircle(
                name=name,
                facilitator=people[circle.facilitator],
                members=sorted(
                    (people[pk] for pk in circle.members), key=lambda p: (p.full_name, p.pk)
                ),
                departments=circle.departments,
            )
            for name, circle in zip(names, by_name, strict=True)
        ],
        quality=formed.quality,
        bound=formed.bound,
        level_excess=formed.level_excess,
        proven_optimal=formed.proven_optimal,
    )


def _in_names(message: str, people: list[Person]) -> str:
    """The engine names people by id, in brackets: say their names instead."""
    names = {person.pk: str(person) for person in people}

    def named(match: re.Match[str]) -> str:
        ids = [int(part) for part in match.group(1).split(",")]
        return ", ".join(names.get(pk, str(pk)) for pk in ids)

    return re.sub(r"\[(\d+(?:, \d+)*)\]", named, message)


def _circle_names(programme: Programme, kind: str, count: int) -> list[str]:
    """Free names: "<programme> circle 1", … (or "supervision circle"), skipping those taken."""
    stem = (
        f"{programme.name} {'supervision circle' if kind == CircleKind.SUPERVISION else 'circle'}"
    )
    taken = {
        name.lower()
        for name in Circle.objects.filter(name__istartswith=stem).values_list("name", flat=True)
    }
    names: list[str] = []
    number = 1
    while len(names) < count:
        name = f"{stem} {number}"
        if name.lower() not in taken:
            names.append(name)
        number += 1
    return names


def circles_create(
    *,
    programme: Programme,
    kind: str,
    participants: list[Person],
    facilitators: list[Person],
    min_size: int,
    max_size: int,
    circles_per_facilitator: int = 1,
    seed: int = 0,
    by: User,
    request: HttpRequest | None = None,
) -> list[Circle]:
    """Form the circles as ``circles_propose`` does and save them all, or none."""
    proposal = circles_propose(
        programme=programme,
        kind=kind,
        participants=participants,
        facilitators=facilitators,
        min_size=min_size,
        max_size=max_size,
        circles_per_facilitator=circles_per_facilitator,
        seed=seed,
        by=by,
    )
    today = timezone.localdate()
    created = []
    with transaction.atomic():
        for proposed in proposal.circles:
            created.append(
                circle_save(
                    circle=Circle(
                        kind=kind,
                        name=proposed.name,
                        programme=programme,
                        facilitator=proposed.facilitator,
                    ),
                    members=proposed.members,
                    saved_by=by,
                    on=today,
                    request=request,
                )
            )
        audit_record(
            actor=by,
            action="matching.circles_form",
            target=programme,
            request=request,
            details={
                "kind": kind,
                "circles": len(created),
                "placed": proposal.placed,
                "quality": proposal.quality,
                "bound": proposal.bound,
            },
        )
    return created
