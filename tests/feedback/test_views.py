"""Feedback pages: behaviour, who may open them, and a fixed number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.feedback.assessments import assessment_start, nomination_add, nominations_submit
from cadre.feedback.models import Survey
from cadre.feedback.services import survey_answer_save
from tests.factories import PersonFactory
from tests.feedback.conftest import assign
from tests.feedback.test_surveys import GOOD


def url(name, *args):
    return reverse(f"feedback:{name}", args=args)


class TestMySurveys:
    def test_lists_open_and_answered_surveys(self, pair, survey):
        done = assign(pair.coachee.person, pair.programme)
        questions = {q.key: "4" for q in done.template.questions.all() if q.kind == "likert"}
        survey_answer_save(
            survey=done, user=pair.coachee.user, data=questions, submit=True, now=timezone.now()
        )

        response = pair.coachee.client.get(url("my_surveys"))

        assert response.status_code == 200
        assert [s.pk for s, _ in response.context["to_answer"]] == [survey.pk]
        assert [(s.pk, subject) for s, subject in response.context["answered"]] == [
            (done.pk, "Leaders coaching leaders")
        ]

    def test_surveys_not_open_yet_are_coming_up_with_their_opening_date(self, pair, survey):
        """A survey past its due time that the hourly run hasn't closed is in neither list."""
        pair.coachee.person.time_zone = "Asia/Tokyo"
        pair.coachee.person.save(update_fields=["time_zone"])
        opens = datetime(2030, 3, 4, 23, 30, tzinfo=UTC)
        later = assign(pair.coachee.person, pair.programme, now=opens)
        assign(pair.coachee.person, pair.programme, now=timezone.now() - timedelta(days=8))

        response = pair.coachee.client.get(url("my_surveys"))

        assert [s.pk for s, _ in response.context["to_answer"]] == [survey.pk]
        assert [s.pk for s, _ in response.context["coming_up"]] == [later.pk]
        coming_up = response.text.split('id="coming-up-heading"')[1]
        assert 'Opens <time datetime="2030-03-05T08:30:00+09:00">5 Mar 2030, 08:30</time>' in (
            coming_up
        )
        assert f'href="{url("survey", later.pk)}"' not in response.text

    def test_empty_state_says_what_comes(self, coach):
        response = coach.client.get(url("my_surveys"))

        assert "Nothing to answer right now." in response.text

    def test_others_see_only_their_own(self, pair, survey, admin):
        response = admin.client.get(url("my_surveys"))

        assert response.context["to_answer"] == []

    def test_anonymous_is_sent_to_log_in(self, client):
        response = client.get(url("my_surveys"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_queries_do_not_grow_with_surveys(self, pair, django_assert_num_queries):
        assign(pair.coachee.person, pair.programme)
        with django_assert_num_queries(6) as one:
            pair.coachee.client.get(url("my_surveys"))
        for _ in range(3):
            assign(pair.coachee.person, pair.programme, relationship=pair.relationship)
            assign(
                pair.coachee.person,
                pair.programme,
                now=timezone.now() + timedelta(days=3),
                relationship=pair.relationship,
            )
        with django_assert_num_queries(len(one.captured_queries)):
            pair.coachee.client.get(url("my_surveys"))


class TestSurveyPage:
    def test_shows_every_question_with_its_options(self, pair, survey):
        response = pair.coachee.client.get(url("survey", survey.pk))

        assert response.status_code == 200
        assert response.context["can_answer"] is True
        html = response.text
        assert html.count('type="radio" name="q-recommend"') == 11
        assert html.count('type="checkbox" name="q-topics"') == 3
        assert 'value="na"' in html
        assert "<legend>" in html
        assert "Save and finish later" in html

    def test_save_for_later_then_submit_then_thanks(self, pair, survey):
        client = pair.coachee.client
        response = client.post(url("survey", survey.pk), {"q-clarity": "3", "action": "save"})
        assert response.status_code == 302
        assert response.url == url("survey", survey.pk) + "?saved=1"
        assert Survey.objects.get(pk=survey.pk).status == "in_progress"

        data = {f"q-{key}": value for key, value in GOOD.items()}
        response = client.post(url("survey", survey.pk), {**data, "action": "submit"})
        assert response.url == url("survey", survey.pk) + "?thanks=1"

        page = client.get(response.url)
        assert "Thank you." in page.text
        assert page.context["can_answer"] is False
        assert [row.shown_answer for row in page.context["rows"]] == [
            "4",
            "9",
            "In a room",
            "A, C",
            "Not observed",
            "Helpful.",
        ]

    def test_no_audit_entry_ties_the_respondent_to_when_they_submitted(self, pair, survey):
        """Audit entries carry a time; one naming the respondent or their survey would let a
        reader of the log see whose answers moved an aggregate."""
        data = {f"q-{key}": value for key, value in GOOD.items()}
        before = set(AuditEvent.objects.values_list("pk", flat=True))

        pair.coachee.client.post(url("survey", survey.pk), {**data, "action": "submit"})

        assert Survey.objects.get(pk=survey.pk).status == "submitted"
        assert list(AuditEvent.objects.exclude(pk__in=before)) == []
        assert not AuditEvent.objects.filter(
            actor=pair.coachee.user, action__startswith="feedback."
        )
        assert not AuditEvent.objects.filter(action__startswith="feedback.survey")

    def test_a_bad_answer_is_shown_next_to_its_question(self, pair, survey):
        data = {f"q-{key}": value for key, value in GOOD.items()}
        data["q-clarity"] = "9"

        response = pair.coachee.client.post(url("survey", survey.pk), {**data, "action": "submit"})

        assert response.status_code == 400
        assert "Question 1 (Clarity of next steps): choose a value from 1 to 5." in response.text
        assert 'value="room" checked' in response.text
        assert not survey.answers.exists()

    def test_a_closed_survey_says_so(self, pair, survey):
        Survey.objects.filter(pk=survey.pk).update(status="closed")

        response = pair.coachee.client.get(url("survey", survey.pk))

        assert "This survey has closed." in response.text

    @pytest.mark.parametrize("who", ["coach", "admin", "sponsor", "outsider"])
    def test_nobody_else_may_open_it(self, request, pair, survey, who):
        member = pair.coach if who == "coach" else request.getfixturevalue(who)

        assert member.client.get(url("survey", survey.pk)).status_code == 404
        assert member.client.post(url("survey", survey.pk), {"action": "submit"}).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, survey):
        assert client.get(url("survey", survey.pk)).status_code == 302

    def test_queries_do_not_grow_with_questions(self, pair, survey, django_assert_num_queries):
        short = assign(pair.coachee.person, pair.programme)
        with django_assert_num_queries(8) as one:
            pair.coachee.client.get(url("survey", short.pk))
        with django_assert_num_queries(len(one.captured_queries)):
            pair.coachee.client.get(url("survey", survey.pk))


@pytest.fixture
def assessment(pair):
    found = assessment_start(relationship=pair.relationship, by=pair.coachee.user)
    nomination_add(assessment=found, rater=PersonFactory(), group="manager", by=pair.coachee.user)
    return found


class TestAssessmentPages:
    def test_the_coachee_starts_and_adds_a_rater(self, pair):
        client = pair.coachee.client
        page = client.get(url("my_assessments"))
        assert [r.pk for r in page.context["startable"]] == [pair.relationship.pk]

        response = client.post(url("assessment_start", pair.relationship.pk))
        found = pair.coachee.person.assessments.get()
        assert response.url == url("assessment", found.pk)

        peer = PersonFactory(full_name="Pat Peer")
        response = client.post(url("assessment", found.pk), {"rater": peer.pk, "group": "peer"})
        assert response.status_code == 302
        assert [n.rater for n in found.nominations.all()] == [peer]

    def test_a_refused_rater_is_explained(self, pair, assessment):
        response = pair.coachee.client.post(
            url("assessment", assessment.pk), {"rater": PersonFactory().pk, "group": "manager"}
        )

        assert response.status_code == 400
        assert "you can choose one manager" in response.text

    def test_sending_too_few_peers_is_refused(self, pair, assessment):
        response = pair.coachee.client.post(url("assessment_submit", assessment.pk))

        assert response.status_code == 400
        assert "choose at least 3 peers (you have 0)" in response.text

    def test_the_coach_approves_from_their_page(self, pair, assessment):
        for _ in range(3):
            nomination_add(
                assessment=assessment, rater=PersonFactory(), group="peer", by=pair.coachee.user
            )
        nominations_submit(assessment=assessment, by=pair.coachee.user)
        page = pair.coach.client.get(url("my_assessments"))
        assert [a.pk for a in page.context["to_approve"]] == [assessment.pk]

        for nomination in assessment.nominations.all():
            pair.coach.client.post(url("nomination_decide", nomination.pk), {"decision": "approve"})

        assessment.refresh_from_db()
        assert assessment.status == "collecting"
        assert (
            "Start the “after” assessment"
            in pair.coach.client.get(url("assessment_approve", assessment.pk)).text
        )

    @pytest.mark.parametrize("who", ["coach", "admin", "sponsor", "outsider"])
    def test_the_coachee_page_is_theirs_alone(self, request, pair, assessment, who):
        member = pair.coach if who == "coach" else request.getfixturevalue(who)

        assert member.client.get(url("assessment", assessment.pk)).status_code == 404

    @pytest.mark.parametrize("who", ["coachee", "sponsor", "outsider"])
    def test_the_approval_page_is_for_the_coach_and_admins(self, request, pair, assessment, who):
        member = pair.coachee if who == "coachee" else request.getfixturevalue(who)

        assert member.client.get(url("assessment_approve", assessment.pk)).status_code == 404
        nomination = assessment.nominations.get()
        assert member.client.post(url("nomination_decide", nomination.pk)).status_code == 404
        assert (
            request.getfixturevalue("admin")
            .client.get(url("assessment_approve", assessment.pk))
            .status_code
            == 200
        )

    def test_anonymous_is_sent_to_log_in(self, client, assessment):
        for name in ("assessment", "assessment_approve"):
            assert client.get(url(name, assessment.pk)).status_code == 302

    def test_queries_do_not_grow_with_raters(self, pair, assessment, django_assert_num_queries):
        with django_assert_num_queries(8) as one:
            pair.coachee.client.get(url("assessment", assessment.pk))
        with django_assert_num_queries(7) as approve_one:
            pair.coach.client.get(url("assessment_approve", assessment.pk))
        for _ in range(4):
            nomination_add(
                assessment=assessment, rater=PersonFactory(), group="peer", by=pair.coachee.user
            )
        with django_assert_num_queries(len(one.captured_queries)):
            pair.coachee.client.get(url("assessment", assessment.pk))
        with django_assert_num_queries(len(approve_one.captured_queries)):
            pair.coach.client.get(url("assessment_approve", assessment.pk))
