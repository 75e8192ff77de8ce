"""The matching pages: what they show, what they change, who may open them, and a fixed
number of queries whatever the size of the run."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import CoachingRelationship
from cadre.matching.models import MatchExclusion, MatchPin, MatchRun
from cadre.matching.services import STUCK_ERROR, match_run_start
from tests.matching.conftest import add_coach, add_coachee, running_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(cohort, admin) -> MatchRun:
    return match_run_start(programme=cohort.programme, by=admin.user)


def test_the_index_lists_programmes_with_their_runs(run, admin):
    response = admin.client.get(reverse("matching:index"))

    assert response.status_code == 200
    assert [(p.name, p.run_count) for p in response.context["programmes"]] == [
        ("Leaders coaching leaders", 1)
    ]


def test_starting_a_run_from_the_programme_page_shows_its_page(cohort, admin):
    url = reverse("matching:programme", args=[cohort.programme.pk])
    assert "No runs yet" in admin.client.get(url).content.decode()

    response = admin.client.post(
        url,
        {
            "kind": "full",
            "exclude_past_pairs": "on",
            "competency": "2",
            "silo": "1",
            "availability": "0.5",
            "preference": "0.5",
            "seniority": "0.5",
        },
    )

    run = MatchRun.objects.get()
    assert response.url == reverse("matching:run", args=[run.pk])
    assert run.parameters["weights"]["competency"] == 2.0
    assert run.parameters["rules"]["exclude_past_pairs"] is True
    page = admin.client.get(response.url).content.decode()
    assert "Finished" in page
    assert "Coach load after this run" in page


def test_a_running_run_polls_its_progress(cohort, admin):
    run = running_run(cohort.programme, admin.user, started_ago=timedelta(minutes=1))

    page = admin.client.get(reverse("matching:run", args=[run.pk])).content.decode()
    fragment = admin.client.get(
        reverse("matching:run", args=[run.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    assert 'hx-trigger="every 1s"' in page
    assert '<progress max="100" value="40"' in fragment
    assert "<html" not in fragment


def test_a_run_left_behind_shows_as_failed_when_its_page_is_opened(cohort, admin):
    run = running_run(cohort.programme, admin.user, started_ago=timedelta(hours=3))

    fragment = admin.client.get(
        reverse("matching:run", args=[run.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", STUCK_ERROR)
    assert "probably because its worker was restarted" in fragment
    assert 'hx-trigger="every 1s"' not in fragment
    assert AuditEvent.objects.filter(action="matching.run_fail_stuck").count() == 1


def test_a_second_run_is_refused_with_the_reason(cohort, admin, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    url = reverse("matching:programme", args=[cohort.programme.pk])
    data = {
        "kind": "full",
        "competency": 1,
        "silo": 1,
        "availability": 1,
        "preference": 1,
        "seniority": 1,
    }
    admin.client.post(url, data)

    response = admin.client.post(url, data, follow=True)

    assert "being matched already" in response.content.decode()
    assert MatchRun.objects.count() == 1


def test_the_review_shows_pairs_explanations_and_the_department_matrix(run, admin):
    response = admin.client.get(reverse("matching:review", args=[run.pk]))

    page = response.content.decode()
    assert len(response.context["rows"]) == 4
    assert "Competency fit" in page
    assert response.context["matrix"].rows == ["Finance", "Operations", "Sales"]
    assert sum(sum(cells) for cells in response.context["matrix"].cells) == 4


def test_the_review_filters_by_name_department_score_and_unmatched(run, admin, cohort):
    url = reverse("matching:review", args=[run.pk])

    by_name = admin.client.get(url, {"q": "Dana"}).context["rows"]
    assert [p.coachee.full_name for p, _ in by_name] == ["Dana Dunn"]
    sales = cohort.coachees[1].department
    by_department = admin.client.get(url, {"department": sales.pk}).context["rows"]
    assert all(sales in (p.coachee.department, p.coach.department) for p, _ in by_department)
    assert admin.client.get(url, {"score_min": 999}).context["rows"] == []
    unmatched = admin.client.get(url, {"unmatched": "on"}, headers={"HX-Request": "true"})
    assert unmatched.context["rows"] == []
    assert "Every coachee has a proposed coach" not in unmatched.content.decode()


def test_pin_exclude_and_approve_from_the_review(run, admin):
    first, second, *rest = run.proposals.order_by("coachee__full_name")
    review = reverse("matching:review", args=[run.pk])

    assert admin.client.post(reverse("matching:proposal_pin", args=[first.pk])).url == review
    assert MatchPin.objects.get().coachee == first.coachee
    admin.client.post(reverse("matching:proposal_exclude", args=[second.pk]))
    assert MatchExclusion.objects.get().coach == second.coach
    response = admin.client.post(
        reverse("matching:approve", args=[run.pk]),
        {"proposal": [first.pk, *(p.pk for p in rest)]},
        follow=True,
    )

    assert "Approved 3 pairs" in response.content.decode()
    assert CoachingRelationship.objects.filter(origin="matching").count() == 3


def test_approving_nothing_says_what_to_do(run, admin):
    response = admin.client.post(reverse("matching:approve", args=[run.pk]), {}, follow=True)

    assert "Choose at least one proposal" in response.content.decode()


def test_the_proposal_page_explains_and_swaps_with_the_score_change(run, admin, cohort):
    proposal = run.proposals.select_related("coach").get(coachee=cohort.coachees[1])
    url = reverse("matching:proposal", args=[proposal.pk])
    page = admin.client.get(url).content.decode()
    assert "Each factor" in page
    other = add_coach(cohort.programme, "Zoe Zhang", "Legal")

    response = admin.client.post(
        reverse("matching:proposal_swap", args=[proposal.pk]), {"coach": other.pk}, follow=True
    )

    assert "Zoe Zhang now coaches Eli Evans: score" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.coach == other


def test_rerun_starts_a_new_run(run, admin):
    response = admin.client.post(reverse("matching:rerun", args=[run.pk]))

    new = MatchRun.objects.exclude(pk=run.pk).get()
    assert response.url == reverse("matching:run", args=[new.pk])


def test_an_empty_run_says_what_to_do_next(programme, admin):
    run = match_run_start(programme=programme, by=admin.user)

    page = admin.client.get(reverse("matching:review", args=[run.pk])).content.decode()

    assert "This run proposed no pairs" in page
    assert "No pairs proposed" in page


PAGES = [
    ("matching:index", None),
    ("matching:programme", "programme"),
    ("matching:run", "run"),
    ("matching:review", "run"),
    ("matching:proposal", "proposal"),
]


def _url(name, kind, run):
    target = {"programme": run.programme_id, "run": run.pk, "proposal": run.proposals.first().pk}
    return reverse(name, args=[target[kind]] if kind else [])


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_only_programme_admins_open_the_pages(
    run, name, kind, coach, coachee, sponsor, outsider, client
):
    url = _url(name, kind, run)
    for member in (coach, coachee, sponsor, outsider):
        assert member.client.get(url).status_code == 403
    assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    "name", ["matching:programme", "matching:run", "matching:review", "matching:proposal"]
)
def test_unknown_ids_are_404(admin, name):
    assert admin.client.get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "matching:proposal_pin",
        "matching:proposal_exclude",
        "matching:proposal_swap",
        "matching:rerun",
        "matching:approve",
    ],
)
def test_only_programme_admins_change_anything(run, name, coach, sponsor):
    target = run.pk if name in ("matching:rerun", "matching:approve") else run.proposals.first().pk
    for member in (coach, sponsor):
        assert member.client.post(reverse(name, args=[target])).status_code == 403
    assert MatchRun.objects.count() == 1
    assert not MatchPin.objects.exists()
    assert not MatchExclusion.objects.exists()


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_pages_read_a_fixed_number_of_queries(
    programme, admin, name, kind, django_assert_num_queries, django_assert_max_num_queries
):
    add_coach(programme, "Coach One", "Dept A")
    add_coachee(programme, "Coachee One", "Dept B")
    small = match_run_start(programme=programme, by=admin.user)
    url = _url(name, kind, small)
    with django_assert_max_num_queries(40) as one:
        admin.client.get(url)
    for index in range(2, 7):
        add_coach(programme, f"Coach {index}", f"Dept {index}")
        add_coachee(programme, f"Coachee {index}", f"Dept {index + 1}")
    large = match_run_start(programme=programme, by=admin.user)
    assert large.proposals.count() == 6
    url = _url(name, kind, large)
    with django_assert_num_queries(len(one.captured_queries)):
        admin.client.get(url)
