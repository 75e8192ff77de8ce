"""The demo organisation: departments, people, grades and a manager tree, built from a seed.

``organisation_generate(people=N, seed=S)`` writes N people into a fixed tree of departments
(the Office of the CEO and six divisions, each with a few departments) and returns a short
summary. The same ``people`` and ``seed`` always give the same organisation on any database:
every random choice comes from one ``random.Random(seed)``, and hire dates count back from
``REFERENCE_DATE`` rather than from today.

How the manager tree grows. The chief executive (grade 12) leads one executive per division
(grade 11), who leads the heads of the division's departments (grade 10). Each department gets
a share of the headcount by its weight, and a head's share is split again: a manager has five
to eight direct reports, some of them managers of part of the remaining headcount and the rest
individual contributors, until a team is small enough to be all individual contributors.
A manager's grade follows the number of people below them (team lead 5 to senior director 9)
and is always lower than their own manager's; individual contributors are graded 1 to 5
(associate to principal), also below their manager.

Teams mostly sit where their manager sits. Time zones and languages follow the location:
everyone speaks English, and many also speak the local language. Names mostly come from the
location's region. About one in fifty individual contributors has left (inactive).

People are written depth by depth with ``bulk_create``, so every manager has a primary key
before their reports are written: about a hundred queries for 100,000 people.
"""

import random
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from django.db import transaction
from django.utils import timezone

from cadre.demo.catalogue import (
    DIVISIONS,
    HEADQUARTERS,
    LOCATIONS,
    OFFICE_OF_THE_CEO,
    DepartmentPlan,
    Location,
)
from cadre.demo.names import NAME_POOLS, SHORT_NAMES
from cadre.people.models import Department, Person

MIN_PEOPLE = 20
MAX_PEOPLE = 100_000
EMAIL_DOMAIN = "cadre-demo.example"
EMPLOYEE_ID_PREFIX = "D"
REFERENCE_DATE = date(2026, 1, 1)
BATCH_SIZE = 1000

CHIEF_EXECUTIVE_LEVEL = 12
EXECUTIVE_LEVEL = 11
DEPARTMENT_HEAD_LEVEL = 10
TEAM_LEAD_LEVEL = 5

SPAN_OF_CONTROL = (5, 8)
# Headcount a first-line manager leads on average, used to decide how many managers a
# mid-sized team needs.
TEAM_SIZE = 7
# From this headcount down, everyone below a manager reports to them directly.
ALL_DIRECT_UP_TO = SPAN_OF_CONTROL[1]
# From this headcount up, a manager's reports are mostly managers themselves.
LARGE_ORGANISATION = 60
SAME_LOCATION_AS_MANAGER = 0.65
LOCAL_NAME = 0.75
GOES_BY_SHORT_NAME = 0.6
LEFT_THE_ORGANISATION = 0.02

# A manager's grade by the number of people below them: the first threshold reached wins.
_MANAGER_LEVEL_BY_HEADCOUNT = ((1200, 9), (250, 8), (60, 7), (9, 6), (1, 5))
# How common each individual contributor grade is, and its title.
_INDIVIDUAL_LEVEL_WEIGHTS = {1: 15, 2: 35, 3: 30, 4: 14, 5: 6}
_INDIVIDUAL_TITLES = {
    1: "Associate {role}",
    2: "{role}",
    3: "Senior {role}",
    4: "Lead {role}",
    5: "Principal {role}",
}
# Department heads of this many people or more are vice presidents, others heads.
_VICE_PRESIDENT_HEADCOUNT = 500


_LOCATION_WEIGHTS = [location.weight for location in LOCATIONS]
_NAME_REGIONS = tuple(NAME_POOLS)
_TRANSLITERATION = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "ß": "ss", "ø": "o", "Ø": "O"})


@dataclass(frozen=True)
class DemoOrganisation:
    """What was generated: headcounts, departments and the depth of the manager tree."""

    people: int
    active_people: int
    departments: int
    depth: int  # people in the longest reporting line, the chief executive included


