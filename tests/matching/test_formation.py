"""Group circle formation in the app: the engine's circles from a programme's people, saved
through the circles service; the admins' page; who may use it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import Circle
from cadre.coaching.rules import CoachingError
from cadre.matching.formation import circles_create, circles_propose
from cadre.people.models import Person
from tests.coaching.conftest import coachee_person, enrol_coach, enrol_coachee
from tests.factories import DepartmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_programme(programme):
    programme.offers_group_circles = True
    programme.save(update_fields=["offers_group_circles"])
    return programme


def people(programme, count: int, departments: int = 2, manager: Person | None = None):
    """Approved coachees, spread over ``departments`` departments, levels 4 and 5."""
    units = [DepartmentFactory(name=f"Unit {n}") for n in range(departments)]
    found = []
    for n in range(count):
        person = coachee_person(
            full_name=f"Member {n:02d}",
            department=units[n % departments],
            level=4 + n % 2,
            manager=manager,
        )
        enrol_coachee(programme, person)
        found.append(person)
    return found


def facilitators(programme, count: int):
    found = []
    for n in range(count):
        person = PersonFactory(full_name=f"Facilitator {n}", level=9)
        enrol_coach(programme, person)
        found.append(person)
    return found


def test_circles_spread_departments_and_keep_managers_apart(group_programme, admin):
    boss = coachee_person(full_name="Member Boss", department=DepartmentFactory(name="Unit X"))
    enrol_coachee(group_programme, boss)
    reports = people(group_programme, 3, manager=boss)
    others = people(group_programme, 4)
    leaders = facilitators(group_programme, 2)

    proposal = circles_propose(
        programme=group_programme,
        kind="coaching",
        participants=[boss, *reports, *others],
        facilitators=leaders,
        min_size=4,
        max_size=4,
        by=admin.user,
    )

    assert len(proposal.circles) == 2
    assert proposal.placed == 8
    assert proposal.gap == 0
    assert proposal.quality == proposal.bound == 5
    circle_of = {member.pk: circle for circle in proposal.circles for member in circle.members}
    assert all(circle_of[report.pk] is not circle_of[boss.pk] for report in reports)
    assert {circle.facilitator for circle in proposal.circles} == set(leaders)
    assert [circle.name for circle in proposal.circles] == [
        "Leaders coaching leaders circle 1",
        "Leaders coaching leaders circle 2",
    ]


def test_creating_saves_the_circles_proposed(group_programme, admin):
    members = people(group_programme, 8)
    leaders = facilitators(group_programme, 2)
    choices = {
        "programme": group_programme,
        "kind": "coaching",
        "participants": members,
        "facilitators": leaders,
        "min_size": 3,
        "max_size": 5,
        "by": admin.user,
    }
    proposal = circles_propose(**choices)

    created = circles_create(**choices)

    assert [
        (circle.name, circle.facilitator, sorted(circle.members.all(), key=lambda p: p.full_name))
        for circle in created
    ] == [(c.name, c.facilitator, c.members) for c in proposal.circles]
    assert all(
        circle.programme == group_programme and circle.kind == "coaching" for circle in created
    )
    assert AuditEvent.objects.get(action="matching.circles_form").details == {
        "kind": "coaching",
        "circles": 2,
        "placed": 8,
        "quality": 4,
        "bound": 4,
    }
    # Names already taken are skipped the next time.
    again = circles_propose(**choices)
    assert [c.name for c in again.circles] == [
        "Leaders coaching leaders circle 3",
        "Leaders coaching leaders circle 4",
    ]


def test_supervision_circles_place_coaches_and_a_facilitator_only_facilitates(programme, admin):
    coaches = facilitators(programme, 7)

    proposal = circles_propose(
        programme=programme,
        kind="supervision",
        participants=coaches,
        facilitators=coaches[:1],
        min_size=3,
        max_size=6,
        by=admin.user,
    )

    assert [len(circle.members) for circle in proposal.circles] == [6]
    assert proposal.circles[0].facilitator == coaches[0]
    assert coaches[0] not in proposal.circles[0].members


def test_impossible_choices_are_refused_with_names(group_programme, admin):
    boss = coachee_person(full_name="Member Boss")
    enrol_coachee(group_programme, boss)
    reports = people(group_programme, 3, manager=boss)

    with pytest.raises(CoachingError, match="Participants Member Boss share a reporting line"):
        circles_propose(
            programme=group_programme,
            kind="coaching",
            participants=[boss, *reports],
            facilitators=facilitators(group_programme, 1),
            min_size=3,
            max_size=4,
            by=admin.user,
        )


@pytest.mark.parametrize(
    ("sizes", "message"),
    [((2, 5), "A circle has 3 to 12 members"), ((6, 5), "the smallest first")],
)
def test_sizes_outside_the_circles_rules_are_refused(group_programme, admin, sizes, message):
    with pytest.raises(CoachingError, match=message):
        circles_propose(
            programme=group_programme,
            kind="coaching",
            participants=people(group_programme, 6),
            facilitators=facilitators(group_programme, 1),
            min_size=sizes[0],
            max_size=sizes[1],
            by=admin.user,
        )


def test_group_circles_need_a_programme_that_offers_them(programme, admin):
    with pytest.raises(CoachingError, match="doesn't offer group coaching circles"):
        circles_propose(
            programme=programme,
            kind="coaching",
            participants=people(programme, 6),
            facilitators=facilitators(programme, 1),
            min_size=3,
            max_size=6,
            by=admin.user,
        )


def test_only_programme_admins_form_circles(group_programme, coach):
    with pytest.raises(PermissionDenied):
        circles_propose(
            programme=group_programme,
            kind="coaching",
            participants=people(group_programme, 6),
            facilitators=facilitators(group_programme, 1),
            min_size=3,
            max_size=6,
            by=coach.user,
        )


# The page


def form_data(members, leaders, action="propose", **changes):
    data = {
        "participants": [person.pk for person in members],
        "facilitators": [person.pk for person in leaders],
        "min_size": 3,
        "max_size": 5,
        "circles_per_facilitator": 1,
        "action": action,
    }
    data.update(changes)
    return data


def test_the_page_ticks_everyone_not_yet_in_a_circle(group_programme, admin):
    members = people(group_programme, 6)
    leaders = facilitators(group_programme, 1)
    url = reverse("matching:circle_formation", args=[group_programme.pk])

    form = admin.client.get(url).context["form"]

    assert sorted(form.initial["participants"]) == sorted(person.pk for person in members)
    assert form.initial["facilitators"] == [leaders[0].pk]


def test_the_page_proposes_then_creates(group_programme, admin):
    members = people(group_programme, 8)
    leaders = facilitators(group_programme, 2)
    url = reverse("matching:circle_formation", args=[group_programme.pk])

    shown = admin.client.post(url, form_data(members, leaders))

    page = shown.content.decode()
    assert "2 circles for 8 people" in page
    assert "4 of at most 4" in page
    assert "Leaders coaching leaders circle 2" in page
    assert not Circle.objects.exists()

    created = admin.client.post(url, form_data(members, leaders, action="create"))

    assert created.status_code == 302
    assert created["Location"] == reverse("coaching:admin_circles")
    assert Circle.objects.count() == 2


def test_the_page_shows_why_no_circles_can_be_formed(group_programme, admin):
    members = people(group_programme, 8)
    leaders = facilitators(group_programme, 1)
    url = reverse("matching:circle_formation", args=[group_programme.pk])

    response = admin.client.post(url, form_data(members, leaders))

    assert "2 circles are needed but the facilitators can lead 1" in response.content.decode()


def test_the_page_is_for_programme_admins(
    group_programme, coach, coachee, sponsor, outsider, client
):
    url = reverse("matching:circle_formation", args=[group_programme.pk])
    for member in (coach, coachee, sponsor, outsider):
        assert member.client.get(url).status_code == 403
        assert member.client.post(url, {"action": "create"}).status_code == 403
    assert client.get(url).status_code == 302


def test_an_unknown_programme_is_not_found(admin):
    url = reverse("matching:circle_formation", args=[999999])
    assert admin.client.get(url).status_code == 404


def test_the_page_reads_a_fixed_number_of_queries(
    group_programme, admin, django_assert_num_queries
):
    url = reverse("matching:circle_formation", args=[group_programme.pk])
    first = people(group_programme, 3)
    leaders = facilitators(group_programme, 1)
    admin.client.post(url, form_data(first, leaders))
    with django_assert_num_queries(15) as few:
        assert (
            "1 circle for 3 people"
            in admin.client.post(url, form_data(first, leaders)).content.decode()
        )
    more = first + people(group_programme, 9, departments=3)
    more_leaders = leaders + facilitators(group_programme, 2)
    with django_assert_num_queries(len(few.captured_queries)):
        page = admin.client.post(url, form_data(more, more_leaders)).content.decode()
        assert "3 circles for 12 people" in page
