"""Planning: every row is parsed and checked, across the file and against the database, and
compared with what Cadre holds. The result, an :class:`ImportPlan`, says what an import
would do; planning never writes.
"""

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from cadre.accounts.models import User
from cadre.people.importing.cells import _PARSERS, MEMOISED_FIELDS, _CellError, _empty_values
from cadre.people.importing.mapping import FIELDS, FIELDS_BY_NAME, ColumnMapping, mapping_check
from cadre.people.importing.reading import Table
from cadre.people.models import Department, Person

# Called as progress(phase, done, total) while rows are checked ("checking") and written
# ("writing").
Progress = Callable[[str, int, int], None]

WRITE_BATCH_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem with one row (an error) or a consequence of skipping rows (a warning)."""

    row: int
    column: str
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f'Row {self.row}, column "{self.column}": {self.message}'

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }


class ImportInvalidError(ValueError):
    """Rows have errors and skipping them was not chosen, so nothing was written."""

    def __init__(self, plan: "ImportPlan") -> None:
        self.plan = plan
        count = plan.skipped_rows
        super().__init__(
            f"{count} {'row has' if count == 1 else 'rows have'} errors; nothing was imported."
        )


# The attribute of a parsed row that each field fills ("left" fills "active", inverted).
_ATTRIBUTES = {
    **{spec.name: spec.name for spec in FIELDS},
    "manager_employee_id": "manager",
    "tenure_years": "tenure",
    "left": "active",
}


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return CHANGE_LABELS.get(self.field, self.field)


@dataclass(frozen=True, slots=True)
class PersonChange:
    """One person in a preview: a row that creates, updates or leaves them unchanged, or an
    active person missing from the file (row 0) who a full sync deactivates."""

    row: int
    employee_id: str
    name: str
    changes: tuple[FieldChange, ...] = ()


@dataclass(slots=True)
class _Row:
    """A row's values after parsing; which ones the import sets is decided per import."""

    number: int
    employee_id: str = ""
    full_name: str = ""
    preferred_name: str = ""
    email: str = ""
    department: str | None = None
    parent_department: str | None = None
    job_title: str = ""
    level: int | None = None
    manager: str | None = None
    location: str = ""
    time_zone: str = ""
    languages: tuple[str, ...] = ()
    hire_date: date | None = None
    tenure: float | None = None
    active: bool = True
    # False when the manager's row is skipped and the person keeps their current manager.
    sets_manager: bool = True
    failed: bool = False


# How the attributes a change names read in a preview.
CHANGE_LABELS = {
    **{_ATTRIBUTES[spec.name]: spec.label for spec in FIELDS if spec.name != "left"},
    "manager": "Manager",
}

# Attributes compared and written as they are (department, hire date and manager need more).
PLAIN_ATTRIBUTES = (
    "full_name",
    "preferred_name",
    "email",
    "job_title",
    "level",
    "location",
    "time_zone",
    "languages",
    "active",
)


class _Existing(NamedTuple):
    pk: int
    employee_id: str
    full_name: str
    preferred_name: str
    email: str
    department_id: int | None
    job_title: str
    level: int | None
    manager_id: int | None
    location: str
    time_zone: str
    languages: tuple[str, ...]
    hire_date: date | None
    active: bool
    user_id: int | None


@dataclass(frozen=True, slots=True)
class UpdateRecord:
    """The changed values of one existing person, by model field (the department by name,
    the manager by employee id), and how the change reads in a preview."""

    pk: int
    values: dict[str, Any]
    manager: str | None
    sets_manager: bool
    change: PersonChange


@dataclass(frozen=True, slots=True)
class DepartmentMove:
    """A department whose parent the import sets or changes (``None``: no parent)."""

    department: str
    old_parent: str | None
    new_parent: str | None


