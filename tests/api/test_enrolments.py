from datetime import timedelta

import pytest
from django.test import Client

from cadre.programs.models import ApplicationQuestion, Enrolment, Programme
from tests.api.conftest import post, put_in, today
from tests.programs.enrolment import eligible, enrol


@pytest.fixture
def open_programme(make_programme) -> Programme:
    return put_in(make_programme(), Programme.Status.ENROLLING)


def make_eligible(member) -> None:
    member.person.level = 5
    member.person.hire_date = today() - timedelta(days=730)
    member.person.save()


def test_coachee_applies_with_answers_and_consent(coachee, open_programme):
    make_eligible(coachee)
    question = ApplicationQuestion.objects.create(programme=open_programme, text="Why?")
    url = f"/api/v1/programmes/{open_programme.pk}/enrolments"
    body = {"role": "coachee", "answers": {str(question.pk): "To grow"}, "consent": True}
    response = post(coachee.client, url, body)
    assert response.status_code == 201
    assert response.json()["status"] == "applied"
    assert response.json()["programme_name"] == "Leaders 2027"
    enrolment = Enrolment.objects.get()
    assert enrolment.person == coachee.person
    assert enrolment.answers == {str(question.pk): "To grow"}
    assert enrolment.consent_at is not None


def test_application_refusals_name_every_problem(coachee, open_programme):
    make_eligible(coachee)
    ApplicationQuestion.objects.create(programme=open_programme, text="Why?")
    url = f"/api/v1/programmes/{open_programme.pk}/enrolments"
    response = post(coachee.client, url, {"role": "coachee", "consent": False})
    assert response.status_code == 400
    assert [item["msg"] for item in response.json()["detail"]] == [
        "Agree to the programme's terms (confidentiality and data use) to apply.",
        "Answer the question “Why?”.",
    ]
    missing = post(coachee.client, url, {"role": "coachee"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "payload", "consent"]


def test_closed_programmes_and_outsiders(coachee, outsider, make_programme):
    draft = make_programme()
    url = f"/api/v1/programmes/{draft.pk}/enrolments"
    body = {"role": "coach", "consent": True}
    assert post(coachee.client, url, body).status_code == 404
    assert post(outsider.client, url, body).status_code == 403


def test_my_enrolments_are_only_mine(coachee, coach, outsider, open_programme):
    mine = enrol(open_programme, coachee.person)
    enrol(open_programme, coach.person, role="coach")
    response = coachee.client.get("/api/v1/enrolments")
    assert [e["id"] for e in response.json()] == [mine.pk]
    assert outsider.client.get("/api/v1/enrolments").status_code == 403


def test_withdraw_own_only(coachee, coach, admin, open_programme):
    mine = enrol(open_programme, coachee.person)
    url = f"/api/v1/enrolments/{mine.pk}/withdraw"
    assert post(coach.client, url, {}).status_code == 404
    assert post(admin.client, url, {}).status_code == 403
    response = post(coachee.client, url, {})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = post(coachee.client, url, {})
    assert again.status_code == 400
    assert again.json()["detail"][0]["msg"] == "This enrolment is withdrawn already."


def test_admin_lists_a_programmes_enrolments_with_filters(admin, open_programme):
    coach_enrolment = enrol(open_programme, eligible(), role="coach")
    enrol(open_programme, eligible())
    url = f"/api/v1/programmes/{open_programme.pk}/enrolments"
    assert len(admin.client.get(url).json()) == 2
    only = admin.client.get(url, {"role": "coach", "status": "applied"}).json()
    assert [e["id"] for e in only] == [coach_enrolment.pk]
    assert only[0]["person"]["id"] == coach_enrolment.person.pk
    bad = admin.client.get(url, {"status": "maybe"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "status"]


@pytest.mark.parametrize(("member", "code"), [("coachee", 404), ("coach", 404), ("outsider", 404)])
def test_others_cannot_see_a_programmes_enrolments(request, member, code, open_programme):
    enrol(open_programme, eligible())
    client = request.getfixturevalue(member).client
    assert client.get(f"/api/v1/programmes/{open_programme.pk}/enrolments").status_code == code


def test_sponsor_sees_no_applications_and_cannot_decide(sponsor, make_programme):
    programme = put_in(make_programme(sponsor=sponsor.person), Programme.Status.ENROLLING)
    enrolment = enrol(programme, eligible())
    url = f"/api/v1/programmes/{programme.pk}/enrolments"
    assert sponsor.client.get(url).status_code == 403
    body = {"decision": "approved", "enrolment_ids": [enrolment.pk]}
    assert post(sponsor.client, f"{url}/decisions", body).status_code == 403


def test_admin_decides_in_bulk(admin, open_programme):
    first = enrol(open_programme, eligible())
    second = enrol(open_programme, eligible())
    url = f"/api/v1/programmes/{open_programme.pk}/enrolments/decisions"
    body = {"decision": "waitlisted", "enrolment_ids": [first.pk, second.pk]}
    response = post(admin.client, url, body)
    assert response.status_code == 200
    assert {e["status"] for e in response.json()} == {"waitlisted"}
    refused = post(admin.client, url, {"decision": "applied", "enrolment_ids": [first.pk]})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "payload", "decision"]
    empty = post(admin.client, url, {"decision": "approved", "enrolment_ids": []})
    assert empty.json()["detail"][0]["loc"] == ["body", "payload", "enrolment_ids"]


def test_enrolment_lists_do_not_grow(admin, coachee, open_programme, make_programme):
    enrol(open_programme, coachee.person)
    enrol(open_programme, eligible())
    url = f"/api/v1/programmes/{open_programme.pk}/enrolments"
    client: Client = admin.client
    with_two = _count(client, url)
    mine_one = _count(coachee.client, "/api/v1/enrolments")
    for number in range(4):
        enrol(open_programme, eligible())
        enrol(put_in(make_programme(f"More {number}"), "enrolling"), coachee.person)
    assert _count(client, url) == with_two
    assert _count(coachee.client, "/api/v1/enrolments") == mine_one


def _count(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)
