from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cadre.accounts.models import AuditEvent, Role
from cadre.programs.default_responsibilities import DEFAULT_RESPONSIBILITIES
from cadre.programs.models import Programme, ProgrammeObjective, ProgrammeTransition
from cadre.programs.queries import programme_checklist
from cadre.programs.services import (
    ObjectiveChanges,
    ProgrammeError,
    programme_create,
    programme_objectives_save,
    programme_responsibilities_save,
    programme_transition,
    programme_update,
)
from tests.factories import DepartmentFactory
from tests.programs.conftest import objective, put_in, settings_for, today

pytestmark = pytest.mark.django_db

Status = Programme.Status


def actions() -> list[str]:
    events = AuditEvent.objects.filter(action__startswith="programs.").order_by("id")
    return list(events.values_list("action", flat=True))


# Creating


def test_create_makes_a_draft_with_the_default_responsibilities_and_audits(admin):
    departments = [DepartmentFactory(name="Sales"), DepartmentFactory(name="Finance")]

    programme = programme_create(
        values=settings_for(eligible_departments=departments),
        objectives=[objective()],
        created_by=admin.user,
    )

    assert (programme.status, programme.created_by) == (Status.DRAFT, admin.user)
    assert sorted(d.name for d in programme.eligible_departments.all()) == ["Finance", "Sales"]
    texts = {r.role: r.text for r in programme.responsibilities.all()}
    assert texts == {role: DEFAULT_RESPONSIBILITIES[role] for role in Role.values}
    assert [o.description for o in programme.objectives.all()] == [
        "80 % of coachees hold at least 6 sessions"
    ]
    assert actions() == ["programs.programme_create"]


def test_every_role_has_several_default_responsibilities():
    counts = {role: len(text.splitlines()) for role, text in DEFAULT_RESPONSIBILITIES.items()}

    assert set(counts) == set(Role.values)
    assert all(count >= 4 for count in counts.values())


def test_create_keeps_the_responsibilities_given(admin):
    programme = programme_create(
        values=settings_for(),
        responsibilities={Role.COACH: "  Listen.  \n\n Ask. "},
        created_by=admin.user,
    )

    coach = programme.responsibilities.get(role=Role.COACH)
    assert coach.text == "Listen.\nAsk."
    assert (
        programme.responsibilities.get(role=Role.COACHEE).text
        == DEFAULT_RESPONSIBILITIES["coachee"]
    )


def test_create_refuses_invalid_settings_with_field_messages(admin):
    with pytest.raises(ValidationError) as refused:
        programme_create(
            values=settings_for(
                ends_on=today() - timedelta(days=60),
                enrolment_opens_on=None,
                enrolment_closes_on=None,
            ),
            created_by=admin.user,
        )

    assert refused.value.messages == ["The programme must end after it starts."]
    assert Programme.objects.count() == 0


def test_create_refuses_settings_that_are_not_programme_fields(admin):
    with pytest.raises(ProgrammeError, match=r"^Not a programme setting: status\.$"):
        programme_create(values=settings_for(status=Status.RUNNING), created_by=admin.user)


# The lifecycle


def test_a_ready_programme_goes_through_every_stage(make_programme, admin):
    programme = make_programme()

    programme_transition(programme=programme, to_status=Status.ENROLLING, by=admin.user)
    Programme.objects.filter(pk=programme.pk).update(enrolment_closes_on=today())
    programme_transition(programme=programme, to_status=Status.MATCHING, by=admin.user)
    programme_transition(programme=programme, to_status=Status.RUNNING, by=admin.user)
    programme_transition(
        programme=programme, to_status=Status.CLOSED, by=admin.user, note="Budget cut."
    )

    assert programme.status == Status.CLOSED
    assert Programme.objects.get().status == Status.CLOSED
    history = ProgrammeTransition.objects.filter(programme=programme).values_list(
        "from_status", "to_status", "by", "note"
    )
    assert list(history) == [
        ("draft", "enrolling", admin.user.pk, ""),
        ("enrolling", "matching", admin.user.pk, ""),
        ("matching", "running", admin.user.pk, ""),
        ("running", "closed", admin.user.pk, "Budget cut."),
    ]
    assert actions()[1:] == ["programs.programme_transition"] * 4
    assert AuditEvent.objects.order_by("id").last().details == {  # type: ignore[union-attr]
        "from": "running",
        "to": "closed",
        "note": "Budget cut.",
    }


