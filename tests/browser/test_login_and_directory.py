"""Journeys through a real browser: logging in, and searching the people directory.

With ``CADRE_SCREENSHOTS=1`` the directory journey also saves the README's screenshots to
``docs/screenshots/`` (directory.png at desktop width, directory-phone.png at 390 px).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import DepartmentFactory, PersonFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Thirty people in five departments, and Cora Coach in a sixth. Three have "berg" in their
# name, and nothing else anyone has (titles, departments, e-mails) contains it.
PEOPLE = {
    "Finance": "Amara Okafor, Ingrid Lindberg, Kenji Watanabe, Lucia Romano, Omar Haddad, Zoe Ng",
    "Sales": "Aisha Bello, Carlos Mendes, Freya Nilsen, Hugo Laurent, Nina Petrova, Tomas Bergman",
    "Engineering": "Arjun Mehta, Chen Wei, Dmitri Volkov, Ella Berger, Leila Karimi, Priya Nair",
    "Operations": "Bruno Costa, Fatima Zahra, Jonas Weber, Maya Cohen, Ravi Shah, Sofia Rossi",
    "Legal": "Ada Nwosu, Elena Popescu, Felix Wagner, Hana Sato, Marta Silva, Yusuf Demir",
}
PEOPLE_BY_DEPARTMENT = {department: names.split(", ") for department, names in PEOPLE.items()}
TITLES = ["Director", "Team Lead", "Analyst", "Specialist", "Manager", "Associate"]
LOCATIONS = ["London", "Lisbon", "Nairobi"]


def _people(coach) -> None:
    coach.person.job_title = "Leadership Coach"
    coach.person.department = DepartmentFactory(name="People")
    coach.person.location = "London"
    coach.person.save()
    for department_name, names in PEOPLE_BY_DEPARTMENT.items():
        department = DepartmentFactory(name=department_name)
        head = None
        for index, name in enumerate(names):
            person = PersonFactory(
                full_name=name,
                department=department,
                job_title=TITLES[index],
                level=6 - index,
                location=LOCATIONS[index % len(LOCATIONS)],
                manager=head,
            )
            head = head or person


def _row_names(page: Page):
    return page.locator("#directory-results tbody tr td:first-child a")


def test_log_in_with_email_and_password_lands_on_home(page: Page, live_url, coach, console_errors):
    page.goto(f"{live_url}/people/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/people/$"))

    page.get_by_label(re.compile(r"^E-mail")).fill("coach@example.org")
    page.get_by_label(re.compile(r"^Password")).fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_url}/people/")
    page.goto(f"{live_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Cora Coach")
    expect(page.locator(".account__name")).to_have_text("Cora Coach")
    assert console_errors == []


def test_log_in_from_the_login_page_lands_on_home(page: Page, live_url, coach, console_errors):
    page.goto(f"{live_url}/login/")
    page.get_by_label(re.compile(r"^E-mail")).fill("coach@example.org")
    page.get_by_label(re.compile(r"^Password")).fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Cora Coach")
    assert console_errors == []


def test_a_wrong_password_shows_the_error(page: Page, live_url, coach, console_errors):
    page.goto(f"{live_url}/login/")
    page.get_by_label(re.compile(r"^E-mail")).fill("coach@example.org")
    page.get_by_label(re.compile(r"^Password")).fill("not the password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "That e-mail and password don't match an active account."
    )
    expect(page).to_have_url(f"{live_url}/login/")
    expect(page.locator(".account__name")).to_have_count(0)
    assert console_errors == []


def test_login_as_helper_logs_in(page: Page, login_as, live_url, sponsor):
    login_as(page, "sponsor@example.org")

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sam Sponsor")


def test_search_and_filter_the_directory_without_reloading(
    page: Page, login_as, live_url, coach, console_errors
):
    _people(coach)
    login_as(page, "coach@example.org")
    page.goto(f"{live_url}/people/")
    results = page.locator("#directory-results")
    expect(results).to_contain_text("31 people")
    expect(_row_names(page)).to_have_count(25)  # one page
    _screenshots(page)
    page.evaluate("window.cadreNotReloaded = true")

    # Keyboard only: Tab from the top of the page reaches the search box.
    search = page.get_by_role("searchbox", name="Search")
    for _ in range(20):
        page.keyboard.press("Tab")
        if search.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the search box")

    with page.expect_response(
        lambda response: "q=berg" in response.url and response.request.headers.get("hx-request")
    ):
        page.keyboard.type("berg", delay=30)
    expect(_row_names(page)).to_have_text(["Ella Berger", "Ingrid Lindberg", "Tomas Bergman"])
    expect(results).to_contain_text("3 people")
    expect(page).to_have_url(re.compile(r"/people/\?q=berg"))

    search.fill("")
    expect(_row_names(page)).to_have_count(25)
    page.get_by_label(re.compile(r"^Department")).select_option(label="Legal")
    expect(_row_names(page)).to_have_text(sorted(PEOPLE_BY_DEPARTMENT["Legal"]))
    expect(results).to_contain_text("6 people")

    search.press_sequentially("sil")  # the search and the department filter combine
    expect(_row_names(page)).to_have_text(["Marta Silva"])

    assert page.evaluate("window.cadreNotReloaded") is True, "the page reloaded"
    assert console_errors == []


def _screenshots(page: Page) -> None:
    """The README's pictures of the directory; only with CADRE_SCREENSHOTS=1."""
    if os.environ.get("CADRE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=SCREENSHOTS / "directory.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SCREENSHOTS / "directory-phone.png")
    page.set_viewport_size({"width": 1280, "height": 720})
