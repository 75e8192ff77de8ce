"""The HRIS import service: reading files, mapping, checking, previewing and applying."""

import io
import threading
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from cadre.accounts.models import AuditEvent, User
from cadre.people.importing import (
    ColumnMapping,
    DepartmentMove,
    FieldChange,
    ImportFileError,
    ImportInvalidError,
    ImportMappingError,
    ImportPlan,
    ImportResult,
    ImportRunStateError,
    PersonChange,
    Table,
    apply_import,
    import_mapping_save,
    import_run_configure,
    import_run_create,
    import_run_execute,
    import_run_fail_if_stuck,
    import_run_issues,
    import_runs_prune,
    mapping_problems,
    plan_import,
    read_table,
    saved_mapping,
    suggest_columns,
)
from cadre.people.models import Department, ImportRun, Person
from tests.factories import DepartmentFactory, PersonFactory, UserFactory

FILES = Path(__file__).resolve().parent / "files"
TODAY = date(2026, 3, 15)
HEADER = (
    "employee_id,full_name,email,department,job_title,level,manager_employee_id,"
    "location,time_zone,languages,hire_date,active"
)
CHIEF = (
    "E1,Ann Boss,ann@example.org,Executive,Chief Executive,9,,London,Europe/London,en,"
    "2010-04-01,yes"
)
REPORT = (
    "E2,Bob Report,bob@example.org,Sales,Account Executive,4,E1,Paris,Europe/Paris,fr;en,"
    "2019-09-02,yes"
)


def table_of(*lines: str) -> Table:
    return read_table(content="\n".join(lines).encode(), filename="people.csv")


def plan_of(*lines: str, mapping: ColumnMapping | None = None, **options: bool) -> ImportPlan:
    table = table_of(*lines)
    return plan_import(
        table=table,
        mapping=mapping or suggest_columns(headers=table.headers),
        today=TODAY,
        **options,
    )


def import_lines(
    *lines: str, mapping: ColumnMapping | None = None, today: date = TODAY, **options: bool
) -> ImportResult:
    table = table_of(*lines)
    return apply_import(
        table=table,
        mapping=mapping or suggest_columns(headers=table.headers),
        actor=None,
        today=today,
        **options,
    )


def messages(plan: ImportPlan) -> list[str]:
    return [str(issue) for issue in plan.issues]


def person_values(employee_id: str) -> dict[str, object]:
    person = Person.objects.select_related("department", "manager").get(employee_id=employee_id)
    return {
        "full_name": person.full_name,
        "email": person.email,
        "department": person.department.name if person.department else None,
        "job_title": person.job_title,
        "level": person.level,
        "manager": person.manager.employee_id if person.manager else None,
        "location": person.location,
        "time_zone": person.time_zone,
        "languages": person.languages,
        "hire_date": person.hire_date,
        "is_active": person.is_active,
    }


# --- Reading files ------------------------------------------------------------------------


def test_read_csv_with_bom_and_crlf():
    content = "\ufeffemployee_id,full_name\r\nE1,Zoë Ölund\r\n\r\nE2,Ana\r\n".encode()
    table = read_table(content=content, filename="people.csv")
    assert table.headers == ("employee_id", "full_name")
    assert table.rows == [(2, ["E1", "Zoë Ölund"]), (4, ["E2", "Ana"])]
    assert (table.file_format, table.encoding, table.delimiter) == ("CSV", "utf-8-sig", ",")


def test_read_semicolon_separated_windows_1252():
    text = "employee_id;full_name;location\nE1;François Lefèvre;Besançon\nE2;Zoë Müller;Zürich\n"
    table = read_table(content=text.encode("cp1252"), filename="export.csv")
    assert table.delimiter == ";"
    assert table.encoding == "cp1252"
    assert table.rows == [
        (2, ["E1", "François Lefèvre", "Besançon"]),
        (3, ["E2", "Zoë Müller", "Zürich"]),
    ]


def test_read_tab_separated_latin_1():
    text = "employee_id\tfull_name\nE1\tJosé Núñez\nE2\tRenée Dupré\n"
    table = read_table(content=text.encode("latin-1"), filename="export.txt")
    assert table.delimiter == "\t"
    assert table.rows == [(2, ["E1", "José Núñez"]), (3, ["E2", "Renée Dupré"])]


def test_read_pipe_separated_with_commas_in_values():
    text = "employee_id|full_name|languages\nE1|Doe, Jane|en,fr\n"
    table = read_table(content=text.encode(), filename="export.csv")
    assert table.delimiter == "|"
    assert table.rows == [(2, ["E1", "Doe, Jane", "en,fr"])]


def test_read_utf_16_with_bom():
    text = "employee_id,full_name\nE1,Łukasz Żółć\n"
    table = read_table(content=text.encode("utf-16"), filename="export.csv")
    assert table.encoding == "utf-16"
    assert table.rows == [(2, ["E1", "Łukasz Żółć"])]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_read_xlsx_converts_cells_to_text():
    content = xlsx_bytes(
        [
            ["EmployeeNumber", "Name", "JobLevel", "Start", "Active", "Score"],
            [1001, "Ada Lovelace", 3.0, datetime(2020, 1, 5), True, 2.5],
            [None, None, None, None, None, None],
            [1002, "Alan Turing", 5, date(2019, 6, 1), False, None],
        ]
    )
    table = read_table(content=content, filename="export.xlsx")
    assert table.file_format == "XLSX"
    assert table.headers == ("EmployeeNumber", "Name", "JobLevel", "Start", "Active", "Score")
    assert table.rows == [
        (2, ["1001", "Ada Lovelace", "3", "2020-01-05", "yes", "2.5"]),
        (4, ["1002", "Alan Turing", "5", "2019-06-01", "no", ""]),
    ]


@pytest.mark.django_db
def test_import_xlsx():
    content = xlsx_bytes(
        [
            ["EmployeeNumber", "Name", "JobLevel", "HireDate"],
            [1001, "Ada Lovelace", 3, datetime(2020, 1, 5)],
        ]
    )
    table = read_table(content=content, filename="export.xlsx")
    apply_import(table=table, mapping=suggest_columns(headers=table.headers), actor=None)
    person = Person.objects.get()
    assert (person.employee_id, person.full_name, person.level, person.hire_date) == (
        "1001",
        "Ada Lovelace",
        3,
        date(2020, 1, 5),
    )


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "people.csv", "The file is empty."),
        (b"  \n\n", "people.csv", "The file is empty."),
        (
            b"employee_id,full_name\n",
            "people.csv",
            "The file has column names but no rows of people.",
        ),
        (
            b"employee_id,Name,Name\nE1,A,B\n",
            "people.csv",
            "Two columns are named “Name” (columns 2 and 3); rename one of them.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
            "people.xls",
            "This is an old Excel workbook (.xls). Save it as .xlsx or as CSV and upload that.",
        ),
        (
            b"employee_id\nE1\n",
            "people.xlsx",
            "The file is named .xlsx but is not an Excel workbook.",
        ),
        (
            b"PK\x03\x04broken",
            "people.xlsx",
            "The workbook can't be read (File is not a zip file).",
        ),
        (
            b"id,name\nE1\x00,A\n",
            "people.csv",
            "The file holds binary data; upload a CSV or XLSX file.",
        ),
    ],
)
def test_unreadable_files_say_why(content, filename, message):
    with pytest.raises(ImportFileError) as error:
        read_table(content=content, filename=filename)
    assert str(error.value) == message