@pytest.mark.parametrize(
    ("start", "back"), [(Status.ENROLLING, Status.DRAFT), (Status.MATCHING, Status.ENROLLING)]
)
def test_the_safe_steps_back_are_allowed(make_programme, admin, start, back):
    programme = put_in(make_programme(), start)

    programme_transition(programme=programme, to_status=back, by=admin.user, note="Fix dates")

    assert Programme.objects.get().status == back


@pytest.mark.parametrize(
    ("start", "to", "message"),
    [
        (Status.DRAFT, Status.MATCHING, "“Leaders 2027” can't move from draft to matching."),
        (Status.DRAFT, Status.CLOSED, "“Leaders 2027” can't move from draft to closed."),
        (Status.ENROLLING, Status.RUNNING, "“Leaders 2027” can't move from enrolling to running."),
        (Status.RUNNING, Status.MATCHING, "“Leaders 2027” can't move from running to matching."),
        (Status.RUNNING, Status.DRAFT, "“Leaders 2027” can't move from running to draft."),
        (Status.CLOSED, Status.RUNNING, "“Leaders 2027” can't move from closed to running."),
        (Status.ENROLLING, Status.ENROLLING, "“Leaders 2027” is already enrolling."),
        (Status.DRAFT, "paused", "“Leaders 2027” can't move from draft to paused."),
    ],
)
def test_moves_outside_the_lifecycle_are_refused(make_programme, admin, start, to, message):
    programme = put_in(make_programme(), start)

    with pytest.raises(ProgrammeError) as refused:
        programme_transition(programme=programme, to_status=to, by=admin.user)

    assert str(refused.value) == message
    assert Programme.objects.get().status == start
    assert ProgrammeTransition.objects.count() == 0


def test_enrolment_cannot_open_until_the_checklist_is_done(admin):
    programme = programme_create(
        values=settings_for(enrolment_opens_on=None, enrolment_closes_on=None),
        objectives=[objective(target=None)],
        responsibilities={Role.COACH: "", Role.COACHEE: " "},
        created_by=admin.user,
    )

    with pytest.raises(ProgrammeError) as refused:
        programme_transition(programme=programme, to_status=Status.ENROLLING, by=admin.user)

    assert str(refused.value) == (
        "“Leaders 2027” can't move to enrolling yet: "
        "At least one objective has a target and a due date; "
        "The coaches' responsibilities are written; "
        "The coachees' responsibilities are written; "
        "The enrolment window is set; "
        "The enrolment window has not closed yet."
    )
    assert Programme.objects.get().status == Status.DRAFT


def test_matching_waits_for_the_enrolment_window_to_close(make_programme, admin):
    programme = put_in(make_programme(), Status.ENROLLING)
    closes = programme.enrolment_closes_on
    assert closes is not None

    with pytest.raises(ProgrammeError) as refused:
        programme_transition(programme=programme, to_status=Status.MATCHING, by=admin.user)

    assert str(refused.value) == (
        "“Leaders 2027” can't move to matching yet: The enrolment window has closed or "
        f"closes today ({closes.day} {closes:%b %Y})."
    )


def test_running_needs_time_for_the_relationships_before_the_end(make_programme, admin):
    programme = put_in(make_programme(relationship_months=12), Status.MATCHING)

    with pytest.raises(ProgrammeError) as refused:
        programme_transition(programme=programme, to_status=Status.RUNNING, by=admin.user)

    ends = programme.ends_on
    assert str(refused.value) == (
        "“Leaders 2027” can't move to running yet: Relationships of 12 months started today "
        f"end by the programme's end ({ends.day} {ends:%b %Y})."
    )


