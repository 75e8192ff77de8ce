"""HRIS import: read a CSV or XLSX export, map its columns to Cadre's fields, check every row,
show what would change, and apply it in one transaction.

The same functions serve the ``import-people`` command, the admin's import pages and the
background task:

- :func:`read_table` turns the bytes of a file into a :class:`Table` of text cells, or raises
  :class:`ImportFileError` saying why it can't;
- :func:`suggest_columns` guesses a :class:`ColumnMapping` from the file's headers;
- :func:`plan_import` checks every row against the mapping and the database and returns an
  :class:`ImportPlan` (creates, updates, unchanged, deactivations, errors). It never writes;
- :func:`apply_import` parses the rows, then plans against the database inside a transaction
  that holds the import lock, and writes the plan, or nothing; people it deactivates lose
  their logins;
- the ``import_run_*`` functions move an :class:`ImportRun` through upload, mapping, preview,
  confirmation and execution, and :func:`import_runs_prune` fails stuck and abandoned runs
  and deletes their files; :func:`import_mapping_save` keeps a mapping for next time.

Speed matters (100,000 people in seconds): existing people are read in one query as tuples,
rows are checked in plain Python, and only changed rows and fields are written, in batches.
``docs/import.md`` describes the fields, formats and options for administrators.
"""

import codecs
import csv
import io
import json
import math
import re
import zipfile
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property
from pathlib import PurePath
from typing import Any, NamedTuple

import charset_normalizer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import CharField, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.people.models import Department, ImportMapping, ImportRun, Person

# Called as progress(phase, done, total) while rows are checked ("checking") and written
# ("writing").
Progress = Callable[[str, int, int], None]

WRITE_BATCH_SIZE = 1000
# Runs keep at most this many issues; the summary still counts all of them.
STORED_ISSUES_LIMIT = 1000


# --- Cadre's fields -----------------------------------------------------------------------


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


def _max_length(model: type[Person] | type[Department], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, CharField), name
    assert field.max_length is not None, name
    return field.max_length


# Longest values the model accepts, for the fields whose cells are taken as text.
MAX_LENGTHS = {
    **{
        name: _max_length(Person, name)
        for name in ("employee_id", "full_name", "preferred_name", "job_title", "location")
    },
    "department": _max_length(Department, "name"),
    "manager_employee_id": _max_length(Person, "employee_id"),
}
LEVEL_MIN, LEVEL_MAX = 1, 99
TENURE_MAX = 100

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "active"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "inactive"})
LANGUAGE_SEPARATORS = re.compile(r"[,;|]")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*", re.IGNORECASE)
# Addresses this simple are valid for Django's EmailValidator too, which checks the others.
PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")
DECIMAL_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?")
SLASHED_DAY_MONTH = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}")
# Date formats besides ISO 8601 (YYYY-MM-DD, optionally followed by a time).
DATE_FORMATS = (
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
)


# --- Errors and issues --------------------------------------------------------------------


class ImportFileError(ValueError):
    """The file can't be read as a table; the message says why, in the admin's words."""


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


class ImportRunStateError(ValueError):
    """The import run is not in a state that allows this step (e.g. it is already running)."""


# --- Reading files ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Table:
    """The cells of a file as text, with the row number a spreadsheet would show for each row
    (the header is row 1). Entirely empty rows are left out."""

    headers: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    file_format: str
    encoding: str = ""
    delimiter: str = ""

    def describe(self) -> str:
        if self.file_format == "XLSX":
            return "XLSX workbook"
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
        return f"CSV, {self.encoding}, {names.get(self.delimiter, repr(self.delimiter))}-separated"


def read_table(*, content: bytes, filename: str) -> Table:
    """Read a CSV or XLSX file. XLSX is recognised by its content, whatever the file's name."""
    if not content.strip():
        raise ImportFileError("The file is empty.")
    suffix = PurePath(filename).suffix.lower()
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an old Excel workbook (.xls). Save it as .xlsx or as CSV and upload that."
        )
    if suffix in {".xlsx", ".xlsm"}:
        raise ImportFileError("The file is named .xlsx but is not an Excel workbook.")
    return _read_csv(content)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


