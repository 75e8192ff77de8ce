"""Column mappings: Cadre's fields, which column of a file feeds each of them (guessed from
the headers, or chosen), checks that a mapping fits a file, and saved mappings.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.people.importing.cells import _PARSERS, _CellError
from cadre.people.models import ImportMapping

# --- Cadre's fields -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportField:
    """One field an export's column can be mapped to."""

    name: str
    label: str
    help_text: str
    # Other names exports use for it, lower case without spaces or punctuation.
    synonyms: str
    # Whether a mapping may give the field a value for empty cells.
    allows_default: bool = True


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "employee_id",
        "Employee id",
        "Required. The HRIS's unique id for the person; it links re-imports to the same person.",
        "employeeid employeenumber employeeno empid empno personid personnelnumber staffid "
        "staffnumber workerid id",
        allows_default=False,
    ),
    ImportField(
        "full_name",
        "Full name",
        "When not in the file, new people are called “Employee <id>”.",
        "fullname name employeename displayname legalname",
        allows_default=False,
    ),
    ImportField(
        "preferred_name",
        "Preferred name",
        "The name the person goes by.",
        "preferredname knownas nickname preferredfirstname",
    ),
    ImportField(
        "email",
        "E-mail",
        "Work e-mail, unique to one person. Stored in lower case.",
        "email emailaddress mail workemail businessemail workemailaddress",
        allows_default=False,
    ),
    ImportField(
        "department",
        "Department",
        "Department name; matched regardless of case and created when missing.",
        "department dept departmentname orgunit organisationunit organizationunit",
    ),
    ImportField(
        "parent_department",
        "Parent department",
        "The department above the row's department; matched regardless of case and created "
        "when missing. Departments keep their parent when this has no column.",
        "parentdepartment parentdept parentdepartmentname parentorgunit parentunit division",
        allows_default=False,
    ),
    ImportField(
        "job_title",
        "Job title",
        "",
        "jobtitle title jobrole role position positiontitle jobname",
    ),
    ImportField(
        "level",
        "Level",
        "A whole number from 1 to 99; larger is more senior.",
        "level joblevel grade jobgrade band paygrade careerlevel",
    ),
    ImportField(
        "manager_employee_id",
        "Manager's employee id",
        "The employee id of the person's manager, in the file or already in Cadre.",
        "manageremployeeid managerid manageremployeenumber managernumber linemanagerid "
        "supervisorid supervisoremployeeid reportsto reportstoid",
    ),
    ImportField(
        "location",
        "Location",
        "",
        "location office site worklocation officelocation city",
    ),
    ImportField(
        "time_zone",
        "Time zone",
        "An IANA name such as Europe/London. Empty: the programme's default time zone.",
        "timezone tz tzname ianatimezone",
    ),
    ImportField(
        "languages",
        "Languages",
        "Language codes such as en, fr or pt-BR, separated by , ; or |.",
        "languages language languagecodes spokenlanguages",
    ),
    ImportField(
        "hire_date",
        "Hire date",
        "YYYY-MM-DD, or one of the other formats in the import guide.",
        "hiredate startdate dateofhire joiningdate datejoined joindate",
    ),
    ImportField(
        "tenure_years",
        "Years at the company",
        "Sets the hire date to today minus this many years when there is no hire date column.",
        "tenureyears yearsatcompany tenure yearsofservice serviceyears",
    ),
    ImportField(
        "active",
        "Active",
        "yes/no, true/false, 1/0 or active/inactive. Empty: active.",
        "active isactive activestatus employmentstatus status",
    ),
    ImportField(
        "left",
        "Has left (inverted active)",
        "The opposite of Active, for columns such as Attrition: yes means the person has left.",
        "left hasleft attrition terminated isterminated",
    ),
)
FIELDS_BY_NAME: dict[str, ImportField] = {spec.name: spec for spec in FIELDS}
FIELD_NAMES: tuple[str, ...] = tuple(FIELDS_BY_NAME)


@dataclass(frozen=True, slots=True)
class MappingProblem:
    """What is wrong with a mapping, about the column (or the default) of ``field``."""

    field: str | None
    message: str
    part: str = "column"

    def __str__(self) -> str:
        return self.message


class ImportMappingError(ValueError):
    """The column mapping doesn't fit the file: a required field is unmapped, a column is
    missing, a default is invalid."""

    def __init__(self, problems: Sequence[MappingProblem]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(problem.message for problem in self.problems))