def test_closing_before_the_end_date_needs_a_note(make_programme, admin):
    programme = put_in(make_programme(), Status.RUNNING)

    with pytest.raises(ProgrammeError, match="can't move to closed yet: The end date"):
        programme_transition(programme=programme, to_status=Status.CLOSED, by=admin.user, note=" ")
    programme_transition(
        programme=programme, to_status=Status.CLOSED, by=admin.user, note="Merged into 2028."
    )

    assert Programme.objects.get().status == Status.CLOSED


def test_closing_on_the_end_date_needs_no_note(make_programme, admin):
    programme = make_programme(
        starts_on=today() - timedelta(days=400),
        ends_on=today(),
        enrolment_opens_on=today() - timedelta(days=400),
        enrolment_closes_on=today() - timedelta(days=380),
    )
    put_in(programme, Status.RUNNING)

    programme_transition(programme=programme, to_status=Status.CLOSED, by=admin.user)

    assert Programme.objects.get().status == Status.CLOSED


def test_a_stale_programme_cannot_be_moved_twice(make_programme, admin):
    """Two admins open the same draft; the first opens enrolment, the second is refused."""
    programme = make_programme()
    first_copy = Programme.objects.get(pk=programme.pk)
    second_copy = Programme.objects.get(pk=programme.pk)

    programme_transition(programme=first_copy, to_status=Status.ENROLLING, by=admin.user)
    with pytest.raises(ProgrammeError) as refused:
        programme_transition(programme=second_copy, to_status=Status.ENROLLING, by=admin.user)

    assert str(refused.value) == "“Leaders 2027” is already enrolling."
    assert second_copy.status == Status.ENROLLING
    assert ProgrammeTransition.objects.count() == 1


def test_the_checklist_names_what_the_next_stage_needs(make_programme):
    programme = make_programme()

    draft = programme_checklist(programme)
    put_in(programme, Status.CLOSED)
    closed = programme_checklist(programme)

    assert (draft.next_status, draft.next_label) == (Status.ENROLLING, "enrolling")
    assert [(item.text, item.done) for item in draft.items] == [
        ("At least one objective has a target and a due date", True),
        ("The coaches' responsibilities are written", True),
        ("The coachees' responsibilities are written", True),
        ("The enrolment window is set", True),
        ("The enrolment window has not closed yet", True),
    ]
    assert (closed.next_status, closed.items) == (None, [])


# Locks


@pytest.mark.parametrize(
    ("status", "changes", "message"),
    [
        (
            Status.ENROLLING,
            {"offers_group_circles": True},
            "“Leaders 2027” is enrolling: formats can't be changed any more.",
        ),
        (
            Status.MATCHING,
            {"min_level": 3, "cross_department": "required", "time_zone_window_hours": 2},
            "“Leaders 2027” is matching: lowest level, cross-department pairs, "
            "time-zone window (hours) can't be changed any more.",
        ),
        (
            Status.RUNNING,
            {"relationship_months": 9, "default_coach_capacity": 3},
            "“Leaders 2027” is running: relationship length (months), default coach capacity "
            "can't be changed any more.",
        ),
        (
            Status.CLOSED,
            {"name": "Leaders 2027 (old)", "ends_on": today() + timedelta(days=400)},
            "“Leaders 2027” is closed: name, ends on can't be changed any more.",
        ),
    ],
)
def test_locked_fields_are_refused_by_name(make_programme, admin, status, changes, message):
    programme = put_in(make_programme(), status)

    with pytest.raises(ProgrammeError) as refused:
        programme_update(programme=programme, values=changes, changed_by=admin.user)

    assert str(refused.value) == message
    assert Programme.objects.get().name == "Leaders 2027"
    assert "programs.programme_update" not in actions()


def test_departments_are_locked_from_matching_on(make_programme, admin):
    programme = put_in(make_programme(), Status.MATCHING)

    with pytest.raises(ProgrammeError, match="eligible departments can't be changed any more"):
        programme_update(
            programme=programme,
            values={"eligible_departments": [DepartmentFactory()]},
            changed_by=admin.user,
        )


