"""The survey engine: every question kind's validation, saving and submitting, versions,
closing and reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cadre.feedback.instruments import INSTRUMENTS, QuestionSpec, instruments_install
from cadre.feedback.models import Answer, FeedbackSettings, Survey, SurveyTemplate
from cadre.feedback.queries import answers_for, settings_for, subscale_scores
from cadre.feedback.services import (
    FeedbackError,
    QuestionsError,
    survey_answer_save,
    survey_assign,
    survey_reminders_send,
    surveys_close_due,
    template_for,
    template_revise,
)
from cadre.notifications.models import Notification
from cadre.people.models import Competency
from tests.factories import CompetencyFactory
from tests.feedback.conftest import assign
from tests.feedback.health_helpers import hold

GOOD = {
    "clarity": "4",
    "recommend": "9",
    "format": "room",
    "topics": ["a", "c"],
    "listening": "na",
    "comment": "  Helpful.  ",
}


def save(survey, data, *, submit=True, now=None):
    return survey_answer_save(
        survey=survey,
        user=survey.respondent.user,
        data=data,
        submit=submit,
        now=now or timezone.now(),
    )


class TestAnswers:
    def test_a_good_submission_stores_each_kind(self, survey):
        save(survey, GOOD)

        survey.refresh_from_db()
        assert survey.status == Survey.Status.SUBMITTED
        assert survey.submitted_at is not None
        stored = {a.question.key: a for a in Answer.objects.filter(survey=survey)}
        assert stored["clarity"].number == 4
        assert stored["recommend"].number == 9
        assert stored["format"].choices == ["room"]
        assert stored["topics"].choices == ["a", "c"]
        assert (stored["listening"].number, stored["listening"].not_observed) == (None, True)
        assert stored["comment"].text == "Helpful."

    @pytest.mark.parametrize(
        ("key", "value", "message"),
        [
            ("clarity", "6", "Question 1 (Clarity of next steps): choose a value from 1 to 5."),
            ("clarity", "0", "Question 1 (Clarity of next steps): choose a value from 1 to 5."),
            ("clarity", "x", "Question 1 (Clarity of next steps): choose a value from 1 to 5."),
            ("recommend", "11", "Question 2 (Recommend): choose a value from 0 to 10."),
            ("recommend", "-1", "Question 2 (Recommend): choose a value from 0 to 10."),
            ("format", "phone", "Question 3 (Best format): choose one of the options given."),
            ("format", ["video", "room"], "Question 3 (Best format): choose one answer."),
            ("topics", ["a", "b", "c"], "Question 4 (Topics): choose at most 2."),
            ("topics", ["a", "z"], "Question 4 (Topics): choose from the options given."),
            ("topics", ["a", "a"], "Question 4 (Topics): choose from the options given."),
            (
                "listening",
                "7",
                "Question 5 (Listening): choose a value from 1 to 5, or “Not observed”.",
            ),
            ("comment", "x" * 4001, "Question 6 (Comment): keep it to 4000 characters at most."),
        ],
    )
    def test_a_bad_answer_is_refused_and_nothing_is_written(self, survey, key, value, message):
        save(survey, {"clarity": "2"}, submit=False)

        with pytest.raises(FeedbackError) as refused:
            save(survey, {**GOOD, key: value})

        assert refused.value.errors == {key: message}
        survey.refresh_from_db()
        assert survey.status == Survey.Status.IN_PROGRESS
        assert [(a.question.key, a.number) for a in survey.answers.all()] == [("clarity", 2)]

    def test_edges_of_each_scale_are_accepted(self, survey):
        save(survey, {**GOOD, "clarity": "1", "recommend": "0", "listening": "5", "topics": "b"})

        numbers = {a.question.key: a.number for a in survey.answers.all()}
        assert (numbers["clarity"], numbers["recommend"], numbers["listening"]) == (1, 0, 5)

    def test_submitting_needs_every_required_answer(self, survey):
        with pytest.raises(FeedbackError) as refused:
            save(survey, {"clarity": "3", "recommend": "", "topics": []})

        assert refused.value.errors == {
            "recommend": "Question 2 (Recommend): answer this question.",
            "format": "Question 3 (Best format): answer this question.",
            "topics": "Question 4 (Topics): answer this question.",
            "listening": "Question 5 (Listening): answer this question.",
        }
        assert not survey.answers.exists()

    def test_saving_for_later_keeps_partial_answers_and_clears_emptied_ones(self, survey):
        save(survey, {"clarity": "3", "recommend": "8"}, submit=False)
        save(survey, {"clarity": "4", "recommend": ""}, submit=False)

        survey.refresh_from_db()
        assert survey.status == Survey.Status.IN_PROGRESS
        assert [(a.question.key, a.number) for a in survey.answers.all()] == [("clarity", 4)]

    def test_a_submitted_or_closed_survey_refuses_answers(self, survey):
        save(survey, GOOD)
        with pytest.raises(FeedbackError, match="already submitted"):
            save(survey, GOOD)

    def test_past_its_due_time_a_survey_refuses_answers(self, survey):
        with pytest.raises(FeedbackError, match="closed"):
            save(survey, GOOD, now=survey.due_at)
        assert not survey.answers.exists()

    def test_only_the_respondent_answers(self, survey, pair):
        with pytest.raises(FeedbackError, match="Only the person asked"):
            survey_answer_save(
                survey=survey, user=pair.coach.user, data=GOOD, submit=True, now=timezone.now()
            )

    def test_free_text_is_encrypted_at_rest(self, survey):
        from django.db import connection

        save(survey, GOOD)
        with connection.cursor() as cursor:
            cursor.execute("SELECT text FROM feedback_answer WHERE text IS NOT NULL")
            stored = [row[0] for row in cursor.fetchall()]
        assert len(stored) == 6
        assert all("Helpful" not in value for value in stored)


class TestInstruments:
    def test_every_built_in_is_installed_once(self, db):
        assert instruments_install() == 0
        keys = set(
            SurveyTemplate.objects.filter(programme__isnull=True).values_list("key", flat=True)
        )
        assert keys == {spec.key for spec in INSTRUMENTS}

    def test_pulse_scores_one_mean_per_subscale(self, pair):
        survey = assign(
            pair.coachee.person,
            pair.programme,
            template=template_for(key="pulse", programme=pair.programme),
        )
        questions = list(survey.template.questions.all())
        data = {q.key: "5" if q.subscale == "trust" else "2" for q in questions}
        data["rapport-understood"] = "4"
        save(survey, data)

        scores = subscale_scores(list(answers_for(Survey.objects.all())))

        assert scores == {
            "trust": 5.0,
            "rapport": pytest.approx(8 / 3),
            "goals": 2.0,
            "working": 2.0,
        }

    def test_competency_questionnaires_follow_the_competencies_in_use(self, pair):
        first = template_for(key="assessment-360", programme=pair.programme)
        listening = CompetencyFactory(name="Listening")
        second = template_for(key="assessment-360", programme=pair.programme)

        assert second.version == first.version + 1
        asked = [q.competency for q in second.questions.all() if q.competency]
        assert asked == list(Competency.objects.filter(is_active=True))
        assert listening in asked
        assert second.questions.last().key == "comment"
        assert template_for(key="assessment-360", programme=pair.programme) == second

    def test_settings_are_made_with_the_defaults_on_first_use(self, programme):
        made = settings_for(programme)

        assert (made.anonymity_threshold, made.pulse_schedule) == (5, "every_4_sessions")
        assert settings_for(programme) == made
        assert FeedbackSettings.objects.count() == 1


class TestVersions:
    def test_a_revision_is_a_new_version_and_old_answers_keep_theirs(self, survey):
        save(survey, GOOD)
        old = survey.template

        revised = template_revise(
            template=old,
            questions=[QuestionSpec(key="clarity", kind="likert", text="How clear is it now?")],
            by=None,
        )

        old.refresh_from_db()
        assert (old.version, old.is_current, old.questions.count()) == (1, False, 6)
        assert (revised.version, revised.is_current, revised.key) == (2, True, old.key)
        survey.refresh_from_db()
        assert survey.template == old
        assert survey.answers.count() == 6

    def test_an_old_version_cannot_be_revised(self, survey):
        spec = [QuestionSpec(key="x", kind="text", text="X")]
        template_revise(template=survey.template, questions=spec, by=None)

        with pytest.raises(FeedbackError, match="old version"):
            template_revise(template=survey.template, questions=spec, by=None)

    def test_bad_questions_are_refused(self, survey):
        with pytest.raises(
            FeedbackError, match="Question 1: a single-choice question needs at least two choices"
        ):
            template_revise(
                template=survey.template,
                questions=[QuestionSpec(key="x", kind="single_choice", text="X")],
                by=None,
            )

    def test_every_questionnaire_goes_through_the_editors_rules(self, survey):
        """One validator: what the editor refuses, the engine refuses too, question by
        question."""
        questions = [
            QuestionSpec(key="ok", kind="likert", text="Fine"),
            QuestionSpec(key="far", kind="likert", text="Far", anchors={"7": "Seven"}),
            QuestionSpec(key="Not A Slug", kind="text", text="Key"),
            QuestionSpec(key="trust", kind="nps", text="Trust", subscale="trust"),
        ]

        with pytest.raises(QuestionsError) as refused:
            template_revise(template=survey.template, questions=questions, by=None)

        assert [str(problem) for problem in refused.value.problems] == [
            "Question 2: the scale runs from 1 to 5, so “7” can't be labelled.",
            "Question 3: its key must be a short slug.",
            "Question 4: only an agreement (1 to 5) question counts in a subscale.",
        ]
        assert SurveyTemplate.objects.filter(key=survey.template.key).count() == 1

    def test_no_feedback_module_imports_another_ones_private_names(self):
        import ast
        from pathlib import Path

        import cadre.feedback

        private = []
        for path in Path(cadre.feedback.__file__).parent.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cadre."):
                    private += [
                        f"{path.name}: {node.module}.{alias.name}"
                        for alias in node.names
                        if alias.name.startswith("_")
                    ]
        assert private == []


class TestClosingAndReminders:
    def test_surveys_past_due_close_once(self, survey):
        assert surveys_close_due(now=survey.due_at - timedelta(seconds=1)) == 0
        assert surveys_close_due(now=survey.due_at) == 1
        assert surveys_close_due(now=survey.due_at) == 0
        survey.refresh_from_db()
        assert survey.status == Survey.Status.CLOSED

    def test_submitted_surveys_stay_submitted(self, survey):
        save(survey, GOOD)

        assert surveys_close_due(now=survey.due_at + timedelta(days=1)) == 0

    def test_two_reminders_at_most_each_sent_once(self, survey, django_capture_on_commit_callbacks):
        opened = survey.opens_at

        def reminders():
            return Notification.objects.filter(kind=Notification.Kind.SURVEY_REMINDER).count()

        assert survey_reminders_send(now=opened + timedelta(days=1)) == 0
        assert survey_reminders_send(now=opened + timedelta(days=2)) == 1
        assert survey_reminders_send(now=opened + timedelta(days=3)) == 0
        assert survey_reminders_send(now=survey.due_at - timedelta(hours=20)) == 1
        assert survey_reminders_send(now=survey.due_at - timedelta(hours=1)) == 0
        assert reminders() == 2
        survey.refresh_from_db()
        assert survey.reminders_sent == 2

    def test_answered_surveys_are_not_reminded(self, survey):
        save(survey, GOOD)

        assert survey_reminders_send(now=survey.opens_at + timedelta(days=3)) == 0

    def test_a_new_survey_is_announced_by_email(self, pair):
        survey = assign(pair.coachee.person, pair.programme)

        request = Notification.objects.get(kind=Notification.Kind.SURVEY_REQUEST)
        assert request.recipient == pair.coachee.user
        assert f"/feedback/surveys/{survey.pk}/" in request.body


class TestWhatRespondentsAreTold:
    def test_a_coachees_session_survey_mentions_the_health_check(self, pair):
        session = hold(pair.relationship, at=timezone.now())
        for role in ("coachee", "coach"):
            survey_assign(
                template=template_for(key=f"session-{role}", programme=pair.programme),
                respondent=getattr(pair, role).person,
                programme=pair.programme,
                purpose="session",
                dedupe_key=f"session:{session.pk}:{role}",
                opens_at=session.starts_at,
                due_at=session.starts_at + timedelta(days=7),
                session=session,
            )

        requests = Notification.objects.filter(kind=Notification.Kind.SURVEY_REQUEST)
        to_coachee = requests.get(recipient=pair.coachee.user).body
        to_coach = requests.get(recipient=pair.coach.user).body

        summaries = (
            "Nobody else sees your answers on their own: people see only summaries over "
            "several respondents."
        )
        assert f"{summaries} Low ratings also tell the programme's admins" in to_coachee
        assert summaries in to_coach
        assert "check-in" not in to_coach
