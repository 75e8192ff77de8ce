"""Reads for matching: everyone's management chain at once, runs, proposals for review, and
the figures the run page shows."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet

from cadre.coaching.models import LIVE_STATUSES, CoachingRelationship
from cadre.core.charts import Bar, bars
from cadre.matching.models import (
    MatchExclusion,
    MatchPin,
    MatchProposal,
    MatchRun,
    UnmatchedCoachee,
)
from cadre.people.models import Department, Person
from cadre.people.queries import MAX_DEPTH
from cadre.programs.models import Programme

# Management chains --------------------------------------------------------------------------


def management_ancestors(person_ids: Iterable[int]) -> dict[int, list[int]]:
    """Everyone above each of ``person_ids`` in the management chain, nearest first, in one
    recursive query for all of them (``WITH RECURSIVE``, which SQLite and PostgreSQL run)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(Person._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    # Built from the quoted table name, placeholders and a constant: every value is a parameter.
    sql = (
        "WITH RECURSIVE chain(person_id, ancestor_id, depth) AS ("  # noqa: S608
        f" SELECT id, manager_id, 1 FROM {table} WHERE id IN ({marks}) AND manager_id IS NOT NULL"
        " UNION ALL"
        f" SELECT c.person_id, p.manager_id, c.depth + 1 FROM {table} p"
        " JOIN chain c ON p.id = c.ancestor_id"
        f" WHERE p.manager_id IS NOT NULL AND c.depth < {MAX_DEPTH}"
        ") SELECT person_id, ancestor_id FROM chain ORDER BY person_id, depth"
    )
    found: dict[int, list[int]] = {pk: [] for pk in ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        for person_id, ancestor_id in cursor.fetchall():
            if ancestor_id not in found[person_id]:  # a loop in bad data stops at MAX_DEPTH
                found[person_id].append(ancestor_id)
    return found


def department_functions() -> dict[int, int]:
    """Each department's function: the top of its branch of the department tree."""
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    functions: dict[int, int] = {}
    for pk in parents:
        top, seen = pk, {pk}
        while parents.get(top) is not None and parents[top] not in seen:
            top = parents[top]
            seen.add(top)
        functions[pk] = top
    return functions


# Runs and proposals ---------------------------------------------------------------------------


def runs_of(programme: Programme) -> QuerySet[MatchRun]:
    """A programme's runs, newest first, with who started them and how many were approved."""
    return (
        MatchRun.objects.filter(programme=programme)
        .select_related("started_by")
        .annotate(
            proposal_count=Count("proposals", distinct=True),
            approved_count=Count(
                "proposals", filter=Q(proposals__relationship__isnull=False), distinct=True
            ),
        )
        .order_by("-created_at", "-pk")
    )


def active_run(programme: Programme) -> MatchRun | None:
    return MatchRun.objects.filter(
        programme=programme, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
    ).first()


def pins_of(programme: Programme) -> QuerySet[MatchPin]:
    return MatchPin.objects.filter(programme=programme).select_related("coach", "coachee", "by")


def exclusions_of(programme: Programme) -> QuerySet[MatchExclusion]:
    return MatchExclusion.objects.filter(programme=programme).select_related(
        "coach", "coachee", "by"
    )


def live_load(programme: Programme) -> dict[int, int]:
    """How many live relationships each coach has in ``programme``."""
    rows = (
        CoachingRelationship.objects.filter(programme=programme, status__in=LIVE_STATUSES)
        .values("coach_id")
        .annotate(load=Count("pk"))
        .order_by()
    )
    return {row["coach_id"]: row["load"] for row in rows}


@dataclass(frozen=True)
class ReviewFilters:
    department_id: int | None = None
    unmatched_only: bool = False
    score_min: float | None = None
    score_max: float | None = None
    text: str = ""

    @property
    def narrowed(self) -> bool:
        return bool(
            self.department_id
            or self.score_min is not None
            or self.score_max is not None
            or self.text.strip()
        )


def _name_filter(prefix: str, word: str) -> Q:
    return Q(**{f"{prefix}__full_name__icontains": word}) | Q(
        **{f"{prefix}__preferred_name__icontains": word}
    )


def proposals_for_review(run: MatchRun, filters: ReviewFilters) -> QuerySet[MatchProposal]:
    """The run's proposals narrowed by ``filters``, by coachee name, everything the review
    table shows loaded in the same query."""
    proposals = MatchProposal.objects.filter(run=run).select_related(
        "coach__department", "coachee__department", "swapped_from", "relationship"
    )
    if filters.department_id is not None:
        proposals = proposals.filter(
            Q(coachee__department_id=filters.department_id)
            | Q(coach__department_id=filters.department_id)
        )
    if filters.score_min is not None:
        proposals = proposals.filter(score__gte=filters.score_min)
    if filters.score_max is not None:
        proposals = proposals.filter(score__lte=filters.score_max)
    for word in filters.text.split():
        proposals = proposals.filter(_name_filter("coachee", word) | _name_filter("coach", word))
    return proposals.order_by("coachee__full_name", "pk")


def unmatched_for_review(run: MatchRun, filters: ReviewFilters) -> QuerySet[UnmatchedCoachee]:
    unmatched = UnmatchedCoachee.objects.filter(run=run).select_related("coachee__department")
    if filters.department_id is not None:
        unmatched = unmatched.filter(coachee__department_id=filters.department_id)
    for word in filters.text.split():
        unmatched = unmatched.filter(_name_filter("coachee", word))
    return unmatched.order_by("coachee__full_name", "pk")


def run_departments(run: MatchRun) -> QuerySet[Department]:
    """The departments of the people in a run's proposals and unmatched, for the filter."""
    people = Q(people__pk__in=MatchProposal.objects.filter(run=run).values("coachee_id"))
    people |= Q(people__pk__in=MatchProposal.objects.filter(run=run).values("coach_id"))
    people |= Q(people__pk__in=UnmatchedCoachee.objects.filter(run=run).values("coachee_id"))
    return Department.objects.filter(people).distinct().order_by("name")


@dataclass
class DepartmentMatrix:
    """How many proposed pairs go from each coachee department (rows) to each coach
    department (columns)."""

    rows: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    cells: list[list[int]] = field(default_factory=list)

    @property
    def table(self) -> list[tuple[str, list[int]]]:
        return list(zip(self.rows, self.cells, strict=True))


NO_DEPARTMENT = "No department"


def department_matrix(run: MatchRun) -> DepartmentMatrix:
    """The department-to-department matrix of a run's proposals, in one query."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    rows = (
        MatchProposal.objects.filter(run=run)
        .values("coachee__department__name", "coach__department__name")
        .annotate(pairs=Count("pk"))
        .order_by()
    )
    for row in rows:
        key = (
            row["coachee__department__name"] or NO_DEPARTMENT,
            row["coach__department__name"] or NO_DEPARTMENT,
        )
        counts[key] += row["pairs"]
    coachee_departments = sorted({key[0] for key in counts})
    coach_departments = sorted({key[1] for key in counts})
    return DepartmentMatrix(
        rows=coachee_departments,
        columns=coach_departments,
        cells=[
            [counts.get((row, column), 0) for column in coach_departments]
            for row in coachee_departments
        ],
    )


def coach_load_bars(run: MatchRun) -> list[Bar]:
    """The coach load after the run (live relationships plus proposals), largest first."""
    load = run.summary.get("coach_load", [])
    ordered = sorted(load, key=lambda row: (-row["load"], row["name"]))
    return bars((f"{row['name']} (of {row['capacity']})", row["load"]) for row in ordered)


def unmatched_reason_bars(run: MatchRun) -> list[Bar]:
    """How many unmatched coachees each rule stood in the way of, most first."""
    totals: dict[str, int] = defaultdict(int)
    for reasons in UnmatchedCoachee.objects.filter(run=run).values_list("reasons", flat=True):
        for rule, count in reasons.items():
            if count:
                totals[rule] += 1
    return bars(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def programmes_for_matching() -> QuerySet[Programme]:
    """Every programme with how many runs it had and when the last one started, the ones
    being matched or running first."""
    from django.db.models import Case, IntegerField, Max, Value, When

    return Programme.objects.annotate(
        run_count=Count("match_runs"),
        last_run_at=Max("match_runs__created_at"),
        open_first=Case(
            When(status__in=[Programme.Status.MATCHING, Programme.Status.RUNNING], then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by("open_first", "name")


def programme_coach_choices(programme: Programme) -> QuerySet[Person]:
    """The programme's approved coaches, by name, for a swap by hand."""
    return Person.objects.filter(
        enrolments__programme=programme,
        enrolments__role="coach",
        enrolments__status="approved",
        is_active=True,
    ).order_by("full_name", "pk")
