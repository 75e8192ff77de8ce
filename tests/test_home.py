import pytest
from django.urls import reverse

from cadre.core.charts import Bar, bars
from tests.factories import DepartmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_bars_scale_against_the_largest_value():
    assert bars([("a", 10), ("b", 5), ("c", 0)]) == [
        Bar("a", 10, 100.0),
        Bar("b", 5, 50.0),
        Bar("c", 0, 0.0),
    ]
    assert bars([("empty", 0)]) == [Bar("empty", 0, 0.0)]


def test_admin_home_shows_the_organisation_in_figures_and_charts(admin):
    sales = DepartmentFactory(name="Sales")
    PersonFactory.create_batch(3, department=sales, level=4)
    PersonFactory(department=sales, level=4, is_active=False)

    response = admin.client.get(reverse("home"))

    summary = response.context["organisation"]
    assert (summary.active_people, summary.inactive_people) == (4, 1)
    assert response.context["department_bars"][0] == Bar("Sales", 3, 100.0)
    assert [bar.label for bar in response.context["level_bars"]] == ["Level 4", "Level 3"]
    assert b"Active people by department" in response.content


@pytest.mark.parametrize("member", ["coach", "coachee", "sponsor"])
def test_members_see_themselves_but_not_organisation_figures(member, request):
    member = request.getfixturevalue(member)

    response = member.client.get(reverse("home"))

    assert response.context["organisation"] is None
    assert response.context["me"] == member.person
    assert b"Active people by department" not in response.content


def test_outsider_home_explains_what_to_do(outsider):
    response = outsider.client.get(reverse("home"))

    assert response.status_code == 200
    assert b"Your login isn't linked to anyone in the organisation yet." in response.content


def test_home_query_count_does_not_grow(admin, django_assert_num_queries):
    url = reverse("home")
    admin.client.get(url)
    with django_assert_num_queries(10) as one:
        admin.client.get(url)
    for index in range(8):
        PersonFactory.create_batch(
            3, department=DepartmentFactory(name=f"Dept {index}"), level=index + 1
        )
    with django_assert_num_queries(len(one.captured_queries)):
        admin.client.get(url)


def test_navigation_offers_only_what_the_user_may_open(admin, coach, outsider):
    def labels(member):
        return [item.label for item in member.client.get(reverse("home")).context["nav_items"]]

    assert labels(admin) == [
        "Home",
        "People",
        "Org chart",
        "Competencies",
        "My programmes",
        "Programmes",
        "Training",
        "Certification",
        "Matching",
        "Relationships",
        "Circles",
        "Import",
        "Audit log",
    ]
    assert labels(coach) == [
        "Home",
        "People",
        "Org chart",
        "Competencies",
        "My programmes",
        "My coaching",
        "My circles",
        "My surveys",
        "Training",
    ]
    assert labels(outsider) == ["Home"]
