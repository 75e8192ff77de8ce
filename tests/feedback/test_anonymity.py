"""The anonymity rules, on their own and through every way out: pages, API and exports."""

import csv
import hashlib
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cadre.accounts.models import AuditEvent
from cadre.feedback import anonymity, reports
from cadre.feedback.anonymity import SUBTRACTION, breakdown_hidden, fewer_than
from cadre.feedback.models import FeedbackSettings
from cadre.feedback.rules import feedback_settings_update
from cadre.feedback.services import FeedbackError
from tests.coaching.conftest import active_relationship, coachee_person
from tests.factories import DepartmentFactory, PersonFactory
from tests.feedback.answering import SESSION, answer, people_in, pulse

USEFUL = "The session was useful to me."
TITLE = "How was your session?"


def set_threshold(programme, threshold, admin):
    return feedback_settings_update(
        programme=programme, values={"anonymity_threshold": threshold}, by=admin.user
    )


def people(*ids):
    return frozenset(ids)


class TestBreakdownRule:
    def test_groups_at_the_threshold_are_all_shown(self):
        groups = [("a", "A", people(1, 2, 3, 4, 5)), ("b", "B", people(6, 7, 8, 9, 10))]

        assert breakdown_hidden(groups, threshold=5) == {}

    def test_one_small_group_hides_the_next_smallest_too(self):
        groups = [
            ("a", "A", people(*range(1, 8))),
            ("b", "B", people(*range(10, 16))),
            ("c", "C", people(20, 21)),
        ]

        assert breakdown_hidden(groups, threshold=5) == {"c": fewer_than(5), "b": SUBTRACTION}

    def test_two_small_groups_that_are_too_few_together_hide_a_third(self):
        groups = [
            ("a", "A", people(*range(1, 8))),
            ("b", "B", people(*range(10, 16))),
            ("c", "C", people(20)),
            ("d", "D", people(30, 31)),
        ]

        assert breakdown_hidden(groups, threshold=5) == {
            "c": fewer_than(5),
            "d": fewer_than(5),
            "b": SUBTRACTION,
        }

    def test_small_groups_that_make_the_threshold_together_are_enough(self):
        groups = [
            ("a", "A", people(*range(1, 8))),
            ("c", "C", people(20, 21)),
            ("d", "D", people(30, 31, 32)),
        ]

        assert breakdown_hidden(groups, threshold=5) == {"c": fewer_than(5), "d": fewer_than(5)}

    def test_ties_hide_the_first_by_name(self):
        groups = [
            ("b", "Beta", people(*range(1, 6))),
            ("a", "Alpha", people(*range(10, 15))),
            ("c", "Gamma", people(20)),
        ]

        assert breakdown_hidden(groups, threshold=5) == {"c": fewer_than(5), "a": SUBTRACTION}

    def test_a_hidden_total_hides_every_group(self):
        groups = [("a", "A", people(1, 2, 3)), ("b", "B", people(4))]

        assert breakdown_hidden(groups, threshold=5) == {"a": fewer_than(5), "b": fewer_than(5)}

    def test_a_group_without_answers_gives_nothing_away(self):
        groups = [("a", "A", people(*range(1, 6))), ("b", "B", people())]

        assert breakdown_hidden(groups, threshold=5) == {"b": anonymity.NO_ANSWERS}


class TestRaterGroups:
    def test_small_groups_merge_into_others(self):
        plan = anonymity.assessment_groups({"self": 1, "manager": 1, "peer": 2, "direct_report": 2})

        assert plan.columns == {
            "self": "self",
            "manager": "manager",
            "peer": "others",
            "direct_report": "others",
        }
        assert plan.hidden == {}

    def test_others_too_few_are_hidden_and_so_is_the_total(self):
        plan = anonymity.assessment_groups({"self": 1, "manager": 1, "peer": 3, "direct_report": 2})

        assert plan.columns["peer"] == "peer"
        assert plan.columns["direct_report"] == "others"
        assert plan.hidden == {"others": fewer_than(3), "all": SUBTRACTION}

    def test_the_manager_alone_is_shown_but_all_raters_is_not(self):
        plan = anonymity.assessment_groups({"self": 1, "manager": 1})

        assert plan.columns == {"self": "self", "manager": "manager"}
        assert plan.hidden == {"all": fewer_than(3)}


def test_comments_are_shuffled_the_same_way_every_time():
    items = list(range(1, 21))

    once = anonymity.comments_shuffle(items, key=lambda i: i, salt="x")

    assert sorted(once) == items
    assert once != items
    assert anonymity.comments_shuffle(items, key=lambda i: i, salt="x") == once


def test_the_comments_order_cant_be_recomputed_without_the_site_secret(settings):
    """Answer ids follow the order of submission, so a hash anyone can recompute from the
    ids and the (public) salt would tell whose comment is where."""
    items = list(range(1, 21))
    public = sorted(items, key=lambda i: hashlib.sha256(f"x:{i}".encode()).hexdigest())

    settings.SECRET_KEY = "one secret" * 5
    once = anonymity.comments_shuffle(items, key=lambda i: i, salt="x")
    settings.SECRET_KEY = "another secret" * 5
    other = anonymity.comments_shuffle(items, key=lambda i: i, salt="x")

    assert once != public
    assert once != other


