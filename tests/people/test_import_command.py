"""``cadre import-people``: the HRIS import from the command line."""

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.cli import main
from cadre.people.importing import import_run_create
from cadre.people.models import ImportMapping, ImportRun, Person
from tests.factories import PersonFactory

FILES = Path(__file__).resolve().parent / "files"
GOOD = (
    "EmployeeNumber,Name,WorkEmail,JobLevel,ManagerId\n"
    "E1,Ann Boss,ann@example.org,9,\n"
    "E2,Bob Report,bob@example.org,4,E1\n"
)
BAD = GOOD + "E3,Cy Report,cy@,3,E1\nE4,Dee Report,dee@example.org,high,E1\n"


@pytest.fixture
def export(tmp_path):
    def write(text: str, name: str = "export.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("import_people", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.mark.django_db
def test_import_with_suggested_columns(export):
    path = export(GOOD)
    stdout, stderr = run(str(path))
    assert stdout.splitlines() == [
        "Read 2 rows from export.csv (CSV, utf-8, comma-separated).",
        "Columns: employee_id ← EmployeeNumber, full_name ← Name, email ← WorkEmail, "
        "level ← JobLevel, manager_employee_id ← ManagerId.",
        "Created 2, updated 0, unchanged 0, deactivated 0, skipped 0; 0 departments created.",
    ]
    assert stderr == ""
    bob = Person.objects.select_related("manager").get(employee_id="E2")
    assert (bob.full_name, bob.email, bob.level, bob.manager.employee_id) == (
        "Bob Report",
        "bob@example.org",
        4,
        "E1",
    )
    event = AuditEvent.objects.get(action="people.import")
    assert (event.actor, event.details["created"]) == (None, 2)


@pytest.mark.django_db
def test_second_run_changes_nothing(export):
    path = export(GOOD)
    run(str(path))
    before = list(Person.objects.values_list("pk", "updated_at"))
    stdout, _ = run(str(path))
    assert stdout.splitlines()[-1] == (
        "Created 0, updated 0, unchanged 2, deactivated 0, skipped 0; 0 departments created."
    )
    assert list(Person.objects.values_list("pk", "updated_at")) == before


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_lists_changes(export):
    PersonFactory(employee_id="E2", full_name="Bob Report", email="bob@example.org", level=3)
    PersonFactory(employee_id="G1", full_name="Gone Person")
    path = export(GOOD)
    stdout, _ = run(str(path), "--dry-run", "--full-sync", "--verbosity", "2")
    assert stdout.splitlines()[2:] == [
        "Dry run: nothing was written.",
        "Would create 1, update 1, leave 0 unchanged, deactivate 1 and skip 0; 0 new departments.",
        "  create E1 Ann Boss",
        "  update E2 Bob Report: level 3 → 4; manager (empty) → E1",
        "  deactivate G1 Gone Person",
    ]
    assert Person.objects.count() == 2
    assert Person.objects.get(employee_id="G1").is_active
    assert not AuditEvent.objects.filter(action="people.import").exists()


@pytest.mark.django_db
def test_parent_departments_are_counted_and_listed(export):
    path = export("EmployeeNumber,Department,ParentDept\nE1,Sales,Commercial\nE2,Field,Sales\n")
    stdout, _ = run(str(path), "--dry-run", "--verbosity", "2")
    assert stdout.splitlines()[2:] == [
        "Dry run: nothing was written.",
        "Would create 2, update 0, leave 0 unchanged, deactivate 0 and skip 0; 3 new departments.",
        "Would move 2 departments in the department tree.",
        "  create E1 Employee E1",
        "  create E2 Employee E2",
        "  move department Field: (no parent) → Sales",
        "  move department Sales: (no parent) → Commercial",
    ]
    stdout, _ = run(str(path))
    assert stdout.splitlines()[2:] == [
        "Created 2, updated 0, unchanged 0, deactivated 0, skipped 0; 3 departments created.",
        "Moved 2 departments in the department tree.",
    ]
    stdout, _ = run(str(path))
    assert stdout.splitlines()[2:] == [
        "Created 0, updated 0, unchanged 2, deactivated 0, skipped 0; 0 departments created.",
    ]


@pytest.mark.django_db
def test_invalid_rows_stop_the_import_and_name_row_and_column(export):
    path = export(BAD)
    with pytest.raises(CommandError) as error:
        run(str(path))
    assert str(error.value) == (
        "2 rows have errors; nothing was imported.\n"
        'Row 4, column "WorkEmail": “cy@” is not a valid e-mail address.\n'
        'Row 5, column "JobLevel": “high” is not a whole number.\n'
        "Fix the file, or use --skip-invalid to import the valid rows."
    )
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_with_invalid_rows_fails_too(export):
    with pytest.raises(CommandError) as error:
        run(str(export(BAD)), "--dry-run")
    assert str(error.value).startswith("2 rows have errors; nothing was imported.\n")


@pytest.mark.django_db
def test_skip_invalid_imports_the_rest_and_reports(export):
    stdout, stderr = run(str(export(BAD)), "--skip-invalid")
    assert stdout.splitlines()[-1] == (
        "Created 2, updated 0, unchanged 0, deactivated 0, skipped 2; 0 departments created."
    )
    assert stderr.splitlines() == [
        'Row 4, column "WorkEmail": “cy@” is not a valid e-mail address.',
        'Row 5, column "JobLevel": “high” is not a whole number.',
    ]
    assert sorted(Person.objects.values_list("employee_id", flat=True)) == ["E1", "E2"]


@pytest.mark.django_db
def test_columns_and_defaults_from_the_command_line(export):
    path = export("Staff,Who,Where\n7,Gus Grant,\n8,Hal Hope,Leeds\n")
    stdout, _ = run(
        str(path),
        "--column",
        "employee_id=Staff",
        "--column",
        "full_name=Who",
        "--column",
        "location=Where",
        "--default",
        "location=Remote",
        "--default",
        "time_zone=Europe/London",
    )
    assert stdout.splitlines()[1:3] == [
        "Columns: employee_id ← Staff, full_name ← Who, location ← Where.",
        "Defaults: location = Remote, time_zone = Europe/London.",
    ]
    assert sorted(Person.objects.values_list("employee_id", "location", "time_zone")) == [
        ("7", "Remote", "Europe/London"),
        ("8", "Leeds", "Europe/London"),
    ]


@pytest.mark.django_db
def test_column_option_can_unmap_a_suggestion(export):
    run(str(export(GOOD)), "--column", "email=")
    assert set(Person.objects.values_list("email", flat=True)) == {""}


@pytest.mark.django_db
def test_save_and_reuse_a_mapping(export):
    ibm = str(FILES / "ibm-hr-sample.csv")
    stdout, _ = run(ibm, "--default", "location=Houston", "--save-mapping", "IBM", "--dry-run")
    assert stdout.splitlines()[0] == "Saved the mapping as “IBM”."
    saved = ImportMapping.objects.get(name="IBM")
    assert saved.columns == {
        "employee_id": "EmployeeNumber",
        "department": "Department",
        "job_title": "JobRole",
        "level": "JobLevel",
        "tenure_years": "YearsAtCompany",
        "left": "Attrition",
    }
    assert saved.defaults == {"location": "Houston"}
    assert AuditEvent.objects.filter(action="people.import_mapping_save").count() == 1

    stdout, _ = run(ibm, "--mapping", "IBM")
    assert stdout.splitlines()[-1] == (
        "Created 39, updated 0, unchanged 0, deactivated 0, skipped 0; 2 departments created."
    )
    assert set(Person.objects.values_list("location", flat=True)) == {"Houston"}
    assert Person.objects.filter(is_active=False).count() == 5


@pytest.mark.django_db
def test_mapping_from_a_json_file(export, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"columns": {"employee_id": "Staff"}, "defaults": {"level": "2"}}),
        encoding="utf-8",
    )
    run(str(export("Staff,Other\n7,x\n")), "--mapping", str(mapping))
    person = Person.objects.get()
    assert (person.employee_id, person.level, person.full_name) == ("7", 2, "Employee 7")


