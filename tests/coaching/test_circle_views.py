"""Circle pages: for the facilitator and members (everyone else 404), and the set-up pages
for programme admins (403 for everyone else)."""

from datetime import timedelta

import pytest
from django.contrib import admin as django_admin
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import Circle, CircleAttendance, CircleNote, CoachingSession
from cadre.enablement.services import practice_sign_off
from tests.coaching.circle_fixtures import (
    circle_session,
    coachees,
    coaches,
    make_circle,
    offering_circles,
)
from tests.coaching.conftest import certify, enrol_coachee
from tests.enablement.conftest import make_coach, pass_required

pytestmark = pytest.mark.django_db

CIRCLES = reverse("coaching:circles")
ADMIN_CIRCLES = reverse("coaching:admin_circles")
NEW = reverse("coaching:circle_new")


def page(circle: Circle) -> str:
    return reverse("coaching:circle", args=[circle.pk])


@pytest.fixture
def circle(coach, coachee, programme):
    """A group coaching circle led by the cast's coach, with the cast's coachee in it."""
    certify(coach.person)
    offering_circles(programme)
    enrol_coachee(programme, coachee.person)
    members = [coachee.person, *coachees(programme, 2, prefix="Peer")]
    return make_circle(
        coach.person,
        members,
        name="Emerging leaders",
        kind=Circle.Kind.COACHING,
        programme=programme,
    )


def add_note(circle: Circle, author, body: str) -> CircleNote:
    return CircleNote.objects.create(circle=circle, author=author, body=body)


# My circles


def test_the_facilitator_and_members_find_their_circles(coach, coachee, outsider, circle):
    make_circle(make_coach("Someone Else"), [], name="Not mine")

    for member in (coach, coachee):
        response = member.client.get(CIRCLES)
        assert [item.name for item in response.context["circles"]] == ["Emerging leaders"]
    empty = outsider.client.get(CIRCLES)

    assert list(empty.context["circles"]) == []
    assert "You aren't in any circle yet." in empty.content.decode()


def test_my_circles_runs_the_same_queries_for_one_or_many(coach, circle, django_assert_num_queries):
    circle_session(circle, starts_at=timezone.now() + timedelta(days=1))
    coach.client.get(CIRCLES)
    with django_assert_num_queries(8) as one:
        coach.client.get(CIRCLES)
    for number in range(4):
        other = make_circle(coach.person, coaches(3, prefix=f"Peer {number}"), name=f"C{number}")
        circle_session(other, starts_at=timezone.now() + timedelta(days=2))
    with django_assert_num_queries(len(one.captured_queries)):
        response = coach.client.get(CIRCLES)
    assert len(response.context["circles"]) == 5


def test_my_circles_needs_a_login(client):
    response = client.get(CIRCLES)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={CIRCLES}"


# A circle's page


def test_a_member_reads_the_circle_with_its_sessions_attendance_and_notes(coach, coachee, circle):
    held = circle_session(circle, status=CoachingSession.Status.HELD)
    CircleAttendance.objects.create(session=held, person=coachee.person, present=True)
    circle_session(circle, starts_at=timezone.now() + timedelta(days=7))
    add_note(circle, coach.person, "Bring one question about delegation.")

    response = coachee.client.get(page(circle))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Reflect on our coaching together." in body
    assert [member.full_name for member in response.context["page"].members] == [
        "Cole Coachee",
        "Peer A",
        "Peer B",
    ]
    assert [session.pk for session in response.context["page"].past] == [held.pk]
    assert len(response.context["page"].upcoming) == 1
    assert "Cole Coachee: present" in body
    assert "Bring one question about delegation." in body
    assert "Circle notes are read by the facilitator and the members of this circle only." in body
    assert response.context["is_facilitator"] is False
    assert "Record attendance" not in body
    assert "Schedule a session" not in body


def test_the_facilitator_sees_attendance_and_scheduling_forms(coach, circle):
    circle_session(circle)

    body = coach.client.get(page(circle)).content.decode()

    assert "Record attendance" in body
    assert "Schedule a session" in body


