"""Report pages: the programme's feedback and its exports, a coach's feedback about their
coaching and the 360 report; what each shows, who may open it and a fixed number of queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.feedback import reports
from cadre.feedback.anonymity import NO_ANSWERS, SUBTRACTION, fewer_than
from cadre.feedback.models import Assessment360
from cadre.feedback.services import survey_assign, template_for
from tests.coaching.conftest import active_relationship, coachee_person
from tests.factories import CompetencyFactory, PersonFactory
from tests.feedback.answering import SESSION, answer, people_in, pulse


def url(name, *args):
    return reverse(f"feedback:{name}", args=args)


@pytest.fixture
def sponsored(programme, sponsor):
    programme.sponsor = sponsor.person
    programme.save(update_fields=["sponsor"])
    return programme


class TestProgrammeReport:
    def test_shows_rates_means_choices_nps_and_breakdown(self, sponsored, sponsor):
        finance = people_in("Finance", 5)
        sales = people_in("Sales", 5)
        for index, person in enumerate(finance + sales):
            answer(person, sponsored, {**SESSION, "usefulness": "5" if index < 5 else "3"})
            answer(
                person,
                sponsored,
                {
                    "worthwhile": "4",
                    "relevant": "4",
                    "organised": "4",
                    "recommend": "10" if index < 6 else "3",
                    "most-valuable": ["sessions"],
                },
                key="reaction",
            )
        survey_assign(
            template=template_for(key="session-coachee", programme=sponsored),
            respondent=finance[0],
            programme=sponsored,
            purpose="custom",
            dedupe_key="unanswered",
            opens_at=timezone.now(),
            due_at=timezone.now() + timezone.timedelta(days=3),
        )

        response = sponsor.client.get(url("programme_report", sponsored.pk))

        assert response.status_code == 200
        report = response.context["report"]
        assert [(r.title, r.assigned, r.submitted, r.percent) for r in report.response_rates] == [
            ("How was your session?", 11, 10, 90.9),
            ("What do you think of the programme?", 10, 10, 100.0),
        ]
        session, reaction = report.sections
        assert [(f.measure.key, f.cell.value) for f in session.numbers] == [
            ("usefulness", 4.0),
            ("next-steps", 4.0),
            ("safety", 4.0),
        ]
        assert [(row.name, row.cells[0].value) for row in session.breakdown.rows] == [
            ("Finance", 5.0),
            ("Sales", 3.0),
        ]
        nps = next(f for f in reaction.figures if f.measure.kind == "nps")
        assert nps.cell.value == 20.0  # 6 promoters, 4 detractors of 10
        valuable = reaction.choices[0]
        assert [(s.label, s.count, s.percent) for s in valuable.shares][:2] == [
            ("The coaching sessions", 10, 100.0),
            ("Setting and tracking goals", 0, 0.0),
        ]
        assert "By department" in response.text
        assert response.context["is_admin"] is False
        assert "Anonymity threshold" not in response.text

    def test_pulse_gives_one_figure_per_subscale(self, programme, admin):
        for person in people_in("Finance", 5):
            answer(person, programme, pulse("4"), key="pulse")

        report = reports.programme_report(programme=programme)

        assert [(f.measure.label, f.cell.value) for f in report.sections[0].figures] == [
            ("Trust", 4.0),
            ("Rapport", 4.0),
            ("Agreement on goals", 4.0),
            ("Agreement on how we work", 4.0),
        ]

    def test_empty_state_says_what_comes(self, programme, admin):
        response = admin.client.get(url("programme_report", programme.pk))

        assert "No answers yet." in response.text
        assert "Anonymity threshold" in response.text

    def test_admin_sets_the_threshold(self, programme, admin):
        response = admin.client.post(
            url("anonymity_threshold", programme.pk), {"anonymity_threshold": "7"}
        )

        assert response.status_code == 302
        assert reports.programme_report(programme=programme).threshold == 7

    def test_the_sponsor_may_not_set_the_threshold(self, sponsored, sponsor):
        response = sponsor.client.post(
            url("anonymity_threshold", sponsored.pk), {"anonymity_threshold": "3"}
        )

        assert response.status_code == 403

    @pytest.mark.parametrize("who", ["sponsor", "coach", "coachee", "outsider"])
    def test_nobody_else_may_open_it(self, request, programme, who):
        client = request.getfixturevalue(who).client

        assert client.get(url("programme_report", programme.pk)).status_code == 404
        export = client.get(url("programme_report_export", programme.pk, "csv"))
        assert export.status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, programme):
        response = client.get(url("programme_report", programme.pk))

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_queries_do_not_grow_with_answers_or_departments(
        self, programme, admin, django_assert_num_queries
    ):
        for person in people_in("Finance", 1):
            answer(person, programme, SESSION)
        reports.programme_report(programme=programme)  # makes the programme's settings
        with django_assert_num_queries(11) as one:
            admin.client.get(url("programme_report", programme.pk))
        for name in ("Sales", "Legal", "Operations"):
            for person in people_in(name, 3):
                answer(person, programme, SESSION)
                answer(person, programme, pulse("3"), key="pulse")
        with django_assert_num_queries(len(one.captured_queries)):
            admin.client.get(url("programme_report", programme.pk))


class TestExport:
    def test_csv_is_audited_without_figures(self, programme, admin):
        for person in people_in("Finance", 5):
            answer(person, programme, SESSION)

        response = admin.client.get(url("programme_report_export", programme.pk, "csv"))

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment;" in response["Content-Disposition"]
        lines = response.content.decode().splitlines()
        assert lines[0] == "Questionnaire,Measure,Department,Value,People,Hidden because"
        assert (
            lines[1] == "How was your session?,The session was useful to me.,All departments,4.0,5,"
        )
        event = AuditEvent.objects.get(action="feedback.export")
        assert event.details == {"format": "csv", "department": "", "rows": len(lines) - 1}

    def test_an_unknown_format_is_404(self, programme, admin):
        assert (
            admin.client.get(url("programme_report_export", programme.pk, "pdf")).status_code == 404
        )

    def test_queries_do_not_grow(self, programme, admin, django_assert_num_queries):
        answer(people_in("Finance", 1)[0], programme, SESSION)
        reports.programme_report(programme=programme)  # makes the programme's settings
        with django_assert_num_queries(11) as one:
            admin.client.get(url("programme_report_export", programme.pk, "xlsx"))
        for person in people_in("Sales", 6):
            answer(person, programme, SESSION)
        with django_assert_num_queries(len(one.captured_queries)):
            admin.client.get(url("programme_report_export", programme.pk, "xlsx"))


def coached_by(pair, count, *, value="4"):
    """``count`` coachees of the pair's coach answer a pulse about their relationship."""
    coach = pair.coach.person
    for _ in range(count):
        coachee = coachee_person()
        relationship = active_relationship(pair.programme, coach, coachee)
        answer(
            coachee,
            pair.programme,
            {**pulse(value)},
            key="pulse",
            purpose="pulse",
            relationship=relationship,
        )


