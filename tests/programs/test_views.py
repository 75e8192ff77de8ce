from datetime import timedelta

import pytest
from django.urls import reverse

from cadre.accounts.models import Role
from cadre.programs.default_responsibilities import DEFAULT_RESPONSIBILITIES
from cadre.programs.models import Programme
from cadre.programs.services import (
    ObjectiveChanges,
    programme_objectives_save,
    programme_transition,
)
from tests.factories import DepartmentFactory
from tests.programs.conftest import objective, put_in, settings_for, today

pytestmark = pytest.mark.django_db

Status = Programme.Status
LIST = reverse("programs:programme_list")
NEW = reverse("programs:programme_new")


def detail(programme: Programme) -> str:
    return reverse("programs:programme", args=[programme.pk])


def edit(programme: Programme) -> str:
    return reverse("programs:programme_edit", args=[programme.pk])


def form_data(*, objectives=(), existing=(), **changes) -> dict[str, object]:
    """What the create/edit page posts for ``settings_for(**changes)``."""
    values = settings_for(**changes)
    data: dict[str, object] = {
        name: ("" if value is None else value)
        for name, value in values.items()
        if not name.startswith("offers_")
    }
    data["formats"] = [name for name in values if name.startswith("offers_") and values[name]]
    for name in ("starts_on", "ends_on", "enrolment_opens_on", "enrolment_closes_on"):
        if data[name]:
            data[name] = data[name].isoformat()  # type: ignore[union-attr]
    rows = [*existing, *objectives]
    data.update(
        {
            "objectives-TOTAL_FORMS": len(rows),
            "objectives-INITIAL_FORMS": len(existing),
            "objectives-MIN_NUM_FORMS": 0,
            "objectives-MAX_NUM_FORMS": 1000,
        }
    )
    for index, row in enumerate(rows):
        data.update({f"objectives-{index}-{key}": value for key, value in row.items()})
    data.update(
        {f"responsibilities-{role}": text for role, text in DEFAULT_RESPONSIBILITIES.items()}
    )
    return data


OBJECTIVE = {
    "description": "80 % of coachees hold at least 6 sessions",
    "metric": "sessions_per_coachee",
    "comparison": "at_least",
    "target": "80",
    "unit": "%",
    "due_on": (today() + timedelta(days=200)).isoformat(),
    "position": "0",
}


# The list


def test_admins_see_every_programme_with_its_status(admin, make_programme):
    put_in(make_programme("Leaders 2027"), Status.ENROLLING)
    make_programme("Circles 2028", starts_on=today(), enrolment_opens_on=today())

    response = admin.client.get(LIST)

    assert response.status_code == 200
    names = [(p.name, p.status, p.objective_count) for p in response.context["programmes"]]
    assert names == [("Circles 2028", "draft", 1), ("Leaders 2027", "enrolling", 1)]
    assert b"New programme" in response.content


def test_the_empty_list_says_what_to_do_next(admin):
    response = admin.client.get(LIST)

    assert b"There are no programmes yet." in response.content
    assert b"Create the first programme" in response.content


def test_sponsors_see_only_the_programmes_they_sponsor(sponsor, make_programme):
    make_programme("Theirs", sponsor=sponsor.person)
    make_programme("Someone else's")

    response = sponsor.client.get(LIST)

    assert [p.name for p in response.context["programmes"]] == ["Theirs"]
    assert b"New programme" not in response.content


@pytest.mark.parametrize("member", ["coach", "coachee", "outsider"])
def test_the_list_and_the_new_page_are_refused_to_others(member, request):
    member = request.getfixturevalue(member)

    assert member.client.get(LIST).status_code == 403
    assert member.client.get(NEW).status_code == 403
    assert member.client.post(NEW, form_data()).status_code == 403
    assert Programme.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={LIST}"


def test_list_query_count_does_not_grow_with_programmes(
    admin, make_programme, django_assert_num_queries
):
    make_programme("First")
    admin.client.get(LIST)
    with django_assert_num_queries(5) as one:
        admin.client.get(LIST)
    for index in range(10):
        make_programme(f"More {index}", sponsor=admin.person)
    with django_assert_num_queries(len(one.captured_queries)):
        admin.client.get(LIST)


# Creating and editing


