"""Reads about the organisation: the directory, reporting lines and the org chart.

Reporting lines are walked in the database with one recursive query (``WITH RECURSIVE``,
which SQLite and PostgreSQL both run), never with a query per level.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from cadre.accounts.models import User
from cadre.people.models import Competency, Department, ImportRun, Person

# Deeper than any real organisation; it also stops a walk if bad data ever forms a loop.
MAX_DEPTH = 64

# How many active people report directly to each person, as an annotation.
ACTIVE_REPORTS = Count("direct_reports", filter=Q(direct_reports__is_active=True))


def _table() -> str:
    return connection.ops.quote_name(Person._meta.db_table)


# The recursive queries below are built from the quoted table name and constants only;
# every value is passed as a parameter.


def _chain_sql() -> str:
    """Ids of everyone above the person %s, each with its distance (1 = direct manager)."""
    table = _table()
    return (
        f"WITH RECURSIVE chain(id, depth) AS ("
        f" SELECT manager_id, 1 FROM {table} WHERE id = %s AND manager_id IS NOT NULL"
        f" UNION ALL"
        f" SELECT p.manager_id, c.depth + 1 FROM {table} p JOIN chain c ON p.id = c.id"
        f" WHERE p.manager_id IS NOT NULL AND c.depth < {MAX_DEPTH}"
        f") SELECT id, depth FROM chain"
    )


def _reports_sql() -> str:
    """Ids of everyone below the person %s, at any depth."""
    table = _table()
    return (
        f"WITH RECURSIVE tree(id, depth) AS ("
        f" SELECT id, 1 FROM {table} WHERE manager_id = %s"
        f" UNION ALL"
        f" SELECT p.id, t.depth + 1 FROM {table} p JOIN tree t ON p.manager_id = t.id"
        f" WHERE t.depth < {MAX_DEPTH}"
        f") SELECT id FROM tree"
    )


def management_chain(person: Person, *, include_inactive: bool = True) -> list[Person]:
    """The person's managers from the direct manager up to the top, in two queries.

    Without ``include_inactive``, managers who have left are skipped (the walk still passes
    through them to the managers above).
    """
    with connection.cursor() as cursor:
        cursor.execute(_chain_sql(), [person.pk])
        depth_by_id = {row[0]: row[1] for row in cursor.fetchall()}
    candidates = Person.objects.select_related("department")
    if not include_inactive:
        candidates = candidates.filter(is_active=True)
    managers = candidates.in_bulk(list(depth_by_id))
    return [managers[pk] for pk in sorted(managers, key=depth_by_id.__getitem__)]


def reports_under(person: Person) -> QuerySet[Person]:
    """Everyone who reports to the person, directly or through others, as one query."""
    return Person.objects.filter(id__in=RawSQL(_reports_sql(), [person.pk]))  # noqa: S611


def in_reporting_line(first: Person, second: Person) -> bool:
    """Whether one of the two manages the other at any depth."""
    with connection.cursor() as cursor:
        for lower, upper in ((first, second), (second, first)):
            cursor.execute(
                f"SELECT 1 FROM ({_chain_sql()}) up WHERE up.id = %s", [lower.pk, upper.pk]
            )
            if cursor.fetchone() is not None:
                return True
    return False


def direct_reports(person: Person) -> QuerySet[Person]:
    return (
        person.direct_reports.filter(is_active=True)
        .select_related("department")
        .annotate(report_count=ACTIVE_REPORTS)
        .order_by("full_name")
    )


def org_chart_roots() -> QuerySet[Person]:
    """The tops of the org chart: active people with no active manager."""
    active_manager = Person.objects.filter(pk=OuterRef("manager_id"), is_active=True)
    return (
        Person.objects.filter(is_active=True)
        .exclude(Exists(active_manager))
        .select_related("department")
        .annotate(report_count=ACTIVE_REPORTS)
        .order_by("-report_count", "full_name")
    )


def org_chart_opened_to(person: Person, roots: list[Person]) -> list[Person]:
    """The org chart's roots with the branches down to ``person`` loaded and attached.

    Each person on the way gets ``org_children``: their active direct reports. Three queries
    in all (the chain, the people on it, and every branch on the way at once).
    """
    path = [*reversed(management_chain(person)), person]
    branches: dict[int, list[Person]] = {member.pk: [] for member in path}
    reports = (
        Person.objects.filter(manager_id__in=list(branches), is_active=True)
        .select_related("department")
        .annotate(report_count=ACTIVE_REPORTS)
        .order_by("full_name")
    )
    for report in reports:
        assert report.manager_id is not None
        branches[report.manager_id].append(report)
    shown = {member.pk: member for member in roots}
    for branch in branches.values():
        shown.update((member.pk, member) for member in branch)
    for pk, branch in branches.items():
        if pk in shown:
            shown[pk].org_children = branch  # type: ignore[attr-defined]
    return roots


def department_tree() -> list[tuple[Department, int]]:
    """Every department with its depth, parents before their children, siblings by name."""
    departments = list(Department.objects.order_by("name"))
    children: dict[int | None, list[Department]] = {}
    for department in departments:
        children.setdefault(department.parent_id, []).append(department)
    ordered: list[tuple[Department, int]] = []
    seen: set[int] = set()

    def visit(parent_id: int | None, depth: int) -> None:
        for department in children.get(parent_id, []):
            if department.pk not in seen:
                seen.add(department.pk)
                ordered.append((department, depth))
                visit(department.pk, depth + 1)

    visit(None, 0)
    # Departments in a loop of parents (bad data) have no root; list them rather than lose them.
    ordered += [(department, 0) for department in departments if department.pk not in seen]
    return ordered


def department_subtree_ids(department_id: int) -> set[int]:
    """The department and every department under it, at any depth, in one query."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found = {department_id}
    frontier = [department_id]
    while frontier:
        below = [child for pk in frontier for child in children.get(pk, []) if child not in found]
        found.update(below)
        frontier = below
    return found