class TestCoachReport:
    @pytest.mark.parametrize(("count", "shown"), [(4, False), (5, True), (6, True)])
    def test_threshold_edges(self, pair, count, shown):
        coached_by(pair, count)

        response = pair.coach.client.get(url("coach_report"))

        trust = response.context["report"].sections[0].figures[0]
        if shown:
            assert (trust.cell.value, trust.cell.people) == (4.0, count)
        else:
            assert trust.cell.hidden == fewer_than(5)
            assert "Fewer than 5 answers" in response.text

    def test_only_coachees_answers_about_this_coach_count(self, pair):
        coached_by(pair, 5, value="5")
        # The coach's own pulse answer and another coach's coachees don't count.
        answer(
            pair.coach.person,
            pair.programme,
            pulse("1"),
            key="pulse",
            purpose="pulse",
            relationship=pair.relationship,
        )
        other_coach = PersonFactory()
        for _ in range(5):
            coachee = coachee_person()
            relationship = active_relationship(pair.programme, other_coach, coachee)
            answer(
                coachee,
                pair.programme,
                pulse("1"),
                key="pulse",
                purpose="pulse",
                relationship=relationship,
            )

        report = reports.coach_report(coach=pair.coach.person)

        assert [(f.cell.value, f.cell.people) for f in report.sections[0].figures] == [(5.0, 5)] * 4

    def test_the_strictest_threshold_applies(self, pair, admin):
        from cadre.feedback.rules import feedback_settings_update

        feedback_settings_update(
            programme=pair.programme, values={"anonymity_threshold": 6}, by=admin.user
        )
        coached_by(pair, 5)

        assert reports.coach_report(coach=pair.coach.person).sections[0].figures[
            0
        ].cell.hidden == fewer_than(6)

    def test_empty_state(self, coach):
        response = coach.client.get(url("coach_report"))

        assert response.status_code == 200
        assert "No feedback yet." in response.text

    @pytest.mark.parametrize("who", ["coachee", "sponsor", "admin", "outsider"])
    def test_only_coaches_have_one(self, request, who):
        assert request.getfixturevalue(who).client.get(url("coach_report")).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client):
        assert client.get(url("coach_report")).status_code == 302

    def test_queries_do_not_grow(self, pair, django_assert_num_queries):
        coached_by(pair, 1)
        with django_assert_num_queries(8) as one:
            pair.coach.client.get(url("coach_report"))
        coached_by(pair, 6)
        with django_assert_num_queries(len(one.captured_queries)):
            pair.coach.client.get(url("coach_report"))