def rezipped(content: bytes, change: dict[str, bytes | None]) -> bytes:
    """The workbook ``content`` with members replaced, added, or left out (None)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in dict.fromkeys([*source.namelist(), *change]):
            data = change[name] if name in change else source.read(name)
            if data is not None:
                target.writestr(name, data)
    return buffer.getvalue()


def test_a_workbook_with_a_truncated_sheet_is_refused_with_a_message():
    content = xlsx_bytes([["employee_id", "full_name"], *([f"E{n}", f"P {n}"] for n in range(500))])
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    damaged = rezipped(content, {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]})
    with pytest.raises(ImportFileError) as error:
        read_table(content=damaged, filename="people.xlsx")
    assert str(error.value).startswith("The workbook can't be read (ParseError: unclosed token")
    assert str(error.value).endswith(
        "Open it in Excel and save it again, or save the sheet as CSV."
    )


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "employee_id,full_name\nE1,Ann\n")
    with pytest.raises(ImportFileError) as error:
        read_table(content=buffer.getvalue(), filename="people.xlsx")
    assert str(error.value) == "The file is a zip archive, not an Excel workbook."


def test_a_workbook_missing_a_part_is_refused_with_a_message():
    content = xlsx_bytes([["employee_id"], ["E1"]])
    damaged = rezipped(content, {"xl/_rels/workbook.xml.rels": None})
    with pytest.raises(ImportFileError) as error:
        read_table(content=damaged, filename="people.xlsx")
    assert str(error.value).startswith("The workbook can't be read (")


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_opened(settings):
    settings.HRIS_IMPORT_MAX_BYTES = 1024 * 1024
    content = xlsx_bytes([["employee_id"], ["E1"]])
    # 21 MB of spaces compress to a few kilobytes: more than 20 times the 1 MB upload limit.
    padded = rezipped(content, {"xl/media/padding.bin": b" " * (21 * 1024 * 1024)})
    assert len(padded) < 100_000
    with pytest.raises(ImportFileError) as error:
        read_table(content=padded, filename="people.xlsx")
    assert str(error.value) == (
        "The workbook would unpack to 21 MB, more than the 20 MB Cadre accepts. "
        "Save the sheet as CSV and upload that."
    )
    settings.HRIS_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    assert read_table(content=padded, filename="people.xlsx").rows == [(2, ["E1"])]


# --- Mapping ------------------------------------------------------------------------------


def test_suggest_columns_for_the_ibm_export():
    headers = (FILES / "ibm-hr-sample.csv").read_text().splitlines()[0].split(",")
    assert suggest_columns(headers=headers).columns == {
        "employee_id": "EmployeeNumber",
        "department": "Department",
        "job_title": "JobRole",
        "level": "JobLevel",
        "tenure_years": "YearsAtCompany",
        "left": "Attrition",
    }


def test_suggest_columns_for_common_names():
    headers = ["Employee ID", "Full Name", "Work Email", "Dept", "Title", "Grade", "Manager ID"]
    headers += ["Office", "Time zone", "Language", "Start Date", "Status", "Unrelated"]
    assert suggest_columns(headers=headers).columns == {
        "employee_id": "Employee ID",
        "full_name": "Full Name",
        "email": "Work Email",
        "department": "Dept",
        "job_title": "Title",
        "level": "Grade",
        "manager_employee_id": "Manager ID",
        "location": "Office",
        "time_zone": "Time zone",
        "languages": "Language",
        "hire_date": "Start Date",
        "active": "Status",
    }


def test_mapping_problems_name_each_problem():
    mapping = ColumnMapping(
        columns={"full_name": "Name", "email": "Mail", "shoe_size": "Shoes", "active": "A"}
        | {"left": "L"},
        defaults={"employee_id": "E0", "level": "high", "time_zone": "Mars/Olympus", "bogus": "1"},
    )
    problems = mapping_problems(headers=["Name", "A", "L"], mapping=mapping)
    assert [(problem.field, problem.message) for problem in problems] == [
        ("email", "The column “Mail” for email is not in the file."),
        (
            None,
            "“shoe_size” is not a Cadre field; use one of employee_id, full_name, "
            "preferred_name, email, department, parent_department, job_title, level, "
            "manager_employee_id, location, time_zone, languages, hire_date, tenure_years, "
            "active, left.",
        ),
        ("employee_id", "Choose the column that holds the employee id: it is required."),
        ("left", "Map either active or left (its opposite), not both."),
        ("employee_id", "employee_id can't have a default value."),
        ("level", "The default for level: “high” is not a whole number."),
        (
            "time_zone",
            "The default for time_zone: “Mars/Olympus” is not a time zone; use an IANA name "
            "such as Europe/London.",
        ),
        (
            None,
            "“bogus” is not a Cadre field; use one of employee_id, full_name, "
            "preferred_name, email, department, parent_department, job_title, level, "
            "manager_employee_id, location, time_zone, languages, hire_date, tenure_years, "
            "active, left.",
        ),
    ]


@pytest.mark.django_db
def test_plan_refuses_a_mapping_that_does_not_fit():
    table = table_of("Name", "Ann")
    with pytest.raises(ImportMappingError) as error:
        plan_import(table=table, mapping=ColumnMapping(columns={"full_name": "Name"}))
    assert str(error.value) == "Choose the column that holds the employee id: it is required."


@pytest.mark.django_db
def test_saved_mapping_is_audited_and_reused(admin):
    mapping = ColumnMapping(
        columns={"employee_id": "EmployeeNumber", "left": "Attrition"},
        defaults={"location": "Houston"},
    )
    saved = import_mapping_save(name="IBM", mapping=mapping, actor=admin.user)
    assert (saved.name, saved.columns, saved.defaults, saved.created_by) == (
        "IBM",
        {"employee_id": "EmployeeNumber", "left": "Attrition"},
        {"location": "Houston"},
        admin.user,
    )
    assert saved_mapping(name="IBM") == mapping

    changed = ColumnMapping(columns={"employee_id": "EmpNo"})
    again = import_mapping_save(name="IBM", mapping=changed, actor=admin.user)
    assert again.pk == saved.pk
    assert saved_mapping(name="IBM") == changed
    events = AuditEvent.objects.filter(action="people.import_mapping_save").order_by("pk")
    assert [(event.actor, event.target_label, event.details["created"]) for event in events] == [
        (admin.user, "IBM", True),
        (admin.user, "IBM", False),
    ]


@pytest.mark.django_db
def test_unknown_saved_mapping():
    with pytest.raises(ImportMappingError) as error:
        saved_mapping(name="Workday")
    assert str(error.value) == "There is no saved mapping called “Workday”."


# --- A first import -------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_import_creates_people_departments_and_reporting_lines():
    result = import_lines(
        HEADER,
        # The report comes before her manager: managers are resolved after all rows are read.
        "E3,Cy Report,Cy@Example.org,sales,Account Executive,4,E2,Paris,europe/paris,en | FR,,no",
        CHIEF,
        REPORT,
    )
    assert result.counts() == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "logins_disabled": 0,
        "skipped": 0,
        "invalid_rows": 0,
        "departments_created": 2,
        "departments_moved": 0,
        "errors": 0,
        "warnings": 0,
    }
    assert sorted(Department.objects.values_list("name", flat=True)) == ["Executive", "sales"]
    assert person_values("E1") == {
        "full_name": "Ann Boss",
        "email": "ann@example.org",
        "department": "Executive",
        "job_title": "Chief Executive",
        "level": 9,
        "manager": None,
        "location": "London",
        "time_zone": "Europe/London",
        "languages": ["en"],
        "hire_date": date(2010, 4, 1),
        "is_active": True,
    }
    assert person_values("E3") == {
        "full_name": "Cy Report",
        "email": "cy@example.org",
        "department": "sales",
        "job_title": "Account Executive",
        "level": 4,
        "manager": "E2",
        "location": "Paris",
        "time_zone": "Europe/Paris",
        "languages": ["en", "fr"],
        "hire_date": None,
        "is_active": False,
    }
    assert person_values("E2")["manager"] == "E1"
    event = AuditEvent.objects.get(action="people.import")
    assert event.actor is None
    assert event.details == {**result.counts(), "full_sync": False, "skip_invalid": False}


@pytest.mark.django_db
def test_existing_department_is_matched_regardless_of_case():
    sales = DepartmentFactory(name="Sales")
    import_lines("employee_id,department", "E1,SALES", "E2,sales ")
    assert Department.objects.count() == 1
    assert set(Person.objects.values_list("department", flat=True)) == {sales.pk}


# --- The department tree ------------------------------------------------------------------

TREE_HEADER = "employee_id,full_name,Department,Parent Department"
TREE = (
    TREE_HEADER,
    "E1,Ann Boss,Company,",
    "E2,Bob Seller,Sales,Company",
    "E3,Cy Builder,Engineering,company",
    "E4,Di Seller,Sales,COMPANY",
    "E5,Ed Seller,Sales EMEA,Sales",
)


def department_tree() -> dict[str, str | None]:
    return {
        department.name: department.parent.name if department.parent else None
        for department in Department.objects.select_related("parent")
    }


def test_suggest_columns_for_parent_departments():
    for header in ("Parent Department", "ParentDept", "Division", "parent_department"):
        columns = suggest_columns(headers=["Employee ID", "Department", header]).columns
        assert columns["parent_department"] == header


@pytest.mark.django_db
def test_parent_departments_build_the_department_tree():
    plan = plan_of(*TREE)
    assert plan.errors == []
    assert plan.new_departments == ["Company", "Engineering", "Sales", "Sales EMEA"]
    assert plan.department_moves == [
        DepartmentMove("Engineering", None, "Company"),
        DepartmentMove("Sales", None, "Company"),
        DepartmentMove("Sales EMEA", None, "Sales"),
    ]
    result = import_lines(*TREE)
    assert result.counts()["departments_created"] == 4
    assert result.counts()["departments_moved"] == 3
    assert department_tree() == {
        "Company": None,
        "Engineering": "Company",
        "Sales": "Company",
        "Sales EMEA": "Sales",
    }
    assert Person.objects.get(employee_id="E5").department.name == "Sales EMEA"


@pytest.mark.django_db
def test_parent_departments_are_matched_to_existing_departments_and_moved():
    company = DepartmentFactory(name="Company")
    DepartmentFactory(name="Engineering", parent=company)
    result = import_lines(
        TREE_HEADER, "E1,Ann Boss,engineering,Sales", "E2,Bob Seller,Sales,COMPANY"
    )
    assert result.plan.department_moves == [
        DepartmentMove("Engineering", "Company", "Sales"),
        DepartmentMove("Sales", None, "Company"),
    ]
    assert result.counts()["departments_created"] == 1
    assert department_tree() == {"Company": None, "Engineering": "Sales", "Sales": "Company"}


@pytest.mark.django_db
def test_importing_the_same_tree_twice_writes_nothing(django_assert_num_queries):
    import_lines(*TREE)
    lock = ["SELECT"] if connection.vendor == "postgresql" else []
    with django_assert_num_queries(5 + len(lock)) as captured:
        result = import_lines(*TREE)
    assert result.counts()["departments_created"] == 0
    assert result.counts()["departments_moved"] == 0
    assert result.counts()["unchanged"] == 5
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    assert statements == ["SAVEPOINT", *lock, "SELECT", "SELECT", "INSERT", "RELEASE"]
    assert department_tree() == {
        "Company": None,
        "Engineering": "Company",
        "Sales": "Company",
        "Sales EMEA": "Sales",
    }


@pytest.mark.django_db
def test_an_empty_parent_department_puts_the_department_at_the_top():
    company = DepartmentFactory(name="Company")
    DepartmentFactory(name="Sales", parent=company)
    result = import_lines(TREE_HEADER, "E1,Ann Boss,Sales,")
    assert result.plan.department_moves == [DepartmentMove("Sales", "Company", None)]
    assert department_tree() == {"Company": None, "Sales": None}


@pytest.mark.django_db
def test_rows_that_disagree_about_a_parent_are_errors():
    lines = (
        TREE_HEADER,
        "E1,Ann Boss,Sales,Commercial",
        "E2,Bob Seller,sales,Revenue",
        "E3,Cy Seller,Sales,commercial",
        "E4,Di Seller,Sales,",
        "E5,Ed Builder,Engineering,Company",
    )
    disagreement = (
        "Rows disagree about the parent of department “Sales”: “Commercial” (rows 2, 4), "
        "“Revenue” (row 3), no parent (row 5)."
    )
    plan = plan_of(*lines)
    assert messages(plan) == [
        f'Row {row}, column "Parent Department": {disagreement}' for row in (2, 3, 4, 5)
    ]
    with pytest.raises(ImportInvalidError):
        import_lines(*lines)
    assert Department.objects.count() == 0
    result = import_lines(*lines, skip_invalid=True)
    assert result.counts()["skipped"] == 4
    assert department_tree() == {"Company": None, "Engineering": "Company"}


@pytest.mark.django_db
def test_a_parent_that_makes_a_loop_is_an_error():
    company = DepartmentFactory(name="Company")
    DepartmentFactory(name="Sales", parent=company)
    lines = (
        TREE_HEADER,
        "E1,Ann Boss,Company,Sales",
        "E2,Bob Builder,Engineering,Research",
        "E3,Cy Researcher,Research,Engineering",
        "E4,Di Seller,Marketing,Marketing",
    )
    plan = plan_of(*lines)
    assert messages(plan) == [
        'Row 2, column "Parent Department": The department tree loops: Company → Sales → Company.',
        'Row 3, column "Parent Department": The department tree loops: '
        "Engineering → Research → Engineering.",
        'Row 4, column "Parent Department": The department tree loops: '
        "Research → Engineering → Research.",
        'Row 5, column "Parent Department": Department “Marketing” can\'t be its own parent.',
    ]
    with pytest.raises(ImportInvalidError):
        import_lines(*lines)
    assert department_tree() == {"Company": None, "Sales": "Company"}


@pytest.mark.django_db
def test_skipping_a_row_can_make_a_department_loop():
    DepartmentFactory(name="Sales", parent=DepartmentFactory(name="Company"))
    lines = (
        TREE_HEADER,
        "E1,,Sales,",
        "E2,Bob Boss,Company,Sales",
    )
    plan = plan_of(*lines, skip_invalid=True)
    assert messages(plan) == [
        'Row 2, column "full_name": The full name is empty.',
        'Row 3, column "Parent Department": The department tree loops: Company → Sales → Company.',
    ]
    assert plan.department_moves == []


@pytest.mark.django_db
def test_a_parent_department_without_a_department_is_an_error():
    plan = plan_of(TREE_HEADER, "E1,Ann Boss,,Company")
    assert messages(plan) == [
        'Row 2, column "Parent Department": The parent department “Company” needs a '
        "department on the row."
    ]


def test_a_parent_department_column_needs_a_department():
    mapping = ColumnMapping(columns={"employee_id": "Id", "parent_department": "Division"})
    problems = mapping_problems(headers=["Id", "Division"], mapping=mapping)
    assert [(problem.field, problem.message) for problem in problems] == [
        (
            "parent_department",
            "Choose the column that holds the department too: the parent department is the "
            "parent of the row's department.",
        )
    ]


@pytest.mark.django_db
def test_without_a_parent_department_column_parents_are_left_alone():
    company = DepartmentFactory(name="Company")
    DepartmentFactory(name="Sales", parent=company)
    table = table_of(*TREE)
    mapping = suggest_columns(headers=table.headers)
    columns = dict(mapping.columns)
    del columns["parent_department"]
    result = import_lines(*TREE, mapping=ColumnMapping(columns=columns))
    assert result.counts()["departments_moved"] == 0
    assert result.counts()["departments_created"] == 2
    assert department_tree() == {
        "Company": None,
        "Engineering": None,
        "Sales": "Company",
        "Sales EMEA": None,
    }
    result = import_lines("employee_id,department", "E1,Sales")
    assert result.counts()["departments_moved"] == 0
    assert department_tree()["Sales"] == "Company"


@pytest.mark.django_db
def test_defaults_for_fields_not_in_the_file(settings):
    settings.CADRE_DEFAULT_TIME_ZONE = "Europe/Berlin"
    settings.CADRE_DEFAULT_LANGUAGE = "de"
    import_lines("employee_id", "1001")
    assert person_values("1001") == {
        "full_name": "Employee 1001",
        "email": "",
        "department": None,
        "job_title": "",
        "level": None,
        "manager": None,
        "location": "",
        "time_zone": "Europe/Berlin",
        "languages": ["de"],
        "hire_date": None,
        "is_active": True,
    }


@pytest.mark.django_db
def test_mapping_defaults_fill_empty_cells_and_missing_columns():
    mapping = ColumnMapping(
        columns={"employee_id": "Id", "location": "Office"},
        defaults={"location": "Remote", "level": "2", "languages": "en, es"},
    )
    import_lines("Id,Office", "1,Lisbon", "2,", mapping=mapping)
    assert Person.objects.get(employee_id="1").location == "Lisbon"
    second = Person.objects.get(employee_id="2")
    assert (second.location, second.level, second.languages) == ("Remote", 2, ["en", "es"])


@pytest.mark.django_db
def test_empty_cells_in_mapped_columns(settings):
    import_lines(
        "employee_id,full_name,time_zone,languages,active,level",
        "E1,Ann,,,,",
    )
    person = Person.objects.get()
    assert (person.time_zone, person.languages, person.is_active, person.level) == (
        settings.CADRE_DEFAULT_TIME_ZONE,
        [settings.CADRE_DEFAULT_LANGUAGE],
        True,
        None,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-05", date(2020, 1, 5)),
        ("2020-01-05 00:00:00", date(2020, 1, 5)),
        ("2020-01-05T08:30:00", date(2020, 1, 5)),
        ("2020/01/05", date(2020, 1, 5)),
        ("05.01.2020", date(2020, 1, 5)),
        ("5 Jan 2020", date(2020, 1, 5)),
        ("05-Jan-2020", date(2020, 1, 5)),
        ("5 January 2020", date(2020, 1, 5)),
        ("Jan 5, 2020", date(2020, 1, 5)),
        ("January 5, 2020", date(2020, 1, 5)),
    ],
)
@pytest.mark.django_db
def test_accepted_date_formats(text, expected):
    plan = plan_of("employee_id,hire_date", f'E1,"{text}"')
    assert plan.errors == []
    assert plan.create_rows[0].hire_date == expected


@pytest.mark.django_db
def test_tenure_sets_hire_date_and_stays_put_on_later_days():
    mapping = ColumnMapping(columns={"employee_id": "Id", "tenure_years": "YearsAtCompany"})
    import_lines("Id,YearsAtCompany", "1,10", "2,0", "3,2.5", mapping=mapping)
    assert dict(Person.objects.values_list("employee_id", "hire_date")) == {
        "1": date(2016, 3, 15),
        "2": date(2026, 3, 15),
        "3": date(2023, 9, 14),
    }
    # Months later the same export still says 10, 0 and 2 whole years: nothing changes.
    later = import_lines(
        "Id,YearsAtCompany", "1,10", "2,0", "3,2.5", mapping=mapping, today=date(2026, 9, 1)
    )
    assert later.counts()["unchanged"] == 3
    # A year on, a stale figure moves the date.
    next_year = import_lines(
        "Id,YearsAtCompany", "1,10", "2,1", "3,3", mapping=mapping, today=date(2027, 3, 20)
    )
    assert next_year.plan.updates == [
        PersonChange(2, "1", "Employee 1", (FieldChange("hire_date", "2016-03-15", "2017-03-20"),))
    ]


@pytest.mark.django_db
def test_hire_date_column_wins_over_tenure():
    import_lines("employee_id,hire_date,tenure_years", "E1,2001-02-03,3")
    assert Person.objects.get().hire_date == date(2001, 2, 3)


# --- Errors: every kind names the row, the column and the problem ---------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "E2,Bob,bob@,Sales,Rep,3,E1,,,,,",
            'Row 3, column "email": “bob@” is not a valid e-mail address.',
        ),
        (
            "E2,Bob,,Sales,Rep,senior,E1,,,,,",
            'Row 3, column "level": “senior” is not a whole number.',
        ),
        (
            "E2,Bob,,Sales,Rep,3.5,E1,,,,,",
            'Row 3, column "level": “3.5” is not a whole number.',
        ),
        (
            "E2,Bob,,Sales,Rep,120,E1,,,,,",
            'Row 3, column "level": Level 120 is not between 1 and 99.',
        ),
        ("E2,Bob,,Sales,Rep,0,E1,,,,,", 'Row 3, column "level": Level 0 is not between 1 and 99.'),
        (
            "E2,Bob,,Sales,Rep,3,E9,,,,,",
            'Row 3, column "manager_employee_id": Manager “E9” is neither in the file nor '
            "in Cadre.",
        ),
        (
            "E2,Bob,,Sales,Rep,3,E2,,,,,",
            'Row 3, column "manager_employee_id": A person can\'t be their own manager.',
        ),
        (
            "E2,Bob,,Sales,Rep,3,E1,,Mars/Olympus,,,",
            'Row 3, column "time_zone": “Mars/Olympus” is not a time zone; use an IANA name '
            "such as Europe/London.",
        ),
        (
            "E2,Bob,,Sales,Rep,3,E1,,,English,,",
            'Row 3, column "languages": “English” is not a language code such as en, fr or pt-BR.',
        ),
        (
            "E2,Bob,,Sales,Rep,3,E1,,,,2020-02-30,",
            'Row 3, column "hire_date": “2020-02-30” is not a date that exists.',
        ),
        (
            "E2,Bob,,Sales,Rep,3,E1,,,,03/04/2020,",
            'Row 3, column "hire_date": “03/04/2020” could be day/month or month/day; '
            "write dates as YYYY-MM-DD.",
        ),
        (
            "E2,Bob,,Sales,Rep,3,E1,,,,next week,",
            'Row 3, column "hire_date": “next week” is not a date; write dates as YYYY-MM-DD.',
        ),
        (
            "E2,Bob,,Sales,Rep,3,E1,,,,1850-01-01,",
            'Row 3, column "hire_date": “1850-01-01” is not a plausible hire date.',
        ),
        (
            "E2,Bob,,Sales,Rep,3,E1,,,,,maybe",
            'Row 3, column "active": “maybe” is not yes or no (use yes/no, true/false, 1/0 or '
            "active/inactive).",
        ),
        (",Bob,,Sales,Rep,3,E1,,,,,", 'Row 3, column "employee_id": The employee id is empty.'),
        ("E2,,,Sales,Rep,3,E1,,,,,", 'Row 3, column "full_name": The full name is empty.'),
        (
            "E2,Bob,,Sales," + "x" * 201 + ",3,E1,,,,,",
            'Row 3, column "job_title": “xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…” is longer '
            "than 200 characters.",
        ),
    ],
)
@pytest.mark.django_db
def test_row_errors(row, expected):
    plan = plan_of(HEADER, CHIEF, row)
    assert messages(plan) == [expected]
    assert plan.can_apply is False


@pytest.mark.django_db
def test_errors_name_the_files_own_column():
    mapping = ColumnMapping(columns={"employee_id": "Staff No", "email": "Work E-mail"})
    plan = plan_of("Staff No,Work E-mail", "7,seven@", mapping=mapping)
    assert messages(plan) == [
        'Row 2, column "Work E-mail": “seven@” is not a valid e-mail address.'
    ]


@pytest.mark.django_db
def test_one_row_can_have_several_errors():
    plan = plan_of(HEADER, "E2,Bob,bob@,Sales,Rep,high,,,Nowhere,,,")
    assert messages(plan) == [
        'Row 2, column "email": “bob@” is not a valid e-mail address.',
        'Row 2, column "level": “high” is not a whole number.',
        'Row 2, column "time_zone": “Nowhere” is not a time zone; use an IANA name such as '
        "Europe/London.",
    ]
    assert plan.skipped_rows == 1


@pytest.mark.django_db
def test_duplicate_employee_ids_in_the_file():
    plan = plan_of("employee_id,full_name", "E1,Ann", "E2,Bob", "E1,Annie")
    assert messages(plan) == [
        'Row 2, column "employee_id": Employee id “E1” appears more than once in the file '
        "(rows 2, 4).",
        'Row 4, column "employee_id": Employee id “E1” appears more than once in the file '
        "(rows 2, 4).",
    ]


@pytest.mark.django_db
def test_duplicate_emails_in_the_file_regardless_of_case():
    plan = plan_of("employee_id,email", "E1,ann@example.org", "E2,ANN@example.org")
    assert messages(plan) == [
        'Row 2, column "email": E-mail “ann@example.org” appears more than once in the file '
        "(rows 2, 3).",
        'Row 3, column "email": E-mail “ann@example.org” appears more than once in the file '
        "(rows 2, 3).",
    ]


@pytest.mark.django_db
def test_email_of_someone_not_in_the_file():
    PersonFactory(employee_id="X1", full_name="Tia Taken", email="Taken@example.org")
    plan = plan_of("employee_id,email", "E1,taken@example.org")
    assert messages(plan) == [
        'Row 2, column "email": E-mail “taken@example.org” already belongs to X1 (Tia Taken), '
        "who is not in the file."
    ]


@pytest.mark.django_db
def test_manager_already_in_cadre_is_fine():
    PersonFactory(employee_id="X1")
    import_lines("employee_id,manager_employee_id", "E1,X1")
    assert Person.objects.get(employee_id="E1").manager.employee_id == "X1"


@pytest.mark.django_db
def test_reporting_line_loops_in_the_file():
    plan = plan_of("employee_id,manager_employee_id", "E1,E2", "E2,E3", "E3,E1", "E4,E1", "E5,")
    assert messages(plan) == [
        'Row 2, column "manager_employee_id": The reporting line loops: E1 → E2 → E3 → E1.',
        'Row 3, column "manager_employee_id": The reporting line loops: E2 → E3 → E1 → E2.',
        'Row 4, column "manager_employee_id": The reporting line loops: E3 → E1 → E2 → E3.',
    ]


@pytest.mark.django_db
def test_reporting_line_loops_through_someone_in_cadre():
    boss = PersonFactory(employee_id="B1")
    PersonFactory(employee_id="A1", manager=boss)
    plan = plan_of("employee_id,manager_employee_id", "B1,A1")
    assert messages(plan) == [
        'Row 2, column "manager_employee_id": The reporting line loops: B1 → A1 → B1.'
    ]


@pytest.mark.django_db
def test_long_loops_are_shortened():
    lines = [f"E{number},E{number % 10 + 1}" for number in range(1, 11)]
    plan = plan_of("employee_id,manager_employee_id", *lines)
    assert str(plan.errors[0]) == (
        'Row 2, column "manager_employee_id": The reporting line loops: '
        "E1 → E2 → E3 → E4 → E5 → E6 → … → E1 (10 people)."
    )


# --- All or nothing, or skip the invalid rows ----------------------------------------------


@pytest.mark.django_db
def test_nothing_is_written_when_one_row_is_bad():
    PersonFactory(employee_id="E1", full_name="Old Name")
    before = list(Person.objects.values_list("employee_id", "full_name", "updated_at"))
    with pytest.raises(ImportInvalidError) as error:
        import_lines(HEADER, CHIEF, REPORT, "E3,Cy,cy@example.org,Sales,Rep,3,E1,,Nowhere,,,")
    assert str(error.value) == "1 row has errors; nothing was imported."
    assert messages(error.value.plan) == [
        'Row 4, column "time_zone": “Nowhere” is not a time zone; use an IANA name such as '
        "Europe/London."
    ]
    assert list(Person.objects.values_list("employee_id", "full_name", "updated_at")) == before
    assert not Department.objects.filter(name__in=["Executive", "Sales"]).exists()
    assert not AuditEvent.objects.filter(action="people.import").exists()


@pytest.mark.django_db
def test_skip_invalid_imports_the_valid_rows_and_reports_the_others():
    result = import_lines(
        HEADER,
        CHIEF,
        "E2,Bob,bob@,Sales,Rep,3,E1,,,,,",
        "E3,Cy,cy@example.org,Sales,Rep,3,E1,,,,,",
        skip_invalid=True,
    )
    assert sorted(Person.objects.values_list("employee_id", flat=True)) == ["E1", "E3"]
    assert result.counts()["created"] == 2
    assert result.counts()["skipped"] == 1
    assert [str(issue) for issue in result.issues] == [
        'Row 3, column "email": “bob@” is not a valid e-mail address.'
    ]
    event = AuditEvent.objects.get(action="people.import")
    assert (event.details["created"], event.details["skipped"]) == (2, 1)


@pytest.mark.django_db
def test_skipped_new_manager_leaves_reports_without_a_manager():
    PersonFactory(
        employee_id="E4", full_name="Dee Existing", manager=PersonFactory(employee_id="E1")
    )
    result = import_lines(
        "employee_id,full_name,level,manager_employee_id",
        "E1,Ann,9,",
        "E2,Bob,high,E1",
        "E3,Cy,3,E2",
        "E4,Dee Existing,3,E2",
        skip_invalid=True,
    )
    assert [str(issue) for issue in result.issues] == [
        'Row 3, column "level": “high” is not a whole number.',
        'Row 4, column "manager_employee_id": Manager “E2” is on row 3, which is skipped; '
        "this person is imported without a manager.",
        'Row 5, column "manager_employee_id": Manager “E2” is on row 3, which is skipped; '
        "this person keeps their current manager.",
    ]
    assert [issue.severity for issue in result.issues] == ["error", "warning", "warning"]
    assert Person.objects.get(employee_id="E3").manager is None
    assert Person.objects.get(employee_id="E4").manager.employee_id == "E1"


@pytest.mark.django_db
def test_skipping_a_row_can_invalidate_another_through_its_email():
    PersonFactory(employee_id="P1", full_name="Pat One", email="shared@example.org")
    lines = (
        "employee_id,email,level",
        "P1,pat@example.org,high",
        "N1,shared@example.org,3",
        "N2,other@example.org,3",
    )
    # All or nothing: only the row's own error, since nothing would be skipped.
    assert messages(plan_of(*lines)) == ['Row 2, column "level": “high” is not a whole number.']
    # Skipping row 2 keeps P1's e-mail, so row 3 can't have it.
    result = import_lines(*lines, skip_invalid=True)
    assert [str(issue) for issue in result.issues] == [
        'Row 2, column "level": “high” is not a whole number.',
        'Row 3, column "email": E-mail “shared@example.org” still belongs to P1 (Pat One), '
        "whose row 2 is skipped.",
    ]
    assert result.counts()["skipped"] == 2
    assert sorted(Person.objects.values_list("employee_id", flat=True)) == ["N2", "P1"]


@pytest.mark.django_db
def test_skipping_a_row_can_close_a_loop():
    boss = PersonFactory(employee_id="B1")
    PersonFactory(employee_id="A1", manager=boss)
    lines = ("employee_id,manager_employee_id,level", "A1,,high", "B1,A1,3")
    assert messages(plan_of(*lines)) == ['Row 2, column "level": “high” is not a whole number.']
    plan = plan_of(*lines, skip_invalid=True)
    assert messages(plan) == [
        'Row 2, column "level": “high” is not a whole number.',
        'Row 3, column "manager_employee_id": The reporting line loops: B1 → A1 → B1.',
    ]
    assert plan.skipped_rows == 2


# --- Updates, idempotence and full sync ------------------------------------------------------


@pytest.mark.django_db
def test_importing_the_same_file_twice_writes_nothing(django_assert_num_queries):
    lines = (HEADER, CHIEF, REPORT)
    import_lines(*lines)
    before = list(Person.objects.order_by("pk").values_list("pk", "updated_at"))
    # PostgreSQL takes the import lock with a SELECT; SQLite's transactions take it.
    lock = ["SELECT"] if connection.vendor == "postgresql" else []
    with django_assert_num_queries(5 + len(lock)) as captured:
        result = import_lines(*lines)
    assert result.counts() == {
        "rows": 2,
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "deactivated": 0,
        "logins_disabled": 0,
        "skipped": 0,
        "invalid_rows": 0,
        "departments_created": 0,
        "departments_moved": 0,
        "errors": 0,
        "warnings": 0,
    }
    # Two reads (people, departments) in a savepoint; the only INSERT is the audit event.
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    assert statements == ["SAVEPOINT", *lock, "SELECT", "SELECT", "INSERT", "RELEASE"]
    assert 'INSERT INTO "accounts_auditevent"' in captured.captured_queries[-2]["sql"]
    assert list(Person.objects.order_by("pk").values_list("pk", "updated_at")) == before


@pytest.mark.django_db
def test_update_writes_only_the_changed_people_and_fields():
    import_lines(HEADER, CHIEF, REPORT)
    untouched = Person.objects.get(employee_id="E1").updated_at
    plan = plan_of(
        HEADER,
        CHIEF,
        "E2,Bob Report,bob@example.org,Marketing,Head of Accounts,5,E1,Paris,Europe/Paris,fr;en,"
        "2019-09-02,yes",
    )
    assert plan.updates == [
        PersonChange(
            3,
            "E2",
            "Bob Report",
            (
                FieldChange("job_title", "Account Executive", "Head of Accounts"),
                FieldChange("level", "4", "5"),
                FieldChange("department", "Sales", "Marketing"),
            ),
        )
    ]
    assert plan.unchanged == [PersonChange(2, "E1", "Ann Boss")]
    assert plan.new_departments == ["Marketing"]
    import_lines(
        HEADER,
        CHIEF,
        "E2,Bob Report,bob@example.org,Marketing,Head of Accounts,5,E1,Paris,Europe/Paris,fr;en,"
        "2019-09-02,yes",
    )
    bob = person_values("E2")
    assert (bob["department"], bob["job_title"], bob["level"]) == (
        "Marketing",
        "Head of Accounts",
        5,
    )
    assert Person.objects.get(employee_id="E1").updated_at == untouched
    assert Person.objects.get(employee_id="E2").updated_at > untouched


@pytest.mark.django_db
def test_manager_change_to_someone_new():
    import_lines(HEADER, CHIEF, REPORT)
    import_lines("employee_id,full_name,manager_employee_id", "E9,Nia New,E1", "E2,Bob Report,E9")
    assert person_values("E2")["manager"] == "E9"
    assert person_values("E9")["manager"] == "E1"


@pytest.mark.django_db
def test_columns_not_in_the_file_are_left_alone_on_update():
    PersonFactory(
        employee_id="E1",
        full_name="Ann Boss",
        email="ann@example.org",
        time_zone="Asia/Tokyo",
        languages=["ja"],
        job_title="Chief Executive",
    )
    result = import_lines("employee_id,job_title", "E1,Chair")
    assert result.plan.updates[0].changes == (FieldChange("job_title", "Chief Executive", "Chair"),)
    person = Person.objects.get()
    assert (person.full_name, person.email, person.time_zone, person.languages) == (
        "Ann Boss",
        "ann@example.org",
        "Asia/Tokyo",
        ["ja"],
    )


@pytest.mark.django_db
def test_people_can_swap_emails():
    PersonFactory(employee_id="E1", email="first@example.org")
    PersonFactory(employee_id="E2", email="second@example.org")
    import_lines("employee_id,email", "E1,second@example.org", "E2,first@example.org")
    assert dict(Person.objects.values_list("employee_id", "email")) == {
        "E1": "second@example.org",
        "E2": "first@example.org",
    }


@pytest.mark.django_db
def test_full_sync_deactivates_people_missing_from_the_file():
    PersonFactory(employee_id="G1", full_name="Gone Person")
    PersonFactory(employee_id="G2", is_active=False)
    PersonFactory(
        employee_id="E2",
        full_name="Bob Report",
        is_active=False,
        department=DepartmentFactory(name="Field Sales"),
    )
    plan = plan_of(HEADER, CHIEF, REPORT, full_sync=True)
    assert plan.deactivations == [
        PersonChange(0, "G1", "Gone Person", (FieldChange("active", "yes", "no"),))
    ]
    assert plan.updates[0].changes == (
        FieldChange("email", "e2@example.org", "bob@example.org"),
        FieldChange("job_title", "Manager", "Account Executive"),
        FieldChange("level", "3", "4"),
        FieldChange("location", "", "Paris"),
        FieldChange("time_zone", "Europe/London", "Europe/Paris"),
        FieldChange("languages", "en", "fr, en"),
        FieldChange("active", "no", "yes"),
        FieldChange("department", "Field Sales", "Sales"),
        FieldChange("hire_date", "", "2019-09-02"),
        FieldChange("manager", "", "E1"),
    )
    result = import_lines(HEADER, CHIEF, REPORT, full_sync=True)
    assert result.counts()["deactivated"] == 1
    assert dict(Person.objects.values_list("employee_id", "is_active")) == {
        "G1": False,
        "G2": False,
        "E1": True,
        "E2": True,
    }


@pytest.mark.django_db
def test_without_full_sync_missing_people_stay_active():
    PersonFactory(employee_id="G1")
    result = import_lines(HEADER, CHIEF)
    assert result.counts()["deactivated"] == 0
    assert Person.objects.get(employee_id="G1").is_active


@pytest.mark.django_db
def test_full_sync_keeps_people_whose_row_is_skipped():
    PersonFactory(employee_id="E2", full_name="Bob Report")
    result = import_lines(
        HEADER, CHIEF, "E2,Bob Report,bob@,Sales,Rep,3,E1,,,,,", full_sync=True, skip_invalid=True
    )
    assert result.counts()["deactivated"] == 0
    assert Person.objects.get(employee_id="E2").is_active


# --- A real export with foreign headers ------------------------------------------------------


IBM_MAPPING = ColumnMapping(
    columns={
        "employee_id": "EmployeeNumber",
        "department": "Department",
        "job_title": "JobRole",
        "level": "JobLevel",
        "tenure_years": "YearsAtCompany",
        "left": "Attrition",
    },
    defaults={"location": "Houston", "time_zone": "America/Chicago"},
)


@pytest.mark.django_db
def test_ibm_export_with_a_mapping():
    """The slice holds the first 34 people of IBM's sample and 5 who left (Attrition=1)."""
    content = (FILES / "ibm-hr-sample.csv").read_bytes()
    table = read_table(content=content, filename="ibm-hr-sample.csv")
    mapping = suggest_columns(headers=table.headers)
    assert mapping.columns == IBM_MAPPING.columns
    result = apply_import(table=table, mapping=IBM_MAPPING, actor=None, today=TODAY)
    assert result.counts()["created"] == 39
    assert sorted(Department.objects.values_list("name", flat=True)) == [
        "Research & Development",
        "Sales",
    ]
    assert person_values("2") == {
        "full_name": "Employee 2",
        "email": "",
        "department": "Research & Development",
        "job_title": "Research Scientist",
        "level": 2,
        "manager": None,
        "location": "Houston",
        "time_zone": "America/Chicago",
        "languages": ["en"],
        "hire_date": date(2016, 3, 15),
        "is_active": True,
    }
    assert sorted(
        Person.objects.filter(is_active=False).values_list("employee_id", flat=True), key=int
    ) == ["1", "4", "19", "27", "31"]
    again = apply_import(table=table, mapping=IBM_MAPPING, actor=None, today=date(2026, 3, 16))
    assert again.counts()["unchanged"] == 39


