from datetime import timedelta

import pytest

from cadre.programs.models import Programme, ProgrammeTransition
from tests.api.conftest import a_year_from, patch, post, put_in, today
from tests.factories import PersonFactory, RoleGrantFactory

URL = "/api/v1/programmes"


def test_admin_lists_every_programme(admin, make_programme):
    make_programme("Leaders 2027")
    make_programme("Leaders 2028")
    response = admin.client.get(URL)
    assert response.status_code == 200
    assert sorted(p["name"] for p in response.json()) == ["Leaders 2027", "Leaders 2028"]
    assert response.json()[0]["objective_count"] == 1


def test_sponsor_lists_only_what_they_sponsor(sponsor, make_programme):
    make_programme("Leaders 2027", sponsor=sponsor.person)
    make_programme("Leaders 2028")
    response = sponsor.client.get(URL)
    assert [p["name"] for p in response.json()] == ["Leaders 2027"]
    assert response.json()[0]["sponsor"] == {"id": sponsor.person.pk, "name": "Sam Sponsor"}


@pytest.mark.parametrize("member", ["coach", "coachee", "outsider"])
def test_others_may_not_list_programmes(request, member, make_programme):
    make_programme()
    response = request.getfixturevalue(member).client.get(URL)
    assert response.status_code == 403
    assert response.json() == {"detail": "Programmes are for programme admins and sponsors."}


def test_anonymous_is_401(client):
    assert client.get(URL).status_code == 401


def test_detail_for_admin_and_sponsor_404_for_others(
    admin, sponsor, coach, outsider, make_programme
):
    programme = make_programme(sponsor=sponsor.person)
    url = f"{URL}/{programme.pk}"
    body = admin.client.get(url).json()
    assert body["name"] == "Leaders 2027"
    assert body["status"] == "draft"
    assert body["objectives"][0]["metric"] == "sessions_per_coachee"
    assert set(body["responsibilities"]) == {"programme_admin", "coach", "coachee", "sponsor"}
    assert body["allowed_transitions"] == ["enrolling"]
    assert sponsor.client.get(url).status_code == 200
    assert coach.client.get(url).status_code == 404
    assert outsider.client.get(url).json() == {"detail": "No such programme."}
    assert admin.client.get(f"{URL}/999999").status_code == 404


def new_programme(**changes):
    return {"name": "Leaders 2029", **a_year_from(), **changes}


def test_admin_creates_a_draft(admin, sponsor):
    body = new_programme(
        sponsor=sponsor.person.pk,
        objectives=[{"description": "Most coaches certified", "metric": "custom"}],
        responsibilities={"coach": "Listen\nAsk"},
    )
    response = post(admin.client, URL, body)
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "draft"
    assert created["sponsor"]["id"] == sponsor.person.pk
    assert created["objectives"][0]["description"] == "Most coaches certified"
    assert created["responsibilities"]["coach"] == "Listen\nAsk"
    assert Programme.objects.get(pk=created["id"]).created_by == admin.user


@pytest.mark.parametrize("member", ["sponsor", "coach", "coachee", "outsider"])
def test_only_admins_create(request, member):
    response = post(request.getfixturevalue(member).client, URL, new_programme())
    assert response.status_code == 403
    assert not Programme.objects.exists()


def test_create_names_the_missing_field(admin):
    response = post(admin.client, URL, {"name": "No dates"})
    assert response.status_code == 422
    assert {tuple(item["loc"]) for item in response.json()["detail"]} == {
        ("body", "payload", "starts_on"),
        ("body", "payload", "ends_on"),
    }


def test_create_names_the_field_the_model_refuses(admin):
    response = post(admin.client, URL, new_programme(relationship_months=99))
    assert response.status_code == 400
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "relationship_months"]
    assert "36" in item["msg"]


def test_create_names_an_unknown_sponsor(admin, coach):
    response = post(admin.client, URL, new_programme(sponsor=coach.person.pk))
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["body", "sponsor"]


def test_create_refuses_a_rule_across_fields_and_unknown_fields(admin):
    start = today()
    body = new_programme(starts_on=str(start), ends_on=str(start - timedelta(days=1)))
    response = post(admin.client, URL, body)
    assert response.status_code == 400
    assert response.json()["detail"][0] == {
        "loc": ["body"],
        "msg": "The programme must end after it starts.",
        "type": "invalid",
    }
    assert post(admin.client, URL, new_programme(colour="red")).status_code == 422
    assert post(admin.client, URL, "Leaders 2029").status_code == 422


def test_admin_updates_fields(admin, make_programme):
    programme = make_programme()
    response = patch(admin.client, f"{URL}/{programme.pk}", {"description": "New words"})
    assert response.status_code == 200
    assert response.json()["description"] == "New words"
    programme.refresh_from_db()
    assert programme.description == "New words"
    assert programme.name == "Leaders 2027"


def test_update_refuses_locked_fields_with_the_service_message(admin, make_programme):
    programme = put_in(make_programme(), Programme.Status.RUNNING)
    response = patch(admin.client, f"{URL}/{programme.pk}", {"minimum_sessions": 9})
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {
                "loc": ["body"],
                "msg": "“Leaders 2027” is running: minimum sessions can't be changed any more.",
                "type": "refused",
            }
        ]
    }


def test_sponsor_may_see_but_not_change(sponsor, outsider, make_programme):
    programme = make_programme(sponsor=sponsor.person)
    url = f"{URL}/{programme.pk}"
    assert patch(sponsor.client, url, {"name": "Mine"}).status_code == 403
    assert patch(outsider.client, url, {"name": "Mine"}).status_code == 404
    move = post(sponsor.client, f"{url}/transitions", {"to_status": "enrolling"})
    assert move.status_code == 403
    assert (
        post(outsider.client, f"{url}/transitions", {"to_status": "enrolling"}).status_code == 404
    )


def test_admin_moves_a_programme(admin, make_programme):
    programme = make_programme()
    response = post(admin.client, f"{URL}/{programme.pk}/transitions", {"to_status": "enrolling"})
    assert response.status_code == 201
    assert response.json()["from_status"] == "draft"
    assert response.json()["to_status"] == "enrolling"
    assert response.json()["by"] == "Ada Admin"
    programme.refresh_from_db()
    assert programme.status == "enrolling"


def test_refused_move_says_why(admin, make_programme):
    programme = make_programme()
    url = f"{URL}/{programme.pk}/transitions"
    response = post(admin.client, url, {"to_status": "running"})
    assert response.status_code == 400
    assert response.json()["detail"][0]["msg"] == "“Leaders 2027” can't move from draft to running."
    bad = post(admin.client, url, {"to_status": "finished"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "payload", "to_status"]
    assert not ProgrammeTransition.objects.exists()


def test_programme_list_queries_do_not_grow(admin, make_programme, django_assert_num_queries):
    make_programme("One")
    with django_assert_num_queries(4) as one:
        admin.client.get(URL)
    for number in range(5):
        sponsor = PersonFactory(user=RoleGrantFactory(role="sponsor").user)
        make_programme(f"More {number}", sponsor=sponsor)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(admin.client.get(URL).json()) == 6