@dataclass(slots=True)
class _Planned:
    """One person as planned in memory, before it is written."""

    parent: int | None
    depth: int
    level: int
    department: str
    job_title: str
    location: Location
    headcount: int  # people below, at any depth
    full_name: str
    preferred_name: str
    email: str
    languages: list[str]
    hire_date: date
    is_active: bool


def organisation_generate(
    *, people: int, seed: int, progress: Callable[[int], object] | None = None
) -> DemoOrganisation:
    """Write a demo organisation of ``people`` people, the same one for the same ``seed``.

    ``progress``, when given, is called with the number of people written after each batch.
    The database must hold no departments yet (see ``organisation_reset``).
    """
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be between {MIN_PEOPLE} and {MAX_PEOPLE}, got {people}.")
    planner = _Planner(random.Random(seed))
    plan = planner.plan(people)
    with transaction.atomic():
        department_ids = _departments_write()
        _people_write(plan, department_ids, progress)
    return DemoOrganisation(
        people=len(plan),
        active_people=sum(1 for planned in plan if planned.is_active),
        departments=len(department_ids),
        depth=max(planned.depth for planned in plan),
    )


def organisation_describe() -> DemoOrganisation:
    """The same summary as ``organisation_generate`` returns, read from the database."""
    managers = dict(Person.objects.values_list("pk", "manager_id"))
    return DemoOrganisation(
        people=len(managers),
        active_people=Person.objects.filter(is_active=True).count(),
        departments=Department.objects.count(),
        depth=_tree_depth(managers),
    )


def organisation_reset() -> None:
    """Delete every person and every department. The competency model stays."""
    with transaction.atomic():
        Person.objects.update(manager=None)
        Person.objects.all().delete()
        Department.objects.update(parent=None)
        Department.objects.all().delete()


def _tree_depth(managers: Mapping[int, int | None]) -> int:
    """People in the longest chain of managers, walking each chain once."""
    depths: dict[int, int] = {}
    for start in managers:
        path: list[int] = []
        current: int | None = start
        while current is not None and current not in depths and len(path) <= len(managers):
            path.append(current)
            current = managers.get(current)
        depth = depths.get(current, 0) if current is not None else 0
        for pk in reversed(path):
            depth += 1
            depths[pk] = depth
    return max(depths.values(), default=0)


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into whole shares proportional to ``weights`` (largest remainders)."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