# --- Import runs --------------------------------------------------------------------------------


def queued_run(admin, text: str) -> ImportRun:
    run = import_run_create(content=text.encode(), filename="export.csv", actor=admin.user)
    table = read_table(content=text.encode(), filename="export.csv")
    import_run_configure(
        run=run,
        mapping=suggest_columns(headers=table.headers),
        full_sync=False,
        skip_invalid=False,
        actor=admin.user,
    )
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.QUEUED, confirmed_by=admin.user, confirmed_at=timezone.now()
    )
    return run


@pytest.mark.django_db
def test_a_queued_run_is_executed_once(admin):
    run = queued_run(admin, "\n".join((HEADER, CHIEF, REPORT)))
    assert import_run_execute(run_id=run.pk)["created"] == 2
    assert import_run_execute(run_id=run.pk) == {}
    run.refresh_from_db()
    assert (run.status, run.rows_done, run.rows_total) == (ImportRun.Status.SUCCEEDED, 2, 2)
    assert run.summary == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "logins_disabled": 0,
        "skipped": 0,
        "invalid_rows": 0,
        "departments_created": 2,
        "departments_moved": 0,
        "errors": 0,
        "warnings": 0,
        "issues_total": 0,
    }
    event = AuditEvent.objects.get(action="people.import")
    assert (event.actor, event.target_id) == (admin.user, str(run.pk))


