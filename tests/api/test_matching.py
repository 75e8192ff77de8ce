"""The matching API: start a run, read its status and result, approve; programme admins only."""

from datetime import timedelta

import pytest

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import CoachingRelationship
from cadre.matching.models import MatchRun
from cadre.matching.services import STUCK_ERROR
from tests.api.conftest import post
from tests.matching.conftest import cohort, running_run

__all__ = ["cohort"]

pytestmark = pytest.mark.django_db

URL = "/api/v1/matching"


def test_an_admin_runs_reads_and_approves(cohort, admin):
    started = post(
        admin.client,
        f"{URL}/runs",
        {"programme_id": cohort.programme.pk, "weights": {"competency": 2}},
    )

    assert started.status_code == 202
    run_id = started.json()["id"]
    status = admin.client.get(f"{URL}/runs/{run_id}").json()
    assert (status["status"], status["progress"], status["gap"]) == ("finished", 100, 0)
    assert status["parameters"]["weights"] == {"competency": 2.0}
    assert status["summary"]["matched"] == 4
    result = admin.client.get(f"{URL}/runs/{run_id}/result").json()
    assert len(result["proposals"]) == 4
    assert result["unmatched"] == []
    first = result["proposals"][0]
    assert set(first["factors"]) == {
        "competency",
        "silo",
        "availability",
        "preference",
        "seniority",
    }
    ids = [p["id"] for p in result["proposals"]]

    approved = post(admin.client, f"{URL}/runs/{run_id}/approve", {"proposal_ids": ids})

    assert approved.status_code == 200
    assert sorted(approved.json()["approved"]) == sorted(ids)
    assert CoachingRelationship.objects.filter(origin="matching").count() == 4


def test_reading_a_run_left_behind_fails_it_with_the_reason(cohort, admin):
    # A client polling the status of a run whose worker is gone sees it fail, not run forever.
    run = running_run(cohort.programme, admin.user, started_ago=timedelta(hours=3))

    status = admin.client.get(f"{URL}/runs/{run.pk}").json()
    result = admin.client.get(f"{URL}/runs/{run.pk}/result").json()

    assert (status["status"], status["error"]) == ("failed", STUCK_ERROR)
    assert (result["run"]["status"], result["proposals"]) == ("failed", [])
    assert AuditEvent.objects.filter(action="matching.run_fail_stuck").count() == 1


def test_a_second_run_while_one_is_going_is_a_400(cohort, admin, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    post(admin.client, f"{URL}/runs", {"programme_id": cohort.programme.pk})

    second = post(admin.client, f"{URL}/runs", {"programme_id": cohort.programme.pk})

    assert second.status_code == 400
    assert "being matched already" in second.json()["detail"][0]["msg"]


def test_only_programme_admins_use_it(cohort, admin, coach, coachee, sponsor):
    run = MatchRun.objects.create(programme=cohort.programme, kind="full", status="finished")
    for member in (coach, coachee, sponsor):
        assert (
            post(member.client, f"{URL}/runs", {"programme_id": cohort.programme.pk}).status_code
            == 403
        )
        assert member.client.get(f"{URL}/runs/{run.pk}").status_code == 403
        assert member.client.get(f"{URL}/runs/{run.pk}/result").status_code == 403
        assert (
            post(member.client, f"{URL}/runs/{run.pk}/approve", {"proposal_ids": [1]}).status_code
            == 403
        )
    assert admin.client.get(f"{URL}/runs/999999").status_code == 404
    assert MatchRun.objects.count() == 1