@dataclass
class ImportPlan:
    """What an import would do. Nothing has been written when you hold one.

    When rows have errors, ``creates``/``updates``/``unchanged`` describe the valid rows: what
    an import that skips the invalid ones would do. ``can_apply`` says whether applying is
    allowed (no errors, or skipping chosen).
    """

    rows_total: int
    full_sync: bool
    skip_invalid: bool
    new_departments: list[str] = field(default_factory=list)
    department_moves: list[DepartmentMove] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    skipped_rows: int = 0
    deactivations: list[PersonChange] = field(default_factory=list)
    # What to write. The preview's lists of creates and unchanged people are built from these
    # only when asked for, so that an import of 100,000 people doesn't pay for them.
    create_rows: list[_Row] = field(default_factory=list)
    update_records: list[UpdateRecord] = field(default_factory=list)
    unchanged_people: list[tuple[int, str, str]] = field(default_factory=list)
    deactivate_ids: list[int] = field(default_factory=list)
    # (user id, employee id) of the logins disabled because their person is deactivated.
    logins_disabled: list[tuple[int, str]] = field(default_factory=list)
    # Employee id → primary key of everyone already in Cadre, for resolving managers, and
    # lower-case name → primary key of the departments.
    person_ids: dict[str, int] = field(default_factory=dict)
    department_ids: dict[str, int] = field(default_factory=dict)

    @cached_property
    def creates(self) -> list[PersonChange]:
        return [_creation(row) for row in self.create_rows]

    @cached_property
    def updates(self) -> list[PersonChange]:
        return [record.change for record in self.update_records]

    @cached_property
    def unchanged(self) -> list[PersonChange]:
        return [PersonChange(*entry) for entry in self.unchanged_people]

    # The first entries of each list, for a preview that shows only some: built for those.

    def first_creates(self, limit: int) -> list[PersonChange]:
        return [_creation(row) for row in self.create_rows[:limit]]

    def first_updates(self, limit: int) -> list[PersonChange]:
        return [record.change for record in self.update_records[:limit]]

    def first_unchanged(self, limit: int) -> list[PersonChange]:
        return [PersonChange(*entry) for entry in self.unchanged_people[:limit]]

    @property
    def can_apply(self) -> bool:
        return not self.errors or self.skip_invalid

    @property
    def issues(self) -> list[Issue]:
        return sorted([*self.errors, *self.warnings], key=lambda issue: (issue.row, issue.severity))

    @property
    def has_changes(self) -> bool:
        return bool(
            self.create_rows or self.update_records or self.deactivate_ids or self.department_moves
        )

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows_total,
            "created": len(self.create_rows),
            "updated": len(self.update_records),
            "unchanged": len(self.unchanged_people),
            "deactivated": len(self.deactivate_ids),
            "logins_disabled": len(self.logins_disabled),
            "skipped": self.skipped_rows if self.skip_invalid else 0,
            "invalid_rows": self.skipped_rows,
            "departments_created": len(self.new_departments),
            "departments_moved": len(self.department_moves),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }


def _creation(row: _Row) -> PersonChange:
    shown = (
        ("email", _display(row.email)),
        ("department", _display(row.department)),
        ("job_title", _display(row.job_title)),
        ("level", _display(row.level)),
        ("manager", _display(row.manager)),
        ("active", "" if row.active else "no"),
    )
    return PersonChange(
        row.number,
        row.employee_id,
        row.full_name,
        tuple(FieldChange(name, "", value) for name, value in shown if value),
    )