@pytest.mark.django_db
def test_a_run_with_invalid_rows_fails_and_keeps_its_errors(admin):
    run = queued_run(admin, "\n".join((HEADER, CHIEF, "E2,Bob,bob@,Sales,Rep,3,E1,,,,,")))
    assert import_run_execute(run_id=run.pk) == {}
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert [str(issue) for issue in import_run_issues(run=run)] == [
        'Row 3, column "email": “bob@” is not a valid e-mail address.'
    ]
    assert not Person.objects.filter(employee_id="E1").exists()
    assert not AuditEvent.objects.filter(action="people.import").exists()


@pytest.mark.django_db
def test_configuring_a_confirmed_run_is_refused(admin):
    run = queued_run(admin, "\n".join((HEADER, CHIEF)))
    with pytest.raises(ImportRunStateError) as error:
        import_run_configure(
            run=run, mapping=ColumnMapping(), full_sync=True, skip_invalid=False, actor=admin.user
        )
    assert str(error.value) == "This import has already been confirmed."


@pytest.mark.django_db
def test_hire_date_default_fills_rows_without_tenure():
    mapping = ColumnMapping(
        columns={"employee_id": "Id", "tenure_years": "Years"}, defaults={"hire_date": "2001-01-01"}
    )
    import_lines("Id,Years", "1,5", "2,", mapping=mapping)
    assert dict(Person.objects.values_list("employee_id", "hire_date")) == {
        "1": date(2021, 3, 15),
        "2": date(2001, 1, 1),
    }