# An XLSX is a zip archive; one that would unpack to more than this many times the upload
# limit is refused before it is opened, so that a small "zip bomb" can't exhaust memory.
XLSX_EXPANSION_LIMIT = 20


def _check_xlsx_archive(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(f"The workbook can't be read ({error}).") from error
    if not any(member.filename == "xl/workbook.xml" for member in members):
        raise ImportFileError("The file is a zip archive, not an Excel workbook.")
    unpacked = sum(member.file_size for member in members)
    limit = XLSX_EXPANSION_LIMIT * settings.HRIS_IMPORT_MAX_BYTES
    if unpacked > limit:
        raise ImportFileError(
            f"The workbook would unpack to {unpacked / 1024**2:,.0f} MB, more than the "
            f"{limit / 1024**2:,.0f} MB Cadre accepts. Save the sheet as CSV and upload that."
        )


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    _check_xlsx_archive(content)
    # openpyxl reads rows lazily, so a damaged archive or sheet shows up while rows are read,
    # as any of zipfile's, zlib's, the XML parser's or openpyxl's own errors: all of them mean
    # the workbook can't be read.
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.active if workbook.active is not None else workbook.worksheets[0]
            cells = (
                [_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)
            )
            return _table(cells, file_format="XLSX")
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(
            f"The workbook can't be read ({type(error).__name__}: {error}). "
            "Open it in Excel and save it again, or save the sheet as CSV."
        ) from error


BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode(content: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: a byte order mark decides, then UTF-8 if the
    bytes are valid UTF-8, then charset-normalizer's detection."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise ImportFileError(f"The file starts like {encoding} but isn't.") from error
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(content)
    best = matches.best()
    if best is None:
        raise ImportFileError(
            "The file is not text in an encoding Cadre recognises. "
            "Save it as “CSV UTF-8” or as an Excel workbook (.xlsx)."
        )
    encoding = best.encoding
    # Short files often decode cleanly in several code pages, and the language guess that
    # ranks them is unreliable on a few names. Windows-1252 is what spreadsheets write in
    # Western locales, so it wins whenever it decodes as cleanly as the best guess.
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos:
            encoding = "cp1252"
    return content.decode(encoding), encoding


DELIMITERS = (",", ";", "\t", "|")


def _delimiter(text: str) -> str:
    """The delimiter among , ; tab and | that splits the first lines into the most consistent
    and widest rows."""
    sample = text[:65536]
    truncated = len(text) > len(sample)
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:50]
        except csv.Error:
            continue
        if truncated and len(rows) > 1:
            rows = rows[:-1]
        widths = [len(row) for row in rows if any(cell.strip() for cell in row)]
        if not widths or widths[0] < 2:
            continue
        consistency = sum(1 for width in widths if width == widths[0]) / len(widths)
        score = (consistency, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(content: bytes) -> Table:
    text, encoding = _decode(content)
    if "\x00" in text:
        raise ImportFileError("The file holds binary data; upload a CSV or XLSX file.")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(reader, file_format="CSV", encoding=encoding, delimiter=delimiter)
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num} can't be read as CSV ({error}).") from error


def _table(
    rows: Iterable[list[str]], *, file_format: str, encoding: str = "", delimiter: str = ""
) -> Table:
    headers: tuple[str, ...] | None = None
    header_row = 0
    body: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(rows, start=1):
        if headers is None:
            if any(cell.strip() for cell in cells):
                headers = tuple(cell.strip().lstrip("\ufeff").strip() for cell in cells)
                header_row = number
            continue
        if any(cells) and any(cell.strip() for cell in cells):
            body.append((number, cells))
    if headers is None:
        raise ImportFileError("The file is empty.")
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        if not header:
            continue
        if header in seen:
            raise ImportFileError(
                f"Two columns are named “{header}” (columns {seen[header]} and {position}); "
                "rename one of them."
            )
        seen[header] = position
    if not seen:
        raise ImportFileError(f"Row {header_row}, the first row, has no column names.")
    if not body:
        raise ImportFileError("The file has column names but no rows of people.")
    return Table(
        headers=headers, rows=body, file_format=file_format, encoding=encoding, delimiter=delimiter
    )


# --- Column mappings ----------------------------------------------------------------------


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


# --- Cell parsers -------------------------------------------------------------------------


class _CellError(ValueError):
    """A cell's text is not a valid value; the message names the problem."""


def _text_parser(name: str) -> Callable[[str], str]:
    limit = MAX_LENGTHS[name]

    def parse(text: str) -> str:
        if len(text) > limit:
            raise _CellError(f"“{text[:40]}…” is longer than {limit} characters.")
        return text

    return parse


def _parse_email(text: str) -> str:
    address = text.lower()
    if len(address) > 254:
        raise _CellError(f"“{text[:40]}…” is longer than 254 characters.")
    if PLAIN_EMAIL.fullmatch(address):
        return address
    try:
        validate_email(address)
    except ValidationError:
        raise _CellError(f"“{text}” is not a valid e-mail address.") from None
    return address


def _parse_level(text: str) -> int:
    if not WHOLE_NUMBER.fullmatch(text):
        raise _CellError(f"“{text}” is not a whole number.")
    level = int(text.split(".")[0])
    if not LEVEL_MIN <= level <= LEVEL_MAX:
        raise _CellError(f"Level {level} is not between {LEVEL_MIN} and {LEVEL_MAX}.")
    return level


@cache
def _time_zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _parse_time_zone(text: str) -> str:
    name = _time_zones().get(text.lower())
    if name is None:
        raise _CellError(f"“{text}” is not a time zone; use an IANA name such as Europe/London.")
    return name


def _language_code(code: str) -> str:
    first, *rest = code.split("-")
    subtags = [first.lower()]
    for subtag in rest:
        if len(subtag) == 2:
            subtags.append(subtag.upper())
        elif len(subtag) == 4 and subtag.isalpha():
            subtags.append(subtag.title())
        else:
            subtags.append(subtag.lower())
    return "-".join(subtags)


def _parse_languages(text: str) -> tuple[str, ...]:
    codes: list[str] = []
    for part in LANGUAGE_SEPARATORS.split(text):
        code = part.strip().replace("_", "-")
        if not code:
            continue
        if not LANGUAGE_CODE.fullmatch(code):
            raise _CellError(f"“{code}” is not a language code such as en, fr or pt-BR.")
        code = _language_code(code)
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _parse_date(text: str) -> date:
    parsed: date | None = None
    if ISO_DATE.fullmatch(text):
        try:
            parsed = date.fromisoformat(text[:10])
        except ValueError:
            raise _CellError(f"“{text}” is not a date that exists.") from None
    elif SLASHED_DAY_MONTH.fullmatch(text):
        raise _CellError(f"“{text}” could be day/month or month/day; write dates as YYYY-MM-DD.")
    else:
        for date_format in DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, date_format).date()
            except ValueError:
                continue
            break
    if parsed is None:
        raise _CellError(f"“{text}” is not a date; write dates as YYYY-MM-DD.")
    if not 1900 <= parsed.year <= 2100:
        raise _CellError(f"“{text}” is not a plausible hire date.")
    return parsed