@pytest.mark.django_db
def test_full_sync_deactivates_missing_people(export):
    PersonFactory(employee_id="G1")
    stdout, _ = run(str(export(GOOD)), "--full-sync")
    assert stdout.splitlines()[-1] == (
        "Created 2, updated 0, unchanged 0, deactivated 1, skipped 0; 0 departments created."
    )
    assert not Person.objects.get(employee_id="G1").is_active


@pytest.mark.django_db
def test_xlsx_file(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["EmployeeNumber", "Name"])
    sheet.append([1001, "Ada Lovelace"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    stdout, _ = run(str(path))
    assert stdout.splitlines()[0] == "Read 1 rows from export.xlsx (XLSX workbook)."
    assert Person.objects.get().employee_id == "1001"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mapping", "Workday"], "There is no saved mapping called “Workday”."),
        (
            ["--column", "employee_id=Staff"],
            "The column “Staff” for employee_id is not in the file.",
        ),
        (["--column", "level"], "--column 'level': write it as FIELD=VALUE, e.g. level=JobLevel."),
        (["--default", "level=top"], "The default for level: “top” is not a whole number."),
    ],
)
@pytest.mark.django_db
def test_mapping_problems(export, args, message):
    with pytest.raises(CommandError) as error:
        run(str(export(GOOD)), *args)
    text = str(error.value)
    assert text.splitlines()[0] == message
    if "FIELD=VALUE" not in message:
        assert text.splitlines()[1] == (
            "The file's columns: EmployeeNumber, Name, WorkEmail, JobLevel, ManagerId."
        )