# --- Logins of deactivated people ------------------------------------------------------------


@pytest.mark.django_db
def test_deactivating_people_disables_their_logins_once_with_an_audit_event(admin):
    leaver = PersonFactory(employee_id="E7", user=UserFactory(email="leaver@example.org"))
    PersonFactory(employee_id="E8")  # no login
    returning = PersonFactory(employee_id="E9", user=UserFactory(email="gone@example.org"))
    # Someone who left earlier, whose login was disabled then.
    User.objects.filter(pk=returning.user_id).update(is_active=False)
    Person.objects.filter(pk=returning.pk).update(is_active=False)
    lines = (
        "employee_id,full_name,active",
        "E1,Ann Boss,yes",
        f"{admin.person.employee_id},Ada Admin,no",
        "E9,Back Again,yes",
    )
    plan = plan_of(*lines, full_sync=True)
    # E7 and E8 are missing (the full sync deactivates them), the admin's row says "no".
    assert (plan.counts()["deactivated"], plan.counts()["updated"]) == (2, 2)
    assert sorted(plan.logins_disabled) == sorted(
        [(admin.user.pk, admin.person.employee_id), (leaver.user_id, "E7")]
    )
    assert plan.counts()["logins_disabled"] == 2

    result = import_lines(*lines, full_sync=True)

    assert result.counts()["logins_disabled"] == 2
    assert dict(User.objects.values_list("email", "is_active")) == {
        "admin@example.org": False,
        "leaver@example.org": False,
        "gone@example.org": False,
    }
    events = AuditEvent.objects.filter(action="accounts.user_deactivate").order_by("target_id")
    assert sorted((event.target_label, event.details["person"]) for event in events) == sorted(
        [(str(admin.user), admin.person.employee_id), (str(leaver.user), "E7")]
    )
    assert {event.details["reason"] for event in events} == {"hris_import"}
    # The person who came back is active again; their login stays disabled.
    assert Person.objects.get(employee_id="E9").is_active
    # Importing again changes no login and writes no more events.
    assert import_lines(*lines, full_sync=True).counts()["logins_disabled"] == 0
    assert AuditEvent.objects.filter(action="accounts.user_deactivate").count() == 2


