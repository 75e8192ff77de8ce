"""The sessions API: the caller's own sessions, and changes to their relationships'."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from cadre.coaching.models import CoachingSession
from cadre.coaching.scheduling import session_schedule
from cadre.programs.models import AvailabilityWindow, Enrolment
from tests.api.conftest import post

UTC = ZoneInfo("UTC")


def later(days: int, hour: int = 9) -> datetime:
    return datetime.combine((timezone.now() + timedelta(days=days)).date(), time(hour), tzinfo=UTC)


def schedule(pair, days: int) -> CoachingSession:
    return session_schedule(
        scheduled_by=pair.coach.user,
        relationship=pair.relationship,
        starts_at=later(days),
        duration_minutes=60,
        time_zone="UTC",
        format=CoachingSession.Format.VIDEO,
    )


def test_schedule(pair):
    url = f"/api/v1/relationships/{pair.relationship.pk}/sessions"
    body = {
        "starts_at": "2099-05-04T09:00:00+01:00",
        "duration_minutes": 45,
        "time_zone": "Europe/London",
        "format": "in_person",
        "location": "Room 4",
    }
    response = post(pair.coach.client, url, body)

    assert response.status_code == 201
    data = response.json()
    session = CoachingSession.objects.get()
    assert data["id"] == session.pk
    assert data["starts_at"] == "2099-05-04T08:00:00Z"
    assert data["ends_at"] == "2099-05-04T08:45:00Z"
    assert data["status"] == "scheduled"
    assert data["sequence"] == 0
    assert data["title"] == "Coaching session: Cora Coach & Cole Coachee"
    assert [a["name"] for a in data["attendees"]] == ["Cora Coach", "Cole Coachee"]


def test_schedule_refusals_are_400(pair):
    url = f"/api/v1/relationships/{pair.relationship.pk}/sessions"
    response = post(
        pair.coach.client,
        url,
        {"starts_at": "2099-05-04T09:00:00", "time_zone": "Europe/London", "format": "video"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {"loc": ["body"], "msg": "Start: give the time with its time zone.", "type": "refused"}
        ]
    }
    response = post(
        pair.coach.client,
        url,
        {"starts_at": "2099-05-04T09:00:00Z", "time_zone": "Nowhere/Else", "format": "video"},
    )
    assert response.status_code == 400
    assert "Time zone" in response.json()["detail"][0]["msg"]


def test_unknown_fields_are_422(pair):
    url = f"/api/v1/relationships/{pair.relationship.pk}/sessions"
    response = post(
        pair.coach.client,
        url,
        {"starts_at": "2099-05-04T09:00Z", "time_zone": "UTC", "format": "video", "x": 1},
    )
    assert response.status_code == 422


def test_list_with_date_filters(pair):
    first, second, third = schedule(pair, 2), schedule(pair, 5), schedule(pair, 9)
    client = pair.coachee.client

    everything = client.get("/api/v1/sessions").json()
    assert [s["id"] for s in everything] == [first.pk, second.pk, third.pk]

    window = client.get(
        "/api/v1/sessions",
        {"starts_after": later(3).isoformat(), "starts_before": later(9).isoformat()},
    ).json()
    assert [s["id"] for s in window] == [second.pk]


@pytest.mark.parametrize("count", [1, 5])
def test_list_query_count(pair, count, django_assert_num_queries):
    for day in range(count):
        schedule(pair, 2 + day)
    with django_assert_num_queries(4):
        response = pair.coach.client.get("/api/v1/sessions")
    assert len(response.json()) == count


def test_reschedule_cancel_and_mark(pair):
    session = schedule(pair, 3)
    client = pair.coach.client

    moved = post(
        client,
        f"/api/v1/sessions/{session.pk}/reschedule",
        {"starts_at": later(4, 15).isoformat()},
    )
    assert moved.status_code == 200
    assert moved.json()["sequence"] == 1
    assert moved.json()["starts_at"] == later(4, 15).isoformat().replace("+00:00", "Z")

    cancelled = post(client, f"/api/v1/sessions/{session.pk}/cancel", {"reason": "Ill"})
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["sequence"] == 2

    again = post(client, f"/api/v1/sessions/{session.pk}/cancel", {})
    assert again.status_code == 400

    past = schedule(pair, 6)
    CoachingSession.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    response = post(
        client,
        f"/api/v1/sessions/{past.pk}/no-show",
        {"absent_person_id": pair.coachee.person.pk},
    )
    assert response.json()["status"] == "no_show"
    assert response.json()["no_show_by_id"] == pair.coachee.person.pk

    held = schedule(pair, 7)
    CoachingSession.objects.filter(pk=held.pk).update(starts_at=timezone.now() - timedelta(hours=5))
    assert post(client, f"/api/v1/sessions/{held.pk}/held", {}).json()["status"] == "held"


def test_suggestions(pair):
    for person in (pair.coach.person, pair.coachee.person):
        enrolment = Enrolment.objects.get(programme=pair.programme, person=person)
        AvailabilityWindow.objects.create(
            enrolment=enrolment,
            weekday=(timezone.now() + timedelta(days=2)).weekday(),
            starts_at=time(9),
            ends_at=time(10),
        )
    response = pair.coach.client.get(
        f"/api/v1/relationships/{pair.relationship.pk}/suggestions", {"days": 7}
    )
    assert response.status_code == 200
    assert len(response.json()) == 1


@pytest.mark.parametrize("who", ["outsider", "sponsor", "admin"])
def test_others_get_404(pair, who, request):
    member = request.getfixturevalue(who)
    session = schedule(pair, 3)
    assert member.client.get(f"/api/v1/sessions/{session.pk}").status_code == 404
    assert member.client.get("/api/v1/sessions").json() == []
    for url in (
        f"/api/v1/sessions/{session.pk}/cancel",
        f"/api/v1/sessions/{session.pk}/held",
        f"/api/v1/relationships/{pair.relationship.pk}/sessions",
    ):
        body = (
            {"starts_at": "2099-05-04T09:00Z", "time_zone": "UTC", "format": "video"}
            if url.endswith("/sessions")
            else {}
        )
        assert post(member.client, url, body).status_code == 404, url
    assert (
        member.client.get(f"/api/v1/relationships/{pair.relationship.pk}/suggestions").status_code
        == 404
    )


def test_not_logged_in_is_401(pair):
    assert Client().get("/api/v1/sessions").status_code == 401