class TestThresholdSetting:
    """One way to set the threshold: the report's small form and the settings page both go
    through ``rules.feedback_settings_update``, with the same check and audit action."""

    @pytest.mark.parametrize("threshold", [0, 2, 11])
    def test_outside_3_to_10_is_refused(self, programme, admin, threshold):
        with pytest.raises(
            FeedbackError, match=r"^Anonymity threshold: choose from 3 to 10 \(never below 3\)\.$"
        ):
            set_threshold(programme, threshold, admin)

    def test_the_report_form_sets_it_like_the_settings_page(self, programme, admin):
        response = admin.client.post(
            reverse("feedback:anonymity_threshold", args=[programme.pk]),
            {"anonymity_threshold": "3"},
        )

        assert response.status_code == 302
        assert FeedbackSettings.objects.get(programme=programme).anonymity_threshold == 3
        event = AuditEvent.objects.get(action__startswith="feedback.")
        assert (event.action, event.actor, event.details) == (
            "feedback.settings_update",
            admin.user,
            {"anonymity_threshold": 3},
        )

    def test_the_form_refuses_two_in_the_settings_pages_words(self, programme, admin):
        response = admin.client.post(
            reverse("feedback:anonymity_threshold", args=[programme.pk]),
            {"anonymity_threshold": "2"},
        )

        assert response.status_code == 400
        assert "Anonymity threshold: choose from 3 to 10 (never below 3)." in response.text
        assert (
            FeedbackSettings.objects.filter(programme=programme, anonymity_threshold=2).count() == 0
        )
        assert not AuditEvent.objects.filter(action__startswith="feedback.").exists()


def answered_by(programme, count, *, department="Finance", start=1):
    """``count`` people answer the session survey; person i rates usefulness (start + i) % 5 + 1."""
    found = people_in(department, count)
    for index, person in enumerate(found):
        value = str((start + index) % 5 + 1)
        answer(person, programme, {**SESSION, "usefulness": value, "comment": f"Note {index}"})
    return found


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def usefulness(rows, where="All departments"):
    return next(row for row in rows if row[1] == USEFUL and row[2] == where)


class TestThresholdEdges:
    """n − 1, n and n + 1 respondents with the default threshold of 5, through every way out."""

    @pytest.mark.parametrize(("count", "shown"), [(4, False), (5, True), (6, True)])
    def test_page(self, programme, admin, count, shown):
        answered_by(programme, count)

        response = admin.client.get(reverse("feedback:programme_report", args=[programme.pk]))

        figure = response.context["report"].sections[0].figures[0]
        comments = response.context["report"].sections[0].figures[3]
        if shown:
            assert figure.cell.people == count
            assert figure.cell.value is not None
            assert len(comments.comments) == count
            assert "Note 0" in response.text
        else:
            assert figure.cell == anonymity.hidden_cell("Fewer than 5 answers")
            assert comments.comments == []
            assert "Fewer than 5 answers" in response.text
            assert "Note 0" not in response.text

    @pytest.mark.parametrize(("count", "shown"), [(4, False), (5, True), (6, True)])
    def test_api(self, programme, admin, count, shown):
        answered_by(programme, count)

        body = admin.client.get(f"/api/v1/feedback/programmes/{programme.pk}/report").json()

        figure = body["sections"][0]["figures"][0]
        if shown:
            assert figure["cell"]["people"] == count
            assert figure["cell"]["hidden"] == ""
            assert len(body["sections"][0]["figures"][3]["comments"]) == count
        else:
            assert figure["cell"] == {
                "value": None,
                "people": None,
                "hidden": "Fewer than 5 answers",
            }
            assert body["sections"][0]["figures"][3]["comments"] == []

    @pytest.mark.parametrize(("count", "shown"), [(4, False), (5, True), (6, True)])
    def test_csv_and_xlsx(self, programme, admin, count, shown):
        answered_by(programme, count)
        expected = reports.programme_report(programme=programme).sections[0].figures[0].cell

        base = reverse("feedback:programme_report_export", args=[programme.pk, "csv"])
        from_csv = usefulness(csv_rows(admin.client.get(base)))
        from_xlsx = usefulness(
            xlsx_rows(
                admin.client.get(
                    reverse("feedback:programme_report_export", args=[programme.pk, "xlsx"])
                )
            )
        )

        if shown:
            assert from_csv[3:] == [str(expected.value), str(count), ""]
            assert from_xlsx[3:] == [expected.value, count, None]
        else:
            assert from_csv[3:] == ["", "", "Fewer than 5 answers"]
            assert from_xlsx[3:] == [None, None, "Fewer than 5 answers"]
        assert AuditEvent.objects.filter(action="feedback.export").count() == 2

    def test_a_lower_threshold_shows_three(self, programme, admin):
        set_threshold(programme, 3, admin)
        answered_by(programme, 3)

        report = reports.programme_report(programme=programme)

        assert report.sections[0].figures[0].cell.people == 3