@pytest.mark.django_db
def test_a_disabled_login_loses_its_session(coach):
    assert coach.client.get("/").status_code == 200
    import_lines("employee_id,full_name,active", f"{coach.person.employee_id},Cora Coach,no")
    response = coach.client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(django_settings.LOGIN_URL)}?next=/"


# --- Concurrent imports ------------------------------------------------------------------------


def _import_in_thread(lines: tuple[str, ...], full_sync: bool, failures: list[BaseException]):
    try:
        import_lines(*lines, full_sync=full_sync)
    except BaseException as error:  # reported by the test
        failures.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_end_as_if_one_ran_after_the_other():
    """Each import plans from what the other committed: nobody is created twice, and the full
    sync of one never deactivates the people the other inserted, whatever the order.

    On SQLite the imports rely on every transaction starting with BEGIN IMMEDIATE (the
    settings), which serialises all writers: that is what is checked there. The test database
    is then an in-memory one with a shared cache, whose table locks fail at once instead of
    waiting, so threads can't run imports side by side on it as they can on a database file.
    """
    if connection.vendor == "sqlite":
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert connection.settings_dict["OPTIONS"]["timeout"] >= 20
        return
    first = ("employee_id,full_name", *(f"A{n},Person A{n}" for n in range(300)), "S1,Shared")
    second = ("employee_id,full_name", *(f"B{n},Person B{n}" for n in range(300)), "S1,Shared")
    failures: list[BaseException] = []
    threads = [
        threading.Thread(target=_import_in_thread, args=(first, False, failures)),
        threading.Thread(target=_import_in_thread, args=(second, True, failures)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Person.objects.count() == 601
    active = set(Person.objects.filter(is_active=True).values_list("employee_id", flat=True))
    # Sequentially: the full sync ran first (everyone in `first` active) or last (only the
    # people of `second`, S1 included, active).
    assert active in (
        {f"A{n}" for n in range(300)} | {f"B{n}" for n in range(300)} | {"S1"},
        {f"B{n}" for n in range(300)} | {"S1"},
    )
    assert AuditEvent.objects.filter(action="people.import").count() == 2


# --- Run files, stuck and abandoned runs --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("valid", [True, False])
def test_a_finished_run_deletes_its_file_and_keeps_its_outcome(admin, valid):
    rows = (HEADER, CHIEF, REPORT if valid else "E2,Bob,bob@,Sales,Rep,3,E1,,,,,")
    run = queued_run(admin, "\n".join(rows))
    name = run.file.name
    assert default_storage.exists(name)
    import_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.file.name) == (
        ImportRun.Status.SUCCEEDED if valid else ImportRun.Status.FAILED,
        "",
    )
    assert not default_storage.exists(name)
    assert run.summary["rows"] == 2
    assert run.summary["created"] == (2 if valid else 1)


@pytest.mark.django_db
def test_the_worker_reads_the_organisation_once(admin):
    run = queued_run(admin, "\n".join((HEADER, CHIEF, REPORT)))
    with CaptureQueriesContext(connection) as captured:
        import_run_execute(run_id=run.pk)
    everyone = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and '"people_person"."time_zone"' in query["sql"]
    ]
    assert len(everyone) == 1