class _Context:
    """Everything planning needs from the database, read in one query per table."""

    def __init__(self) -> None:
        self.people: dict[str, _Existing] = {}
        self.employee_id_by_pk: dict[int, str] = {}
        self.owner_of_email: dict[str, str] = {}
        # Languages come as JSON text and are decoded once per distinct value: most people
        # share a handful of combinations.
        decoded: dict[str | None, tuple[str, ...]] = {}
        rows = Person.objects.order_by().values_list(
            "pk",
            "employee_id",
            "full_name",
            "preferred_name",
            "email",
            "department_id",
            "job_title",
            "level",
            "manager_id",
            "location",
            "time_zone",
            Cast("languages", output_field=TextField()),
            "hire_date",
            "is_active",
            "user_id",
        )
        for values in rows:
            text = values[11]
            languages = decoded.get(text)
            if languages is None:
                loaded = json.loads(text) if text else []
                languages = tuple(str(code) for code in loaded) if isinstance(loaded, list) else ()
                decoded[text] = languages
            person = _Existing._make((*values[:11], languages, *values[12:]))
            self.people[person.employee_id] = person
            self.employee_id_by_pk[person.pk] = person.employee_id
            if person.email:
                self.owner_of_email[person.email.lower()] = person.employee_id
        departments = list(Department.objects.order_by().values_list("pk", "name", "parent_id"))
        self.department_names: dict[int, str] = {pk: name for pk, name, _ in departments}
        self.department_by_key: dict[str, int] = {
            name.lower(): pk for pk, name in self.department_names.items()
        }
        self.department_parent: dict[int, int | None] = {
            pk: parent_id for pk, _, parent_id in departments
        }

    def parent_name(self, key: str) -> str | None:
        """The name of the parent of the department whose lower-case name is ``key``, if it
        is in Cadre and has one."""
        pk = self.department_by_key.get(key)
        parent_id = None if pk is None else self.department_parent[pk]
        return None if parent_id is None else self.department_names[parent_id]

    def manager_of(self, person: _Existing) -> str | None:
        return None if person.manager_id is None else self.employee_id_by_pk.get(person.manager_id)

    def label(self, employee_id: str) -> str:
        person = self.people[employee_id]
        return f"{employee_id} ({person.full_name})"


def _years_before(day: date, years: float) -> date:
    whole = int(years)
    try:
        shifted = day.replace(year=day.year - whole)
    except ValueError:  # 29 February in a year that has none
        shifted = day.replace(year=day.year - whole, day=28)
    return shifted - timedelta(days=round((years - whole) * 365.25))


def _completed_years(start: date, day: date) -> int:
    return day.year - start.year - ((day.month, day.day) < (start.month, start.day))


def _rows_list(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(number) for number in numbers[:5])
    return shown + (", …" if len(numbers) > 5 else "")


def _row_words(numbers: Sequence[int]) -> str:
    """“row 4 is” or “rows 4, 9 are”."""
    if len(numbers) == 1:
        return f"row {numbers[0]} is"
    return f"rows {_rows_list(numbers)} are"


def _cycle_members(manager_of: dict[str, str | None]) -> dict[str, tuple[list[str], int]]:
    """Everyone on a reporting-line loop, with the loop and their position on it."""
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    loops: dict[str, tuple[list[str], int]] = {}
    for start in manager_of:
        if start in state:
            continue
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = manager_of.get(node)
        if node is not None and state[node] == 1:
            loop = walk[walk.index(node) :]
            for position, member in enumerate(loop):
                loops[member] = (loop, position)
        for member in walk:
            state[member] = 2
    return loops


def _loop_text(loop: list[str], position: int, members: str = "people") -> str:
    """The loop as read from one member: A → B → C → A (long loops shortened)."""
    size = len(loop)
    if size <= 8:
        return " → ".join(loop[(position + step) % size] for step in range(size + 1))
    shown = [loop[(position + step) % size] for step in range(6)]
    return " → ".join([*shown, "…", loop[position]]) + f" ({size} {members})"


def _display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _ParentClaim(NamedTuple):
    """A row's statement that its department (by lower-case name) has a parent (``None``:
    no parent)."""

    row: _Row
    key: str
    parent_key: str | None


