"""The feedback API: questionnaires, the caller's surveys and answers, and the reports."""

import pytest

from cadre.accounts.models import AuditEvent
from cadre.feedback.models import Survey
from tests.api.conftest import post
from tests.coaching.conftest import active_relationship, coachee_person
from tests.feedback.answering import SESSION, answer, people_in, pulse
from tests.feedback.conftest import assign, custom_template


@pytest.fixture
def survey(pair):
    return assign(pair.coachee.person, pair.programme, template=custom_template(pair.programme))


class TestTemplates:
    def test_a_respondent_sees_the_versions_of_their_surveys(self, pair, survey, coach):
        body = pair.coachee.client.get("/api/v1/feedback/templates").json()

        assert [(t["key"], t["version"]) for t in body] == [("custom", 1)]
        assert [q["key"] for q in body[0]["questions"]] == [
            "clarity",
            "recommend",
            "format",
            "topics",
            "listening",
            "comment",
        ]
        assert coach.client.get("/api/v1/feedback/templates").json() == []

    def test_admins_see_every_version(self, admin, survey):
        keys = {t["key"] for t in admin.client.get("/api/v1/feedback/templates").json()}

        assert {"custom", "session-coachee", "pulse", "reaction"} <= keys


class TestSurveys:
    def test_the_caller_lists_and_reads_their_own(self, pair, survey):
        listed = pair.coachee.client.get("/api/v1/feedback/surveys").json()
        detail = pair.coachee.client.get(f"/api/v1/feedback/surveys/{survey.pk}").json()

        assert [(s["id"], s["status"], s["subject"]) for s in listed] == [
            (survey.pk, "open", "Leaders coaching leaders")
        ]
        assert len(detail["questions"]) == 6
        assert detail["answers"] == []

    def test_save_then_submit(self, pair, survey):
        client = pair.coachee.client
        url = f"/api/v1/feedback/surveys/{survey.pk}/answers"

        saved = post(client, url, {"answers": {"clarity": "4"}})
        submitted = post(
            client,
            url,
            {
                "answers": {
                    "clarity": "4",
                    "recommend": "9",
                    "format": "video",
                    "topics": ["a", "b"],
                    "listening": "na",
                },
                "submit": True,
            },
        )

        assert saved.status_code == 200
        assert saved.json()["status"] == "in_progress"
        assert submitted.status_code == 200
        assert submitted.json()["status"] == "submitted"
        assert not AuditEvent.objects.filter(action__startswith="feedback.survey").exists()
        assert {a["question"]: a["choices"] for a in submitted.json()["answers"]}["topics"] == [
            "a",
            "b",
        ]

    def test_bad_answers_are_400_naming_each_question(self, pair, survey):
        response = post(
            pair.coachee.client,
            f"/api/v1/feedback/surveys/{survey.pk}/answers",
            {"answers": {"clarity": "9", "topics": ["a", "b", "c"]}, "submit": False},
        )

        assert response.status_code == 400
        assert response.json()["detail"] == [
            {
                "loc": ["body", "answers", "clarity"],
                "msg": "Question 1 (Clarity of next steps): choose a value from 1 to 5.",
                "type": "refused",
            },
            {
                "loc": ["body", "answers", "topics"],
                "msg": "Question 4 (Topics): choose at most 2.",
                "type": "refused",
            },
        ]
        assert Survey.objects.get(pk=survey.pk).status == "open"

    def test_an_unknown_field_is_422(self, pair, survey):
        response = post(
            pair.coachee.client,
            f"/api/v1/feedback/surveys/{survey.pk}/answers",
            {"answers": {}, "extra": 1},
        )

        assert response.status_code == 422

    @pytest.mark.parametrize("who", ["admin", "sponsor", "outsider"])
    def test_nobody_else_reads_or_answers_it(self, request, survey, who):
        client = request.getfixturevalue(who).client

        assert client.get(f"/api/v1/feedback/surveys/{survey.pk}").status_code == 404
        response = post(client, f"/api/v1/feedback/surveys/{survey.pk}/answers", {"answers": {}})
        assert response.status_code == 404

    def test_anonymous_is_401(self, client, survey):
        assert client.get("/api/v1/feedback/surveys").status_code == 401


class TestReports:
    def test_programme_report_for_its_sponsor(self, programme, sponsor):
        programme.sponsor = sponsor.person
        programme.save(update_fields=["sponsor"])
        for person in people_in("Finance", 5):
            answer(person, programme, SESSION)

        body = sponsor.client.get(f"/api/v1/feedback/programmes/{programme.pk}/report").json()

        assert body["threshold"] == 5
        assert body["response_rates"][0]["percent"] == 100.0
        assert body["sections"][0]["figures"][0]["cell"] == {
            "value": 4.0,
            "people": 5,
            "hidden": "",
        }

    @pytest.mark.parametrize("who", ["sponsor", "coach", "coachee", "outsider"])
    def test_programme_report_is_404_for_others(self, request, programme, who):
        client = request.getfixturevalue(who).client

        assert client.get(f"/api/v1/feedback/programmes/{programme.pk}/report").status_code == 404

    @pytest.mark.parametrize(("count", "shown"), [(4, False), (5, True), (6, True)])
    def test_coach_report_edges(self, pair, count, shown):
        for _ in range(count):
            coachee = coachee_person()
            relationship = active_relationship(pair.programme, pair.coach.person, coachee)
            answer(
                coachee,
                pair.programme,
                pulse("4"),
                key="pulse",
                purpose="pulse",
                relationship=relationship,
            )

        body = pair.coach.client.get("/api/v1/feedback/coaching-report").json()

        cell = body["sections"][0]["figures"][0]["cell"]
        assert cell == (
            {"value": 4.0, "people": count, "hidden": ""}
            if shown
            else {"value": None, "people": None, "hidden": "Fewer than 5 answers"}
        )

    def test_coach_report_is_404_for_non_coaches(self, coachee):
        assert coachee.client.get("/api/v1/feedback/coaching-report").status_code == 404

    def test_assessment_report_for_the_coachee_not_admins(self, pair, admin):
        from cadre.feedback.models import Assessment360

        before = Assessment360.objects.create(
            programme=pair.programme,
            coachee=pair.coachee.person,
            relationship=pair.relationship,
            phase="before",
            status="collecting",
        )
        url = f"/api/v1/feedback/assessments/{before.pk}/report"

        body = pair.coachee.client.get(url).json()

        assert body["coachee_id"] == pair.coachee.person.pk
        assert body["after"] is None
        assert [c["key"] for c in body["before"]["columns"]] == ["self", "all"]
        assert pair.coach.client.get(url).status_code == 200
        assert admin.client.get(url).status_code == 404
