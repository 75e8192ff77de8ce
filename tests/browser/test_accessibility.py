"""axe-core (shipped inside the axe-playwright-python package) finds no WCAG 2.1 A/AA problems
on Cadre's main pages, on a desktop and on a phone-sized screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.factories import CompetencyFactory, DepartmentFactory, PersonFactory

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

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


def _violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} elements)"
        for violation in results.response["violations"]
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
        found = _violations(page)
        if found:
            problems[path] = found

    assert problems == {}
    assert console_errors == []


def test_login_page_passes_axe(page, live_url):
    page.goto(f"{live_url}/login/")

    assert _violations(page) == []