@cache
def _ascii_name(name: str) -> str:
    """A name as it appears in an e-mail address: lower-case letters only."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATION))
    return "".join(char for char in decomposed.lower() if "a" <= char <= "z")


def _manager_level(headcount: int, manager_level: int) -> int:
    for threshold, level in _MANAGER_LEVEL_BY_HEADCOUNT:
        if headcount >= threshold:
            return min(level, manager_level - 1)
    raise ValueError("A manager has at least one person below them.")


def _most_below(level: int) -> int:
    """The most people a manager of ``level`` leads, at any depth (the next grade's threshold)."""
    above = [threshold for threshold, grade in _MANAGER_LEVEL_BY_HEADCOUNT if grade == level + 1]
    return above[0] - 1 if above else MAX_PEOPLE


def _shares(total: int, managers: int, most: int, rng: random.Random) -> list[int]:
    """Share ``total`` people unevenly between ``managers``, none getting more than ``most``."""
    shares = _apportion(total, [rng.uniform(0.7, 1.3) for _ in range(managers)])
    excess = sum(max(0, share - most) for share in shares)
    shares = [min(share, most) for share in shares]
    for index, share in enumerate(shares):
        moved = min(most - share, excess)
        shares[index] += moved
        excess -= moved
    return shares


def _manager_title(level: int, department: DepartmentPlan) -> str:
    titles = {
        9: f"Senior Director, {department.name}",
        8: f"Director, {department.name}",
        7: f"Senior {department.manager_title}",
        6: department.manager_title,
        5: f"Team Lead, {department.name}",
    }
    return titles[level]


class _Planner:
    """Plans the whole organisation in memory, drawing every random choice from ``rng``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.plan_list: list[_Planned] = []
        self.emails: dict[str, int] = {}
        self.departments = {
            department.code: department
            for division in DIVISIONS
            for department in division.departments
        }
        self.departments[OFFICE_OF_THE_CEO.code] = OFFICE_OF_THE_CEO

    def plan(self, people: int) -> list[_Planned]:
        """Everyone, in breadth-first order: a manager always comes before their reports."""
        office_staff = (people >= 60) + (people >= 150)
        chief = self._add(
            None,
            OFFICE_OF_THE_CEO.code,
            CHIEF_EXECUTIVE_LEVEL,
            "Chief Executive Officer",
            headcount=people - 1,
            location=HEADQUARTERS,
        )
        if office_staff >= 1:
            self._add(chief, OFFICE_OF_THE_CEO.code, 9, "Chief of Staff", headcount=0)
        if office_staff >= 2:
            title = OFFICE_OF_THE_CEO.roles[0]
            self._add(chief, OFFICE_OF_THE_CEO.code, 3, title, headcount=0)
        # Every division has its executive; the rest of the headcount goes by weight.
        in_divisions = people - 1 - office_staff
        division_shares = _apportion(
            in_divisions - len(DIVISIONS), [division.weight for division in DIVISIONS]
        )
        executives = [
            self._add(
                chief, division.code, EXECUTIVE_LEVEL, division.executive_title, headcount=share
            )
            for division, share in zip(DIVISIONS, division_shares, strict=True)
        ]
        heads: deque[int] = deque()
        for division, executive in zip(DIVISIONS, executives, strict=True):
            shares = _apportion(
                self.plan_list[executive].headcount,
                [department.weight for department in division.departments],
            )
            for department, share in zip(division.departments, shares, strict=True):
                if share == 0:
                    continue
                below = share - 1
                name = department.name
                title = (
                    f"Vice President, {name}"
                    if below >= _VICE_PRESIDENT_HEADCOUNT
                    else f"Head of {name}"
                )
                heads.append(
                    self._add(
                        executive, department.code, DEPARTMENT_HEAD_LEVEL, title, headcount=below
                    )
                )
        managers = heads
        while managers:
            managers.extend(self._reports_add(managers.popleft()))
        return self.plan_list

    def _reports_add(self, manager: int) -> list[int]:
        """Add a manager's direct reports, sharing out the headcount below the manager."""
        rng = self.rng
        planned = self.plan_list[manager]
        headcount = planned.headcount
        if headcount == 0:
            return []
        if planned.level <= TEAM_LEAD_LEVEL or headcount <= ALL_DIRECT_UP_TO:
            return [self._report_add(manager, 0) for _ in range(headcount)]
        span = rng.randint(*SPAN_OF_CONTROL)
        if headcount >= LARGE_ORGANISATION:
            # Managers only, with now and then a senior specialist.
            individuals = rng.choice((0, 0, 0, 1, 1, 2))
            managers = span - individuals
        else:
            managers = max(1, min(span, round(headcount / TEAM_SIZE)))
            individuals = span - managers
        # Reports are graded below their manager, and a grade leads so many people at most:
        # a large organisation under a low grade needs more managers (a wider span).
        most = _most_below(planned.level - 1)
        while managers * (most + 1) < headcount - individuals:
            managers += 1
        shares = _shares(headcount - individuals - managers, managers, most, rng)
        reports = [self._report_add(manager, share) for share in shares]
        reports.extend(self._report_add(manager, 0) for _ in range(individuals))
        return reports

    def _report_add(self, manager: int, headcount: int) -> int:
        """Add one report of ``manager`` with ``headcount`` people below them."""
        rng = self.rng
        above = self.plan_list[manager]
        department = self.departments[above.department]
        if headcount > 0:
            level = _manager_level(headcount, above.level)
            title = _manager_title(level, department)
        else:
            levels = [level for level in _INDIVIDUAL_LEVEL_WEIGHTS if level < above.level]
            level = rng.choices(levels, [_INDIVIDUAL_LEVEL_WEIGHTS[grade] for grade in levels])[0]
            title = _INDIVIDUAL_TITLES[level].format(role=rng.choice(department.roles))
            if rng.random() < LEFT_THE_ORGANISATION:
                return self._add(
                    manager, above.department, level, title, headcount=0, is_active=False
                )
        return self._add(manager, above.department, level, title, headcount=headcount)

    def _add(
        self,
        manager: int | None,
        department: str,
        level: int,
        job_title: str,
        *,
        headcount: int,
        location: Location | None = None,
        is_active: bool = True,
    ) -> int:
        rng = self.rng
        above = self.plan_list[manager] if manager is not None else None
        if location is None:
            if above is not None and rng.random() < SAME_LOCATION_AS_MANAGER:
                location = above.location
            else:
                location = rng.choices(LOCATIONS, _LOCATION_WEIGHTS)[0]
        region = location.name_region if rng.random() < LOCAL_NAME else rng.choice(_NAME_REGIONS)
        pool = NAME_POOLS[region]
        given, family = rng.choice(pool.given), rng.choice(pool.family)
        short = SHORT_NAMES.get(given)
        preferred = f"{short} {family}" if short and rng.random() < GOES_BY_SHORT_NAME else ""
        languages = ["en"]
        languages.extend(code for code, share in location.languages if rng.random() < share)
        tenure_years = min(24, 2 + 2 * level)
        hire_date = REFERENCE_DATE - timedelta(days=rng.randint(14, 365 * tenure_years))
        self.plan_list.append(
            _Planned(
                parent=manager,
                depth=above.depth + 1 if above is not None else 1,
                level=level,
                department=department,
                job_title=job_title,
                location=location,
                headcount=headcount,
                full_name=f"{given} {family}",
                preferred_name=preferred,
                email=self._email(given, family),
                languages=languages,
                hire_date=hire_date,
                is_active=is_active,
            )
        )
        return len(self.plan_list) - 1

    def _email(self, given: str, family: str) -> str:
        local = f"{_ascii_name(given)}.{_ascii_name(family)}"
        count = self.emails.get(local, 0) + 1
        self.emails[local] = count
        return f"{local}{count if count > 1 else ''}@{EMAIL_DOMAIN}"


def _departments_write() -> dict[str, int]:
    """Create the department tree; returns department ids by code."""
    top = [Department(name=OFFICE_OF_THE_CEO.name, code=OFFICE_OF_THE_CEO.code)]
    top.extend(Department(name=division.name, code=division.code) for division in DIVISIONS)
    Department.objects.bulk_create(top)
    ids = dict(Department.objects.values_list("code", "pk"))
    Department.objects.bulk_create(
        Department(name=department.name, code=department.code, parent_id=ids[division.code])
        for division in DIVISIONS
        for department in division.departments
    )
    return dict(Department.objects.values_list("code", "pk"))


def _people_write(
    plan: list[_Planned], department_ids: dict[str, int], progress: Callable[[int], object] | None
) -> None:
    """Write everyone, one depth at a time, so each manager's id is known before their reports."""
    ids: list[int] = []
    now = timezone.now()
    start = 0
    while start < len(plan):
        depth = plan[start].depth
        end = start
        while end < len(plan) and plan[end].depth == depth and end - start < BATCH_SIZE:
            end += 1
        batch = [
            Person(
                employee_id=f"{EMPLOYEE_ID_PREFIX}{index + 1:06d}",
                full_name=planned.full_name,
                preferred_name=planned.preferred_name,
                email=planned.email,
                department_id=department_ids[planned.department],
                job_title=planned.job_title,
                level=planned.level,
                manager_id=ids[planned.parent] if planned.parent is not None else None,
                location=planned.location.name,
                time_zone=planned.location.time_zone,
                languages=planned.languages,
                hire_date=planned.hire_date,
                is_active=planned.is_active,
                created_at=now,
                updated_at=now,
            )
            for index, planned in enumerate(plan[start:end], start=start)
        ]
        Person.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        if any(person.pk is None for person in batch):
            # Databases that can't return ids from a bulk insert: read them back.
            written = dict(
                Person.objects.filter(
                    employee_id__in=[person.employee_id for person in batch]
                ).values_list("employee_id", "pk")
            )
            ids.extend(written[person.employee_id] for person in batch)
        else:
            ids.extend(person.pk for person in batch)
        if progress is not None:
            progress(end - start)
        start = end
