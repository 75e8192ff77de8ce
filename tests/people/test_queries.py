import pytest

from cadre.people import queries
from cadre.people.models import Person
from cadre.people.queries import DirectoryFilters
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """ceo -> (vp_a -> (lead_a -> (ic_1, ic_2)), vp_b -> lead_b)"""
    ceo = PersonFactory(full_name="CEO")
    vp_a = PersonFactory(full_name="VP A", manager=ceo)
    vp_b = PersonFactory(full_name="VP B", manager=ceo)
    lead_a = PersonFactory(full_name="Lead A", manager=vp_a)
    lead_b = PersonFactory(full_name="Lead B", manager=vp_b)
    ic_1 = PersonFactory(full_name="IC 1", manager=lead_a)
    ic_2 = PersonFactory(full_name="IC 2", manager=lead_a)
    return {p.full_name: p for p in [ceo, vp_a, vp_b, lead_a, lead_b, ic_1, ic_2]}


def test_management_chain_runs_from_direct_manager_to_the_top(tree, django_assert_num_queries):
    with django_assert_num_queries(2):
        chain = queries.management_chain(tree["IC 1"])

    assert [p.full_name for p in chain] == ["Lead A", "VP A", "CEO"]


def test_management_chain_of_the_top_is_empty(tree):
    assert queries.management_chain(tree["CEO"]) == []


def test_reports_under_covers_every_depth_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = sorted(p.full_name for p in queries.reports_under(tree["VP A"]))

    assert names == ["IC 1", "IC 2", "Lead A"]
    assert queries.reports_under(tree["CEO"]).count() == 6
    assert queries.reports_under(tree["IC 1"]).count() == 0


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("CEO", "IC 1", True),
        ("IC 2", "VP A", True),
        ("Lead A", "IC 1", True),
        ("IC 1", "IC 2", False),
        ("VP A", "Lead B", False),
        ("Lead A", "Lead B", False),
    ],
)
def test_in_reporting_line_looks_both_ways_at_any_depth(tree, first, second, expected):
    assert queries.in_reporting_line(tree[first], tree[second]) is expected


def test_chain_walk_stops_on_a_loop_in_bad_data():
    first = PersonFactory()
    second = PersonFactory(manager=first)
    Person.objects.filter(pk=first.pk).update(manager=second)

    chain = queries.management_chain(first)

    assert {p.pk for p in chain} == {first.pk, second.pk}


def test_direct_reports_counts_their_own_reports(tree):
    reports = queries.direct_reports(tree["VP A"])

    assert [(p.full_name, p.report_count) for p in reports] == [("Lead A", 2)]


def test_directory_matches_employee_id_exactly_and_names_partially():
    PersonFactory(full_name="Ann Exact", employee_id="X-1")
    PersonFactory(full_name="Someone X-10", employee_id="X-10")

    found = queries.directory(Person.objects.all(), DirectoryFilters(text="x-1"))

    assert [p.employee_id for p in found] == ["X-1", "X-10"]
    found = queries.directory(Person.objects.all(), DirectoryFilters(text="ann"))
    assert [p.full_name for p in found] == ["Ann Exact"]


def test_organisation_summary_counts():
    boss = PersonFactory()
    PersonFactory(manager=boss)
    PersonFactory(is_active=False)

    summary = queries.organisation_summary()

    assert (summary.active_people, summary.inactive_people, summary.without_manager) == (2, 1, 1)
    assert summary.departments == 3