def test_admin_creates_a_draft_with_objectives_and_responsibilities(admin, sponsor):
    sales = DepartmentFactory(name="Sales")
    data = form_data(
        objectives=[OBJECTIVE], sponsor=sponsor.person.pk, eligible_departments=[sales.pk]
    )
    data["responsibilities-coach"] = "Listen.\nAsk."

    response = admin.client.post(NEW, data)

    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response.url == detail(programme)
    assert (programme.name, programme.status, programme.sponsor) == (
        "Leaders 2027",
        Status.DRAFT,
        sponsor.person,
    )
    assert list(programme.eligible_departments.all()) == [sales]
    assert [o.target_display for o in programme.objectives.all()] == ["≥ 80 %"]
    assert programme.responsibilities.get(role=Role.COACH).text == "Listen.\nAsk."


def test_the_new_page_offers_the_default_responsibilities(admin):
    response = admin.client.get(NEW)

    assert (
        response.context["responsibilities"]["coach"].value() == DEFAULT_RESPONSIBILITIES["coach"]
    )


def test_validation_messages_sit_on_their_fields(admin, make_programme):
    make_programme("Leaders 2027")
    data = form_data(
        name="LEADERS 2027",
        ends_on=today() - timedelta(days=40),
        enrolment_closes_on=None,
        min_level=7,
        max_level=3,
        default_coach_capacity=6,
    )
    data["formats"] = []

    response = admin.client.post(NEW, data)

    errors = {field: list(messages) for field, messages in response.context["form"].errors.items()}
    assert response.status_code == 200
    assert errors == {
        "name": ["A programme with this name already exists."],
        "formats": ["Choose at least one format."],
        "default_coach_capacity": ["Ensure this value is less than or equal to 5."],
        "ends_on": ["The programme must end after it starts."],
        "enrolment_closes_on": ["Give both dates of the enrolment window, or neither."],
        "max_level": ["The highest level can't be below the lowest."],
    }
    assert Programme.objects.count() == 1


def test_an_objective_without_a_metric_is_refused_on_its_field(admin):
    response = admin.client.post(NEW, form_data(objectives=[{**OBJECTIVE, "metric": ""}]))

    assert response.context["objectives"].errors == [{"metric": ["This field is required."]}]
    assert Programme.objects.count() == 0


def test_admin_edits_settings_objectives_and_responsibilities(admin, make_programme):
    programme = make_programme()
    first = programme.objectives.get()
    existing = {**OBJECTIVE, "id": first.pk, "target": "90", "DELETE": ""}
    data = form_data(existing=[existing], objectives=[{**OBJECTIVE, "description": "Retain 95 %"}])
    data["description"] = "Now with circles."
    data["formats"] = ["offers_one_on_one", "offers_group_circles"]

    response = admin.client.post(edit(programme), data)

    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.description == "Now with circles."
    assert programme.formats == ["One-on-one coaching", "Group coaching circles"]
    assert list(programme.objectives.values_list("description", "target")) == [
        ("80 % of coachees hold at least 6 sessions", 90),
        ("Retain 95 %", 80),
    ]


def test_locked_fields_are_disabled_and_named_on_the_edit_page(admin, make_programme):
    programme = put_in(make_programme(), Status.MATCHING)
    data = form_data(
        existing=[{**OBJECTIVE, "id": programme.objectives.get().pk}],
        min_level=1,
        description="Changed.",
    )
    data["formats"] = ["offers_development_track"]

    page = admin.client.get(edit(programme))
    response = admin.client.post(edit(programme), data)

    assert page.context["form"].fields["min_level"].disabled is True
    assert page.context["form"].fields["formats"].disabled is True
    assert page.context["form"].fields["description"].disabled is False
    assert (
        "“Leaders 2027” is matching: formats, enrolment opens on, enrolment closes on, lowest "
        "level, highest level, eligible departments, minimum tenure (months), default coach "
        "capacity, cross-department pairs, minimum level gap, time-zone window (hours) can't be "
        "changed any more."
    ) in page.content.decode()
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.description, programme.min_level, programme.formats) == (
        "Changed.",
        4,
        ["One-on-one coaching"],
    )


def test_a_closed_programme_cannot_be_edited(admin, make_programme):
    programme = put_in(make_programme(), Status.CLOSED)

    response = admin.client.get(edit(programme), follow=True)

    assert response.redirect_chain == [(detail(programme), 302)]
    assert "“Leaders 2027” is closed: nothing in it can be changed any more." in [
        str(m) for m in response.context["messages"]
    ]