def _parse_tenure(text: str) -> float:
    if not DECIMAL_NUMBER.fullmatch(text):
        raise _CellError(f"“{text}” is not a number of years.")
    years = float(text.replace(",", "."))
    if years > TENURE_MAX:
        raise _CellError(f"{text} years is more than {TENURE_MAX}.")
    return years


def _parse_yes_no(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _CellError(f"“{text}” is not yes or no (use yes/no, true/false, 1/0 or active/inactive).")


def _parse_left(text: str) -> bool:
    return not _parse_yes_no(text)


_PARSERS: dict[str, Callable[[str], Any]] = {
    **{name: _text_parser(name) for name in MAX_LENGTHS},
    "email": _parse_email,
    "level": _parse_level,
    "time_zone": _parse_time_zone,
    "languages": _parse_languages,
    "hire_date": _parse_date,
    "tenure_years": _parse_tenure,
    "active": _parse_yes_no,
    "left": _parse_left,
}

MEMOISED_FIELDS = frozenset(
    {"level", "time_zone", "languages", "hire_date", "tenure_years", "active", "left"}
)

# The attribute of a parsed row that each field fills ("left" fills "active", inverted).
_ATTRIBUTES = {
    **{spec.name: spec.name for spec in FIELDS},
    "manager_employee_id": "manager",
    "tenure_years": "tenure",
    "left": "active",
}


def _empty_values() -> dict[str, Any]:
    """What an empty cell in a mapped column means, field by field, when no default is set."""
    return {
        "preferred_name": "",
        "email": "",
        "department": None,
        "job_title": "",
        "level": None,
        "manager_employee_id": None,
        "location": "",
        "time_zone": settings.CADRE_DEFAULT_TIME_ZONE,
        "languages": (settings.CADRE_DEFAULT_LANGUAGE,),
        "hire_date": None,
        "tenure_years": None,
        "active": True,
        "left": True,
    }


# --- Planning -----------------------------------------------------------------------------


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
        return bool(self.create_rows or self.update_records or self.deactivate_ids)

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
        self.department_names: dict[int, str] = dict(
            Department.objects.order_by().values_list("pk", "name")
        )
        self.department_by_key: dict[str, int] = {
            name.lower(): pk for pk, name in self.department_names.items()
        }

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


def _loop_text(loop: list[str], position: int) -> str:
    """The loop as read from one member: A → B → C → A (long loops shortened)."""
    size = len(loop)
    if size <= 8:
        return " → ".join(loop[(position + step) % size] for step in range(size + 1))
    shown = [loop[(position + step) % size] for step in range(6)]
    return " → ".join([*shown, "…", loop[position]]) + f" ({size} people)"


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
        for row in rows:
            if row.failed:
                continue
            if row.department is not None:
                key = row.department.lower()
                if key not in context.department_by_key and key not in new_departments:
                    new_departments[key] = row.department
            person = context.people.get(row.employee_id)
            if person is None:
                self.plan_create(plan, row)
            else:
                self.plan_update(plan, row, person, context)
        plan.new_departments = sorted(new_departments.values(), key=str.lower)
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


# --- Applying -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an applied import did."""

    plan: ImportPlan

    def counts(self) -> dict[str, int]:
        return self.plan.counts()

    @property
    def issues(self) -> list[Issue]:
        return self.plan.issues


def _batches(items: Sequence[Any], size: int = WRITE_BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


# --- Import runs: the web flow and its background task -------------------------------------


class ImportFileGoneError(ImportFileError):
    """The run's uploaded file has been deleted: the run finished or was abandoned."""


# A run still running this long after its last progress was left behind by a worker that
# stopped (a crash, a deploy): it is marked failed. Imports of 100,000 people take seconds.
RUN_STUCK_AFTER = timedelta(hours=2)
# Files of runs neither confirmed nor finished after this long are deleted.
RUN_ABANDONED_AFTER = timedelta(days=7)


def import_run_create(
    *, content: bytes, filename: str, actor: User, request: HttpRequest | None = None
) -> ImportRun:
    """Keep an uploaded file for importing, after checking that it can be read; its column
    names are kept on the run, so that the mapping page needn't read the file again."""
    table = read_table(content=content, filename=filename)
    run = ImportRun(
        original_name=PurePath(filename).name[:255],
        rows_total=len(table.rows),
        headers=list(table.headers),
        created_by=actor,
    )
    with transaction.atomic():
        run.file.save(PurePath(filename).name or "import", ContentFile(content), save=False)
        run.save()
        audit_record(
            actor=actor,
            action="people.import_upload",
            target=run,
            request=request,
            details={"file": run.original_name, "bytes": len(content), "rows": run.rows_total},
        )
    return run


def import_run_table(*, run: ImportRun) -> Table:
    """The table of the run's file; :class:`ImportFileGoneError` once the file is deleted."""
    gone = ImportFileGoneError(
        f"The uploaded file {run.original_name} is no longer kept; upload it again."
    )
    if not run.file:
        raise gone
    try:
        with run.file.open("rb") as stored:
            content = stored.read()
    except FileNotFoundError:
        raise gone from None
    return read_table(content=content, filename=run.original_name)


def import_run_headers(*, run: ImportRun) -> tuple[str, ...]:
    """The column names of the run's file, as kept at upload."""
    if run.headers:
        return tuple(str(header) for header in run.headers)
    # Runs uploaded before the column names were kept: read them from the file.
    return import_run_table(run=run).headers


def import_run_mapping(*, run: ImportRun) -> ColumnMapping:
    return mapping_from_json({"columns": run.columns, "defaults": run.defaults})


EDITABLE_STATUSES = (ImportRun.Status.UPLOADED, ImportRun.Status.PREVIEWED)


def import_run_configure(
    *,
    run: ImportRun,
    mapping: ColumnMapping,
    full_sync: bool,
    skip_invalid: bool,
    actor: User,
    save_as: str = "",
    request: HttpRequest | None = None,
) -> ImportRun:
    """Set the mapping and options of a run that hasn't been confirmed; it needs a new preview.
    With ``save_as``, the mapping is also saved under that name for later imports."""
    with transaction.atomic():
        changed = ImportRun.objects.filter(pk=run.pk, status__in=EDITABLE_STATUSES).update(
            columns=dict(mapping.columns),
            defaults={key: value for key, value in mapping.defaults.items() if value},
            full_sync=full_sync,
            skip_invalid=skip_invalid,
            status=ImportRun.Status.UPLOADED,
        )
        if not changed:
            raise ImportRunStateError("This import has already been confirmed.")
        if save_as:
            import_mapping_save(name=save_as, mapping=mapping, actor=actor, request=request)
    run.refresh_from_db()
    return run


def import_run_preview(
    *, run: ImportRun, actor: User, request: HttpRequest | None = None
) -> ImportPlan:
    """The plan of a run with its chosen mapping and options; marks the run as previewed.

    A preview shows HR data from every row to ``actor``, so each one is audited.
    """
    plan = plan_import(
        table=import_run_table(run=run),
        mapping=import_run_mapping(run=run),
        full_sync=run.full_sync,
        skip_invalid=run.skip_invalid,
    )
    with transaction.atomic():
        if run.status == ImportRun.Status.UPLOADED:
            ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.UPLOADED).update(
                status=ImportRun.Status.PREVIEWED
            )
            run.status = ImportRun.Status.PREVIEWED
        audit_record(
            actor=actor,
            action="people.import_preview",
            target=run,
            request=request,
            details={"rows": plan.rows_total, "full_sync": run.full_sync},
        )
    return plan


def import_run_confirm(*, run: ImportRun, actor: User, request: HttpRequest | None = None) -> bool:
    """Queue a previewed run for importing, on behalf of ``actor``, who the import is credited
    to. Returns False when it was already confirmed: the status moves from previewed to queued
    in one conditional UPDATE, so two confirmations can't both queue it. The task is enqueued
    in the same transaction, so a failure to enqueue leaves the run previewed."""
    from cadre.people.tasks import import_run_apply

    with transaction.atomic():
        now = timezone.now()
        queued = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PREVIEWED).update(
            status=ImportRun.Status.QUEUED, rows_done=0, confirmed_by=actor, confirmed_at=now
        )
        if not queued:
            return False
        run.status, run.confirmed_by, run.confirmed_at = ImportRun.Status.QUEUED, actor, now
        audit_record(
            actor=actor,
            action="people.import_confirm",
            target=run,
            request=request,
            details={"full_sync": run.full_sync, "skip_invalid": run.skip_invalid},
        )
        import_run_apply.enqueue(run_id=run.pk)
    return True