# --- Column mappings ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which column holds each Cadre field, and values for empty cells.

    ``columns`` maps a Cadre field name to a header of the file; ``defaults`` maps a Cadre
    field name to the text used when the cell is empty or the field has no column.
    """

    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"columns": dict(self.columns), "defaults": dict(self.defaults)}


def _normalised_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def suggest_columns(*, headers: Sequence[str]) -> ColumnMapping:
    """Guess which header holds each field from the names exports commonly use, e.g.
    EmployeeNumber → employee_id, JobLevel → level, JobRole → job_title."""
    by_normalised: dict[str, str] = {}
    for header in headers:
        if header:
            by_normalised.setdefault(_normalised_header(header), header)
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for spec in FIELDS:
        for synonym in (spec.name.replace("_", ""), *spec.synonyms.split()):
            match = by_normalised.get(synonym)
            if match is not None and match not in taken:
                columns[spec.name] = match
                taken.add(match)
                break
    if "active" in columns and "left" in columns:
        del columns["left"]
    return ColumnMapping(columns=columns)


def mapping_problems(*, headers: Sequence[str], mapping: ColumnMapping) -> list[MappingProblem]:
    """What is wrong with ``mapping`` for a file with ``headers``; empty when it fits."""
    problems: list[MappingProblem] = []
    present = {header for header in headers if header}
    for name, header in mapping.columns.items():
        if name not in FIELDS_BY_NAME:
            problems.append(
                MappingProblem(
                    None, f"“{name}” is not a Cadre field; use one of {', '.join(FIELD_NAMES)}."
                )
            )
        elif header not in present:
            problems.append(
                MappingProblem(name, f"The column “{header}” for {name} is not in the file.")
            )
    if not mapping.columns.get("employee_id"):
        problems.append(
            MappingProblem(
                "employee_id", "Choose the column that holds the employee id: it is required."
            )
        )
    if (
        mapping.columns.get("parent_department")
        and not mapping.columns.get("department")
        and not mapping.defaults.get("department", "").strip()
    ):
        problems.append(
            MappingProblem(
                "parent_department",
                "Choose the column that holds the department too: the parent department is "
                "the parent of the row's department.",
            )
        )
    if mapping.columns.get("active") and mapping.columns.get("left"):
        problems.append(
            MappingProblem("left", "Map either active or left (its opposite), not both.")
        )
    for name, text in mapping.defaults.items():
        spec = FIELDS_BY_NAME.get(name)
        if spec is None:
            problems.append(
                MappingProblem(
                    None,
                    f"“{name}” is not a Cadre field; use one of {', '.join(FIELD_NAMES)}.",
                )
            )
            continue
        if not text.strip():
            continue
        if not spec.allows_default:
            problems.append(MappingProblem(name, f"{name} can't have a default value.", "default"))
            continue
        try:
            _PARSERS[name](text.strip())
        except _CellError as error:
            problems.append(MappingProblem(name, f"The default for {name}: {error}", "default"))
    return problems


def mapping_check(*, headers: Sequence[str], mapping: ColumnMapping) -> None:
    problems = mapping_problems(headers=headers, mapping=mapping)
    if problems:
        raise ImportMappingError(problems)


def mapping_from_json(data: object) -> ColumnMapping:
    """A mapping from JSON: ``{"columns": {...}, "defaults": {...}}`` or just the columns."""
    if not isinstance(data, dict):
        raise ImportMappingError([MappingProblem(None, "A mapping must be a JSON object.")])
    columns = data.get("columns", data if "defaults" not in data else {})
    defaults = data.get("defaults", {})
    if not isinstance(columns, dict) or not isinstance(defaults, dict):
        raise ImportMappingError(
            [MappingProblem(None, "“columns” and “defaults” must be JSON objects.")]
        )
    return ColumnMapping(
        columns={str(key): str(value) for key, value in columns.items() if value},
        defaults={str(key): str(value) for key, value in defaults.items()},
    )


def saved_mapping(*, name: str) -> ColumnMapping:
    """The saved mapping called ``name``."""
    try:
        saved = ImportMapping.objects.get(name=name)
    except ImportMapping.DoesNotExist:
        raise ImportMappingError(
            [MappingProblem(None, f"There is no saved mapping called “{name}”.")]
        ) from None
    return mapping_of(saved)


def mapping_of(saved: ImportMapping) -> ColumnMapping:
    return mapping_from_json({"columns": saved.columns, "defaults": saved.defaults})


def import_mapping_save(
    *, name: str, mapping: ColumnMapping, actor: User | None, request: HttpRequest | None = None
) -> ImportMapping:
    """Save ``mapping`` under ``name``, replacing a saved mapping of that name."""
    with transaction.atomic():
        saved, created = ImportMapping.objects.update_or_create(
            name=name,
            defaults={
                "columns": dict(mapping.columns),
                "defaults": {key: value for key, value in mapping.defaults.items() if value},
                "updated_at": timezone.now(),
            },
            create_defaults={
                "columns": dict(mapping.columns),
                "defaults": {key: value for key, value in mapping.defaults.items() if value},
                "created_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="people.import_mapping_save",
            target=saved,
            request=request,
            details={"name": name, "created": created, **mapping.as_json()},
        )
    return saved


def saved_mappings() -> list[ImportMapping]:
    return list(ImportMapping.objects.all())
