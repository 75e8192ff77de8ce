"""The questionnaire editor: customising, new questionnaires, versioned edits, preview and
history; who may open it; and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.feedback.instruments import QuestionSpec
from cadre.feedback.models import Survey, SurveyTemplate
from cadre.feedback.questionnaires import (
    QuestionsError,
    question_problems,
    questionnaire_create,
    questionnaire_customise,
    questionnaire_revise,
)
from cadre.feedback.scheduling import surveys_schedule
from cadre.feedback.services import FeedbackError, template_for
from tests.factories import CompetencyFactory
from tests.feedback.conftest import assign
from tests.feedback.test_scheduling import held


def url(name, *args):
    return reverse(f"feedback:{name}", args=args)


def own(programme, key):
    return SurveyTemplate.objects.get(programme=programme, key=key, is_current=True)


def texts(template):
    return list(template.questions.order_by("position").values_list("text", flat=True))


def rows_of(response):
    """The editor's questions as its page offers them, as posted values."""
    rows = []
    for form in response.context["formset"].forms[
        : response.context["formset"].initial_form_count()
    ]:
        rows.append({name: form[name].value() for name in form.fields if name != "DELETE"})
    return rows


def post_data(rows, *, title="Your session", intro="", initial=None):
    """The editor's POST for ``rows`` (dicts of field values; booleans as checkboxes)."""
    data = {
        "title": title,
        "intro": intro,
        "questions-TOTAL_FORMS": str(len(rows)),
        "questions-INITIAL_FORMS": str(len(rows) if initial is None else initial),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        values = {"kind": "likert", "required": True, "ORDER": index + 1, **row}
        for name, value in values.items():
            if value is None or value is False:
                continue
            data[f"questions-{index}-{name}"] = "on" if value is True else str(value)
    return data


@pytest.fixture
def customised(programme, admin):
    return questionnaire_customise(programme=programme, key="session-coachee", by=admin.user)


@pytest.fixture
def sponsored(programme, sponsor):
    programme.sponsor = sponsor.person
    programme.save(update_fields=["sponsor"])
    return programme


LIKERT = QuestionSpec(key="useful", kind="likert", text="Useful?", anchors={"1": "No", "5": "Yes"})


class TestCustomiseAndCreate:
    def test_customising_copies_the_built_in_as_version_1(self, programme, admin):
        built_in = template_for(key="session-coachee", programme=programme)

        copy = questionnaire_customise(programme=programme, key="session-coachee", by=admin.user)

        assert (copy.programme, copy.key, copy.version, copy.kind) == (
            programme,
            "session-coachee",
            1,
            "session_coachee",
        )
        assert texts(copy) == texts(built_in)
        assert list(copy.questions.values_list("anchors", flat=True)) == list(
            built_in.questions.values_list("anchors", flat=True)
        )
        assert template_for(key="session-coachee", programme=programme) == copy
        event = AuditEvent.objects.get(action="feedback.template_create")
        assert (event.actor, event.target_id) == (admin.user, str(copy.pk))

    def test_customising_twice_or_an_unknown_key_is_refused(self, customised, programme, admin):
        with pytest.raises(FeedbackError, match="already has its own copy"):
            questionnaire_customise(programme=programme, key="session-coachee", by=admin.user)
        with pytest.raises(FeedbackError, match="no built-in questionnaire “nope”"):
            questionnaire_customise(programme=programme, key="nope", by=admin.user)

    def test_a_new_questionnaire_never_takes_a_built_in_key(self, programme, admin):
        made = questionnaire_create(
            programme=programme, title="Pulse", intro="", questions=[LIKERT], by=admin.user
        )
        again = questionnaire_create(
            programme=programme, title="Pulse", intro="", questions=[LIKERT], by=admin.user
        )

        assert (made.key, made.kind, made.version) == ("pulse-2", "custom", 1)
        assert again.key == "pulse-3"
        assert template_for(key="pulse", programme=programme).is_built_in


class TestRevise:
    def test_a_save_is_a_new_version_audited_and_old_surveys_keep_theirs(
        self, customised, pair, admin
    ):
        old_survey = assign(pair.coachee.person, pair.programme, template=customised)

        revised, made = questionnaire_revise(
            template=customised,
            title="Your session, briefly",
            intro="",
            questions=[LIKERT],
            by=admin.user,
        )

        assert made is True
        assert (revised.version, revised.is_current, revised.title) == (
            2,
            True,
            "Your session, briefly",
        )
        old_survey.refresh_from_db()
        assert old_survey.template == customised
        assert texts(old_survey.template) == [
            "The session was useful to me.",
            "I know what I will do next.",
            "I felt safe to speak openly.",
            "Anything you'd like to add?",
        ]
        event = AuditEvent.objects.get(action="feedback.template_revise")
        assert (event.actor, event.details) == (
            admin.user,
            {"key": "session-coachee", "version": 2},
        )

    def test_nothing_changed_makes_no_version(self, customised, admin):
        same = [
            QuestionSpec(
                key=q.key,
                kind=q.kind,
                text=q.text,
                help_text=q.help_text,
                required=q.required,
                anchors=q.anchors,
                choices=q.choices,
            )
            for q in customised.questions.order_by("position")
        ]

        kept, made = questionnaire_revise(
            template=customised,
            title=customised.title,
            intro=customised.intro,
            questions=same,
            by=admin.user,
        )

        assert (kept, made) == (customised, False)
        assert (
            SurveyTemplate.objects.filter(key="session-coachee", programme__isnull=False).count()
            == 1
        )

    def test_an_edit_of_a_version_saved_meanwhile_is_refused(self, customised, admin):
        questionnaire_revise(
            template=customised, title="A", intro="", questions=[LIKERT], by=admin.user
        )

        with pytest.raises(FeedbackError, match="Version 2 was saved while you edited version 1"):
            questionnaire_revise(
                template=customised, title="B", intro="", questions=[LIKERT], by=admin.user
            )

    def test_a_built_in_cannot_be_revised_here(self, programme, admin):
        built_in = template_for(key="pulse", programme=programme)

        with pytest.raises(FeedbackError, match="customise it first"):
            questionnaire_revise(
                template=built_in, title="A", intro="", questions=[LIKERT], by=admin.user
            )

    def test_new_surveys_get_the_programmes_new_version(self, pair, admin):
        now = timezone.now()
        copy = questionnaire_customise(
            programme=pair.programme, key="session-coachee", by=admin.user
        )
        first = held(pair, at=now - timedelta(days=2))
        surveys_schedule(now=now)
        revised, _ = questionnaire_revise(
            template=copy, title=copy.title, intro="", questions=[LIKERT], by=admin.user
        )
        second = held(pair, at=now - timedelta(hours=3))

        surveys_schedule(now=now)

        coachee_surveys = Survey.objects.filter(respondent=pair.coachee.person)
        assert coachee_surveys.get(session=first).template == copy
        assert coachee_surveys.get(session=second).template == revised


class TestProblems:
    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            (
                QuestionSpec(
                    key="x", kind="single_choice", text="X", choices=[{"value": "a", "label": "A"}]
                ),
                "Question 2: a single-choice question needs at least two choices.",
            ),
            (
                QuestionSpec(key="x", kind="likert", text=" "),
                "Question 2: give the question's text.",
            ),
            (
                QuestionSpec(key="x", kind="likert", text="X", anchors={"7": "Wow"}),
                "Question 2: the scale runs from 1 to 5, so “7” can't be labelled.",
            ),
            (
                QuestionSpec(
                    key="x",
                    kind="multiple_choice",
                    text="X",
                    choices=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                    min_choices=2,
                    max_choices=1,
                ),
                "Question 2: the fewest choices can't be more than the most.",
            ),
            (
                QuestionSpec(
                    key="x",
                    kind="multiple_choice",
                    text="X",
                    choices=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                    max_choices=3,
                ),
                "Question 2: there are only 2 choices to choose from.",
            ),
            (
                QuestionSpec(
                    key="x",
                    kind="single_choice",
                    text="X",
                    choices=[{"value": "a", "label": "A"}, {"value": "a", "label": "B"}],
                ),
                "Question 2: the choice “a” is there twice.",
            ),
            (
                QuestionSpec(key="x", kind="nps", text="X", subscale="trust"),
                "Question 2: only an agreement (1 to 5) question counts in a subscale.",
            ),
            (
                QuestionSpec(key="x", kind="competency", text="X", competency_id=999_999),
                "Question 2: choose a competency from the list.",
            ),
            (
                QuestionSpec(key="useful", kind="text", text="X"),
                "Question 2: its key “useful” is question 1's too.",
            ),
        ],
    )
    def test_every_problem_names_the_question(self, db, spec, message):
        problems = question_problems([LIKERT, spec])

        assert [str(problem) for problem in problems] == [message]

    def test_a_refusal_writes_nothing(self, customised, admin):
        bad = QuestionSpec(key="x", kind="single_choice", text="X")

        with pytest.raises(QuestionsError) as refused:
            questionnaire_revise(
                template=customised, title="A", intro="", questions=[LIKERT, bad], by=admin.user
            )

        assert [(p.position, p.field) for p in refused.value.problems] == [(2, "choices")]
        assert SurveyTemplate.objects.filter(programme__isnull=False).count() == 1

    def test_a_known_competency_is_fine(self, db):
        competency = CompetencyFactory()
        spec = QuestionSpec(key="x", kind="competency", text="X", competency_id=competency.pk)

        assert question_problems([spec]) == []