@pytest.mark.parametrize("member", ["coach", "coachee", "outsider"])
def test_others_get_404_on_a_programme(member, request, make_programme):
    member = request.getfixturevalue(member)
    programme = make_programme()

    assert member.client.get(detail(programme)).status_code == 404
    assert member.client.get(edit(programme)).status_code == 404
    move = reverse("programs:programme_move", args=[programme.pk])
    assert member.client.post(move, {"to_status": "enrolling"}).status_code == 404


# The programme page


def test_admin_page_shows_checklist_history_and_the_allowed_moves(admin, make_programme):
    programme = make_programme()
    admin.client.post(
        reverse("programs:programme_move", args=[programme.pk]), {"to_status": "enrolling"}
    )

    response = admin.client.get(detail(programme))

    content = response.content.decode()
    assert response.context["checklist"].next_status == Status.MATCHING
    assert [(m["label"], m["refusal"] is None) for m in response.context["transitions"]] == [
        ("Close enrolment and start matching", False),
        ("Back to draft", True),
    ]
    assert "can&#x27;t move to matching yet: The enrolment window has closed" in content
    assert "Draft → Enrolling" in content
    assert "by Ada Admin" in content
    assert "Keep what your coachee tells you confidential" in content


def test_moving_is_refused_with_the_message(admin, make_programme):
    programme = make_programme()

    response = admin.client.post(
        reverse("programs:programme_move", args=[programme.pk]),
        {"to_status": "running"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "“Leaders 2027” can't move from draft to running."
    ]
    assert Programme.objects.get().status == Status.DRAFT


def test_moving_succeeds_with_a_message(admin, make_programme):
    programme = make_programme()

    response = admin.client.post(
        reverse("programs:programme_move", args=[programme.pk]),
        {"to_status": "enrolling"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["“Leaders 2027” is now enrolling."]
    assert Programme.objects.get().status == Status.ENROLLING


def test_sponsor_sees_their_programme_but_not_the_admin_parts(sponsor, make_programme):
    theirs = put_in(make_programme("Theirs", sponsor=sponsor.person), Status.ENROLLING)
    other = make_programme("Other")

    response = sponsor.client.get(detail(theirs))

    content = response.content.decode()
    assert response.status_code == 200
    assert "80 % of coachees hold at least 6 sessions" in content
    assert "Lifecycle" not in content
    assert "Ada Admin" not in content
    assert reverse("programs:programme_edit", args=[theirs.pk]) not in content
    assert sponsor.client.get(detail(other)).status_code == 404
    assert sponsor.client.get(edit(theirs)).status_code == 403
    move = reverse("programs:programme_move", args=[theirs.pk])
    assert sponsor.client.post(move, {"to_status": "draft"}).status_code == 403


def test_detail_query_count_does_not_grow(admin, make_programme, django_assert_num_queries):
    programme = make_programme()
    admin.client.get(detail(programme))
    # The funnel on the page adds one query, whatever the number of enrolments.
    with django_assert_num_queries(10) as one:
        admin.client.get(detail(programme))
    many = make_programme(
        "Many",
        objectives=[],
        eligible_departments=[DepartmentFactory() for _ in range(5)],
    )
    programme_objectives_save(
        programme=many,
        changes=ObjectiveChanges(added=[objective(description=f"Goal {n}") for n in range(6)]),
        changed_by=admin.user,
    )
    programme_transition(programme=many, to_status=Status.ENROLLING, by=admin.user)
    programme_transition(programme=many, to_status=Status.DRAFT, by=admin.user)
    with django_assert_num_queries(len(one.captured_queries)):
        admin.client.get(detail(many))


def test_the_navigation_offers_programmes_to_admins_and_sponsors(admin, sponsor, coach):
    def labels(member):
        return [item.label for item in member.client.get(reverse("home")).context["nav_items"]]

    assert "Programmes" in labels(admin)
    assert "Programmes" in labels(sponsor)
    assert "Programmes" not in labels(coach)


def test_every_programme_model_opens_in_the_django_admin(admin, make_programme):
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    programme = make_programme()
    put_in(programme, Status.RUNNING)

    for model in (
        "programme",
        "programmeobjective",
        "programmeresponsibility",
        "programmetransition",
    ):
        assert admin.client.get(reverse(f"admin:programs_{model}_changelist")).status_code == 200
    change = admin.client.get(reverse("admin:programs_programme_change", args=[programme.pk]))
    assert change.status_code == 200
