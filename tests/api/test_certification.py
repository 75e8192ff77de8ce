import pytest
from django.utils import timezone

from tests.enablement.conftest import make_coach, make_module, pass_required


@pytest.fixture
def module(db):
    return make_module()


def test_coach_sees_what_is_missing(coach):
    response = coach.client.get("/api/v1/certification/me")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "not_started"
    assert body["person"]["id"] == coach.person.pk
    assert "coaching-techniques" in [m["slug"] for m in body["modules_missing"]]
    assert body["sign_off_missing"] is True
    assert body["lacks"][-1].startswith("A practice session")


@pytest.mark.parametrize("member", ["coachee", "sponsor", "outsider"])
def test_others_have_no_certification_page(request, member):
    assert request.getfixturevalue(member).client.get("/api/v1/certification/me").status_code == 403


def test_admin_lists_coaches_by_status(admin, module, django_assert_max_num_queries):
    started = make_coach("Ann Started")
    pass_required(started, timezone.localdate())
    make_coach("Bob Fresh")
    response = admin.client.get("/api/v1/certification/coaches")
    assert [(s["person"]["name"], s["state"]) for s in response.json()] == [
        ("Ann Started", "in_progress"),
        ("Bob Fresh", "not_started"),
    ]
    only = admin.client.get("/api/v1/certification/coaches", {"status": "not_started"}).json()
    assert [s["person"]["name"] for s in only] == ["Bob Fresh"]
    bad = admin.client.get("/api/v1/certification/coaches", {"status": "gold"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "status"]


@pytest.mark.parametrize("member", ["coach", "coachee", "sponsor", "outsider"])
def test_only_admins_list_coaches(request, member):
    client = request.getfixturevalue(member).client
    assert client.get("/api/v1/certification/coaches").status_code == 403


def test_coach_list_does_not_grow(admin, module):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_coach("One")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            admin.client.get("/api/v1/certification/coaches")
        return len(queries.captured_queries)

    one = count()
    for number in range(4):
        coach = make_coach(f"Coach {number}")
        pass_required(coach, timezone.localdate())
    assert count() == one