# 360 ---------------------------------------------------------------------------------------------


@pytest.fixture
def competencies(db):
    """Two competencies in use, and no other."""
    from cadre.people.models import Competency

    Competency.objects.update(is_active=False)
    return [
        CompetencyFactory(name="Listening", position=1),
        CompetencyFactory(name="Deciding", position=2),
    ]


def assessment_of(pair, phase="before", previous=None):
    return Assessment360.objects.create(
        programme=pair.programme,
        coachee=pair.coachee.person,
        relationship=pair.relationship,
        phase=phase,
        previous=previous,
        status="collecting",
    )


def rate(pair, assessment, group, ratings, comment="", rater=None):
    rater = rater or (pair.coachee.person if group == "self" else coachee_person())
    listening, deciding = [c.pk for c in assessment_competencies()]
    answer(
        rater,
        pair.programme,
        {
            f"competency-{listening}": ratings[0],
            f"competency-{deciding}": ratings[1],
            "comment": comment,
        },
        key="assessment-360",
        purpose=f"assessment_{assessment.phase}",
        about_person=pair.coachee.person,
        rater_group=group,
        assessment=assessment,
    )
    return rater


def assessment_competencies():
    from cadre.people.models import Competency

    return list(Competency.objects.filter(is_active=True).order_by("position"))


def columns(phase):
    return [(c.key, c.label, c.raters, c.hidden) for c in phase.columns]


