"""GET and POST /api/v1/suggestions: the caller's own suggestions, and asking one."""

import pytest
from django.test import Client

from cadre.coaching.models import CoachingRelationship
from cadre.matching.choice import choice_close, choice_open
from cadre.programs.models import CoachProfile
from tests.api.conftest import post
from tests.matching.conftest import cohort

__all__ = ["cohort"]

pytestmark = pytest.mark.django_db

URL = "/api/v1/suggestions"


def client_of(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


@pytest.fixture
def choosing(cohort, admin):
    choice_open(programme=cohort.programme, by=admin.user, suggestions=2)
    return cohort


def test_a_coachee_reads_their_own_suggestions(choosing):
    chen = choosing.coaches[2]
    CoachProfile.objects.filter(enrolment__person=chen).update(bio="Ran three plants in Asia.")

    response = client_of(choosing.coachees[0]).get(URL)

    assert response.status_code == 200
    [programme] = response.json()
    assert programme["programme"] == choosing.programme.pk
    assert programme["state"] == "choose"
    assert programme["relationship"] is None
    assert [s["coach"]["name"] for s in programme["suggestions"]] == [
        "Chen Carter",
        "Alma Archer",
    ]
    best = programme["suggestions"][0]
    assert best["rank"] == 1
    assert best["score"] == pytest.approx(1.9333, abs=1e-3)
    assert best["reasons"][0] == "From another part of the organisation"
    assert set(best["factors"]) == {"competency", "silo", "availability", "preference", "seniority"}
    assert [s["bio"] for s in programme["suggestions"]] == ["Ran three plants in Asia.", ""]


def test_asking_a_suggestion_proposes_the_pair(choosing):
    dana, chen = choosing.coachees[0], choosing.coaches[2]
    client = client_of(dana)

    response = post(client, URL, {"programme_id": choosing.programme.pk, "coach_id": chen.pk})

    assert response.status_code == 201
    body = response.json()
    assert (body["coach"]["id"], body["coachee"]["id"], body["status"]) == (
        chen.pk,
        dana.pk,
        "proposed",
    )
    assert body["coachee_accepted_at"] is not None
    [programme] = client.get(URL).json()
    assert (programme["state"], programme["relationship"]) == ("requested", body["id"])
    assert programme["suggestions"] == []


def test_asking_a_coach_not_suggested_is_a_400(choosing):
    response = post(
        client_of(choosing.coachees[0]),
        URL,
        {"programme_id": choosing.programme.pk, "coach_id": choosing.coaches[1].pk},
    )

    assert response.status_code == 400
    assert "Bruno Baker isn't among your suggestions" in response.json()["detail"][0]["msg"]
    assert not CoachingRelationship.objects.exists()


def test_others_get_no_suggestions_and_cannot_ask(choosing, admin, coach, sponsor, outsider):
    body = {"programme_id": choosing.programme.pk, "coach_id": choosing.coaches[2].pk}
    for member in (admin, coach, sponsor, outsider):
        assert member.client.get(URL).json() == []
        assert post(member.client, URL, body).status_code == 404
    assert not CoachingRelationship.objects.exists()


def test_nothing_once_choice_is_closed(choosing, admin):
    choice_close(programme=choosing.programme, by=admin.user)
    client = client_of(choosing.coachees[0])

    assert client.get(URL).json() == []
    body = {"programme_id": choosing.programme.pk, "coach_id": choosing.coaches[2].pk}
    assert post(client, URL, body).status_code == 404


def test_an_unknown_coach_is_a_404_and_unknown_fields_a_422(choosing):
    client = client_of(choosing.coachees[0])

    assert (
        post(client, URL, {"programme_id": choosing.programme.pk, "coach_id": 0}).status_code == 404
    )
    body = {"programme_id": choosing.programme.pk, "coach_id": 1, "coachee_id": 2}
    assert post(client, URL, body).status_code == 422


def test_the_suggestions_need_a_login(client):
    assert client.get(URL).status_code == 401
    assert post(client, URL, {"programme_id": 1, "coach_id": 1}).status_code == 401