def test_only_the_facilitator_and_members_open_a_circle(admin, sponsor, outsider, client, circle):
    add_note(circle, circle.facilitator, "Confidential reflections.")
    stranger = make_coach("Stranger Coach")
    stranger_client = type(client)()
    stranger_client.force_login(stranger.user)

    for member_client in (admin.client, sponsor.client, outsider.client, stranger_client):
        assert member_client.get(page(circle)).status_code == 404
    anonymous = client.get(page(circle))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))


def test_the_circle_page_runs_the_same_queries_for_one_or_many_sessions_and_notes(
    coach, coachee, circle, django_assert_num_queries
):
    session = circle_session(circle, status=CoachingSession.Status.HELD)
    CircleAttendance.objects.create(session=session, person=coachee.person, present=True)
    add_note(circle, coachee.person, "First.")
    coachee.client.get(page(circle))
    with django_assert_num_queries(10) as one:
        coachee.client.get(page(circle))
    for days in range(2, 7):
        more = circle_session(circle, starts_at=timezone.now() - timedelta(days=days))
        for person in circle.members.all():
            CircleAttendance.objects.create(session=more, person=person, present=True)
        circle_session(circle, starts_at=timezone.now() + timedelta(days=days))
        add_note(circle, coachee.person, f"Note {days}.")
    with django_assert_num_queries(len(one.captured_queries)):
        response = coachee.client.get(page(circle))
    assert len(response.context["page"].notes) == 6


# Circle notes


def test_a_member_adds_a_note(coachee, circle):
    response = coachee.client.post(
        reverse("coaching:circle_note_new", args=[circle.pk]), {"body": "Thanks, all."}
    )

    assert response.status_code == 302
    assert response.url == page(circle) + "#notes"
    note = CircleNote.objects.get()
    assert (note.author, note.body) == (coachee.person, "Thanks, all.")


def test_with_htmx_the_notes_section_comes_back_with_the_new_note(coachee, circle):
    response = coachee.client.post(
        reverse("coaching:circle_note_new", args=[circle.pk]),
        {"body": "Thanks, all."},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="notes"')
    assert "Thanks, all." in body
    assert "<html" not in body


def test_an_empty_note_is_refused_on_the_page(coachee, circle):
    response = coachee.client.post(
        reverse("coaching:circle_note_new", args=[circle.pk]), {"body": "   "}
    )

    assert response.status_code == 200
    assert response.context["note_form"].errors == {"body": ["This field is required."]}
    assert not CircleNote.objects.exists()


def test_outsiders_cant_add_notes(admin, outsider, circle):
    url = reverse("coaching:circle_note_new", args=[circle.pk])

    assert admin.client.post(url, {"body": "Hello"}).status_code == 404
    assert outsider.client.post(url, {"body": "Hello"}).status_code == 404
    assert not CircleNote.objects.exists()


def test_the_author_edits_and_deletes_their_note(coachee, circle):
    note = add_note(circle, coachee.person, "Draft.")
    edit = reverse("coaching:circle_note_edit", args=[note.pk])

    assert coachee.client.get(edit).context["form"].initial == {"body": "Draft."}
    coachee.client.post(edit, {"body": "Final."})
    note.refresh_from_db()
    assert note.body == "Final."

    response = coachee.client.post(reverse("coaching:circle_note_delete", args=[note.pk]))

    assert response.status_code == 302
    assert not CircleNote.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="coaching.circle_note")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["coaching.circle_note_update", "coaching.circle_note_delete"]


def test_other_members_and_outsiders_cant_change_a_note(coach, admin, coachee, circle):
    note = add_note(circle, coachee.person, "Mine.")
    edit = reverse("coaching:circle_note_edit", args=[note.pk])
    delete = reverse("coaching:circle_note_delete", args=[note.pk])

    assert coach.client.get(edit).status_code == 403
    assert coach.client.post(delete).status_code == 403
    assert admin.client.get(edit).status_code == 404
    assert admin.client.post(delete).status_code == 404
    assert CircleNote.objects.get().body == "Mine."


# Attendance and sessions


def test_the_facilitator_records_attendance(coach, coachee, circle):
    session = circle_session(circle)
    url = reverse("coaching:circle_attendance", args=[circle.pk, session.pk])

    response = coach.client.post(url, {"present": [coachee.person.pk]})

    assert response.status_code == 302
    assert response.url == page(circle) + f"#session-{session.pk}"
    rows = CircleAttendance.objects.order_by("person__full_name")
    assert [(row.person.full_name, row.present) for row in rows] == [
        ("Cole Coachee", True),
        ("Peer A", False),
        ("Peer B", False),
    ]