def test_unlocked_fields_change_while_locked_ones_stay_as_they_are(make_programme, admin):
    programme = put_in(make_programme(), Status.RUNNING)
    later = programme.ends_on + timedelta(days=60)

    saved = programme_update(
        programme=programme,
        values={**settings_for(), "ends_on": later, "description": "Extended."},
        changed_by=admin.user,
    )

    assert (saved.ends_on, saved.description) == (later, "Extended.")
    event = AuditEvent.objects.get(action="programs.programme_update")
    assert event.details == {"fields": ["description", "ends_on"]}


def test_saving_unchanged_settings_writes_nothing(make_programme, admin):
    programme = make_programme()

    programme_update(programme=programme, values=settings_for(), changed_by=admin.user)

    assert "programs.programme_update" not in actions()


def test_update_validates_the_result(make_programme, admin):
    programme = make_programme()

    with pytest.raises(ValidationError) as refused:
        programme_update(
            programme=programme, values={"min_level": 9, "max_level": 2}, changed_by=admin.user
        )

    assert refused.value.messages == ["The lowest level can't be above the highest."]


def test_a_closed_programme_keeps_its_objectives_and_responsibilities(make_programme, admin):
    programme = put_in(make_programme(), Status.CLOSED)

    with pytest.raises(ProgrammeError) as objectives:
        programme_objectives_save(
            programme=programme,
            changes=ObjectiveChanges(added=[objective()]),
            changed_by=admin.user,
        )
    with pytest.raises(ProgrammeError) as responsibilities:
        programme_responsibilities_save(
            programme=programme, responsibilities={"coach": "New."}, changed_by=admin.user
        )

    assert (
        str(objectives.value)
        == "“Leaders 2027” is closed: its objectives can't be changed any more."
    )
    assert str(responsibilities.value) == (
        "“Leaders 2027” is closed: its responsibilities can't be changed any more."
    )


# Objectives and responsibilities


def test_objectives_are_added_changed_and_removed(make_programme, admin):
    programme = make_programme(objectives=[objective(), objective(description="Retain 95 %")])
    first, second = programme.objectives.all()
    first.target = Decimal("90")

    programme_objectives_save(
        programme=programme,
        changes=ObjectiveChanges(
            added=[
                objective(description="Growth of +0.5 on the 360", metric="competency_growth_360")
            ],
            changed=[first],
            removed=[second],
        ),
        changed_by=admin.user,
    )

    assert list(programme.objectives.values_list("description", "target")) == [
        ("80 % of coachees hold at least 6 sessions", Decimal("90.00")),
        ("Growth of +0.5 on the 360", Decimal("80.00")),
    ]
    event = AuditEvent.objects.get(action="programs.objectives_save")
    assert event.details == {"added": 1, "changed": 1, "removed": 1}


def test_another_programmes_objective_is_refused(make_programme, admin):
    programme = make_programme()
    other = make_programme("Other")
    foreign = other.objectives.get()

    with pytest.raises(ProgrammeError, match="is not an objective of “Leaders 2027”"):
        programme_objectives_save(
            programme=programme, changes=ObjectiveChanges(removed=[foreign]), changed_by=admin.user
        )

    assert ProgrammeObjective.objects.filter(pk=foreign.pk).exists()


def test_responsibilities_are_saved_per_role_and_audited(make_programme, admin):
    programme = make_programme()

    programme_responsibilities_save(
        programme=programme,
        responsibilities={"coach": "Listen.\nAsk.", "coachee": DEFAULT_RESPONSIBILITIES["coachee"]},
        changed_by=admin.user,
    )

    assert programme.responsibilities.get(role="coach").items == ["Listen.", "Ask."]
    event = AuditEvent.objects.get(action="programs.responsibilities_save")
    assert event.details == {"roles": ["coach"]}


def test_unknown_roles_are_refused(make_programme, admin):
    with pytest.raises(ProgrammeError, match=r"^Unknown roles: mentor\.$"):
        programme_responsibilities_save(
            programme=make_programme(), responsibilities={"mentor": "x"}, changed_by=admin.user
        )
