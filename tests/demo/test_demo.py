"""``cadre demo``: the demo organisation, its determinism, its tree and its logins."""

import zoneinfo
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from cadre.accounts.models import Role, RoleGrant, User
from cadre.demo.catalogue import DIVISIONS, LOCATIONS
from cadre.demo.cohort import COHORT_NAME
from cadre.demo.enablement import COACHES
from cadre.demo.logins import DEMO_PASSWORD, LOGIN_EMAILS
from cadre.demo.organisation import organisation_describe, organisation_generate
from cadre.people.models import Competency, Department, Person
from cadre.people.queries import in_reporting_line, management_chain, org_chart_roots
from cadre.programs.models import Programme
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

EMAILS = {
    Role.PROGRAMME_ADMIN: "admin@cadre-demo.example",
    Role.COACH: "coach@cadre-demo.example",
    Role.COACHEE: "coachee@cadre-demo.example",
    Role.SPONSOR: "sponsor@cadre-demo.example",
}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


def demo(*args: str, **options: object) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Person.objects.order_by("employee_id").values_list(
            "employee_id",
            "full_name",
            "manager__employee_id",
            "department__name",
            "level",
            "time_zone",
        )
    )


def division_of(person: Person) -> str:
    department = person.department
    assert department is not None
    return department.parent.name if department.parent else department.name


def test_default_is_300_people_in_26_departments():
    output = demo()

    assert Person.objects.count() == 300
    assert Department.objects.count() == 26
    assert "People: 300 (" in output
    assert "Departments: 26\n" in output


def test_people_option_sets_the_headcount():
    demo("--people", "60")

    assert Person.objects.count() == 60


def test_the_smallest_organisation_still_has_every_login():
    demo("--people", "20")

    assert Person.objects.count() == 20
    linked = Person.objects.filter(user__email__in=EMAILS.values())
    assert linked.count() == 4
    assert all(person.is_active for person in linked)


def test_a_small_organisation_gives_a_running_cohort_with_fewer_coachees():
    # Here rather than in test_demo_cohort.py, whose tests share a 300-person demo.
    demo("--people", "60")

    programme = Programme.objects.get(name=COHORT_NAME)
    assert programme.status == Programme.Status.RUNNING
    assert Counter(programme.enrolments.values_list("role", flat=True)) == {
        "coach": 12,
        "coachee": 7,
    }


def test_same_seed_same_organisation_and_another_seed_another():
    demo("--people", "150", "--seed", "5")
    first = snapshot()
    first_logins = sorted(
        Person.objects.filter(user__isnull=False).values_list("employee_id", "user__email")
    )

    demo("--reset", "--people", "150", "--seed", "5")
    second = snapshot()
    second_logins = sorted(
        Person.objects.filter(user__isnull=False).values_list("employee_id", "user__email")
    )

    demo("--reset", "--people", "150", "--seed", "6")
    third = snapshot()

    assert len(first) == 150
    assert second == first
    assert second_logins == first_logins
    assert third != first
    assert [row[0] for row in third] == [row[0] for row in first]


def test_generator_returns_what_it_wrote():
    generated = organisation_generate(people=250, seed=3)

    described = organisation_describe()
    assert described == generated
    assert generated.people == 250
    assert generated.active_people == Person.objects.filter(is_active=True).count()
    assert generated.departments == 26


def test_manager_tree_is_one_tree_with_grades_falling_down_it():
    demo("--people", "300", "--seed", "11")
    people = {person.pk: person for person in Person.objects.all()}

    roots = [person for person in people.values() if person.manager_id is None]
    assert [(root.job_title, root.level, root.is_active) for root in roots] == [
        ("Chief Executive Officer", 12, True)
    ]
    assert list(org_chart_roots()) == roots
    chief = roots[0]
    for person in people.values():
        seen = set()
        current = person
        while current.manager_id is not None:
            assert current.pk not in seen
            seen.add(current.pk)
            manager = people[current.manager_id]
            assert manager.level > current.level
            current = manager
        assert current == chief
    spans = Counter(person.manager_id for person in people.values() if person.manager_id)
    assert max(spans.values()) <= 8
    # Only individual contributors leave: nobody active reports to someone inactive.
    inactive = {pk for pk, person in people.items() if not person.is_active}
    assert inactive
    assert not any(person.manager_id in inactive for person in people.values())


def test_management_chain_of_the_deepest_person_reaches_the_chief_executive():
    summary = organisation_generate(people=300, seed=2)
    people = {person.pk: person for person in Person.objects.all()}

    def depth(person: Person) -> int:
        return 1 if person.manager_id is None else 1 + depth(people[person.manager_id])

    deepest = max(people.values(), key=depth)
    chain = management_chain(deepest)

    assert depth(deepest) == summary.depth
    assert len(chain) == summary.depth - 1
    assert chain[-1].job_title == "Chief Executive Officer"
    assert in_reporting_line(deepest, chain[-1]) is True