def test_only_the_facilitator_records_attendance(coachee, admin, circle):
    session = circle_session(circle)
    url = reverse("coaching:circle_attendance", args=[circle.pk, session.pk])

    assert coachee.client.post(url, {"present": [coachee.person.pk]}).status_code == 403
    assert admin.client.post(url, {"present": [coachee.person.pk]}).status_code == 404
    assert not CircleAttendance.objects.exists()


def test_the_facilitator_schedules_a_session_from_the_circle_page(coach, coachee, circle):
    day = timezone.localdate() + timedelta(days=5)
    data = {
        "schedule-starts_at": f"{day:%Y-%m-%d}T10:00",
        "schedule-time_zone": "Europe/London",
        "schedule-duration_minutes": "90",
        "schedule-format": "video",
        "schedule-location": "https://meet.example.org/circle",
        "schedule-agenda": "",
    }
    url = reverse("coaching:circle_session_new", args=[circle.pk])

    assert coachee.client.post(url, data).status_code == 403
    response = coach.client.post(url, data)

    session = CoachingSession.objects.get()
    assert response.status_code == 302
    assert response.url == page(circle) + f"#session-{session.pk}"
    assert (session.circle, session.duration_minutes, session.time_zone) == (
        circle,
        90,
        "Europe/London",
    )


def test_a_refused_schedule_shows_on_the_circle_page(coach, circle):
    response = coach.client.post(
        reverse("coaching:circle_session_new", args=[circle.pk]),
        {
            "schedule-time_zone": "Europe/London",
            "schedule-duration_minutes": "60",
            "schedule-format": "video",
        },
    )

    assert response.status_code == 400
    assert response.context["schedule_form"].errors["starts_at"] == [
        "Pick a suggested time or enter a date and time."
    ]


# Setting circles up: programme admins


def test_admins_list_circles_by_kind_and_programme(admin, coach, circle, make_programme):
    make_circle(coach.person, coaches(3), name="Supervision North")

    def names(query: str) -> list[str]:
        response = admin.client.get(ADMIN_CIRCLES + query)
        return [item.name for item in response.context["circles"]]

    assert names("") == ["Emerging leaders", "Supervision North"]
    assert names("?kind=supervision") == ["Supervision North"]
    assert names(f"?programme={circle.programme_id}") == ["Emerging leaders"]
    assert names(f"?kind=supervision&programme={circle.programme_id}") == []


def test_the_admin_list_filters_with_htmx(admin, circle):
    response = admin.client.get(ADMIN_CIRCLES + "?kind=coaching", headers={"HX-Request": "true"})

    assert "Emerging leaders" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_the_admin_list_runs_the_same_queries_for_one_or_many(
    admin, coach, circle, django_assert_num_queries
):
    admin.client.get(ADMIN_CIRCLES)
    with django_assert_num_queries(8) as one:
        admin.client.get(ADMIN_CIRCLES)
    for number in range(4):
        make_circle(coach.person, coaches(3, prefix=f"Peer {number}"), name=f"C{number}")
    with django_assert_num_queries(len(one.captured_queries)):
        response = admin.client.get(ADMIN_CIRCLES)
    assert len(response.context["circles"]) == 5


def test_setting_circles_up_is_for_admins(coach, coachee, sponsor, client, circle):
    for member in (coach, coachee, sponsor):
        assert member.client.get(ADMIN_CIRCLES).status_code == 403
        assert member.client.get(NEW).status_code == 403
        assert (
            member.client.get(reverse("coaching:circle_edit", args=[circle.pk])).status_code == 403
        )
        archive = reverse("coaching:circle_archive", args=[circle.pk])
        assert member.client.post(archive).status_code == 403
    assert client.get(ADMIN_CIRCLES).status_code == 302