class TestListPage:
    def test_lists_built_ins_copies_and_own_with_figures(self, customised, pair, admin):
        assign(pair.coachee.person, pair.programme, template=customised)
        questionnaire_create(
            programme=pair.programme, title="Offsite", intro="", questions=[LIKERT], by=admin.user
        )

        response = admin.client.get(url("questionnaire_list", pair.programme.pk))

        assert response.status_code == 200
        rows = {row.key: row for row in response.context["rows"]}
        assert list(rows) == [
            "session-coachee",
            "session-coach",
            "pulse",
            "reaction",
            "learning",
            "behaviour",
            "assessment-360",
            "offsite",
        ]
        session = rows["session-coachee"]
        assert (session.is_customised, session.current.version) == (True, 1)
        assert (session.current.question_count, session.current.survey_count) == (4, 1)
        assert rows["pulse"].is_own is False
        assert (rows["offsite"].is_own, rows["offsite"].is_built_in_family) == (True, False)
        assert "Customised" in response.text
        assert url("questionnaire_customise", pair.programme.pk, "pulse") in response.text

    def test_the_programme_page_links_admins_only(self, sponsored, admin, sponsor):
        link = url("questionnaire_list", sponsored.pk)
        page = reverse("programs:programme", args=[sponsored.pk])

        assert link in admin.client.get(page).text
        assert link not in sponsor.client.get(page).text

    def test_queries_do_not_grow_with_questionnaires(
        self, programme, admin, django_assert_num_queries
    ):
        with django_assert_num_queries(6) as one:
            admin.client.get(url("questionnaire_list", programme.pk))
        for title in ("One", "Two", "Three"):
            questionnaire_create(
                programme=programme, title=title, intro="", questions=[LIKERT], by=admin.user
            )
        questionnaire_customise(programme=programme, key="pulse", by=admin.user)
        with django_assert_num_queries(len(one.captured_queries)):
            admin.client.get(url("questionnaire_list", programme.pk))