class _Planner:
    def __init__(
        self,
        *,
        table: Table,
        mapping: ColumnMapping,
        full_sync: bool,
        skip_invalid: bool,
        today: date,
        progress: Progress | None,
    ) -> None:
        mapping_check(headers=table.headers, mapping=mapping)
        self.table = table
        self.mapping = mapping
        self.full_sync = full_sync
        self.skip_invalid = skip_invalid
        self.today = today
        self.progress = progress
        self.columns = {name: header for name, header in mapping.columns.items() if header}
        self.defaults = {
            name: _PARSERS[name](text.strip())
            for name, text in mapping.defaults.items()
            if text.strip()
        }
        fed = set(self.columns) | set(self.defaults)
        # The person attributes this import sets on existing people. Presence in the file
        # makes a person active unless an active or left column says otherwise.
        self.managed = {_ATTRIBUTES[name] for name in fed} | {"active"}
        self.managed.discard("employee_id")
        # Years at the company stand in for a hire date column (a hire date default then
        # fills rows whose tenure is empty).
        self.uses_tenure = "tenure" in self.managed and "hire_date" not in self.columns
        self.managed.discard("tenure")
        if self.uses_tenure:
            self.managed.add("hire_date")
        # Departments' parents change only when the parent department has a column.
        self.sets_parents = "parent_department" in self.columns
        # Lower-case names of the departments that rows give different parents.
        self.disputed_departments: set[str] = set()
        # What the rows say about departments' parents, once checked, and the spelling of
        # each department's name in its first row.
        self.parent_claims: list[_ParentClaim] = []
        self.department_spelling: dict[str, str] = {}
        self.errors: list[Issue] = []
        self.cascade_errors: list[Issue] = []
        self.warnings: list[Issue] = []

    def column_of(self, name: str) -> str:
        return self.columns.get(name, name)

    def error(self, row: _Row, name: str, message: str, *, into: list[Issue] | None = None) -> None:
        row.failed = True
        (self.errors if into is None else into).append(
            Issue(row.number, self.column_of(name), name, message)
        )

    # Parsing, cell by cell

    def parse(self) -> list[_Row]:
        positions = {header: index for index, header in enumerate(self.table.headers) if header}
        empty_values = _empty_values()
        readers: list[
            tuple[str, str, int, Callable[[str], Any], bool, Any, dict[str, Any] | None]
        ] = []
        for spec in FIELDS:
            name = spec.name
            if name == "tenure_years" and not self.uses_tenure:
                continue
            if name in self.columns:
                has_default = name in self.defaults
                fallback = self.defaults[name] if has_default else empty_values.get(name)
                may_be_empty = has_default or name not in ("employee_id", "full_name")
                position = positions[self.columns[name]]
                # Values that repeat from row to row are parsed once per distinct text.
                memo: dict[str, Any] | None = {} if name in MEMOISED_FIELDS else None
                readers.append(
                    (
                        name,
                        _ATTRIBUTES[name],
                        position,
                        _PARSERS[name],
                        may_be_empty,
                        fallback,
                        memo,
                    )
                )
        constants = [
            (_ATTRIBUTES[name], value)
            for name, value in self.defaults.items()
            if name not in self.columns and (name != "tenure_years" or self.uses_tenure)
        ]
        total = len(self.table.rows)
        step = max(1, total // 50)
        rows: list[_Row] = []
        for index, (number, cells) in enumerate(self.table.rows):
            row = _Row(number)
            for attribute, value in constants:
                setattr(row, attribute, value)
            width = len(cells)
            for name, attribute, position, parser, may_be_empty, fallback, memo in readers:
                text = cells[position].strip() if position < width else ""
                if text:
                    if memo is None:
                        try:
                            value = parser(text)
                        except _CellError as problem:
                            value = problem
                    else:
                        value = memo.get(text, memo)
                        if value is memo:
                            try:
                                value = memo[text] = parser(text)
                            except _CellError as problem:
                                value = memo[text] = problem
                    if isinstance(value, _CellError):
                        self.error(row, name, str(value))
                        continue
                elif may_be_empty:
                    value = fallback
                else:
                    label = FIELDS_BY_NAME[name].label.lower()
                    self.error(row, name, f"The {label} is empty.")
                    continue
                setattr(row, attribute, value)
            if row.manager is not None and row.manager == row.employee_id:
                self.error(row, "manager_employee_id", "A person can't be their own manager.")
            rows.append(row)
            if self.progress is not None and (index + 1) % step == 0:
                self.progress("checking", index + 1, total)
        if self.progress is not None:
            self.progress("checking", total, total)
        return rows

    # Checks across rows and against the database

    def check_duplicates(self, rows: list[_Row]) -> dict[str, list[_Row]]:
        by_id: dict[str, list[_Row]] = defaultdict(list)
        by_email: dict[str, list[_Row]] = defaultdict(list)
        for row in rows:
            if row.employee_id:
                by_id[row.employee_id].append(row)
            if row.email and "email" in self.columns:
                by_email[row.email].append(row)
        for employee_id, same in by_id.items():
            if len(same) > 1:
                where = _rows_list([row.number for row in same])
                for row in same:
                    self.error(
                        row,
                        "employee_id",
                        f"Employee id “{employee_id}” appears more than once in the file "
                        f"(rows {where}).",
                    )
        for email, same in by_email.items():
            if len(same) > 1:
                where = _rows_list([row.number for row in same])
                for row in same:
                    self.error(
                        row,
                        "email",
                        f"E-mail “{email}” appears more than once in the file (rows {where}).",
                    )
        return by_id

    def check_references(
        self, rows: list[_Row], by_id: dict[str, list[_Row]], context: _Context
    ) -> None:
        for row in rows:
            manager = row.manager
            if manager is not None and manager not in by_id and manager not in context.people:
                self.error(
                    row,
                    "manager_employee_id",
                    f"Manager “{manager}” is neither in the file nor in Cadre.",
                )
            email = row.email
            if email and "email" in self.columns:
                owner = context.owner_of_email.get(email)
                if owner is not None and owner != row.employee_id and owner not in by_id:
                    self.error(
                        row,
                        "email",
                        f"E-mail “{email}” already belongs to {context.label(owner)}, "
                        "who is not in the file.",
                    )

    def graph(
        self, rows: Iterable[_Row], context: _Context, skipped_new: set[str]
    ) -> dict[str, str | None]:
        """Everyone's manager after importing ``rows`` (everyone else as they are now).
        A manager who is a new person on a skipped row (``skipped_new``) is not set."""
        manager_of = {
            employee_id: context.manager_of(person)
            for employee_id, person in context.people.items()
        }
        sets_manager = "manager" in self.managed
        for row in rows:
            if not row.employee_id:
                continue
            if sets_manager and row.manager not in skipped_new:
                # Being one's own manager is reported on its own, not as a loop.
                own = row.manager == row.employee_id
                manager_of[row.employee_id] = None if own else row.manager
            elif row.employee_id not in context.people:
                manager_of[row.employee_id] = None
        return manager_of

    def check_loops(
        self, rows: list[_Row], manager_of: dict[str, str | None], into: list[Issue] | None
    ) -> bool:
        loops = _cycle_members(manager_of)
        found = False
        for row in rows:
            found_loop = loops.get(row.employee_id)
            if found_loop is not None:
                found = True
                self.error(
                    row,
                    "manager_employee_id",
                    f"The reporting line loops: {_loop_text(*found_loop)}.",
                    into=into,
                )
        return found

    # The department tree

    def check_department_parents(self, rows: list[_Row]) -> None:
        """Find rows with a parent department but no department, rows that make a department
        its own parent, and rows that disagree about a department's parent; keep what the
        other rows say in ``parent_claims``."""
        unreadable = {
            issue.row for issue in self.errors if issue.field in ("department", "parent_department")
        }
        spelling = self.department_spelling
        claims: dict[str, dict[str, list[_Row]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            if row.number in unreadable:
                continue
            parent = row.parent_department
            if row.department is None:
                if parent is not None:
                    self.error(
                        row,
                        "parent_department",
                        f"The parent department “{parent}” needs a department on the row.",
                    )
                continue
            key = row.department.lower()
            parent_key = "" if parent is None else parent.lower()
            if parent_key == key:
                self.error(
                    row,
                    "parent_department",
                    f"Department “{row.department}” can't be its own parent.",
                )
                continue
            spelling.setdefault(key, row.department)
            if parent is not None:
                spelling.setdefault(parent_key, parent)
            claims[key][parent_key].append(row)
        for key, by_parent in claims.items():
            if len(by_parent) == 1:
                [(parent_key, same)] = by_parent.items()
                self.parent_claims += [_ParentClaim(row, key, parent_key or None) for row in same]
                continue
            self.disputed_departments.add(key)
            stated = ", ".join(
                ("no parent" if not parent_key else f"“{spelling[parent_key]}”")
                + f" ({'row' if len(same) == 1 else 'rows'} "
                + f"{_rows_list([row.number for row in same])})"
                for parent_key, same in by_parent.items()
            )
            message = f"Rows disagree about the parent of department “{spelling[key]}”: {stated}."
            for same in by_parent.values():
                for row in same:
                    self.error(row, "parent_department", message)

    def check_department_loops(
        self, claims: list[_ParentClaim], context: _Context, into: list[Issue] | None
    ) -> bool:
        """Mark the rows of ``claims`` that close a loop in the department tree, as it would be
        after the import (departments no row names keep their parent)."""
        names = {**self.department_spelling}
        parent_of: dict[str, str | None] = {}
        for pk, name in context.department_names.items():
            parent_id = context.department_parent[pk]
            parent_of[name.lower()] = (
                None if parent_id is None else context.department_names[parent_id].lower()
            )
            names[name.lower()] = name
        for claim in claims:
            parent_of[claim.key] = claim.parent_key
        loops = _cycle_members(parent_of)
        found = False
        for claim in claims:
            on_loop = loops.get(claim.key)
            if on_loop is None:
                continue
            found = True
            members, position = on_loop
            shown = _loop_text([names[member] for member in members], position, "departments")
            self.error(
                claim.row,
                "parent_department",
                f"The department tree loops: {shown}.",
                into=into,
            )
        return found

    def settle_skips(
        self, rows: list[_Row], by_id: dict[str, list[_Row]], context: _Context
    ) -> None:
        """Find what skipping the invalid rows breaks in the others, until nothing more does.

        A skipped row leaves its person as they are in Cadre. Another row may then claim an
        e-mail the skipped person still holds (an error), or form a reporting-line loop with
        them (an error). A row whose manager is a new person on a skipped row is imported
        without setting the manager (a warning).
        """
        while True:
            failed_ids = {row.employee_id for row in rows if row.failed}
            good = [row for row in rows if not row.failed]
            found = False
            if "email" in self.columns:
                for row in good:
                    owner = context.owner_of_email.get(row.email) if row.email else None
                    if owner is not None and owner != row.employee_id and owner in failed_ids:
                        skipped = [other.number for other in by_id[owner]]
                        self.error(
                            row,
                            "email",
                            f"E-mail “{row.email}” still belongs to {context.label(owner)}, "
                            f"whose {_row_words(skipped)} skipped.",
                            into=self.cascade_errors,
                        )
                        found = True

            skipped_new = {eid for eid in failed_ids if eid not in context.people}
            manager_of = self.graph(good, context, skipped_new)
            if self.check_loops(good, manager_of, into=self.cascade_errors):
                found = True
            kept_claims = [claim for claim in self.parent_claims if not claim.row.failed]
            if self.sets_parents and self.check_department_loops(
                kept_claims, context, into=self.cascade_errors
            ):
                found = True
            if not found:
                break
        failed_ids = {row.employee_id for row in rows if row.failed}
        for row in rows:
            manager = row.manager
            if (
                row.failed
                or manager is None
                or manager not in failed_ids
                or manager in context.people
            ):
                continue
            row.sets_manager = False
            numbers = [other.number for other in by_id[manager]]
            where = (
                f"row {numbers[0]}, which is"
                if len(numbers) == 1
                else f"rows {_rows_list(numbers)}, which are"
            )
            outcome = (
                "this person keeps their current manager."
                if row.employee_id in context.people
                else "this person is imported without a manager."
            )
            self.warnings.append(
                Issue(
                    row.number,
                    self.column_of("manager_employee_id"),
                    "manager_employee_id",
                    f"Manager “{manager}” is on {where} skipped; {outcome}",
                    severity="warning",
                )
            )

    # The difference with the database

    def diff(self, rows: list[_Row], by_id: dict[str, list[_Row]], context: _Context) -> ImportPlan:
        plan = ImportPlan(
            rows_total=len(self.table.rows),
            full_sync=self.full_sync,
            skip_invalid=self.skip_invalid,
        )
        new_departments: dict[str, str] = {}
        # Lower-case department name → the name of its parent, from the rows (``None``: none).
        parents: dict[str, str | None] = {}
        for row in rows:
            if row.failed:
                continue
            if row.department is not None:
                key = row.department.lower()
                if key not in context.department_by_key and key not in new_departments:
                    new_departments[key] = row.department
                if self.sets_parents:
                    parent = row.parent_department
                    parents.setdefault(key, parent)
                    parent_key = "" if parent is None else parent.lower()
                    if (
                        parent is not None
                        and parent_key not in context.department_by_key
                        and parent_key not in new_departments
                    ):
                        new_departments[parent_key] = parent
            person = context.people.get(row.employee_id)
            if person is None:
                self.plan_create(plan, row)
            else:
                self.plan_update(plan, row, person, context)
        plan.new_departments = sorted(new_departments.values(), key=str.lower)
        plan.department_moves = self.department_moves(parents, new_departments, context)
        plan.person_ids = {employee_id: person.pk for employee_id, person in context.people.items()}
        plan.department_ids = dict(context.department_by_key)
        if self.full_sync:
            for employee_id, person in context.people.items():
                if person.active and employee_id not in by_id:
                    plan.deactivations.append(
                        PersonChange(
                            0,
                            employee_id,
                            person.full_name,
                            (FieldChange("active", "yes", "no"),),
                        )
                    )
                    plan.deactivate_ids.append(person.pk)
        plan.logins_disabled = self.logins_disabled(plan, context)
        return plan

    def department_moves(
        self, parents: dict[str, str | None], new_departments: dict[str, str], context: _Context
    ) -> list[DepartmentMove]:
        """The departments whose parent ``parents`` changes, by name as Cadre will spell it."""

        def name_of(key: str) -> str:
            pk = context.department_by_key.get(key)
            return new_departments[key] if pk is None else context.department_names[pk]

        moves: list[DepartmentMove] = []
        for key, parent in parents.items():
            old = context.parent_name(key)
            if (old or "").lower() != (parent or "").lower():
                new = None if parent is None else name_of(parent.lower())
                moves.append(DepartmentMove(name_of(key), old, new))
        return sorted(moves, key=lambda move: move.department.lower())

    def logins_disabled(self, plan: ImportPlan, context: _Context) -> list[tuple[int, str]]:
        """The active logins, as (user id, employee id), of the people the plan deactivates.
        Few people have a login, so they are looked up only when someone with one is."""
        deactivated = [
            record.change.employee_id
            for record in plan.update_records
            if record.values.get("is_active") is False
        ]
        deactivated += [change.employee_id for change in plan.deactivations]
        user_of = {
            context.people[employee_id].user_id: employee_id
            for employee_id in deactivated
            if context.people[employee_id].user_id is not None
        }
        active: set[int] = set()
        for batch in _batches(list(user_of)):
            active.update(
                User.objects.filter(pk__in=batch, is_active=True).values_list("pk", flat=True)
            )
        return [
            (user_id, employee_id) for user_id, employee_id in user_of.items() if user_id in active
        ]

    def plan_create(self, plan: ImportPlan, row: _Row) -> None:
        managed = self.managed
        if "full_name" not in managed:
            row.full_name = f"Employee {row.employee_id}"
        if "time_zone" not in managed:
            row.time_zone = settings.CADRE_DEFAULT_TIME_ZONE
        if "languages" not in managed:
            row.languages = (settings.CADRE_DEFAULT_LANGUAGE,)
        if self.uses_tenure and row.tenure is not None:
            row.hire_date = _years_before(self.today, row.tenure)
        if not row.sets_manager or "manager" not in managed:
            row.manager = None
        plan.create_rows.append(row)

    def plan_update(
        self, plan: ImportPlan, row: _Row, person: _Existing, context: _Context
    ) -> None:
        managed = self.managed
        changes: list[FieldChange] = []
        values: dict[str, Any] = {}
        for attribute in PLAIN_ATTRIBUTES:
            if attribute not in managed:
                continue
            new = getattr(row, attribute)
            old = getattr(person, attribute)
            if new != old:
                values["is_active" if attribute == "active" else attribute] = new
                changes.append(FieldChange(attribute, _display(old), _display(new)))
        if "department" in managed:
            old_name = (
                None
                if person.department_id is None
                else context.department_names[person.department_id]
            )
            new_name = row.department
            if (old_name or "").lower() != (new_name or "").lower():
                values["department"] = new_name
                changes.append(FieldChange("department", _display(old_name), _display(new_name)))
        if "hire_date" in managed:
            new_date = row.hire_date
            if self.uses_tenure and row.tenure is not None:
                # A hire date that already gives the file's whole years of service stays.
                keeps = person.hire_date is not None and _completed_years(
                    person.hire_date, self.today
                ) == math.floor(row.tenure)
                new_date = person.hire_date if keeps else _years_before(self.today, row.tenure)
            if new_date != person.hire_date:
                values["hire_date"] = new_date
                changes.append(
                    FieldChange("hire_date", _display(person.hire_date), _display(new_date))
                )
        manager_changes = False
        if "manager" in managed and row.sets_manager:
            old_manager = context.manager_of(person)
            if row.manager != old_manager:
                manager_changes = True
                changes.append(FieldChange("manager", _display(old_manager), _display(row.manager)))
        name = row.full_name or person.full_name
        if not changes:
            plan.unchanged_people.append((row.number, row.employee_id, name))
            return
        plan.update_records.append(
            UpdateRecord(
                person.pk,
                values,
                row.manager,
                sets_manager=manager_changes,
                change=PersonChange(row.number, row.employee_id, name, tuple(changes)),
            )
        )

    def run(self) -> ImportPlan:
        return self.plan(self.parse())

    def plan(self, rows: list[_Row]) -> ImportPlan:
        """Check the parsed ``rows`` across the file and against the database, and compare
        them with it. ``rows`` are marked as they are checked: plan them once."""
        context = _Context()
        by_id = self.check_duplicates(rows)
        self.check_references(rows, by_id, context)
        unique = [row for row in rows if row.employee_id and len(by_id[row.employee_id]) == 1]
        whole_file = self.graph(unique, context, set())
        self.check_loops(unique, whole_file, into=None)
        if self.sets_parents:
            self.check_department_parents(rows)
            self.check_department_loops(self.parent_claims, context, into=None)
        if self.errors and self.skip_invalid:
            self.settle_skips(rows, by_id, context)
        plan = self.diff(rows, by_id, context)
        plan.errors = sorted(
            [*self.errors, *self.cascade_errors] if self.skip_invalid else self.errors,
            key=lambda issue: issue.row,
        )
        plan.warnings = sorted(self.warnings, key=lambda issue: issue.row)
        plan.skipped_rows = sum(1 for row in rows if row.failed)
        return plan


def plan_import(
    *,
    table: Table,
    mapping: ColumnMapping,
    full_sync: bool = False,
    skip_invalid: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Check every row and compare it with the database. Writes nothing.

    Raises :class:`ImportMappingError` when the mapping doesn't fit the file. Row problems
    are returned in the plan's ``errors``; with ``skip_invalid`` they also include what
    skipping those rows breaks elsewhere, and ``warnings`` what it changes.
    """
    return _Planner(
        table=table,
        mapping=mapping,
        full_sync=full_sync,
        skip_invalid=skip_invalid,
        today=today or timezone.localdate(),
        progress=progress,
    ).run()


def _batches(items: Sequence[Any], size: int = WRITE_BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