def _stored_file_delete(name: str) -> bool:
    """Delete the stored file ``name`` of a run; False when there is none."""
    if not name:
        return False
    ImportRun._meta.get_field("file").storage.delete(name)
    return True


def _run_finish(
    run_id: int, *, status: str, summary: dict[str, Any], issues: Sequence[Issue | str]
) -> None:
    """Record the outcome of a run. The stored file is no longer referenced: delete it with
    :func:`_stored_file_delete` once this is committed."""
    stored = [
        issue.as_dict()
        if isinstance(issue, Issue)
        else {"row": 0, "column": "", "field": "", "message": issue, "severity": "error"}
        for issue in issues[:STORED_ISSUES_LIMIT]
    ]
    ImportRun.objects.filter(pk=run_id).update(
        status=status,
        summary={**summary, "issues_total": len(issues)},
        errors=stored,
        finished_at=timezone.now(),
        file="",
    )


def import_run_execute(*, run_id: int) -> dict[str, int]:
    """Import a queued run; what the background task does. Returns the counts.

    Only the first caller for a queued run does anything: the status moves from queued to
    running in one conditional UPDATE. The cells are parsed outside the transaction, with
    progress saved to ``rows_done`` (and the time to ``progress_at``) as they are; then the
    rows are checked against the database of that moment and written, and the outcome saved,
    in one transaction. The uploaded file is deleted whatever the outcome.
    """
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, rows_done=0, progress_at=timezone.now()
    )
    if not claimed:
        return {}
    run = ImportRun.objects.select_related("confirmed_by").get(pk=run_id)
    last_saved = [0]

    def save_progress(phase: str, done: int, total: int) -> None:
        if phase == "checking" and done != last_saved[0]:
            last_saved[0] = done
            ImportRun.objects.filter(pk=run_id).update(
                rows_done=done, rows_total=total, progress_at=timezone.now()
            )

    try:
        planner = _Planner(
            table=import_run_table(run=run),
            mapping=import_run_mapping(run=run),
            full_sync=run.full_sync,
            skip_invalid=run.skip_invalid,
            today=timezone.localdate(),
            progress=save_progress,
        )
        rows = planner.parse()
        with transaction.atomic():
            result = _apply_rows(
                planner,
                rows,
                actor=run.confirmed_by,
                import_run=run,
                request=None,
                progress=save_progress,
            )
            ImportRun.objects.filter(pk=run_id).update(rows_done=result.plan.rows_total)
            _run_finish(
                run_id,
                status=ImportRun.Status.SUCCEEDED,
                summary=result.counts(),
                issues=result.issues,
            )
        return result.counts()
    except ImportInvalidError as invalid:
        _run_finish(
            run_id,
            status=ImportRun.Status.FAILED,
            summary=invalid.plan.counts(),
            issues=invalid.plan.issues,
        )
    except (ImportFileError, ImportMappingError) as problem:
        _run_finish(run_id, status=ImportRun.Status.FAILED, summary={}, issues=[str(problem)])
    except Exception:
        _run_finish(
            run_id,
            status=ImportRun.Status.FAILED,
            summary={},
            issues=["The import stopped on an unexpected error; nothing was written."],
        )
        raise
    finally:
        _stored_file_delete(run.file.name or "")
    return {}


