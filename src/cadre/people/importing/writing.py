"""Writing: a checked plan goes to the database, under the import lock and in the caller's
transaction; the logins of deactivated people are disabled, and every import is audited.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.people.importing.mapping import ColumnMapping
from cadre.people.importing.planning import (
    WRITE_BATCH_SIZE,
    ImportInvalidError,
    ImportPlan,
    Issue,
    Progress,
    _batches,
    _Planner,
    _Row,
)
from cadre.people.importing.reading import Table
from cadre.people.models import Department, ImportRun, Person


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an applied import did."""

    plan: ImportPlan

    def counts(self) -> dict[str, int]:
        return self.plan.counts()

    @property
    def issues(self) -> list[Issue]:
        return self.plan.issues


class _Writer:
    """Writes a plan with a few statements per kind of change.

    Django's ``bulk_create``/``bulk_update`` build SQL object by object and field by field,
    which costs more than the database work at this scale; the plan already holds checked
    values, so they go straight to the database, adapted the way Django adapts them.
    """

    def __init__(self, plan: ImportPlan, progress: Progress | None) -> None:
        self.plan = plan
        self.progress = progress
        self.ops = connection.ops
        self.table = self.ops.quote_name(Person._meta.db_table)
        self.columns = {
            field.name: field.column or field.name for field in Person._meta.concrete_fields
        }
        self.now = timezone.now()
        self.now_value = self.ops.adapt_datetimefield_value(self.now)
        self.languages_field = Person._meta.get_field("languages")
        self.adapted_languages: dict[tuple[str, ...], Any] = {}
        self.total = len(plan.create_rows) + len(plan.update_records) + len(plan.deactivate_ids)
        self.done = 0

    def advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress("writing", self.done, self.total)

    def column(self, name: str) -> str:
        return self.ops.quote_name(self.columns[name])

    def languages(self, codes: tuple[str, ...]) -> Any:
        adapted = self.adapted_languages.get(codes)
        if adapted is None:
            adapted = self.languages_field.get_db_prep_save(list(codes), connection)
            self.adapted_languages[codes] = adapted
        return adapted

    def value(self, name: str, value: Any) -> Any:
        if name == "languages":
            return self.languages(value)
        if name == "hire_date":
            return self.ops.adapt_datefield_value(value)
        return value

    def write(self) -> None:
        plan = self.plan
        department_ids = self.write_departments()
        self.write_department_parents(department_ids)
        person_ids = dict(plan.person_ids)
        self.free_emails()
        self.write_creates(department_ids, person_ids)
        self.write_updates(department_ids, person_ids)
        for batch in _batches(plan.deactivate_ids):
            Person.objects.filter(pk__in=batch).update(is_active=False, updated_at=self.now)
            self.advance(len(batch))

    def write_departments(self) -> dict[str, int]:
        if not self.plan.new_departments:
            return self.plan.department_ids
        Department.objects.bulk_create(
            [Department(name=name) for name in self.plan.new_departments],
            batch_size=WRITE_BATCH_SIZE,
        )
        return {
            name.lower(): pk for pk, name in Department.objects.order_by().values_list("pk", "name")
        }

    def write_department_parents(self, department_ids: dict[str, int]) -> None:
        """Give the departments the plan moves their new parent: one statement per parent."""
        moved: dict[int | None, list[int]] = defaultdict(list)
        for move in self.plan.department_moves:
            parent_id = None if move.new_parent is None else department_ids[move.new_parent.lower()]
            moved[parent_id].append(department_ids[move.department.lower()])
        for parent_id, pks in moved.items():
            for batch in _batches(pks):
                Department.objects.filter(pk__in=batch).update(parent_id=parent_id)

    def free_emails(self) -> None:
        """Blank the e-mails that change first, so that people can swap addresses without
        tripping the unique constraint halfway through."""
        changing = [record.pk for record in self.plan.update_records if "email" in record.values]
        for batch in _batches(changing):
            Person.objects.filter(pk__in=batch).exclude(email="").update(email="")

    def write_creates(self, department_ids: dict[str, int], person_ids: dict[str, int]) -> None:
        """Create people managers first, level by level, so that every manager has an id when
        their reports are inserted; each level's ids are read back in one query."""
        rows = self.plan.create_rows
        manager_of = {row.employee_id: row.manager for row in rows}
        depth: dict[str, int] = {}
        for employee_id in manager_of:
            chain: list[str] = []
            node: str | None = employee_id
            while node is not None and node in manager_of and node not in depth:
                chain.append(node)
                node = manager_of[node]
            level = depth[node] if node is not None and node in depth else -1
            for member in reversed(chain):
                level += 1
                depth[member] = level
        levels: dict[int, list[_Row]] = defaultdict(list)
        for row in rows:
            levels[depth[row.employee_id]].append(row)
        names = [
            "employee_id",
            "full_name",
            "preferred_name",
            "email",
            "department",
            "job_title",
            "level",
            "manager",
            "location",
            "time_zone",
            "languages",
            "hire_date",
            "is_active",
            "created_at",
            "updated_at",
        ]
        columns = ", ".join(self.column(name) for name in names)
        limit = connection.features.max_query_params
        id_batch = WRITE_BATCH_SIZE if limit is None else min(WRITE_BATCH_SIZE, limit)
        with connection.cursor() as cursor:
            for level in sorted(levels):
                members = levels[level]
                values = [
                    (
                        row.employee_id,
                        row.full_name,
                        row.preferred_name,
                        row.email,
                        None if row.department is None else department_ids[row.department.lower()],
                        row.job_title,
                        row.level,
                        None if row.manager is None else person_ids[row.manager],
                        row.location,
                        row.time_zone,
                        self.languages(row.languages),
                        self.ops.adapt_datefield_value(row.hire_date),
                        row.active,
                        self.now_value,
                        self.now_value,
                    )
                    for row in members
                ]
                self.insert(cursor, columns, values)
                # Read this level's ids back by employee id, which is unique.
                created = [row.employee_id for row in members]
                for batch in _batches(created, id_batch):
                    person_ids.update(
                        Person.objects.order_by()
                        .filter(employee_id__in=batch)
                        .values_list("employee_id", "pk")
                    )
                missing = [employee_id for employee_id in created if employee_id not in person_ids]
                if missing:
                    raise RuntimeError(f"Created people were not found again: {missing[:5]}")

    def insert(self, cursor: Any, columns: str, values: list[tuple[Any, ...]]) -> None:
        """Insert rows of ``columns``: with COPY on PostgreSQL, its bulk-loading statement,
        elsewhere with several rows per INSERT. Both are standard for their database and give
        the same rows; COPY spares formatting 1.5 million parameters into SQL text (PostgreSQL
        connections bind parameters on the client), which is most of the time otherwise.
        Table and column names come from the model; values go as parameters."""
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                for batch in _batches(values):
                    for row in batch:
                        copy.write_row(row)
                    self.advance(len(batch))
            return
        width = len(values[0]) if values else 1
        limit = connection.features.max_query_params
        size = WRITE_BATCH_SIZE if limit is None else max(1, min(WRITE_BATCH_SIZE, limit // width))
        row_marks = f"({', '.join(['%s'] * width)})"
        for batch in _batches(values, size):
            cursor.execute(
                f"INSERT INTO {self.table} ({columns}) VALUES "  # noqa: S608
                + ", ".join([row_marks] * len(batch)),
                [value for row in batch for value in row],
            )
            self.advance(len(batch))

    def write_updates(self, department_ids: dict[str, int], person_ids: dict[str, int]) -> None:
        """Update only the changed fields: one statement per set of changed fields."""
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        for record in self.plan.update_records:
            names: list[str] = []
            values: list[Any] = []
            for name, value in sorted(record.values.items()):
                names.append(name)
                if name == "department":
                    values.append(None if value is None else department_ids[value.lower()])
                else:
                    values.append(self.value(name, value))
            if record.sets_manager:
                names.append("manager")
                values.append(None if record.manager is None else person_ids[record.manager])
            groups[tuple(names)].append((*values, self.now_value, record.pk))
        with connection.cursor() as cursor:
            for changed, parameters in groups.items():
                assignments = ", ".join(
                    f"{self.column(name)} = %s" for name in (*changed, "updated_at")
                )
                # Table and column names come from the model, values go as parameters.
                sql = f"UPDATE {self.table} SET {assignments} WHERE {self.column('id')} = %s"  # noqa: S608
                for batch in _batches(parameters):
                    cursor.executemany(sql, batch)
                    self.advance(len(batch))


def apply_import(
    *,
    table: Table,
    mapping: ColumnMapping,
    full_sync: bool = False,
    skip_invalid: bool = False,
    actor: User | None,
    import_run: ImportRun | None = None,
    request: HttpRequest | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the rows, then plan the import against the database as it is now and write it,
    all in one transaction.

    Raises :class:`ImportInvalidError` (writing nothing) when rows have errors and
    ``skip_invalid`` is off. Every applied import leaves a ``people.import`` audit event with
    its counts, even one that changed nothing.
    """
    planner = _Planner(
        table=table,
        mapping=mapping,
        full_sync=full_sync,
        skip_invalid=skip_invalid,
        today=today or timezone.localdate(),
        progress=progress,
    )
    # Parsing the cells needs no database, so it happens before the transaction and its lock.
    rows = planner.parse()
    with transaction.atomic():
        return _apply_rows(
            planner, rows, actor=actor, import_run=import_run, request=request, progress=progress
        )


# Any constant that no other code in the database passes to pg_advisory_xact_lock.
IMPORT_LOCK_KEY = 0x434144524500494D  # "CADRE\0IM"


def _import_lock() -> None:
    """Serialise imports: planning reads the whole organisation and writing relies on what it
    read, so two imports must not interleave (one would insert people the other is about to
    create, or a full sync would deactivate people the other just added).

    On PostgreSQL a transaction-level advisory lock does it: the second import waits until
    the first commits or rolls back, then plans against what the first wrote. On SQLite the
    settings make every transaction ``BEGIN IMMEDIATE``, which takes the database's write lock
    at the start of the outermost transaction, so imports (like every other write) are already
    serialised there; waiting for it is bounded by the connection's ``timeout``.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def _apply_rows(
    planner: "_Planner",
    rows: list[_Row],
    *,
    actor: User | None,
    import_run: ImportRun | None,
    request: HttpRequest | None,
    progress: Progress | None,
) -> ImportResult:
    """Plan the parsed ``rows`` and write them. Runs inside the caller's transaction."""
    _import_lock()
    plan = planner.plan(rows)
    if not plan.can_apply:
        raise ImportInvalidError(plan)
    if plan.has_changes:
        _Writer(plan, progress).write()
    _disable_logins(plan, actor=actor, import_run=import_run, request=request)
    audit_record(
        actor=actor,
        action="people.import",
        target=import_run,
        request=request,
        details={
            **plan.counts(),
            "full_sync": planner.full_sync,
            "skip_invalid": planner.skip_invalid,
        },
    )
    return ImportResult(plan)


def _disable_logins(
    plan: ImportPlan,
    *,
    actor: User | None,
    import_run: ImportRun | None,
    request: HttpRequest | None,
) -> None:
    """Disable the logins of the people the import deactivated, with one audit event each.

    A login is not enabled again when its person comes back: an admin re-invites them.
    Deactivating someone with a login is rare, so one event per login costs little.
    """
    if not plan.logins_disabled:
        return
    employee_id_of = dict(plan.logins_disabled)
    users: list[User] = []
    for batch in _batches(list(employee_id_of)):
        users += User.objects.select_for_update().filter(pk__in=batch, is_active=True)
    for batch in _batches([user.pk for user in users]):
        User.objects.filter(pk__in=batch).update(is_active=False)
    for user in users:
        user.is_active = False
        audit_record(
            actor=actor,
            action="accounts.user_deactivate",
            target=user,
            request=request,
            details={
                "reason": "hris_import",
                "person": employee_id_of[user.pk],
                "import_run": import_run.pk if import_run is not None else None,
            },
        )