@pytest.mark.parametrize(
    ("status", "since", "message"),
    [
        (  # its worker stopped
            ImportRun.Status.RUNNING,
            "progress_at",
            "The import stopped without finishing, probably because its worker was restarted; "
            "nothing was written. Upload the file again to import it.",
        ),
        (  # no worker took it
            ImportRun.Status.QUEUED,
            "confirmed_at",
            "No worker picked the import up within 2 hours of its confirmation, so nothing was "
            "written. Make sure a task worker (cadre db_worker) runs, then upload the file again.",
        ),
    ],
)
@pytest.mark.django_db
def test_a_run_stuck_for_two_hours_is_failed(admin, status, since, message):
    run = queued_run(admin, "\n".join((HEADER, CHIEF)))
    name = run.file.name
    then = timezone.now() - timedelta(hours=3)
    ImportRun.objects.filter(pk=run.pk).update(status=status, **{since: then})
    run.refresh_from_db()
    assert import_run_fail_if_stuck(run=run, now=then + timedelta(hours=1)).status == status
    run = import_run_fail_if_stuck(run=run)
    assert run.status == ImportRun.Status.FAILED
    assert [str(issue.message) for issue in import_run_issues(run=run)] == [message]
    assert (run.file.name, default_storage.exists(name)) == ("", False)
    # A worker that turns up late finds nothing to do.
    assert import_run_execute(run_id=run.pk) == {}
    assert not Person.objects.filter(employee_id="E1").exists()


