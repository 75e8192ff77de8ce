"""Programme admins' relationship pages: the list and its CSV, pairing by hand, one
relationship's record and moves, and the agreement template. No agreement text or note
content ever appears on them."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib import admin as django_admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.coaching import admin_views
from cadre.coaching.models import (
    Agreement,
    AgreementTemplate,
    Circle,
    CircleNote,
    CoachingRelationship,
    CoachingSession,
    SessionNote,
)
from cadre.coaching.services import (
    agreement_sign,
    agreement_template_for,
    relationship_confirm,
    relationship_propose,
)
from tests.coaching.conftest import active_relationship, coachee_person, enrol_coach, enrol_coachee
from tests.factories import PersonFactory

Status = CoachingRelationship.Status
SECRET = "The coachee fears the reorganisation"


def url(name: str, *args: object) -> str:
    return reverse(f"coaching:{name}", args=args)


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def held_session(relationship, days_ago: int) -> CoachingSession:
    return CoachingSession.objects.create(
        relationship=relationship,
        starts_at=timezone.now() - timedelta(days=days_ago),
        time_zone="Europe/London",
        format=CoachingSession.Format.VIDEO,
        status=CoachingSession.Status.HELD,
    )


@pytest.fixture
def working_pair(pair):
    """The cast's active pair with two held sessions and a shared note full of secrets."""
    held_session(pair.relationship, 20)
    held_session(pair.relationship, 3)
    SessionNote.objects.create(
        relationship=pair.relationship,
        author=pair.coach.person,
        goal=SECRET,
        free_text=SECRET,
        shared_at=timezone.now(),
    )
    return pair


def rows_of(response) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode())))


# The list


def test_the_list_shows_status_cadence_and_signatures_never_texts(working_pair, admin):
    response = admin.client.get(url("admin_relationships"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Cora Coach → Cole Coachee" in page
    assert "Active" in page
    assert "2 held, last on" in page
    assert "every 14 days" in page
    assert "Signed by both" in page
    assert "Overdue" not in page
    assert SECRET not in page
    assert "What we say stays between us." not in page  # the pair's agreement text


def test_a_pair_without_a_session_for_longer_than_the_cadence_is_overdue(pair, admin):
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
        started_at=timezone.now() - timedelta(days=15)
    )

    page = admin.client.get(url("admin_relationships")).content.decode()

    assert "Overdue" in page


@pytest.fixture
def three(programme, admin, coach):
    """A proposal, an agreed pair signed by the coach only, and an active pair."""
    enrol_coach(programme, coach.person, capacity=5)
    people = {}
    for name in ("Pat Proposed", "Ann Agreed", "Abe Active"):
        people[name] = coachee_person(full_name=name)
        enrol_coachee(programme, people[name])
    relationship_propose(
        programme=programme, coach=coach.person, coachee=people["Pat Proposed"], proposed_by=None
    )
    agreed = relationship_confirm(
        relationship=relationship_propose(
            programme=programme,
            coach=coach.person,
            coachee=people["Ann Agreed"],
            proposed_by=None,
        ),
        by=admin.user,
    )
    agreement_sign(agreement=agreed.agreement, person=coach.person)
    active_relationship(programme, coach.person, people["Abe Active"])
    return people


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, ["Abe Active", "Ann Agreed", "Pat Proposed"]),
        ({"status": "agreed"}, ["Ann Agreed"]),
        ({"signature": "none"}, ["Pat Proposed"]),
        ({"signature": "one"}, ["Ann Agreed"]),
        ({"signature": "signed"}, ["Abe Active"]),
        ({"signature": "unsigned"}, []),
        ({"q": "abe"}, ["Abe Active"]),
        ({"q": "cora"}, ["Abe Active", "Ann Agreed", "Pat Proposed"]),
    ],
)
def test_the_list_filters(three, admin, programme, query, shown):
    page = admin.client.get(url("admin_relationships"), query).content.decode()

    assert [name for name in three if name in page] == [name for name in three if name in shown]


