"""An admin imports people through the browser: upload, map columns, preview, confirm, result."""

import re

import pytest
from playwright.sync_api import expect

from cadre.people.models import ImportMapping, Person
from tests.browser.axe import axe_violations

# "Staff No" is no name Cadre knows, so the admin maps it by hand; the rest are suggested.
EXPORT = (
    "Staff No,Name,Work Email,Dept,Grade,Reports To\n"
    "S1,Amara Okafor,amara@example.org,Finance,8,\n"
    "S2,Jonas Weber,jonas@example.org,Finance,5,S1\n"
    "S3,Priya Nair,priya@example.org,Engineering,4,S1\n"
)


@pytest.mark.browser
def test_admin_imports_a_small_export(page, login_as, admin, console_errors, tmp_path):
    export = tmp_path / "people.csv"
    export.write_text(EXPORT, encoding="utf-8")
    login_as(page, admin.user.email)

    page.goto("/people/import/")
    expect(page.get_by_role("heading", name="Import people")).to_be_visible()
    page.get_by_label("HRIS export").set_input_files(export)
    page.get_by_role("button", name="Upload and continue").click()

    expect(page.get_by_role("heading", name="Map the columns of people.csv")).to_be_visible()
    expect(page.locator('.steps li[aria-current="step"]')).to_have_text("Map columns")
    expect(page.get_by_label("Level", exact=True)).to_have_value("Grade")
    expect(page.get_by_label("Manager's employee id", exact=True)).to_have_value("Reports To")
    page.get_by_label("Employee id", exact=True).select_option("Staff No")
    page.get_by_label("Default for location").fill("Lisbon")
    page.get_by_label("Save this mapping as").fill("Payroll export")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", name="Preview the import of people.csv")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Saved the mapping as “Payroll export”.")
    expect(page.get_by_role("heading", name="New people (3)")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"S2 Jonas Weber"))).to_contain_text(
        "Manager: S1"
    )
    assert axe_violations(page) == []
    assert not Person.objects.filter(employee_id__in=["S1", "S2", "S3"]).exists()
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    expect(page.locator("#import-progress .counts li").first).to_have_text(
        re.compile(r"3\s*created")
    )
    assert axe_violations(page) == []
    page.get_by_role("link", name="See the directory").click()
    expect(page.get_by_role("link", name="Jonas Weber")).to_be_visible()

    jonas = Person.objects.select_related("manager", "department").get(employee_id="S2")
    assert (jonas.manager.employee_id, jonas.department.name, jonas.level, jonas.location) == (
        "S1",
        "Finance",
        5,
        "Lisbon",
    )
    assert ImportMapping.objects.get().columns["employee_id"] == "Staff No"
    assert console_errors == []