def test_an_admin_forms_a_circle_led_by_a_certified_coach(admin, coach):
    pass_required(coach.person, timezone.localdate())
    practice_sign_off(coach=coach.person, signed_off_by=admin.user)
    members = [make_coach(f"Mo Member {letter}") for letter in "ABC"]

    response = admin.client.post(
        NEW + "?kind=supervision",
        {
            "name": "North circle",
            "facilitator": coach.person.pk,
            "members": [member.pk for member in members],
            "cadence_days": 28,
        },
    )

    assert response.status_code == 302
    assert response.url == ADMIN_CIRCLES + "?kind=supervision"
    circle = Circle.objects.get()
    assert (circle.kind, circle.facilitator) == (Circle.Kind.SUPERVISION, coach.person)
    assert sorted(circle.members.values_list("full_name", flat=True)) == [
        "Mo Member A",
        "Mo Member B",
        "Mo Member C",
    ]
    assert AuditEvent.objects.filter(action="coaching.circle_create").exists()


def test_the_facilitator_choices_are_certified_coaches(admin, coach):
    uncertified = make_coach("Not Yet")
    certify(coach.person)

    form = admin.client.get(NEW + "?kind=supervision").context["form"]

    assert list(form.fields["facilitator"].queryset) == [coach.person]
    assert uncertified in form.fields["members"].queryset


def test_an_uncertified_facilitator_is_refused(admin, coach):
    certify(coach.person, days_left=-1)
    members = [make_coach(f"Mo Member {letter}") for letter in "ABC"]

    response = admin.client.post(
        NEW + "?kind=supervision",
        {
            "name": "North circle",
            "facilitator": coach.person.pk,
            "members": [member.pk for member in members],
            "cadence_days": 28,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "facilitator": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert not Circle.objects.exists()


def test_an_admin_forms_a_group_coaching_circle_for_a_programme(admin, coach, programme):
    certify(coach.person)
    offering_circles(programme)
    members = coachees(programme, 3)

    response = admin.client.post(
        NEW + "?kind=coaching",
        {
            "name": "Emerging leaders",
            "purpose": "Leading through change.",
            "programme": programme.pk,
            "facilitator": coach.person.pk,
            "members": [member.pk for member in members[:2]],
            "cadence_days": 21,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A circle has 3 to 12 members besides its facilitator; this one would have 2."
    ]
    response = admin.client.post(
        NEW + "?kind=coaching",
        {
            "name": "Emerging leaders",
            "purpose": "Leading through change.",
            "programme": programme.pk,
            "facilitator": coach.person.pk,
            "members": [member.pk for member in members],
            "cadence_days": 21,
        },
    )
    assert response.status_code == 302
    circle = Circle.objects.get()
    assert (circle.kind, circle.programme, circle.cadence_days) == ("coaching", programme, 21)


def test_choosing_the_programme_reloads_its_coachees(admin, coach, programme, make_programme):
    offering_circles(programme)
    other = offering_circles(make_programme("Another programme"))
    mine = coachees(programme, 2)
    coachees(other, 2, prefix="Elsewhere")

    everyone = admin.client.get(NEW + "?kind=coaching").context["form"]
    response = admin.client.get(
        NEW + f"?kind=coaching&programme={programme.pk}", headers={"HX-Request": "true"}
    )

    assert everyone.fields["members"].queryset.count() == 4
    assert list(response.context["form"].fields["members"].queryset) == mine
    assert 'id="circle-members"' in response.content.decode()


def test_an_admin_edits_and_archives_a_circle(admin, circle):
    edit = reverse("coaching:circle_edit", args=[circle.pk])
    response = admin.client.post(
        edit,
        {
            "name": "Emerging leaders 2",
            "purpose": circle.purpose,
            "programme": circle.programme_id,
            "facilitator": circle.facilitator_id,
            "members": list(circle.members.values_list("pk", flat=True)),
            "cadence_days": 14,
        },
    )
    assert response.status_code == 302

    response = admin.client.post(reverse("coaching:circle_archive", args=[circle.pk]))

    circle.refresh_from_db()
    assert response.status_code == 302
    assert (circle.name, circle.cadence_days, circle.is_active) == ("Emerging leaders 2", 14, False)
    assert "Archive the circle" not in admin.client.get(edit).content.decode()


def test_the_certification_page_links_to_supervision_circles(admin):
    body = admin.client.get(reverse("enablement:certification_list")).content.decode()

    assert f'href="{ADMIN_CIRCLES}?kind=supervision"' in body


def test_the_django_admin_shows_circles_but_never_their_notes():
    assert django_admin.site.is_registered(Circle)
    assert not django_admin.site.is_registered(CircleNote)