@pytest.mark.django_db
def test_missing_and_unreadable_files(tmp_path, export):
    with pytest.raises(CommandError) as error:
        run(str(tmp_path / "nope.csv"))
    assert str(error.value) == f"{tmp_path / 'nope.csv'}: No such file or directory."
    empty = export("")
    with pytest.raises(CommandError) as error:
        run(str(empty))
    assert str(error.value) == f"{empty}: The file is empty."


# The console script closes the database connections when it ends, as Django's
# command line does, so these tests look at its output only.


@pytest.mark.django_db
def test_console_script_accepts_hyphens(export, capsys):
    main(["cadre", "import-people", str(export(GOOD)), "--no-progress"])
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Created 2, updated 0, unchanged 0, deactivated 0, skipped 0; 0 departments created."
    )


@pytest.mark.django_db
def test_console_script_exits_non_zero_on_bad_input(export, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["cadre", "import-people", str(export(BAD))])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith(
        "CommandError: 2 rows have errors; nothing was imported.\n"
    )


@pytest.mark.django_db
def test_import_runs_prune_reports_what_it_did(admin):
    run = import_run_create(content=GOOD.encode(), filename="old.csv", actor=admin.user)
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=8))
    out = StringIO()
    call_command("import_runs_prune", stdout=out)
    assert out.getvalue() == (
        "0 stuck and 1 abandoned import runs marked failed; 1 uploaded files deleted.\n"
    )
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


@pytest.mark.django_db
def test_the_command_says_how_many_logins_it_disables(export, coach):
    path = export(f"EmployeeNumber,Name,Active\n{coach.person.employee_id},Cora Coach,no\n")
    out = StringIO()
    call_command("import_people", str(path), "--dry-run", stdout=out)
    assert "Would disable 1 login of deactivated people; they stay disabled if the people " in (
        out.getvalue()
    )
    coach.user.refresh_from_db()
    assert coach.user.is_active
    out = StringIO()
    call_command("import_people", str(path), stdout=out)
    assert "Disabled 1 login of deactivated people;" in out.getvalue()
    coach.user.refresh_from_db()
    assert not coach.user.is_active
