"""axe-core (shipped inside the axe-playwright-python package) finds no WCAG 2.1 A/AA problems
on Cadre's main pages, on a desktop and on a phone-sized screen."""

import pytest

from tests.browser.axe import axe_violations
from tests.factories import CompetencyFactory, DepartmentFactory, PersonFactory

ADMIN_PAGES = [
    "/",
    "/people/",
    "/people/?q=lead",
    "/people/org-chart/",
    "/people/competencies/",
    "/people/competencies/new/",
    "/audit/",
    "/people/import/",
    "/programmes/",
    "/programmes/new/",
]


@pytest.fixture
def organisation(admin):
    sales = DepartmentFactory(name="Sales")
    boss = PersonFactory(full_name="Team Lead", job_title="Sales lead", department=sales)
    PersonFactory.create_batch(3, manager=boss, department=sales)
    admin.person.manager = boss
    admin.person.save()
    CompetencyFactory(name="Listening well")
    return boss


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_main_pages_pass_axe(page, login_as, admin, organisation, console_errors, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login_as(page, admin.user.email)
    problems = {}
    for path in [*ADMIN_PAGES, f"/people/{organisation.pk}/"]:
        page.goto(path)
        found = axe_violations(page)
        if found:
            problems[path] = found

    assert problems == {}
    assert console_errors == []


def test_login_page_passes_axe(page, live_url):
    page.goto(f"{live_url}/login/")

    assert axe_violations(page) == []
