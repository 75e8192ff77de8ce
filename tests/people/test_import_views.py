"""The HRIS import pages: upload → map → preview → confirm → status."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent, Role
from cadre.people import importing
from cadre.people.importing import ColumnMapping
from cadre.people.models import ImportMapping, ImportRun, Person
from tests.factories import PersonFactory, RoleGrantFactory, UserFactory

EXPORT = (
    "EmployeeNumber,Name,WorkEmail,Department,JobLevel,ManagerId\n"
    "E1,Ann Boss,ann@example.org,Executive,9,\n"
    "E2,Bob Report,bob@example.org,Sales,4,E1\n"
)
MAPPING_POST = {
    "column_employee_id": "EmployeeNumber",
    "column_full_name": "Name",
    "column_email": "WorkEmail",
    "column_department": "Department",
    "column_level": "JobLevel",
    "column_manager_employee_id": "ManagerId",
}


def upload(text: str, name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def make_run(member, text: str = EXPORT, *, configured: bool = True, **options: bool) -> ImportRun:
    run = importing.import_run_create(
        content=text.encode(), filename="export.csv", actor=member.user
    )
    if configured:
        table = importing.import_run_table(run=run)
        importing.import_run_configure(
            run=run,
            mapping=importing.suggest_columns(headers=table.headers),
            full_sync=options.get("full_sync", False),
            skip_invalid=options.get("skip_invalid", False),
            actor=member.user,
        )
    return run


def people_rows(count: int) -> str:
    lines = ["EmployeeNumber,Name,WorkEmail,JobLevel,ManagerId", "E0,Chief,chief@example.org,9,"]
    lines += [f"E{n},Person {n},p{n}@example.org,3,E0" for n in range(1, count)]
    return "\n".join(lines) + "\n"


# --- Permissions ----------------------------------------------------------------------------

RUN_PAGES = ["people:import_map", "people:import_preview", "people:import_status"]


@pytest.mark.parametrize("role", ["coach", "coachee", "sponsor", "outsider"])
@pytest.mark.django_db
def test_only_programme_admins_may_import(request, role, admin):
    member = request.getfixturevalue(role)
    run = make_run(admin)
    assert member.client.get(reverse("people:import_start")).status_code == 403
    assert (
        member.client.post(reverse("people:import_start"), {"file": upload(EXPORT)}).status_code
        == 403
    )
    for name in RUN_PAGES:
        url = reverse(name, args=[run.pk])
        assert member.client.get(url).status_code == 403
        assert member.client.post(url, MAPPING_POST).status_code == 403
    run.refresh_from_db()
    assert run.status == ImportRun.Status.UPLOADED
    assert ImportRun.objects.count() == 1
    assert Person.objects.filter(employee_id__in=["E1", "E2"]).count() == 0


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client, admin):
    run = make_run(admin)
    for url in [reverse("people:import_start")] + [
        reverse(name, args=[run.pk]) for name in RUN_PAGES
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
def test_unknown_run_is_404_for_admins(admin):
    for name in RUN_PAGES:
        assert admin.client.get(reverse(name, args=[999])).status_code == 404


# --- Upload ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_start_page_lists_recent_imports_or_an_empty_state(admin):
    response = admin.client.get(reverse("people:import_start"))
    assert response.status_code == 200
    assert b"No imports yet." in response.content
    assert b'<li aria-current="step">Upload</li>' in response.content
    run = make_run(admin)
    response = admin.client.get(reverse("people:import_start"))
    assert list(response.context["runs"]) == [run]
    assert (
        f'href="{reverse("people:import_preview", args=[run.pk])}"'.encode() not in response.content
    )
    assert f'href="{reverse("people:import_map", args=[run.pk])}"'.encode() in response.content


@pytest.mark.django_db
def test_upload_keeps_the_file_and_goes_to_mapping(admin):
    response = admin.client.post(reverse("people:import_start"), {"file": upload(EXPORT)})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:import_map", args=[run.pk])
    assert (run.original_name, run.rows_total, run.status, run.created_by) == (
        "export.csv",
        2,
        ImportRun.Status.UPLOADED,
        admin.user,
    )
    with run.file.open("rb") as stored:
        assert stored.read() == EXPORT.encode()
    assert run.headers == [
        "EmployeeNumber",
        "Name",
        "WorkEmail",
        "Department",
        "JobLevel",
        "ManagerId",
    ]
    event = AuditEvent.objects.get(action="people.import_upload")
    assert (event.actor, event.target_id, event.ip_address, event.details) == (
        admin.user,
        str(run.pk),
        "127.0.0.1",
        {"file": "export.csv", "bytes": len(EXPORT.encode()), "rows": 2},
    )


@pytest.mark.parametrize(
    ("file", "error"),
    [
        (upload("hello", "notes.pdf"), "Upload a CSV (.csv, .tsv, .txt) or Excel (.xlsx) file."),
        (upload("", "empty.csv"), "The submitted file is empty."),
        (
            upload("EmployeeNumber\n", "header.csv"),
            "The file has column names but no rows of people.",
        ),
        (upload("id\n1\n", "fake.xlsx"), "The file is named .xlsx but is not an Excel workbook."),
    ],
)
@pytest.mark.django_db
def test_upload_errors_are_shown_on_the_field(admin, file, error):
    response = admin.client.post(reverse("people:import_start"), {"file": file})
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [error]}
    assert ImportRun.objects.count() == 0


@pytest.mark.django_db
def test_upload_size_limit(admin, settings):
    settings.HRIS_IMPORT_MAX_BYTES = 1024 * 1024
    big = upload("EmployeeNumber\n" + "E1\n" * 400_000)
    response = admin.client.post(reverse("people:import_start"), {"file": big})
    assert response.context["form"].errors == {"file": ["The file is 1.1 MB; the limit is 1 MB."]}


# --- Mapping --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mapping_page_suggests_columns(admin):
    run = make_run(admin, configured=False)
    response = admin.client.get(reverse("people:import_map", args=[run.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert {
        name.removeprefix("column_"): form[name].value()
        for name in form.fields
        if name.startswith("column_") and form[name].value()
    } == {
        "employee_id": "EmployeeNumber",
        "full_name": "Name",
        "email": "WorkEmail",
        "department": "Department",
        "level": "JobLevel",
        "manager_employee_id": "ManagerId",
    }
    content = response.content.decode()
    assert '<option value="JobLevel" selected>JobLevel</option>' in content
    assert '<label for="id_column_level">Level</label>' in content
    assert (
        '<label class="visually-hidden" for="id_default_level">Default for level</label>' in content
    )


@pytest.mark.django_db
def test_mapping_must_name_the_employee_id(admin):
    run = make_run(admin, configured=False)
    response = admin.client.post(
        reverse("people:import_map", args=[run.pk]), {**MAPPING_POST, "column_employee_id": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "column_employee_id": ["Choose the column that holds the employee id: it is required."]
    }


@pytest.mark.django_db
def test_mapping_checks_defaults(admin):
    run = make_run(admin, configured=False)
    response = admin.client.post(
        reverse("people:import_map", args=[run.pk]), {**MAPPING_POST, "default_level": "top"}
    )
    assert response.context["form"].errors == {
        "default_level": ["The default for level: “top” is not a whole number."]
    }


@pytest.mark.django_db
def test_mapping_is_stored_saved_and_audited(admin):
    run = make_run(admin, configured=False)
    response = admin.client.post(
        reverse("people:import_map", args=[run.pk]),
        {
            **MAPPING_POST,
            "column_email": "",
            "default_location": "Lisbon",
            "full_sync": "on",
            "save_as": "Workday",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:import_preview", args=[run.pk])
    run.refresh_from_db()
    expected_columns = {key.removeprefix("column_"): value for key, value in MAPPING_POST.items()}
    del expected_columns["email"]
    assert (run.columns, run.defaults, run.full_sync, run.skip_invalid) == (
        expected_columns,
        {"location": "Lisbon"},
        True,
        False,
    )
    saved = ImportMapping.objects.get(name="Workday")
    assert (saved.columns, saved.defaults) == (expected_columns, {"location": "Lisbon"})
    event = AuditEvent.objects.get(action="people.import_mapping_save")
    assert (event.actor, event.target_label) == (admin.user, "Workday")


@pytest.mark.django_db
def test_a_saved_mapping_can_be_chosen(admin):
    saved = importing.import_mapping_save(
        name="Legacy",
        mapping=ColumnMapping(
            columns={"employee_id": "Name", "job_title": "Gone"}, defaults={"level": "2"}
        ),
        actor=admin.user,
    )
    run = make_run(admin, configured=False)
    response = admin.client.get(reverse("people:import_map", args=[run.pk]), {"mapping": saved.pk})
    form = response.context["form"]
    assert form["column_employee_id"].value() == "Name"
    assert form["column_email"].value() == ""
    assert form["default_level"].value() == "2"
    assert response.context["missing_columns"] == ["Gone"]
    assert "Started from the saved mapping “Legacy”." in response.content.decode()


# --- Preview ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_preview_shows_counts_and_changes_without_writing(admin):
    PersonFactory(employee_id="E2", full_name="Bob Report", email="bob@example.org", level=3)
    PersonFactory(employee_id="G1", full_name="Gone Person")
    run = make_run(admin, full_sync=True)
    response = admin.client.get(reverse("people:import_preview", args=[run.pk]))
    assert response.status_code == 200
    counts = response.context["counts"]
    # G1 and the admin's own record are active and not in the file.
    assert (counts["created"], counts["updated"], counts["deactivated"]) == (1, 1, 2)
    content = response.content.decode()
    assert "Level: <del>3</del> → <ins>4</ins>" in content
    assert "<td>G1</td><td>Gone Person</td>" in content
    assert '<button type="submit">Import</button>' in content
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED
    assert Person.objects.get(employee_id="E2").level == 3
    assert Person.objects.get(employee_id="G1").is_active
    assert not AuditEvent.objects.filter(action="people.import").exists()


@pytest.mark.django_db
def test_preview_and_status_show_departments_moved(admin):
    text = "EmployeeNumber,Name,Department,Division\nE1,Ann,Sales,Commercial\nE2,Bob,Field,Sales\n"
    run = make_run(admin, text)
    response = admin.client.get(reverse("people:import_preview", args=[run.pk]))
    assert response.context["counts"]["departments_moved"] == 2
    content = response.content.decode()
    assert '<p class="stat-label">departments moved</p>' in content
    assert "<li>Field: no parent → Sales</li>" in content
    assert "<li>Sales: no parent → Commercial</li>" in content
    admin.client.post(reverse("people:import_preview", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.summary["departments_created"], run.summary["departments_moved"]) == (3, 2)
    content = admin.client.get(reverse("people:import_status", args=[run.pk])).content.decode()
    assert '<p class="stat">2</p><p class="stat-label">departments moved</p>' in content


@pytest.mark.django_db
def test_preview_with_errors_offers_no_import(admin):
    run = make_run(admin, EXPORT + "E3,Cy,cy@,Sales,high,E1\n")
    response = admin.client.get(reverse("people:import_preview", args=[run.pk]))
    content = response.content.decode()
    assert "Nothing can be imported yet: 1 row has errors." in content
    assert "<td>“cy@” is not a valid e-mail address.</td>" in content
    assert "<td>“high” is not a whole number.</td>" in content
    assert '<button type="submit">Import</button>' not in content


@pytest.mark.django_db
def test_preview_caps_long_lists(admin):
    run = make_run(admin, people_rows(130))
    response = admin.client.get(reverse("people:import_preview", args=[run.pk]))
    assert len(response.context["creates"].items) == 100
    assert "… and 30 more." in response.content.decode()


@pytest.mark.django_db
def test_preview_before_mapping_goes_to_mapping(admin):
    run = make_run(admin, configured=False)
    response = admin.client.get(reverse("people:import_preview", args=[run.pk]))
    assert response["Location"] == reverse("people:import_map", args=[run.pk])


# --- Confirm and status ------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirm_applies_once(admin):
    run = make_run(admin)
    preview_url = reverse("people:import_preview", args=[run.pk])
    admin.client.get(preview_url)
    response = admin.client.post(preview_url)
    assert response["Location"] == reverse("people:import_status", args=[run.pk])
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.rows_done, run.rows_total) == (2, 2)
    assert run.summary["created"] == 2
    assert run.finished_at is not None
    # A second confirmation (another tab, a double click) changes nothing.
    response = admin.client.post(preview_url, follow=True)
    assert "This import was already confirmed." in response.content.decode()
    events = AuditEvent.objects.filter(action="people.import")
    assert [(event.actor, event.target_id) for event in events] == [(admin.user, str(run.pk))]
    assert Person.objects.filter(employee_id__in=["E1", "E2"]).count() == 2


@pytest.mark.django_db
def test_an_unpreviewed_run_can_not_be_confirmed(admin):
    run = make_run(admin)
    response = admin.client.post(reverse("people:import_preview", args=[run.pk]), follow=True)
    assert response.redirect_chain == [(reverse("people:import_preview", args=[run.pk]), 302)]
    assert "Check the preview before importing." in response.content.decode()
    run.refresh_from_db()
    # Showing the preview made it confirmable; nothing was imported on the way.
    assert run.status == ImportRun.Status.PREVIEWED
    assert not Person.objects.filter(employee_id="E1").exists()


@pytest.mark.django_db
def test_apply_checks_again_against_the_database_of_that_moment(admin):
    run = make_run(admin)
    admin.client.get(reverse("people:import_preview", args=[run.pk]))
    # Between the preview and the confirmation someone else takes Bob's address.
    PersonFactory(employee_id="X9", full_name="Xavier Nine", email="bob@example.org")
    admin.client.post(reverse("people:import_preview", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.errors == [
        {
            "row": 3,
            "column": "WorkEmail",
            "field": "email",
            "message": "E-mail “bob@example.org” already belongs to X9 (Xavier Nine), who is not "
            "in the file.",
            "severity": "error",
        }
    ]
    assert not Person.objects.filter(employee_id__in=["E1", "E2"]).exists()
    response = admin.client.get(reverse("people:import_status", args=[run.pk]))
    content = response.content.decode()
    assert "Not imported" in content
    assert "already belongs to X9 (Xavier Nine)" in content


@pytest.mark.django_db
def test_skipped_rows_are_reported_on_the_status_page(admin):
    run = make_run(admin, EXPORT + "E3,Cy,cy@,Sales,3,E1\n", skip_invalid=True)
    admin.client.get(reverse("people:import_preview", args=[run.pk]))
    admin.client.post(reverse("people:import_preview", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.summary["created"], run.summary["skipped"]) == (2, 1)
    content = admin.client.get(reverse("people:import_status", args=[run.pk])).content.decode()
    assert "Skipped rows and warnings" in content
    assert "<td>“cy@” is not a valid e-mail address.</td>" in content


@pytest.mark.django_db
def test_status_polls_while_the_import_runs(admin):
    run = make_run(admin)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, rows_done=1, rows_total=2
    )
    url = reverse("people:import_status", args=[run.pk])
    page = admin.client.get(url).content.decode()
    assert f'hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML"' in page
    partial = admin.client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="import-progress"')
    assert "<html" not in partial
    assert (
        '<progress max="2" value="1" aria-labelledby="progress-text">1 of 2</progress>' in partial
    )
    ImportRun.objects.filter(pk=run.pk).update(rows_done=2)
    partial = admin.client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "the changes are being saved in one transaction" in partial
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.SUCCEEDED, summary={"created": 2}
    )
    partial = admin.client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial
    assert "Imported" in partial


@pytest.mark.django_db
def test_the_whole_journey(admin):
    response = admin.client.post(reverse("people:import_start"), {"file": upload(EXPORT)})
    map_url = response["Location"]
    response = admin.client.post(map_url, MAPPING_POST)
    preview_url = response["Location"]
    response = admin.client.get(preview_url)
    assert response.context["counts"]["created"] == 2
    response = admin.client.post(preview_url, follow=True)
    run = ImportRun.objects.get()
    assert response.redirect_chain == [(reverse("people:import_status", args=[run.pk]), 302)]
    content = response.content.decode()
    assert "Imported" in content
    bob = Person.objects.select_related("manager", "department").get(employee_id="E2")
    assert (bob.full_name, bob.manager.employee_id, bob.department.name, bob.level) == (
        "Bob Report",
        "E1",
        "Sales",
        4,
    )


# --- Query counts do not grow with the number of rows --------------------------------------


@pytest.mark.parametrize("rows", [1, 60])
@pytest.mark.django_db
def test_preview_queries_do_not_grow_with_rows(admin, django_assert_num_queries, rows):
    for number in range(rows):
        PersonFactory(employee_id=f"E{number}", email=f"old{number}@example.org")
    run = make_run(admin, people_rows(rows))
    # The session, the user and their person, the admin check, the run, people and
    # departments, the status and the audit event (in a savepoint).
    with django_assert_num_queries(11):
        response = admin.client.get(reverse("people:import_preview", args=[run.pk]))
    assert response.context["counts"]["updated"] == rows


@pytest.mark.parametrize("rows", [1, 60])
@pytest.mark.django_db
def test_status_queries_do_not_grow_with_rows(admin, django_assert_num_queries, rows):
    run = make_run(admin, people_rows(rows).replace("@example.org", "@"), skip_invalid=True)
    admin.client.get(reverse("people:import_preview", args=[run.pk]))
    admin.client.post(reverse("people:import_preview", args=[run.pk]))
    with django_assert_num_queries(5):
        response = admin.client.get(reverse("people:import_status", args=[run.pk]))
    assert len(response.context["issues"].items) == rows


# --- Who uploaded, previewed and confirmed --------------------------------------------------


@pytest.mark.django_db
def test_the_import_is_credited_to_the_admin_who_confirmed_it(admin):
    run = make_run(admin)
    confirmer = UserFactory(email="second@example.org")
    RoleGrantFactory(user=confirmer, role=Role.PROGRAMME_ADMIN)
    client = Client()
    client.force_login(confirmer)
    preview_url = reverse("people:import_preview", args=[run.pk])
    client.get(preview_url)
    client.post(preview_url)
    run.refresh_from_db()
    assert (run.status, run.created_by, run.confirmed_by) == ("succeeded", admin.user, confirmer)
    assert run.confirmed_at is not None
    events = {
        event.action: (event.actor, event.target_id, event.ip_address)
        for event in AuditEvent.objects.filter(action__startswith="people.import")
    }
    assert events == {
        "people.import_upload": (admin.user, str(run.pk), None),
        "people.import_preview": (confirmer, str(run.pk), "127.0.0.1"),
        "people.import_confirm": (confirmer, str(run.pk), "127.0.0.1"),
        "people.import": (confirmer, str(run.pk), None),
    }
    page = client.get(reverse("people:import_status", args=[run.pk])).content.decode()
    assert f"by {confirmer}" in page


@pytest.mark.django_db
def test_every_preview_is_audited(admin):
    run = make_run(admin)
    for _ in range(2):
        admin.client.get(reverse("people:import_preview", args=[run.pk]))
    events = AuditEvent.objects.filter(action="people.import_preview")
    assert [(event.actor, event.details) for event in events] == 2 * [
        (admin.user, {"rows": 2, "full_sync": False})
    ]


# --- Files: read once at upload, deleted when done -------------------------------------------


@pytest.mark.django_db
def test_the_mapping_page_does_not_read_the_file(admin):
    run = make_run(admin, configured=False)
    default_storage.delete(run.file.name)
    response = admin.client.get(reverse("people:import_map", args=[run.pk]))
    assert response.status_code == 200
    assert response.context["form"].headers == [
        "EmployeeNumber",
        "Name",
        "WorkEmail",
        "Department",
        "JobLevel",
        "ManagerId",
    ]


@pytest.mark.django_db
def test_a_run_whose_file_is_gone_says_so(admin):
    run = make_run(admin)
    default_storage.delete(run.file.name)
    response = admin.client.get(reverse("people:import_preview", args=[run.pk]), follow=True)
    assert response.redirect_chain == [(reverse("people:import_start"), 302)]
    assert (
        "The uploaded file export.csv is no longer kept; upload it again."
        in response.content.decode()
    )


@pytest.mark.django_db
def test_the_status_page_fails_a_stuck_run(admin):
    run = make_run(admin)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, progress_at=timezone.now() - timedelta(hours=3)
    )
    response = admin.client.get(reverse("people:import_status", args=[run.pk]))
    page = response.content.decode()
    assert response.context["in_progress"] is False
    assert "Not imported" in page
    assert "probably because its worker was restarted" in page
    run.refresh_from_db()
    assert (run.status, run.file.name) == (ImportRun.Status.FAILED, "")


# --- The preview builds only what it shows ----------------------------------------------------


@pytest.mark.django_db
def test_the_preview_builds_only_the_entries_it_shows(admin):
    run = make_run(admin, people_rows(150))
    response = admin.client.get(reverse("people:import_preview", args=[run.pk]))
    creates = response.context["creates"]
    assert (len(creates.items), creates.more) == (100, 50)
    assert [person.employee_id for person in creates.items[:2]] == ["E0", "E1"]
    plan = response.context["plan"]
    assert "creates" not in vars(plan)
    assert "unchanged" not in vars(plan)


@pytest.mark.django_db
def test_the_preview_counts_the_logins_it_disables(admin, coach):
    run = make_run(admin, EXPORT, full_sync=True)
    response = admin.client.get(reverse("people:import_preview", args=[run.pk]))
    assert response.context["counts"]["logins_disabled"] == 2
    page = response.content.decode()
    assert "2 of the people this import deactivates have a login; they are disabled too" in page