def test_a_subtraction_attack_through_the_filters_fails(programme, sponsor):
    """Six answers: five in Finance, one in Sales. The sponsor reads the total, then filters
    to Finance, to subtract and learn what the one Sales coachee said. Finance is hidden too."""
    programme.sponsor = sponsor.person
    programme.save(update_fields=["sponsor"])
    finance = answered_by(programme, 5, department="Finance")
    sales = answered_by(programme, 1, department="Sales")
    page = reverse("feedback:programme_report", args=[programme.pk])
    api = f"/api/v1/feedback/programmes/{programme.pk}/report"

    total = sponsor.client.get(page).context["report"].sections[0].figures[0].cell
    department = str(finance[0].department_id)
    by_filter = sponsor.client.get(page, {"department": department}).context["report"]
    by_api = sponsor.client.get(api, {"department": department}).json()
    export = csv_rows(
        sponsor.client.get(
            reverse("feedback:programme_report_export", args=[programme.pk, "csv"]),
            {"department": department},
        )
    )
    breakdown = sponsor.client.get(api).json()["sections"][0]["breakdown"]

    assert total.people == 6
    assert by_filter.sections[0].figures[0].cell == anonymity.hidden_cell(SUBTRACTION)
    assert by_api["sections"][0]["figures"][0]["cell"]["hidden"] == SUBTRACTION
    assert usefulness(export, "Finance")[3:] == ["", "", SUBTRACTION]
    assert [(row["department"], row["cells"][0]["hidden"]) for row in breakdown["rows"]] == [
        ("Finance", SUBTRACTION),
        ("Sales", "Fewer than 5 answers"),
    ]
    alone = sponsor.client.get(api, {"department": str(sales[0].department_id)}).json()
    assert alone["sections"][0]["figures"][0]["cell"]["hidden"] == "Fewer than 5 answers"


class TestNobodyElseReadsASurvey:
    @pytest.mark.parametrize("who", ["admin", "sponsor", "coach"])
    def test_page_and_api_are_404(self, request, pair, who):
        survey = answer(
            pair.coachee.person, pair.programme, SESSION, relationship=pair.relationship
        )
        member = request.getfixturevalue(who)
        if who == "sponsor":
            pair.programme.sponsor = member.person
            pair.programme.save(update_fields=["sponsor"])

        page = member.client.get(reverse("feedback:survey", args=[survey.pk]))
        api = member.client.get(f"/api/v1/feedback/surveys/{survey.pk}")
        listed = member.client.get("/api/v1/feedback/surveys").json()

        assert page.status_code == 404
        assert api.status_code == 404
        assert survey.pk not in [s["id"] for s in listed]


def pulses_about(programme, coach, count, value, department):
    """``count`` coachees of ``coach`` answer a relationship pulse about them."""
    for _ in range(count):
        coachee = coachee_person(department=department)
        relationship = active_relationship(programme, coach, coachee)
        answer(
            coachee,
            programme,
            pulse(value),
            key="pulse",
            purpose="pulse",
            relationship=relationship,
        )


@pytest.mark.parametrize(("reader_coaches", "shown"), [(True, False), (False, True)])
def test_a_coach_who_reads_the_programme_report_cant_subtract_their_own(
    programme, sponsor, coach, reader_coaches, shown
):
    """Five of the coach's coachees and one other coach's answer the pulse. When the coach is
    also the programme's sponsor, the total less their own coach report would be the one
    other coachee's answer: the total is hidden. When the coach can't read it, it is shown."""
    programme.sponsor = sponsor.person
    programme.save(update_fields=["sponsor"])
    member = sponsor if reader_coaches else coach
    finance = DepartmentFactory(name="Finance")
    pulses_about(programme, member.person, 5, "5", finance)
    pulses_about(programme, PersonFactory(), 1, "1", finance)

    own = member.client.get(reverse("feedback:coach_report")).context["report"]
    page = reverse("feedback:programme_report", args=[programme.pk])
    total = sponsor.client.get(page).context["report"].sections[0]
    api = sponsor.client.get(f"/api/v1/feedback/programmes/{programme.pk}/report").json()

    assert (own.sections[0].figures[0].cell.value, own.sections[0].figures[0].cell.people) == (
        5.0,
        5,
    )
    if shown:
        assert [f.cell.people for f in total.figures] == [6] * 4
        assert [row.cells[0].people for row in total.breakdown.rows] == [6]
    else:
        assert [f.cell for f in total.figures] == [anonymity.hidden_cell(SUBTRACTION)] * 4
        assert api["sections"][0]["figures"][0]["cell"]["hidden"] == SUBTRACTION
        assert [row.cells[0].hidden for row in total.breakdown.rows] == [SUBTRACTION]
