"""Circles: who leads and joins them, attendance, and notes for the circle only."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.coaching.circles import (
    attendance_record,
    circle_archive,
    circle_note_create,
    circle_note_delete,
    circle_note_update,
    circle_save,
    circle_session_schedule,
)
from cadre.coaching.models import Circle, CircleAttendance, CircleNote, CoachingSession
from cadre.coaching.rules import CoachingError
from cadre.notifications.models import Notification
from tests.coaching.circle_fixtures import (
    a_coach,
    circle_session,
    coachees,
    coaches,
    make_circle,
    offering_circles,
)
from tests.coaching.conftest import certify

pytestmark = pytest.mark.django_db


def actions() -> list[tuple[str, dict[str, object]]]:
    events = AuditEvent.objects.filter(action__startswith="coaching.").order_by("pk")
    return [(event.action, event.details) for event in events]


# Setting circles up


def test_an_admin_forms_a_supervision_circle_led_by_a_certified_coach(admin, coach):
    certify(coach.person)
    members = coaches(3)

    circle = circle_save(
        circle=Circle(
            kind=Circle.Kind.SUPERVISION, name=" North circle ", facilitator=coach.person
        ),
        members=[*members, coach.person],
        saved_by=admin.user,
    )

    circle.refresh_from_db()
    assert (circle.name, circle.facilitator, circle.created_by) == (
        "North circle",
        coach.person,
        admin.user,
    )
    assert list(circle.members.order_by("full_name")) == members
    assert actions() == [("coaching.circle_create", {"kind": "supervision", "members": 3})]


def test_the_facilitator_must_be_certified(admin, coach):
    with pytest.raises(CoachingError) as refused:
        circle_save(
            circle=Circle(kind=Circle.Kind.SUPERVISION, name="North", facilitator=coach.person),
            members=coaches(3),
            saved_by=admin.user,
        )

    assert str(refused.value).startswith(
        "The facilitator must be a certified coach. Cora Coach is not certified yet: "
    )
    assert not Circle.objects.exists()


def test_an_expired_certification_is_refused(admin, coach):
    certify(coach.person, days_left=-1)
    expired = timezone.localdate() - timedelta(days=1)

    with pytest.raises(CoachingError) as refused:
        circle_save(
            circle=Circle(kind=Circle.Kind.SUPERVISION, name="North", facilitator=coach.person),
            members=coaches(3),
            saved_by=admin.user,
        )

    assert str(refused.value) == (
        "The facilitator must be a certified coach. Cora Coach's certification expired on "
        f"{expired:%-d %b %Y}: they renew it by passing the required modules again."
    )


def test_only_coaches_join_a_supervision_circle(admin, coach, coachee):
    certify(coach.person)

    with pytest.raises(CoachingError) as refused:
        circle_save(
            circle=Circle(kind=Circle.Kind.SUPERVISION, name="North", facilitator=coach.person),
            members=[*coaches(2), coachee.person],
            saved_by=admin.user,
        )

    assert str(refused.value) == ("Only coaches can join a peer-supervision circle: Cole Coachee.")


def test_a_group_coaching_circle_gathers_approved_coachees_of_its_programme(
    admin, coach, programme
):
    certify(coach.person)
    offering_circles(programme)
    members = coachees(programme, 4)

    circle = circle_save(
        circle=Circle(
            kind=Circle.Kind.COACHING,
            name="Emerging leaders",
            programme=programme,
            facilitator=coach.person,
            cadence_days=14,
        ),
        members=members,
        saved_by=admin.user,
    )

    assert list(circle.members.order_by("full_name")) == members
    assert actions() == [("coaching.circle_create", {"kind": "coaching", "members": 4})]


def test_a_coaching_circle_refuses_people_outside_the_programme(
    admin, coach, coachee, programme, make_programme
):
    certify(coach.person)
    offering_circles(programme)
    other = make_programme("Another programme")

    with pytest.raises(CoachingError) as refused:
        circle_save(
            circle=Circle(
                kind=Circle.Kind.COACHING,
                name="Emerging leaders",
                programme=programme,
                facilitator=coach.person,
            ),
            members=[
                *coachees(programme, 3),
                *coachees(other, 1, prefix="Elsewhere"),
                coachee.person,
            ],
            saved_by=admin.user,
        )

    assert str(refused.value) == (
        "Only approved coachees of “Leaders coaching leaders” can join this circle: "
        "Cole Coachee, Elsewhere A."
    )


def test_a_coaching_circle_needs_a_programme_that_offers_circles(admin, coach, programme):
    certify(coach.person)
    members = coachees(programme, 3)

    def save(circle_programme):
        circle_save(
            circle=Circle(
                kind=Circle.Kind.COACHING,
                name="Emerging leaders",
                programme=circle_programme,
                facilitator=coach.person,
            ),
            members=members,
            saved_by=admin.user,
        )

    with pytest.raises(CoachingError) as no_programme:
        save(None)
    with pytest.raises(CoachingError) as not_offered:
        save(programme)

    assert str(no_programme.value) == "A group coaching circle belongs to a programme: choose one."
    assert str(not_offered.value) == (
        "“Leaders coaching leaders” doesn't offer group coaching circles: choose a programme "
        "that does, or add the format to the programme first."
    )


@pytest.mark.parametrize("count", [2, 13])
def test_a_circle_has_three_to_twelve_members(admin, coach, count):
    certify(coach.person)

    with pytest.raises(CoachingError) as refused:
        circle_save(
            circle=Circle(kind=Circle.Kind.SUPERVISION, name="North", facilitator=coach.person),
            members=[*coaches(count), coach.person],
            saved_by=admin.user,
        )

    assert str(refused.value) == (
        f"A circle has 3 to 12 members besides its facilitator; this one would have {count}."
    )


def test_circle_names_are_unique_whatever_the_case(admin, coach):
    certify(coach.person)
    make_circle(coach.person, [], name="North circle")

    with pytest.raises(CoachingError) as refused:
        circle_save(
            circle=Circle(
                kind=Circle.Kind.SUPERVISION, name="NORTH CIRCLE", facilitator=coach.person
            ),
            members=coaches(3),
            saved_by=admin.user,
        )

    assert str(refused.value) == (
        "A circle named “NORTH CIRCLE” already exists: choose another name."
    )


def test_changing_a_circle_is_audited_and_an_archived_one_stays_as_it_was(admin, coach):
    certify(coach.person)
    members = coaches(4)
    circle = make_circle(coach.person, members[:3])

    circle.cadence_days = 14
    circle_save(circle=circle, members=members, saved_by=admin.user)
    circle_archive(circle=circle, archived_by=admin.user)

    assert circle.members.count() == 4
    assert Circle.objects.get().is_active is False
    with pytest.raises(CoachingError) as refused:
        circle_save(circle=circle, members=members, saved_by=admin.user)
    with pytest.raises(CoachingError) as again:
        circle_archive(circle=circle, archived_by=admin.user)
    assert str(refused.value) == "This circle is archived; it can no longer change."
    assert str(again.value) == "This circle is already archived."
    assert actions() == [
        ("coaching.circle_update", {"kind": "supervision", "members": 4}),
        ("coaching.circle_archive", {"kind": "supervision", "sessions_cancelled": 0}),
    ]


# Sessions


def test_the_facilitator_schedules_a_session_and_everyone_is_invited(circle):
    starts_at = (timezone.now() + timedelta(days=3)).replace(microsecond=0)

    session = circle_session_schedule(
        circle=circle,
        scheduled_by=circle.facilitator.user,
        starts_at=starts_at,
        duration_minutes=90,
        time_zone="Europe/London",
        format=CoachingSession.Format.VIDEO,
        location="https://meet.example.org/north",
    )

    assert (session.circle, session.starts_at, session.duration_minutes) == (
        circle,
        starts_at,
        90,
    )
    invited = Notification.objects.filter(kind=Notification.Kind.SESSION_INVITE)
    assert sorted(invited.values_list("recipient__display_name", flat=True)) == [
        "Coach A",
        "Coach B",
        "Coach C",
        "Cora Coach",
    ]


def test_members_dont_schedule_circle_sessions(circle):
    member = circle.members.first()

    with pytest.raises(CoachingError) as refused:
        circle_session_schedule(
            circle=circle,
            scheduled_by=member.user,
            starts_at=timezone.now() + timedelta(days=3),
            duration_minutes=60,
            time_zone="Europe/London",
            format=CoachingSession.Format.VIDEO,
        )

    assert str(refused.value) == "Only the circle's facilitator schedules its sessions."
    assert not CoachingSession.objects.exists()


def test_archiving_cancels_the_sessions_to_come(admin, circle):
    past = circle_session(circle)
    later = circle_session(circle, starts_at=timezone.now() + timedelta(days=2))

    circle_archive(circle=circle, archived_by=admin.user)

    past.refresh_from_db()
    later.refresh_from_db()
    assert (past.status, later.status) == ("scheduled", "cancelled")
    assert Notification.objects.filter(kind=Notification.Kind.SESSION_CANCELLED).count() == 4
    assert actions()[-1] == (
        "coaching.circle_archive",
        {"kind": "supervision", "sessions_cancelled": 1},
    )


# Attendance


@pytest.fixture
def circle(coach):
    certify(coach.person)
    return make_circle(coach.person, coaches(3))


def test_the_facilitator_records_one_row_per_member(coach, circle):
    session = circle_session(circle)
    first, second, third = circle.members.order_by("full_name")

    attendance_record(session=session, present={first.pk, third.pk}, recorded_by=coach.user)
    attendance_record(session=session, present={first.pk}, recorded_by=coach.user)

    rows = CircleAttendance.objects.filter(session=session).order_by("person__full_name")
    assert [(row.person, row.present, row.recorded_by) for row in rows] == [
        (first, True, coach.user),
        (second, False, coach.user),
        (third, False, coach.user),
    ]
    assert actions()[-1] == (
        "coaching.attendance_record",
        {"circle": circle.pk, "members": 3, "present": 1},
    )


def test_attendance_is_for_the_facilitator_of_a_session_that_has_started(circle):
    member = circle.members.order_by("full_name").first()
    assert member.user is not None
    later = circle_session(circle, starts_at=timezone.now() + timedelta(hours=2))
    cancelled = circle_session(circle, status=CoachingSession.Status.CANCELLED)
    facilitator = circle.facilitator.user

    refusals = []
    for session, present, user in [
        (circle_session(circle), set(), member.user),
        (later, set(), facilitator),
        (cancelled, set(), facilitator),
        (circle_session(circle), {a_coach("Not In It").pk}, facilitator),
    ]:
        with pytest.raises(CoachingError) as refused:
            attendance_record(session=session, present=present, recorded_by=user)
        refusals.append(str(refused.value))

    assert refusals == [
        "Only the circle's facilitator records attendance.",
        "The session hasn't started yet: record attendance once it has.",
        "This session was cancelled: there is no attendance to record.",
        "Attendance is recorded for the circle's members only.",
    ]
    assert not CircleAttendance.objects.exists()


def test_a_held_session_takes_attendance_even_before_its_planned_start(coach, circle):
    session = circle_session(circle, starts_at=timezone.now() + timedelta(minutes=5), status="held")

    rows = attendance_record(session=session, present=set(), recorded_by=coach.user)

    assert [row.present for row in rows] == [False, False, False]


def test_relationship_sessions_have_no_circle_attendance(pair):
    session = CoachingSession.objects.create(
        relationship=pair.relationship,
        starts_at=timezone.now(),
        time_zone="Europe/London",
        format=CoachingSession.Format.PHONE,
    )

    with pytest.raises(CoachingError) as refused:
        attendance_record(session=session, present=set(), recorded_by=pair.coach.user)

    assert str(refused.value) == "Attendance is recorded for circle sessions only."


# Circle notes


def test_a_member_shares_a_note_encrypted_at_rest_and_audited_without_content(circle):
    member = circle.members.order_by("full_name").first()

    note = circle_note_create(
        circle=circle, body="  We agreed to try silence as a tool.  ", written_by=member.user
    )

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT body FROM {CircleNote._meta.db_table} WHERE id = %s",  # noqa: S608
            [note.pk],
        )
        (raw,) = cursor.fetchone()
    assert raw.startswith("gAAAAA")
    assert "silence" not in raw
    assert CircleNote.objects.get().body == "We agreed to try silence as a tool."
    assert (note.author, note.circle) == (member, circle)
    assert actions() == [("coaching.circle_note_create", {"circle": circle.pk})]
    event = AuditEvent.objects.get(action="coaching.circle_note_create")
    assert "silence" not in json.dumps(event.details) + event.target_label


def test_only_the_facilitator_and_members_write_notes(coach, coachee, circle, admin):
    facilitated = circle_note_create(circle=circle, body="Welcome, all.", written_by=coach.user)

    refusals = []
    for user, body in [
        (coachee.user, "Let me in."),
        (admin.user, "Admin here."),
        (coach.user, " "),
    ]:
        with pytest.raises(CoachingError) as refused:
            circle_note_create(circle=circle, body=body, written_by=user)
        refusals.append(str(refused.value))

    assert facilitated.author == coach.person
    assert refusals == [
        "Only the circle's facilitator and members write its notes.",
        "Only the circle's facilitator and members write its notes.",
        "The note is empty: write something first.",
    ]
    assert CircleNote.objects.count() == 1


def test_only_the_author_changes_or_deletes_a_note(coach, circle):
    member, other, _ = circle.members.order_by("full_name")
    note = circle_note_create(circle=circle, body="First thoughts.", written_by=member.user)

    with pytest.raises(CoachingError) as changed:
        circle_note_update(note=note, body="Rewritten.", changed_by=other.user)
    with pytest.raises(CoachingError) as deleted:
        circle_note_delete(note=note, deleted_by=coach.user)
    circle_note_update(note=note, body="Second thoughts.", changed_by=member.user)

    assert str(changed.value) == "Only the note's author can change or delete it."
    assert str(deleted.value) == "Only the note's author can change or delete it."
    note.refresh_from_db()
    assert note.body == "Second thoughts."
    assert note.updated_at > note.created_at

    circle_note_delete(note=note, deleted_by=member.user)

    assert not CircleNote.objects.exists()
    assert [action for action, _ in actions()] == [
        "coaching.circle_note_create",
        "coaching.circle_note_update",
        "coaching.circle_note_delete",
    ]


def test_an_archived_circle_keeps_its_notes_as_they_were(admin, circle):
    member = circle.members.first()
    note = circle_note_create(circle=circle, body="Last session.", written_by=member.user)
    circle_archive(circle=circle, archived_by=admin.user)

    with pytest.raises(CoachingError) as added:
        circle_note_create(circle=circle, body="One more.", written_by=member.user)
    with pytest.raises(CoachingError) as changed:
        circle_note_update(note=note, body="Changed.", changed_by=member.user)

    assert str(added.value) == "This circle is archived: its notes can no longer change."
    assert str(changed.value) == "This circle is archived: its notes can no longer change."


def test_a_former_member_no_longer_writes(circle):
    member = circle.members.first()
    note = circle_note_create(circle=circle, body="Hello.", written_by=member.user)
    circle.members.remove(member)

    with pytest.raises(CoachingError) as refused:
        circle_note_update(note=note, body="Still here?", changed_by=member.user)

    assert str(refused.value) == "Only the circle's facilitator and members write its notes."