class TestCustomisePage:
    def test_customise_then_edit(self, programme, admin):
        response = admin.client.post(url("questionnaire_customise", programme.pk, "pulse"))

        assert response.status_code == 302
        assert response.url == url("questionnaire_edit", programme.pk, "pulse")
        assert own(programme, "pulse").version == 1

    def test_twice_says_why(self, customised, programme, admin):
        response = admin.client.post(
            url("questionnaire_customise", programme.pk, "session-coachee"), follow=True
        )

        assert "already has its own copy" in response.text

    def test_get_is_not_allowed(self, programme, admin):
        response = admin.client.get(url("questionnaire_customise", programme.pk, "pulse"))

        assert response.status_code == 405


class TestEditPage:
    def test_says_what_saving_does(self, customised, pair, admin):
        for _ in range(2):
            assign(pair.coachee.person, pair.programme, template=customised)

        response = admin.client.get(url("questionnaire_edit", pair.programme.pk, "session-coachee"))

        assert response.status_code == 200
        assert (
            "Saving creates version 2; the 2 surveys already sent keep version 1." in response.text
        )
        assert response.text.count("<legend>Question ") == 5  # four questions, one blank
        assert rows_of(response)[0]["anchors"] == "1 = Not at all\n5 = Completely"

    def test_edit_add_remove_and_reorder_make_a_new_version(self, customised, programme, admin):
        edit = url("questionnaire_edit", programme.pk, "session-coachee")
        rows = rows_of(admin.client.get(edit))
        rows[0]["text"] = "The session helped me."
        rows[1]["DELETE"] = True
        rows[2]["ORDER"] = 9
        rows.append(
            {
                "text": "Best format?",
                "kind": "single_choice",
                "choices": "Video\nroom = In a room",
                "ORDER": 2,
            }
        )

        response = admin.client.post(edit, post_data(rows, initial=4))

        assert response.status_code == 302
        assert response.url == url("questionnaire", programme.pk, "session-coachee")
        revised = own(programme, "session-coachee")
        assert revised.version == 2
        questions = list(revised.questions.order_by("position"))
        assert [(q.key, q.text) for q in questions] == [
            ("usefulness", "The session helped me."),
            ("best-format", "Best format?"),
            ("comment", "Anything you'd like to add?"),
            ("safety", "I felt safe to speak openly."),
        ]
        assert questions[1].choices == [
            {"value": "video", "label": "Video"},
            {"value": "room", "label": "In a room"},
        ]
        assert questions[0].anchors == {"1": "Not at all", "5": "Completely"}
        customised.refresh_from_db()
        assert (customised.is_current, texts(customised)[0]) == (
            False,
            "The session was useful to me.",
        )

    def test_a_save_from_a_page_opened_before_another_version_was_saved_is_refused(
        self, customised, programme, admin
    ):
        edit = url("questionnaire_edit", programme.pk, "session-coachee")
        page = admin.client.get(edit)
        rows = rows_of(page)
        assert '<input type="hidden" name="version" value="1"' in page.text
        # Another admin saves version 2 meanwhile.
        questionnaire_revise(
            template=customised, title="Theirs", intro="", questions=[LIKERT], by=admin.user
        )
        rows[0]["text"] = "Mine, typed over the old version."

        response = admin.client.post(edit, {**post_data(rows, initial=4), "version": "1"})

        assert response.status_code == 400
        assert (
            "Nothing was saved: version 2 was saved while you edited version 1. "
            "Open the questionnaire again to see it." in response.text
        )
        current = own(programme, "session-coachee")
        assert (current.version, current.title, texts(current)) == (2, "Theirs", ["Useful?"])

    def test_every_error_names_its_question_and_nothing_is_saved(
        self, customised, programme, admin
    ):
        edit = url("questionnaire_edit", programme.pk, "session-coachee")
        rows = rows_of(admin.client.get(edit))
        rows[1]["kind"] = "single_choice"
        rows[2]["min_choices"] = "many"
        rows[3]["anchors"] = "lots"

        response = admin.client.post(edit, post_data(rows))

        assert response.status_code == 400
        assert response.context["formset"].error_summary() == [
            "Question 3: Enter a whole number.",
            "Question 4: write each scale label as a point and its label, e.g. “1 = Not at all” "
            "(not “lots”).",
        ]
        rows[2]["min_choices"] = None
        rows[3]["anchors"] = ""
        response = admin.client.post(edit, post_data(rows))

        assert response.status_code == 400
        assert response.context["formset"].error_summary() == [
            "Question 2: a single-choice question needs at least two choices."
        ]
        assert "Nothing was saved" in response.text
        assert SurveyTemplate.objects.filter(programme=programme).count() == 1

    def test_add_a_question_without_javascript_keeps_what_was_typed(
        self, customised, programme, admin
    ):
        edit = url("questionnaire_edit", programme.pk, "session-coachee")
        rows = rows_of(admin.client.get(edit))
        rows[0]["text"] = "Typed, not saved"
        rows[1]["DELETE"] = True

        response = admin.client.post(edit, {**post_data(rows), "add": "1"})

        assert response.status_code == 200
        formset = response.context["formset"]
        assert len(formset.forms) == 4  # three kept, one new
        assert formset.forms[0]["text"].value() == "Typed, not saved"
        assert not formset.is_bound
        assert SurveyTemplate.objects.filter(programme=programme).count() == 1

    def test_add_a_question_with_htmx_returns_the_editor_only(self, customised, programme, admin):
        edit = url("questionnaire_edit", programme.pk, "session-coachee")
        rows = rows_of(admin.client.get(edit))

        response = admin.client.post(edit, {**post_data(rows), "add": "1"}, HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert response.text.lstrip().startswith('<form method="post" id="editor"')
        assert "<html" not in response.text

    def test_a_built_in_is_customised_before_it_is_edited(self, programme, admin):
        response = admin.client.get(url("questionnaire_edit", programme.pk, "pulse"))

        assert response.status_code == 302
        assert response.url == url("questionnaire", programme.pk, "pulse")

    def test_queries_do_not_grow_with_questions(self, programme, admin, django_assert_num_queries):
        questionnaire_create(
            programme=programme, title="Short", intro="", questions=[LIKERT], by=admin.user
        )
        many = [QuestionSpec(key=f"q{n}", kind="likert", text=f"Question {n}") for n in range(12)]
        questionnaire_create(
            programme=programme, title="Long", intro="", questions=many, by=admin.user
        )
        with django_assert_num_queries(8) as one:
            admin.client.get(url("questionnaire_edit", programme.pk, "short"))
        with django_assert_num_queries(len(one.captured_queries)):
            admin.client.get(url("questionnaire_edit", programme.pk, "long"))


class TestNewPage:
    def test_writes_a_new_questionnaire(self, programme, admin):
        rows = [
            {"text": "How was the offsite?", "anchors": "1 = Poor\n5 = Great"},
            {"text": "Anything else?", "kind": "text", "required": False},
            {"ORDER": None},  # the blank row, untouched
        ]

        response = admin.client.post(
            url("questionnaire_new", programme.pk),
            post_data(rows, title="Offsite", initial=0),
        )

        assert response.status_code == 302
        made = own(programme, "offsite")
        assert (made.kind, made.version, made.title) == ("custom", 1, "Offsite")
        assert [(q.key, q.kind, q.required) for q in made.questions.order_by("position")] == [
            ("how-was-the-offsite", "likert", True),
            ("anything-else", "text", False),
        ]

    def test_no_questions_is_refused(self, programme, admin):
        response = admin.client.post(
            url("questionnaire_new", programme.pk),
            post_data([{"ORDER": None}], title="Empty", initial=0),
        )

        assert response.status_code == 400
        assert "Questions: a questionnaire needs at least one question." in response.text
        assert not SurveyTemplate.objects.filter(programme=programme).exists()


class TestHistoryAndPreview:
    def test_history_says_what_changed(self, customised, programme, admin):
        questions = [
            QuestionSpec(key="usefulness", kind="likert", text="Useful?"),
            QuestionSpec(key="new", kind="text", text="Tell us more", required=False),
        ]
        questionnaire_revise(
            template=customised, title="Shorter", intro="", questions=questions, by=admin.user
        )

        response = admin.client.get(url("questionnaire", programme.pk, "session-coachee"))

        assert response.status_code == 200
        newest, first = response.context["versions"]
        assert [(c.change, c.text, c.fields) for c in newest.changes] == [
            ("added", "Tell us more", []),
            ("edited", "Useful?", ["text", "scale labels"]),
            ("removed", "I know what I will do next.", []),
            ("removed", "I felt safe to speak openly.", []),
            ("removed", "Anything you'd like to add?", []),
        ]
        assert (newest.title_changed, newest.intro_changed) == (True, True)
        assert first.previous is None
        assert "Title changed (was “How was your session?”)." in response.text

    def test_preview_shows_a_version_read_only(self, customised, programme, admin):
        questionnaire_revise(
            template=customised, title="New", intro="", questions=[LIKERT], by=admin.user
        )

        old = admin.client.get(url("questionnaire_preview", programme.pk, "session-coachee", 1))
        new = admin.client.get(url("questionnaire_preview", programme.pk, "session-coachee", 2))

        assert "<fieldset disabled>" in old.text
        assert "I felt safe to speak openly." in old.text
        assert "I felt safe to speak openly." not in new.text
        assert new.text.count('type="radio" name="q-useful"') == 5
        missing = admin.client.get(url("questionnaire_preview", programme.pk, "session-coachee", 3))
        assert missing.status_code == 404

    def test_a_survey_on_an_old_version_still_shows_it(self, customised, pair, admin):
        survey = assign(pair.coachee.person, pair.programme, template=customised)
        questionnaire_revise(
            template=customised, title="New", intro="", questions=[LIKERT], by=admin.user
        )

        response = pair.coachee.client.get(url("survey", survey.pk))

        assert "I felt safe to speak openly." in response.text
        assert 'name="q-useful"' not in response.text

    def test_queries_do_not_grow_with_versions_or_questions(
        self, customised, programme, admin, django_assert_num_queries
    ):
        history = url("questionnaire", programme.pk, "session-coachee")
        preview = url("questionnaire_preview", programme.pk, "session-coachee", 1)
        with django_assert_num_queries(7) as one_history:
            admin.client.get(history)
        with django_assert_num_queries(7) as one_preview:
            admin.client.get(preview)
        template = customised
        for n in range(3):
            many = [QuestionSpec(key=f"q{i}", kind="likert", text=f"Q{i}") for i in range(5 + n)]
            template, _ = questionnaire_revise(
                template=template, title="T", intro="", questions=many, by=admin.user
            )
        with django_assert_num_queries(len(one_history.captured_queries)):
            admin.client.get(history)
        with django_assert_num_queries(len(one_preview.captured_queries)):
            admin.client.get(url("questionnaire_preview", programme.pk, "session-coachee", 4))


class TestPermissions:
    def pages(self, programme):
        return [
            url("questionnaire_list", programme.pk),
            url("questionnaire_new", programme.pk),
            url("questionnaire", programme.pk, "session-coachee"),
            url("questionnaire_edit", programme.pk, "session-coachee"),
            url("questionnaire_preview", programme.pk, "session-coachee", 1),
        ]

    @pytest.mark.parametrize("member", ["outsider", "sponsor", "coach", "coachee"])
    def test_only_programme_admins_see_the_pages(self, request, sponsored, customised, member):
        client = request.getfixturevalue(member).client

        for page in self.pages(sponsored):
            assert client.get(page).status_code == 404, page
        customise = url("questionnaire_customise", sponsored.pk, "pulse")
        assert client.post(customise).status_code == 404
        edit = url("questionnaire_edit", sponsored.pk, "session-coachee")
        assert client.post(edit, post_data([{"text": "X"}])).status_code == 404
        assert SurveyTemplate.objects.filter(programme=sponsored).count() == 1

    def test_anonymous_is_sent_to_log_in(self, client, customised, programme):
        for page in self.pages(programme):
            response = client.get(page)
            assert response.status_code == 302
            assert response.url.startswith(reverse("login"))

    def test_an_unknown_questionnaire_or_programme_is_404(self, programme, admin):
        assert admin.client.get(url("questionnaire", programme.pk, "nope")).status_code == 404
        assert admin.client.get(url("questionnaire_list", 999_999)).status_code == 404
