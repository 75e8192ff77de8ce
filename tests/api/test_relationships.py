"""The relationships API: the caller's own relationships and agreement; admins pair and move."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cadre.coaching.models import CoachingRelationship
from cadre.coaching.services import relationship_confirm, relationship_propose
from tests.api.conftest import post
from tests.coaching.conftest import (
    active_relationship,
    coachee_person,
    enrol_coach,
    enrol_coachee,
    pair,
    programme,
)

__all__ = ["pair", "programme"]

Status = CoachingRelationship.Status
BASE = "/api/v1/relationships"


@pytest.fixture
def proposal(programme, coach, coachee, admin) -> CoachingRelationship:
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    return relationship_propose(
        programme=programme, coach=coach.person, coachee=coachee.person, proposed_by=admin.user
    )


def test_the_caller_lists_their_own_relationships(proposal, coach, coachee, outsider, admin):
    response = coach.client.get(BASE)

    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == proposal.pk
    assert item["programme_name"] == "Leaders coaching leaders"
    assert item["coach"] == {"id": coach.person.pk, "name": "Cora Coach"}
    assert item["coachee"] == {"id": coachee.person.pk, "name": "Cole Coachee"}
    assert (item["status"], item["origin"], item["end_reason"]) == ("proposed", "manual", "")
    assert [r["id"] for r in coachee.client.get(BASE).json()] == [proposal.pk]
    assert outsider.client.get(BASE).json() == []
    assert admin.client.get(BASE).json() == []


def test_the_list_query_count_does_not_grow(programme, coach, django_assert_num_queries):
    enrol_coach(programme, coach.person, capacity=5)
    person = coachee_person()
    enrol_coachee(programme, person)
    active_relationship(programme, coach.person, person)
    with CaptureQueriesContext(connection) as one:
        coach.client.get(BASE)
    for _ in range(3):
        person = coachee_person()
        enrol_coachee(programme, person)
        active_relationship(programme, coach.person, person)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(coach.client.get(BASE).json()) == 4


def test_one_relationship_is_for_its_pair_only(proposal, coach, outsider, sponsor, admin):
    assert coach.client.get(f"{BASE}/{proposal.pk}").json()["id"] == proposal.pk
    for member in (outsider, sponsor, admin):
        response = member.client.get(f"{BASE}/{proposal.pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such relationship."}


def test_not_logged_in_is_401(proposal):
    assert Client().get(BASE).status_code == 401
    assert Client().get(f"{BASE}/{proposal.pk}/agreement").status_code == 401


def test_both_accept_then_read_and_sign_the_agreement(proposal, coach, coachee):
    assert coach.client.get(f"{BASE}/{proposal.pk}/agreement").status_code == 404

    first = post(coachee.client, f"{BASE}/{proposal.pk}/accept", {})
    assert first.status_code == 200
    assert first.json()["status"] == "proposed"
    second = post(coach.client, f"{BASE}/{proposal.pk}/accept", {})
    assert second.json()["status"] == "agreed"

    agreement = coach.client.get(f"{BASE}/{proposal.pk}/agreement").json()
    assert agreement["text"].startswith("# Coaching agreement: Cora Coach and Cole Coachee")
    assert (agreement["coach_signed_at"], agreement["signed_text_sha256"]) == (None, "")

    post(coach.client, f"{BASE}/{proposal.pk}/agreement/sign", {})
    signed = post(coachee.client, f"{BASE}/{proposal.pk}/agreement/sign", {}).json()

    assert signed["coach_signed_at"] is not None
    assert signed["coachee_signed_at"] is not None
    assert len(signed["signed_text_sha256"]) == 64
    assert coach.client.get(f"{BASE}/{proposal.pk}").json()["status"] == "active"


def test_the_agreement_is_the_pairs_only(proposal, admin, outsider, sponsor):
    relationship_confirm(relationship=proposal, by=admin.user)

    for member in (admin, outsider, sponsor):
        assert member.client.get(f"{BASE}/{proposal.pk}/agreement").status_code == 404
        assert post(member.client, f"{BASE}/{proposal.pk}/agreement/sign", {}).status_code == 404


def test_declining(proposal, coachee):
    response = post(coachee.client, f"{BASE}/{proposal.pk}/decline", {})

    assert (response.json()["status"], response.json()["end_reason"]) == ("ended", "declined")


def test_a_refusal_is_400_with_the_services_message(proposal, admin, coach):
    relationship_confirm(relationship=proposal, by=admin.user)

    response = post(coach.client, f"{BASE}/{proposal.pk}/accept", {})

    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {
                "loc": ["body"],
                "msg": "The relationship is agreed: only a proposal can be accepted.",
                "type": "refused",
            }
        ]
    }


# Admins


def test_an_admin_pairs_by_hand(programme, coach, coachee, admin):
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    body = {
        "programme_id": programme.pk,
        "coach_id": coach.person.pk,
        "coachee_id": coachee.person.pk,
    }

    response = post(admin.client, BASE, body)

    assert response.status_code == 201
    assert response.json()["status"] == "proposed"
    assert CoachingRelationship.objects.get().proposed_by == admin.user


def test_pairing_refusals_name_every_rule(programme, coach, admin):
    enrol_coach(programme, coach.person, capacity=1)
    taken = coachee_person()
    enrol_coachee(programme, taken)
    active_relationship(programme, coach.person, taken)
    report = coachee_person(full_name="Rita Report", manager=coach.person)
    body = {"programme_id": programme.pk, "coach_id": coach.person.pk, "coachee_id": report.pk}

    response = post(admin.client, BASE, body)

    assert response.status_code == 400
    assert response.json()["detail"][0]["msg"] == (
        "Cora Coach can't coach Rita Report: Rita Report is not an approved coachee in "
        "“Leaders coaching leaders”. Cora Coach and Rita Report are in one reporting line: "
        "nobody coaches someone they manage or who manages them, at any depth. Cora Coach has "
        "no free place in “Leaders coaching leaders”: 1 of 1 coachee already."
    )


def test_only_admins_pair(programme, coach, coachee, sponsor):
    body = {
        "programme_id": programme.pk,
        "coach_id": coach.person.pk,
        "coachee_id": coachee.person.pk,
    }
    assert post(coach.client, BASE, body).status_code == 404
    assert post(sponsor.client, BASE, body).status_code == 404
    assert CoachingRelationship.objects.count() == 0


def test_unknown_people_are_404(programme, admin):
    body = {"programme_id": programme.pk, "coach_id": 999, "coachee_id": 998}

    assert post(admin.client, BASE, body).status_code == 404


def test_an_admin_moves_a_relationship(pair, admin):
    moves = f"{BASE}/{pair.relationship.pk}/transitions"
    assert post(admin.client, moves, {"action": "pause"}).json()["status"] == "paused"
    assert post(admin.client, moves, {"action": "resume"}).json()["status"] == "active"

    ended = post(admin.client, moves, {"action": "end", "reason": "no_fault", "note": "Kind"})

    assert (ended.json()["status"], ended.json()["end_reason"]) == ("ended", "no_fault")
    pair.relationship.refresh_from_db()
    assert pair.relationship.rematch_priority is True
    refused = post(admin.client, moves, {"action": "pause"})
    assert refused.status_code == 400
    assert (
        refused.json()["detail"][0]["msg"]
        == "The relationship is ended early: it can't become paused."
    )


def test_the_pair_pauses_but_never_ends(pair):
    moves = f"{BASE}/{pair.relationship.pk}/transitions"

    assert post(pair.coachee.client, moves, {"action": "pause"}).json()["status"] == "paused"
    response = post(pair.coach.client, moves, {"action": "end", "reason": "no_fault"})

    assert response.status_code == 403
    assert post(pair.coach.client, moves, {"action": "complete"}).status_code == 403


def test_others_cant_move_it(pair, outsider, sponsor):
    moves = f"{BASE}/{pair.relationship.pk}/transitions"
    for member in (outsider, sponsor):
        assert post(member.client, moves, {"action": "pause"}).status_code == 404


def test_a_malformed_move_is_422(pair, admin):
    moves = f"{BASE}/{pair.relationship.pk}/transitions"

    assert post(admin.client, moves, {"action": "explode"}).status_code == 422
    assert post(admin.client, moves, {"action": "pause", "extra": 1}).status_code == 422