class TestAssessmentReport:
    def test_small_groups_merge_and_comments_follow_the_groups(self, pair, competencies):
        before = assessment_of(pair)
        rate(pair, before, "self", ["3", "3"], "My own view")
        rate(pair, before, "manager", ["4", "2"], "From the manager")
        for value in ("4", "5", "3"):
            rate(pair, before, "peer", [value, "na"], f"Peer says {value}")
        for value in ("1", "2"):
            rate(pair, before, "direct_report", [value, value], f"Report says {value}")

        report = reports.assessment_report(assessment=before).before

        assert columns(report) == [
            ("self", "Self", 1, ""),
            ("manager", "Manager", 1, ""),
            ("peer", "Peers", 3, ""),
            ("others", "Others (direct reports)", None, fewer_than(3)),
            ("all", "All raters", None, SUBTRACTION),
        ]
        listening, deciding = report.rows
        assert [c.value for c in listening.cells] == [3.0, 4.0, 4.0, None, None]
        assert [c.hidden for c in deciding.cells] == [
            "",
            "",
            NO_ANSWERS,
            fewer_than(3),
            SUBTRACTION,
        ]
        assert [(g.label, sorted(g.comments)) for g in report.comments] == [
            ("Self", ["My own view"]),
            ("Peers", ["Peer says 3", "Peer says 4", "Peer says 5"]),
        ]

    def test_others_large_enough_is_shown_with_all_raters(self, pair, competencies):
        before = assessment_of(pair)
        for value in ("4", "4"):
            rate(pair, before, "peer", [value, value], "Peer")
        for value in ("2", "2"):
            rate(pair, before, "direct_report", [value, value], "Report")

        report = reports.assessment_report(assessment=before).before

        assert columns(report) == [
            ("self", "Self", None, NO_ANSWERS),
            ("others", "Others (peers, direct reports)", 4, ""),
            ("all", "All raters", 4, ""),
        ]
        assert [c.value for c in report.rows[0].cells] == [None, 3.0, 3.0]
        assert [g.label for g in report.comments] == ["Others (peers, direct reports)"]

    def test_a_competency_too_few_rated_hides_all_raters_for_it(self, pair, competencies):
        before = assessment_of(pair)
        for ratings in (["4", "4"], ["4", "4"], ["4", "na"]):
            rate(pair, before, "peer", ratings)
        for _ in range(3):
            rate(pair, before, "direct_report", ["2", "2"])

        listening, deciding = reports.assessment_report(assessment=before).before.rows

        assert [c.value for c in listening.cells] == [None, 4.0, 2.0, 3.0]
        assert [c.hidden for c in deciding.cells] == [NO_ANSWERS, fewer_than(3), "", SUBTRACTION]

    def test_before_and_after_with_the_change(self, pair, competencies):
        before = assessment_of(pair)
        after = assessment_of(pair, "after", previous=before)
        raters = [rate(pair, before, "peer", ["2", "3"]) for _ in range(3)]
        rate(pair, before, "self", ["4", "4"])
        for rater in raters:
            rate(pair, after, "peer", ["4", "3"], rater=rater)
        rate(pair, after, "self", ["4", "5"])

        report = reports.assessment_report(assessment=after)

        assert [
            (r.name, r.self_change.value, r.all_before.value, r.all_after.value, r.all_change.value)
            for r in report.changes
        ] == [("Listening", 0.0, 2.0, 4.0, 2.0), ("Deciding", 1.0, 3.0, 3.0, 0.0)]

    def test_the_page_for_the_coachee_and_their_coach(self, pair, competencies):
        before = assessment_of(pair)
        for _ in range(3):
            rate(pair, before, "peer", ["4", "4"], "Keep listening")

        for member in (pair.coachee, pair.coach):
            response = member.client.get(url("assessment_report", before.pk))
            assert response.status_code == 200
            assert "Before: self against others" in response.text
            assert "Keep listening" in response.text

    def test_each_read_is_audited_without_a_figure(self, pair, competencies):
        """The report shows one person's self-ratings and their manager's ratings."""
        before = assessment_of(pair)
        rate(pair, before, "manager", ["4", "2"], "From the manager")
        rate(pair, before, "self", ["3", "5"], "My own view")

        pair.coachee.client.get(url("assessment_report", before.pk))
        pair.coach.client.get(f"/api/v1/feedback/assessments/{before.pk}/report")

        events = AuditEvent.objects.filter(action="feedback.assessment_report_view").order_by("pk")
        assert [(e.actor, e.target_id, e.details) for e in events] == [
            (pair.coachee.user, str(before.pk), {"phase": "before", "reader": "coachee"}),
            (pair.coach.user, str(before.pk), {"phase": "before", "reader": "coach"}),
        ]

    @pytest.mark.parametrize("who", ["admin", "sponsor", "outsider"])
    def test_nobody_else_may_open_it(self, request, pair, competencies, who):
        before = assessment_of(pair)

        response = request.getfixturevalue(who).client.get(url("assessment_report", before.pk))

        assert response.status_code == 404

    def test_a_rater_may_not_open_it(self, pair, competencies, client):
        before = assessment_of(pair)
        rater = rate(pair, before, "peer", ["4", "4"])
        client.force_login(rater.user)

        assert client.get(url("assessment_report", before.pk)).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, pair, competencies):
        assert client.get(url("assessment_report", assessment_of(pair).pk)).status_code == 302

    def test_queries_do_not_grow(self, pair, competencies, django_assert_num_queries):
        before = assessment_of(pair)
        rate(pair, before, "peer", ["4", "4"])
        with django_assert_num_queries(11) as one:
            pair.coachee.client.get(url("assessment_report", before.pk))
        for group in ("peer", "peer", "direct_report", "manager", "self"):
            rate(pair, before, group, ["3", "3"], "Comment")
        with django_assert_num_queries(len(one.captured_queries)):
            pair.coachee.client.get(url("assessment_report", before.pk))