def test_the_list_filters_by_programme(three, admin, programme, make_programme):
    other = make_programme("Another programme")

    page = admin.client.get(url("admin_relationships"), {"programme": other.pk}).content.decode()

    assert "No relationships match." in page
    page = admin.client.get(url("admin_relationships"), {"programme": programme.pk}).content
    assert "Abe Active" in page.decode()


def test_htmx_gets_the_results_only(three, admin):
    response = admin.client.get(
        url("admin_relationships"), {"status": "active"}, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert "Abe Active" in page
    assert "<h1>" not in page


def test_the_list_is_paginated(three, admin, monkeypatch):
    monkeypatch.setattr(admin_views, "PAGE_SIZE", 2)

    page = admin.client.get(url("admin_relationships"), {"page": 2}).content.decode()

    assert "Page 2 of 2" in page
    assert [name for name in three if name in page] == ["Pat Proposed"]


def test_the_list_query_count_does_not_grow(working_pair, admin, django_assert_num_queries):
    admin.client.get(url("admin_relationships"))
    with CaptureQueriesContext(connection) as one:
        admin.client.get(url("admin_relationships"))
    enrol_coach(working_pair.programme, PersonFactory())
    for _ in range(4):
        coach = PersonFactory()
        enrol_coach(working_pair.programme, coach)
        person = coachee_person()
        enrol_coachee(working_pair.programme, person)
        held_session(active_relationship(working_pair.programme, coach, person), 2)
    with django_assert_num_queries(len(one.captured_queries)):
        response = admin.client.get(url("admin_relationships"))
    assert response.content.decode().count('badge--ok">Signed by both') == 5


# The CSV


def test_the_csv_exports_the_filtered_list_and_is_audited(working_pair, admin):
    other_coach, abe = PersonFactory(), coachee_person(full_name="Abe Active")
    enrol_coach(working_pair.programme, other_coach)
    enrol_coachee(working_pair.programme, abe)
    active_relationship(working_pair.programme, other_coach, abe)
    proposed = coachee_person(full_name="Pat Proposed")
    enrol_coachee(working_pair.programme, proposed)
    relationship_propose(
        programme=working_pair.programme, coach=other_coach, coachee=proposed, proposed_by=None
    )

    response = admin.client.get(url("admin_relationships_csv"), {"signature": "signed"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = rows_of(response)
    assert [(row["coachee"], row["status"], row["agreement"]) for row in rows] == [
        ("Abe Active", "active", "signed"),
        ("Cole Coachee", "active", "signed"),
    ]
    cole = rows[1]
    assert (cole["sessions_held"], cole["cadence_days"], cole["cadence_overdue"]) == (
        "2",
        "14",
        "no",
    )
    assert SECRET not in response.content.decode()
    event = AuditEvent.objects.get(action="coaching.relationships_export")
    assert (event.actor, event.details) == (
        admin.user,
        {"filters": {"signature": "signed"}, "rows": 2},
    )


def test_the_csv_query_count_does_not_grow(working_pair, admin, django_assert_num_queries):
    with CaptureQueriesContext(connection) as one:
        admin.client.get(url("admin_relationships_csv"))
    for _ in range(3):
        coach = PersonFactory()
        enrol_coach(working_pair.programme, coach)
        person = coachee_person()
        enrol_coachee(working_pair.programme, person)
        held_session(active_relationship(working_pair.programme, coach, person), 2)
    with django_assert_num_queries(len(one.captured_queries)):
        response = admin.client.get(url("admin_relationships_csv"))
    assert len(rows_of(response)) == 4


# Who may see them

ADMIN_PAGES = ["admin_relationships", "admin_relationships_csv", "admin_relationship_new"]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_the_admin_pages_are_for_programme_admins(pair, outsider, sponsor, name):
    for member in (outsider, sponsor, pair.coach, pair.coachee):
        assert member.client.get(url(name)).status_code == 403, member.user.email
    response = Client().get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_record_and_the_template_are_for_programme_admins(pair, outsider, sponsor):
    pages = [
        url("admin_relationship", pair.relationship.pk),
        url("agreement_template", pair.programme.pk),
    ]
    for member in (outsider, sponsor, pair.coach, pair.coachee):
        for page in pages:
            assert member.client.get(page).status_code in (403, 404), (member.user.email, page)
        response = member.client.post(
            url("admin_relationship_move", pair.relationship.pk), {"action": "pause"}
        )
        assert response.status_code in (403, 404)
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == Status.ACTIVE
    assert Client().get(pages[0]).status_code == 302


def test_a_missing_relationship_is_404(admin):
    assert admin.client.get(url("admin_relationship", 999)).status_code == 404


# Pairing by hand


def test_an_admin_pairs_by_hand(programme, coach, coachee, admin):
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    page = admin.client.get(url("admin_relationship_new"), {"programme": programme.pk})
    assert "Cora Coach (Manager)" in page.content.decode()

    response = admin.client.post(
        url("admin_relationship_new"),
        {"programme": programme.pk, "coach": coach.person.pk, "coachee": coachee.person.pk},
    )

    relationship = CoachingRelationship.objects.get()
    assert response["Location"] == url("admin_relationship", relationship.pk)
    assert (relationship.status, relationship.proposed_by) == (Status.PROPOSED, admin.user)


def test_a_refused_pairing_is_shown_on_the_form(programme, coach, coachee, admin):
    enrol_coach(programme, coach.person, capacity=1)
    enrol_coachee(programme, coachee.person)
    other = coachee_person(full_name="Olive Other")
    enrol_coachee(programme, other)
    active_relationship(programme, coach.person, other)

    response = admin.client.post(
        url("admin_relationship_new"),
        {"programme": programme.pk, "coach": coach.person.pk, "coachee": coachee.person.pk},
    )

    assert response.status_code == 200
    assert (
        "Cora Coach has no free place in “Leaders coaching leaders”: 1 of 1 coachee already."
        in response.content.decode()
    )
    assert CoachingRelationship.objects.count() == 1


# One relationship


def test_the_record_shows_the_history_and_never_the_texts(working_pair, admin):
    relationship = working_pair.relationship
    relationship.transitions.create(from_status="active", to_status="paused", note="Holiday")

    page = admin.client.get(url("admin_relationship", relationship.pk)).content.decode()

    assert "Cora Coach coaching Cole Coachee" in page
    assert "Active → Paused" in page
    assert "Holiday" in page
    assert "Signed by both" in page
    assert "2, the last on" in page
    assert SECRET not in page
    assert "What we say stays between us." not in page
    assert "Pause" in page
    assert "End the relationship" in page


def test_the_record_query_count_is_fixed(working_pair, admin, django_assert_num_queries):
    page = url("admin_relationship", working_pair.relationship.pk)
    with CaptureQueriesContext(connection) as one:
        admin.client.get(page)
    for _ in range(3):
        working_pair.relationship.transitions.create(
            from_status="active", to_status="paused", by=admin.user
        )
        held_session(working_pair.relationship, 1)
    with django_assert_num_queries(len(one.captured_queries)):
        admin.client.get(page)


def test_an_admin_confirms_a_proposal_for_both(programme, coach, coachee, admin):
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    relationship = relationship_propose(
        programme=programme, coach=coach.person, coachee=coachee.person, proposed_by=admin.user
    )
    page = admin.client.get(url("admin_relationship", relationship.pk)).content.decode()
    assert "Confirm for both" in page

    admin.client.post(url("admin_relationship_move", relationship.pk), {"action": "confirm"})

    relationship.refresh_from_db()
    assert relationship.status == Status.AGREED


def test_an_admin_pauses_resumes_and_completes(pair, admin):
    move = url("admin_relationship_move", pair.relationship.pk)
    for action, status in (("pause", "paused"), ("resume", "active"), ("complete", "completed")):
        response = admin.client.post(move, {"action": action})
        assert flash(response)[-1] == f"The relationship is {status}."
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == Status.COMPLETED

    response = admin.client.post(move, {"action": "pause"})

    assert flash(response)[-1] == "The relationship is completed: it can't become paused."


def test_an_admin_ends_no_fault(pair, admin):
    response = admin.client.post(
        url("admin_relationship_move", pair.relationship.pk),
        {"action": "end", "reason": "no_fault", "note": "Different expectations."},
    )

    assert flash(response) == ["The relationship is ended early."]
    pair.relationship.refresh_from_db()
    assert (
        pair.relationship.end_reason,
        pair.relationship.end_note,
        pair.relationship.rematch_priority,
    ) == ("no_fault", "Different expectations.", True)
    page = admin.client.get(url("admin_relationship", pair.relationship.pk)).content.decode()
    assert "the coachee is re-matched with priority" in page


def test_ending_without_a_reason_is_refused(pair, admin):
    response = admin.client.post(
        url("admin_relationship_move", pair.relationship.pk), {"action": "end"}
    )

    assert flash(response) == ["Choose why the relationship ends."]
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == Status.ACTIVE


# The agreement template


def test_the_template_editor_starts_with_the_defaults_and_saves_versions(programme, admin):
    page = admin.client.get(url("agreement_template", programme.pk)).content.decode()
    assert "Version 1." in page
    assert "never seen by programme admins, sponsors or managers" in page
    template = AgreementTemplate.objects.get(programme=programme)
    values = {name: getattr(template, name) for name in AgreementTemplate.SECTIONS}
    values["cadence"] = "We meet every {cadence_days} days."

    response = admin.client.post(url("agreement_template", programme.pk), values)

    assert response["Location"] == url("agreement_template", programme.pk)
    assert flash(response) == ["Saved as version 2. Agreements already drawn up keep their text."]
    template.refresh_from_db()
    assert (template.version, template.cadence, template.updated_by) == (
        2,
        "We meet every {cadence_days} days.",
        admin.user,
    )


# The Django admin


@pytest.fixture
def superuser(admin):
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    return admin


def test_the_django_admin_shows_relationships_read_only_and_never_notes(working_pair, superuser):
    relationship = working_pair.relationship
    relationship.transitions.create(from_status="active", to_status="paused", note="Holiday")
    changelist = superuser.client.get(reverse("admin:coaching_coachingrelationship_changelist"))
    change = superuser.client.get(
        reverse("admin:coaching_coachingrelationship_change", args=[relationship.pk])
    )

    assert changelist.status_code == 200
    assert "Cora Coach" in changelist.content.decode()
    assert change.status_code == 200
    page = change.content.decode()
    assert "Holiday" in page
    assert SECRET not in page
    assert "What we say stays between us." not in page
    for model in (SessionNote, CircleNote, Agreement):
        assert not django_admin.site.is_registered(model)


def test_a_template_changed_in_the_django_admin_gets_a_new_version(programme, superuser):
    template = agreement_template_for(programme)
    values = {name: getattr(template, name) for name in AgreementTemplate.SECTIONS}
    values["goals"] = "New goals for {coachee}."

    response = superuser.client.post(
        reverse("admin:coaching_agreementtemplate_change", args=[template.pk]), values
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.version, template.goals) == (2, "New goals for {coachee}.")
    assert AuditEvent.objects.filter(action="coaching.agreement_template_save").count() == 1


def test_the_django_admin_deletes_no_relationship_and_changes_no_circle(working_pair, superuser):
    relationship = working_pair.relationship
    circle = Circle.objects.create(
        kind=Circle.Kind.SUPERVISION, name="Peers", facilitator=relationship.coach
    )
    delete = superuser.client.post(
        reverse("admin:coaching_coachingrelationship_delete", args=[relationship.pk]),
        {"post": "yes"},
    )
    change = superuser.client.post(
        reverse("admin:coaching_circle_change", args=[circle.pk]),
        {"name": "Renamed", "kind": "coaching", "facilitator": relationship.coachee.pk},
    )

    assert (delete.status_code, change.status_code) == (403, 403)
    assert CoachingRelationship.objects.filter(pk=relationship.pk).exists()
    circle.refresh_from_db()
    assert (circle.name, circle.kind) == ("Peers", "supervision")
    view = superuser.client.get(reverse("admin:coaching_circle_change", args=[circle.pk]))
    assert view.status_code == 200