def test_departments_are_divisions_with_departments_under_them():
    demo("--people", "100")

    top = sorted(Department.objects.filter(parent__isnull=True).values_list("name", flat=True))
    assert top == sorted(["Office of the CEO", *(division.name for division in DIVISIONS)])
    below = Department.objects.filter(parent__isnull=False).select_related("parent")
    assert below.count() == 19
    assert all(department.parent.parent_id is None for department in below)
    assert {department.name for department in below} >= {
        "Engineering",
        "Research & Development",
        "Sales",
        "Marketing",
        "Customer Success",
        "Finance",
        "Legal",
        "Learning & Development",
    }


def test_time_zones_locations_languages_and_emails_fit_together():
    demo("--people", "300")
    time_zone_of = {location.name: location.time_zone for location in LOCATIONS}
    people = list(Person.objects.all())

    assert {person.time_zone for person in people} <= zoneinfo.available_timezones()
    assert all(person.time_zone == time_zone_of[person.location] for person in people)
    assert all(person.languages[0] == "en" for person in people)
    assert all(len(set(person.languages)) == len(person.languages) for person in people)
    emails = [person.email for person in people]
    assert len(set(emails)) == 300
    assert all(email.endswith("@cadre-demo.example") for email in emails)
    assert all(email.isascii() for email in emails)
    assert all(person.hire_date is not None for person in people)
    assert len({person.location for person in people}) >= 8


def test_logins_exist_for_each_role_and_fit_their_people():
    output = demo("--people", "300")

    assert LOGIN_EMAILS == EMAILS
    for role, email in EMAILS.items():
        user = User.objects.get(email=email)
        assert list(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == [role]
        assert (user.is_staff, user.is_superuser) == (
            (True, True) if role == Role.PROGRAMME_ADMIN else (False, False)
        )
        assert f"{email}  " in output
    people = {
        role: Person.objects.select_related("department__parent").get(user__email=email)
        for role, email in EMAILS.items()
    }
    assert division_of(people[Role.PROGRAMME_ADMIN]) == "People & Culture"
    assert people[Role.SPONSOR].level == 11
    coach, coachee = people[Role.COACH], people[Role.COACHEE]
    assert coach.level > coachee.level
    assert coach.level >= 8
    assert coach.direct_reports.filter(is_active=True).exists()
    assert coachee.direct_reports.filter(is_active=True).exists()
    assert division_of(coach) != division_of(coachee)
    assert in_reporting_line(coach, coachee) is False
    assert "Log in at http://127.0.0.1:8000/ as:" in output
    assert output.count(DEMO_PASSWORD) == 4
    assert DEMO_PASSWORD == "cadre-demo-2026"


@pytest.mark.parametrize("role", list(Role))
def test_each_demo_login_logs_in_with_the_printed_password(role):
    demo("--people", "60")
    client = Client()

    response = client.post(
        reverse("login"), {"username": EMAILS[role], "password": "cadre-demo-2026"}
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email=EMAILS[role]).pk
    assert client.get(reverse("home")).status_code == 200


def test_running_twice_without_reset_duplicates_nothing_and_prints_the_logins():
    demo("--people", "60")
    counts = (Person.objects.count(), Department.objects.count(), User.objects.count())
    grants = RoleGrant.objects.count()

    output = demo("--people", "60")

    assert (Person.objects.count(), Department.objects.count(), User.objects.count()) == counts
    # One grant per demo login, and the coach role for the demo's other coaches.
    assert RoleGrant.objects.count() == grants == 4 + COACHES - 1
    assert "The demo data is already there" in output
    assert "People: 60 (" in output
    assert all(email in output for email in EMAILS.values())


def test_reset_regenerates_and_keeps_the_competency_model():
    competencies = Competency.objects.count()
    demo("--people", "60", "--seed", "1")
    before = snapshot()

    output = demo("--reset", "--people", "80", "--seed", "2")

    assert Person.objects.count() == 80
    assert Department.objects.count() == 26
    assert User.objects.filter(email__endswith="@cadre-demo.example").count() == 4 + COACHES - 1
    assert RoleGrant.objects.count() == 4 + COACHES - 1
    assert Competency.objects.count() == competencies > 0
    assert snapshot()[:60] != before
    assert "Generated the demo organisation (seed 2)." in output


def test_reset_also_clears_people_that_are_not_the_demos():
    PersonFactory(employee_id="HR-1")

    demo("--reset", "--people", "40")

    assert not Person.objects.filter(employee_id="HR-1").exists()
    assert Person.objects.count() == 40


def test_refuses_to_mix_the_demo_into_an_existing_organisation():
    PersonFactory(employee_id="HR-1")

    with pytest.raises(CommandError, match="--reset"):
        demo("--people", "40")

    assert list(Person.objects.values_list("employee_id", flat=True)) == ["HR-1"]


@pytest.mark.parametrize("people", ["0", "19", "100001", "-5"])
def test_people_out_of_range_is_an_error_naming_the_option(people):
    with pytest.raises(CommandError, match=r"--people must be between 20 and 100,000, got -?\d+\."):
        demo("--people", people)

    assert Person.objects.count() == 0


def test_people_that_is_not_a_number_is_an_error_naming_the_option():
    with pytest.raises(CommandError, match="--people"):
        demo("--people", "many")


def test_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match=r"DEBUG off.*--force"):
        demo("--people", "40")
    assert Person.objects.count() == 0

    demo("--people", "40", "--force")
    assert Person.objects.count() == 40