@pytest.mark.django_db
def test_prune_fails_stuck_and_abandoned_runs_and_deletes_leftover_files(admin):
    now = timezone.now()
    fresh = import_run_create(content=b"employee_id\nE1\n", filename="a.csv", actor=admin.user)
    old = import_run_create(content=b"employee_id\nE1\n", filename="b.csv", actor=admin.user)
    stuck = import_run_create(content=b"employee_id\nE1\n", filename="c.csv", actor=admin.user)
    done = import_run_create(content=b"employee_id\nE1\n", filename="d.csv", actor=admin.user)
    unpicked = import_run_create(content=b"employee_id\nE1\n", filename="e.csv", actor=admin.user)
    waiting = import_run_create(content=b"employee_id\nE1\n", filename="f.csv", actor=admin.user)
    ImportRun.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=8))
    ImportRun.objects.filter(pk=stuck.pk).update(
        status=ImportRun.Status.RUNNING, progress_at=now - timedelta(hours=3)
    )
    ImportRun.objects.filter(pk=unpicked.pk).update(
        status=ImportRun.Status.QUEUED, confirmed_at=now - timedelta(hours=3)
    )
    ImportRun.objects.filter(pk=waiting.pk).update(
        status=ImportRun.Status.QUEUED, confirmed_at=now - timedelta(minutes=10)
    )
    # Finished before files were deleted on finishing.
    ImportRun.objects.filter(pk=done.pk).update(
        status=ImportRun.Status.SUCCEEDED, summary={"created": 1}
    )
    names = {run.pk: run.file.name for run in (fresh, old, stuck, done, unpicked, waiting)}

    result = import_runs_prune(now=now)

    assert (result.stuck, result.abandoned, result.files_deleted) == (2, 1, 4)
    after = {run.pk: run for run in ImportRun.objects.all()}
    assert [after[run.pk].status for run in (fresh, old, stuck, done, unpicked, waiting)] == [
        "uploaded",
        "failed",
        "failed",
        "succeeded",
        "failed",
        "queued",
    ]
    assert import_run_issues(run=after[old.pk])[0].message == (
        "The import was not confirmed within 7 days; the uploaded file was deleted. "
        "Upload the file again to import it."
    )
    assert after[done.pk].summary == {"created": 1}
    assert import_run_issues(run=after[unpicked.pk])[0].message.startswith(
        "No worker picked the import up within 2 hours"
    )
    assert {pk: default_storage.exists(name) for pk, name in names.items()} == {
        fresh.pk: True,
        old.pk: False,
        stuck.pk: False,
        done.pk: False,
        unpicked.pk: False,
        waiting.pk: True,
    }
    assert import_runs_prune(now=now) == type(result)(stuck=0, abandoned=0, files_deleted=0)