STUCK_MESSAGE = (
    "The import stopped without finishing, probably because its worker was restarted; "
    "nothing was written. Upload the file again to import it."
)
ABANDONED_MESSAGE = (
    "The import was not confirmed within {days} days; the uploaded file was deleted. "
    "Upload the file again to import it."
)


def _runs_fail(runs: Iterable[ImportRun], message: str) -> tuple[int, int]:
    """Mark ``runs`` failed with ``message`` and delete their files; a run that changed
    status meanwhile is left alone. Returns how many runs failed and files were deleted."""
    failed = deleted = 0
    for run in runs:
        with transaction.atomic():
            changed = ImportRun.objects.filter(pk=run.pk, status=run.status).update(
                status=ImportRun.Status.FAILED,
                summary={"issues_total": 1},
                errors=[
                    {"row": 0, "column": "", "field": "", "message": message, "severity": "error"}
                ],
                finished_at=timezone.now(),
                file="",
            )
        if changed:
            failed += 1
            deleted += _stored_file_delete(run.file.name or "")
    return failed, deleted


def _stuck_since(now: datetime) -> datetime:
    return now - RUN_STUCK_AFTER


def import_run_fail_if_stuck(*, run: ImportRun, now: datetime | None = None) -> ImportRun:
    """Mark ``run`` failed if it has been running without progress for longer than
    :data:`RUN_STUCK_AFTER`; returns the run as it is now."""
    if run.status != ImportRun.Status.RUNNING:
        return run
    since = run.progress_at or run.confirmed_at or run.created_at
    if since >= _stuck_since(now or timezone.now()):
        return run
    _runs_fail([run], STUCK_MESSAGE)
    run.refresh_from_db()
    return run