@dataclass(frozen=True)
class DirectoryFilters:
    text: str = ""
    department_id: int | None = None
    level: int | None = None
    location: str = ""
    include_inactive: bool = False
    match_employee_id: bool = False

    @property
    def narrowed(self) -> bool:
        """Whether anything narrows the list (so an empty result means "no match")."""
        return bool(self.text.strip() or self.department_id or self.level or self.location)


def directory(people: QuerySet[Person], filters: DirectoryFilters) -> QuerySet[Person]:
    """People matching the directory's search box and filters, by name."""
    result = people.select_related("department", "manager")
    if not filters.include_inactive:
        result = result.filter(is_active=True)
    for word in filters.text.split():
        matches = (
            Q(full_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(job_title__icontains=word)
            | Q(email__icontains=word)
            | Q(department__name__icontains=word)
        )
        if filters.match_employee_id:
            matches |= Q(employee_id__iexact=word)
        result = result.filter(matches)
    if filters.department_id is not None:
        result = result.filter(department_id__in=department_subtree_ids(filters.department_id))
    if filters.level is not None:
        result = result.filter(level=filters.level)
    if filters.location:
        result = result.filter(location=filters.location)
    return result.order_by("full_name", "employee_id")


@dataclass(frozen=True)
class DirectoryChoices:
    departments: list[tuple[Department, int]]
    levels: list[int]
    locations: list[str]


def directory_choices() -> DirectoryChoices:
    """The values the directory's filters offer: departments, levels and locations in use."""
    active = Person.objects.filter(is_active=True)
    return DirectoryChoices(
        departments=department_tree(),
        levels=[
            level
            for level in active.order_by("level").values_list("level", flat=True).distinct()
            if level is not None
        ],
        locations=list(
            active.exclude(location="")
            .order_by("location")
            .values_list("location", flat=True)
            .distinct()
        ),
    )


def competency_model(*, include_retired: bool = False) -> QuerySet[Competency]:
    competencies = Competency.objects.all()
    return competencies if include_retired else competencies.filter(is_active=True)


def person_of_user(user: "User | AnonymousUser") -> Person | None:
    """The active person record linked to a login, if any."""
    if not user.is_authenticated:
        return None
    return (
        Person.objects.select_related("department", "manager")
        .annotate(report_count=ACTIVE_REPORTS)
        .filter(user=user, is_active=True)
        .first()
    )


@dataclass(frozen=True)
class OrganisationSummary:
    active_people: int
    by_department: list[tuple[str, int]]
    by_level: list[tuple[str, int]]
    inactive_people: int
    departments: int
    without_manager: int
    with_login: int
    last_import: ImportRun | None


def organisation_summary() -> OrganisationSummary:
    """Headline figures about the organisation for the admin's home page."""
    counts = Person.objects.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
        without_manager=Count("pk", filter=Q(is_active=True, manager__isnull=True)),
        with_login=Count("pk", filter=Q(is_active=True, user__isnull=False)),
    )
    by_department = (
        Person.objects.filter(is_active=True)
        .values("department__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "department__name")
    )
    by_level = (
        Person.objects.filter(is_active=True)
        .values("level")
        .annotate(count=Count("pk"))
        .order_by("-level")
    )
    return OrganisationSummary(
        active_people=counts["active"],
        by_department=[
            (row["department__name"] or "No department", row["count"]) for row in by_department
        ],
        by_level=[
            (f"Level {row['level']}" if row["level"] else "No level", row["count"])
            for row in by_level
        ],
        inactive_people=counts["inactive"],
        departments=Department.objects.count(),
        without_manager=counts["without_manager"],
        with_login=counts["with_login"],
        last_import=ImportRun.objects.select_related("created_by").first(),
    )