@dataclass(frozen=True, slots=True)
class PruneResult:
    stuck: int
    abandoned: int
    files_deleted: int


def import_runs_prune(*, now: datetime | None = None) -> PruneResult:
    """Tidy up import runs: fail the ones stuck running, fail the ones neither confirmed nor
    finished for :data:`RUN_ABANDONED_AFTER`, and delete every stored file a finished run
    still has (runs finished before files were deleted on finishing). The runs themselves,
    with their counts and problems, are kept."""
    now = now or timezone.now()
    stuck_since = _stuck_since(now)
    stuck, stuck_files = _runs_fail(
        [
            run
            for run in ImportRun.objects.filter(status=ImportRun.Status.RUNNING)
            if (run.progress_at or run.confirmed_at or run.created_at) < stuck_since
        ],
        STUCK_MESSAGE,
    )
    abandoned, abandoned_files = _runs_fail(
        ImportRun.objects.filter(
            status__in=EDITABLE_STATUSES, created_at__lt=now - RUN_ABANDONED_AFTER
        ),
        ABANDONED_MESSAGE.format(days=RUN_ABANDONED_AFTER.days),
    )
    files_deleted = stuck_files + abandoned_files
    finished = ImportRun.objects.filter(
        status__in=(ImportRun.Status.SUCCEEDED, ImportRun.Status.FAILED)
    ).exclude(file="")
    for run in finished:
        if ImportRun.objects.filter(pk=run.pk, file=run.file.name).update(file=""):
            files_deleted += _stored_file_delete(run.file.name or "")
    return PruneResult(stuck=stuck, abandoned=abandoned, files_deleted=files_deleted)


def import_run_issues(*, run: ImportRun) -> list[Issue]:
    """The issues a finished run stored, as :class:`Issue` objects."""
    return [
        Issue(
            int(item.get("row") or 0),
            str(item.get("column", "")),
            str(item.get("field", "")),
            str(item.get("message", "")),
            str(item.get("severity", "error")),
        )
        for item in run.errors
        if isinstance(item, dict)
    ]


def recent_import_runs(*, limit: int = 10) -> list[ImportRun]:
    return list(ImportRun.objects.select_related("created_by")[:limit])


def saved_mappings() -> list[ImportMapping]:
    return list(ImportMapping.objects.all())
