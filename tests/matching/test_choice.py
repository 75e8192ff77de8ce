"""Coachee-choice mode: suggestions with reasons, asking one, the coach's answer, capacity
under concurrent requests, and who sees what (pages and permissions)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent, Role
from cadre.coaching.models import CoachingRelationship
from cadre.coaching.rules import CoachingError
from cadre.coaching.services import relationship_accept, relationship_decline
from cadre.matching.choice import (
    choice_close,
    choice_open,
    choice_programmes_to_choose,
    choice_requests,
    suggestion_request,
    suggestions_for,
)
from cadre.matching.models import ChoiceMode, MatchProposal, MatchRun
from cadre.programs.models import CoachProfile, Programme
from tests.concurrency import at_once
from tests.factories import RoleGrantFactory
from tests.matching.conftest import add_coach, add_coachee
from tests.programs.conftest import put_in

pytestmark = pytest.mark.django_db

STATUS = CoachingRelationship.Status


def names(page) -> list[str]:
    return [suggestion.coach.full_name for suggestion in page.suggestions]


def client_of(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


@pytest.fixture
def choosing(cohort, admin):
    choice_open(programme=cohort.programme, by=admin.user)
    return cohort


# Suggestions


def test_a_coachee_sees_every_coach_with_a_place_best_first_with_reasons(choosing):
    dana = choosing.coachees[0]  # Finance, wants to grow in listening

    page = suggestions_for(programme=choosing.programme, coachee=dana)

    assert names(page) == ["Chen Carter", "Alma Archer", "Bruno Baker"]
    assert [s.rank for s in page.suggestions] == [1, 2, 3]
    best = page.suggestions[0]
    assert best.score == pytest.approx(1.9333, abs=1e-3)
    assert best.factors == pytest.approx(
        {"competency": 0.6, "silo": 1.0, "availability": 0.0, "preference": 0.0, "seniority": 1 / 3}
    )
    assert best.reasons == [
        "From another part of the organisation",
        "A good step up in seniority",
        "Good at what you want to grow",
    ]
    # Alma is strong in listening but works in Dana's department.
    assert page.suggestions[1].reasons == [
        "Strong in what you want to grow",
        "A good step up in seniority",
    ]
    assert best.contributions[0] == ("Crossing departments", 1.0)


def test_the_programme_says_how_many_suggestions_a_coachee_sees(choosing, admin):
    choice_open(programme=choosing.programme, by=admin.user, suggestions=2)

    page = suggestions_for(programme=choosing.programme, coachee=choosing.coachees[0])

    assert names(page) == ["Chen Carter", "Alma Archer"]


def test_a_coach_without_a_place_is_not_suggested(choosing, admin):
    chen = choosing.coaches[2]
    for coachee in choosing.coachees[1:3]:
        suggestion_request(programme=choosing.programme, coach=chen, requested_by=coachee.user)

    page = suggestions_for(programme=choosing.programme, coachee=choosing.coachees[0])

    assert names(page) == ["Alma Archer", "Bruno Baker"]


def test_a_coachee_a_run_proposes_a_coach_for_waits_for_it(choosing, admin):
    dana, alma = choosing.coachees[0], choosing.coaches[0]
    run = MatchRun.objects.create(
        programme=choosing.programme, kind="full", status="finished", started_by=admin.user
    )
    MatchProposal.objects.create(run=run, coachee=dana, coach=alma, score=1.0)

    page = suggestions_for(programme=choosing.programme, coachee=dana)
    assert page.awaiting_run
    assert page.suggestions == []
    with pytest.raises(CoachingError, match="A coach is being proposed for you"):
        suggestion_request(programme=choosing.programme, coach=alma, requested_by=dana.user)
    # The proposal holds one of Alma's two places; another coachee still sees her.
    assert "Alma Archer" in names(
        suggestions_for(programme=choosing.programme, coachee=choosing.coachees[1])
    )


# Asking, and the coach's answer


def test_asking_a_suggestion_proposes_the_pair_with_the_coachee_agreed(choosing):
    dana, chen = choosing.coachees[0], choosing.coaches[2]

    relationship = suggestion_request(
        programme=choosing.programme, coach=chen, requested_by=dana.user
    )

    assert (relationship.coach, relationship.coachee, relationship.status) == (
        chen,
        dana,
        STATUS.PROPOSED,
    )
    assert relationship.origin == "matching"
    assert relationship.proposed_by == dana.user
    assert relationship.coachee_accepted_at is not None
    assert relationship.coach_accepted_at is None
    assert choice_requests(choosing.programme) == [relationship]
    page = suggestions_for(programme=choosing.programme, coachee=dana)
    assert (page.relationship, page.suggestions) == (relationship, [])
    event = AuditEvent.objects.get(action="matching.suggestion_request")
    assert event.details == {"programme": choosing.programme.pk, "coach": chen.pk}


def test_the_coach_accepting_makes_the_pair_agreed(choosing):
    dana, chen = choosing.coachees[0], choosing.coaches[2]
    relationship = suggestion_request(
        programme=choosing.programme, coach=chen, requested_by=dana.user
    )

    relationship = relationship_accept(relationship=relationship, person=chen)

    assert relationship.status == STATUS.AGREED
    assert choice_requests(choosing.programme) == []


def test_after_a_decline_the_coachee_chooses_again_without_that_coach(choosing):
    dana, chen = choosing.coachees[0], choosing.coaches[2]
    relationship = suggestion_request(
        programme=choosing.programme, coach=chen, requested_by=dana.user
    )

    relationship_decline(relationship=relationship, person=chen)

    page = suggestions_for(programme=choosing.programme, coachee=dana)
    assert page.relationship is None
    assert names(page) == ["Alma Archer", "Bruno Baker"]


def test_asking_twice_is_refused(choosing):
    dana = choosing.coachees[0]
    suggestion_request(
        programme=choosing.programme, coach=choosing.coaches[2], requested_by=dana.user
    )

    with pytest.raises(CoachingError, match="You have asked Chen Carter already"):
        suggestion_request(
            programme=choosing.programme, coach=choosing.coaches[0], requested_by=dana.user
        )


def test_only_a_suggested_coach_can_be_asked(choosing, admin):
    choice_open(programme=choosing.programme, by=admin.user, suggestions=1)

    with pytest.raises(CoachingError, match="Bruno Baker isn't among your suggestions any more"):
        suggestion_request(
            programme=choosing.programme,
            coach=choosing.coaches[1],
            requested_by=choosing.coachees[0].user,
        )
    assert not CoachingRelationship.objects.exists()


def test_nobody_asks_while_choice_is_closed(choosing, admin):
    choice_close(programme=choosing.programme, by=admin.user)

    with pytest.raises(CoachingError, match="don't choose their coach"):
        suggestion_request(
            programme=choosing.programme,
            coach=choosing.coaches[2],
            requested_by=choosing.coachees[0].user,
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no real race to test"
)
def test_coachees_asking_for_a_coachs_last_place_at_once_make_one_pair(programme, admin):
    coach = add_coach(programme, "Lee Last", "Strategy", capacity=1)
    coachees = [add_coachee(programme, f"Asker {n}", f"Department {n}") for n in range(4)]
    choice_open(programme=programme, by=admin.user)

    def asking(person):
        return lambda: suggestion_request(
            programme=programme, coach=coach, requested_by=person.user
        )

    outcomes = at_once([asking(person) for person in coachees], refused=CoachingError, done="asked")

    assert outcomes.count("asked") == 1
    refusals = [outcome for outcome in outcomes if outcome != "asked"]
    assert all(
        "has no free place" in refusal or "isn't among your suggestions" in refusal
        for refusal in refusals
    ), refusals
    assert CoachingRelationship.objects.filter(coach=coach).count() == 1


# Opening and closing


def test_only_programme_admins_open_and_close_choice(cohort, coach):
    with pytest.raises(PermissionDenied):
        choice_open(programme=cohort.programme, by=coach.user)
    with pytest.raises(PermissionDenied):
        choice_close(programme=cohort.programme, by=coach.user)
    assert not ChoiceMode.objects.exists()


def test_choice_opens_only_while_the_programme_pairs(cohort, admin):
    put_in(cohort.programme, Programme.Status.CLOSED)

    with pytest.raises(CoachingError, match="coachees choose only while it is matching"):
        choice_open(programme=cohort.programme, by=admin.user)


def test_a_number_of_suggestions_out_of_range_is_refused(cohort, admin):
    with pytest.raises(CoachingError, match="1 to 10 suggestions, not 11"):
        choice_open(programme=cohort.programme, by=admin.user, suggestions=11)


def test_opening_and_closing_are_recorded(cohort, admin):
    choice_open(programme=cohort.programme, by=admin.user, suggestions=3)
    choice_close(programme=cohort.programme, by=admin.user)

    mode = ChoiceMode.objects.get(programme=cohort.programme)
    assert (mode.is_open, mode.suggestions, mode.changed_by) == (False, 3, admin.user)
    assert list(
        AuditEvent.objects.filter(action__startswith="matching.choice")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["matching.choice_open", "matching.choice_close"]


# The coachee's home page


def test_a_coachee_is_asked_to_choose_until_they_have_asked(choosing):
    dana = choosing.coachees[0]
    assert choice_programmes_to_choose(dana) == [choosing.programme]

    suggestion_request(
        programme=choosing.programme, coach=choosing.coaches[2], requested_by=dana.user
    )

    assert choice_programmes_to_choose(dana) == []
    assert choice_programmes_to_choose(choosing.coachees[1]) == [choosing.programme]


def test_a_coachee_a_run_proposes_a_coach_for_is_not_asked_to_choose(choosing, admin):
    dana, alma = choosing.coachees[0], choosing.coaches[0]
    older = MatchRun.objects.create(
        programme=choosing.programme, kind="full", status="finished", started_by=admin.user
    )
    MatchProposal.objects.create(run=older, coachee=dana, coach=alma, score=1.0)
    assert choice_programmes_to_choose(dana) == []

    # Only the latest finished run counts, and only its undecided proposals.
    latest = MatchRun.objects.create(
        programme=choosing.programme, kind="full", status="finished", started_by=admin.user
    )
    assert choice_programmes_to_choose(dana) == [choosing.programme]
    MatchProposal.objects.create(run=latest, coachee=dana, coach=alma, score=1.0, refusal="Full")
    assert choice_programmes_to_choose(dana) == [choosing.programme]
    assert suggestions_for(programme=choosing.programme, coachee=dana).awaiting_run is False


def test_a_closed_choice_or_another_programmes_coach_asks_nothing(choosing, admin, outsider):
    assert choice_programmes_to_choose(outsider.person) == []
    assert choice_programmes_to_choose(choosing.coaches[0]) == []
    assert choice_programmes_to_choose(None) == []

    choice_close(programme=choosing.programme, by=admin.user)

    assert choice_programmes_to_choose(choosing.coachees[0]) == []


def test_the_home_page_links_a_coachee_to_their_suggestions(choosing, admin):
    dana = choosing.coachees[0]
    RoleGrantFactory(user=dana.user, role=Role.COACHEE)
    client = client_of(dana)

    response = client.get(reverse("home"))

    assert response.context["to_choose"] == [choosing.programme]
    page = response.content.decode()
    assert "Choose your coach" in page
    assert f"You choose your coach in “{choosing.programme.name}”" in page
    assert f'href="{reverse("matching:suggestions")}">See my suggestions' in page

    choice_close(programme=choosing.programme, by=admin.user)

    response = client.get(reverse("home"))
    assert response.context["to_choose"] == []
    assert "See my suggestions" not in response.content.decode()


# The coachee's page


def test_the_suggestions_page_shows_a_coachees_own_suggestions(choosing):
    chen = choosing.coaches[2]
    chen.job_title = "Head of Logistics"
    chen.save(update_fields=["job_title"])
    CoachProfile.objects.filter(enrolment__person=chen).update(bio="Ran three plants in Asia.")

    response = client_of(choosing.coachees[0]).get(reverse("matching:suggestions"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Chen Carter") < page.index("Alma Archer") < page.index("Bruno Baker")
    assert "Good at what you want to grow" in page
    assert choosing.programme.name in page
    # Who the coach is: title, department and the bio from their profile in this programme.
    assert "Head of Logistics · Operations" in page
    assert "<p>Ran three plants in Asia.</p>" in page
    assert page.count("Ran three plants") == 1


def test_asking_from_the_page_proposes_the_pair(choosing):
    dana, chen = choosing.coachees[0], choosing.coaches[2]
    url = reverse("matching:suggestion_request", args=[choosing.programme.pk])

    response = client_of(dana).post(url, {"coach": chen.pk}, follow=True)

    assert response.redirect_chain == [(reverse("matching:suggestions"), 302)]
    assert "You asked Chen Carter to be your coach" in response.content.decode()
    assert "You asked <strong>Chen Carter</strong>" in response.content.decode()
    assert CoachingRelationship.objects.get().coach == chen


def test_a_refused_request_says_why_on_the_page(choosing, admin):
    choice_open(programme=choosing.programme, by=admin.user, suggestions=1)
    url = reverse("matching:suggestion_request", args=[choosing.programme.pk])

    response = client_of(choosing.coachees[0]).post(
        url, {"coach": choosing.coaches[1].pk}, follow=True
    )

    assert "Bruno Baker isn&#x27;t among your suggestions any more" in response.content.decode()
    assert not CoachingRelationship.objects.exists()


def test_people_who_may_not_choose_see_an_empty_page(choosing, outsider, coach, admin):
    for member in (outsider, coach, admin):
        response = member.client.get(reverse("matching:suggestions"))
        assert response.status_code == 200
        assert "There is no coach to choose at the moment" in response.content.decode()


def test_only_the_programmes_coachees_may_ask(choosing, outsider, coach, admin):
    url = reverse("matching:suggestion_request", args=[choosing.programme.pk])
    for member in (outsider, coach, admin):
        assert member.client.post(url, {"coach": choosing.coaches[2].pk}).status_code == 404
    assert not CoachingRelationship.objects.exists()


def test_a_closed_programme_takes_no_requests_from_the_page(choosing, admin):
    choice_close(programme=choosing.programme, by=admin.user)
    url = reverse("matching:suggestion_request", args=[choosing.programme.pk])

    assert client_of(choosing.coachees[0]).post(url, {"coach": 1}).status_code == 404


def test_a_programme_that_no_longer_pairs_takes_no_requests(choosing):
    # Choice stays open, but the programme went back to enrolling.
    Programme.objects.filter(pk=choosing.programme.pk).update(status="enrolling")
    dana = client_of(choosing.coachees[0])
    url = reverse("matching:suggestion_request", args=[choosing.programme.pk])

    assert dana.post(url, {"coach": choosing.coaches[2].pk}).status_code == 404
    assert "There is no coach to choose" in dana.get(reverse("matching:suggestions")).text
    assert not CoachingRelationship.objects.exists()


def test_the_suggestions_pages_need_a_login(choosing, client):
    for url in (
        reverse("matching:suggestions"),
        reverse("matching:suggestion_request", args=[choosing.programme.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_suggestions_page_reads_a_fixed_number_of_queries(
    choosing, admin, django_assert_num_queries
):
    dana = client_of(choosing.coachees[0])
    url = reverse("matching:suggestions")
    choice_open(programme=choosing.programme, by=admin.user, suggestions=1)
    dana.get(url)  # warm the session and the caches
    with django_assert_num_queries(26) as one:
        assert dana.get(url).content.decode().count('name="coach"') == 1
    choice_open(programme=choosing.programme, by=admin.user, suggestions=3)
    for n in range(3):
        add_coach(choosing.programme, f"Extra Coach {n}", f"Extra {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert dana.get(url).content.decode().count('name="coach"') == 3


# The admins' settings page


def test_an_admin_opens_choice_from_the_settings_page(cohort, admin):
    url = reverse("matching:choice", args=[cohort.programme.pk])

    response = admin.client.post(url, {"action": "open", "suggestions": 4}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "Coachees see 4 suggestions each." in response.content.decode()
    assert ChoiceMode.objects.get(programme=cohort.programme).is_open


def test_an_admin_closes_choice_from_the_settings_page(choosing, admin):
    url = reverse("matching:choice", args=[choosing.programme.pk])

    admin.client.post(url, {"action": "close", "suggestions": 5})

    assert not ChoiceMode.objects.get(programme=choosing.programme).is_open


def test_the_settings_page_lists_requests_waiting_for_an_answer(choosing, admin):
    suggestion_request(
        programme=choosing.programme,
        coach=choosing.coaches[2],
        requested_by=choosing.coachees[0].user,
    )

    response = admin.client.get(reverse("matching:choice", args=[choosing.programme.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Dana Dunn" in page
    assert "No answer for over" not in page
    # The coachee's name opens the request on the admins' relationship page.
    relationship = CoachingRelationship.objects.get()
    admin_url = reverse("coaching:admin_relationship", args=[relationship.pk])
    assert f'<a href="{admin_url}">Dana Dunn</a>' in page
    assert admin.client.get(admin_url).status_code == 200


def test_the_settings_page_flags_requests_left_unanswered_for_a_week(choosing, admin):
    for coachee, coach, days in [(0, 2, 8), (1, 0, 6)]:
        relationship = suggestion_request(
            programme=choosing.programme,
            coach=choosing.coaches[coach],
            requested_by=choosing.coachees[coachee].user,
        )
        CoachingRelationship.objects.filter(pk=relationship.pk).update(
            proposed_at=timezone.now() - timedelta(days=days)
        )

    page = admin.client.get(reverse("matching:choice", args=[choosing.programme.pk]))

    rows = page.content.decode().split("<tr>")[2:]
    assert [("Dana Dunn" in row, "No answer for over 7 days" in row) for row in rows] == [
        (True, True),
        (False, False),
    ]
    assert "<td>1\xa0week, 1\xa0day <span" in rows[0]
    assert "<td>6\xa0days</td>" in rows[1]
    assert "remind the coach, or end the request" in page.content.decode()


def test_the_settings_page_is_for_programme_admins(
    cohort, coach, coachee, sponsor, outsider, client
):
    url = reverse("matching:choice", args=[cohort.programme.pk])
    for member in (coach, coachee, sponsor, outsider):
        assert member.client.get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_the_settings_page_reads_a_fixed_number_of_queries(
    choosing, admin, django_assert_num_queries
):
    url = reverse("matching:choice", args=[choosing.programme.pk])
    first, *others = choosing.coachees
    suggestion_request(
        programme=choosing.programme, coach=choosing.coaches[2], requested_by=first.user
    )
    admin.client.get(url)
    with django_assert_num_queries(7) as one:
        admin.client.get(url)
    for person, coach in zip(others, choosing.coaches, strict=False):
        suggestion_request(programme=choosing.programme, coach=coach, requested_by=person.user)
    with django_assert_num_queries(len(one.captured_queries)):
        assert admin.client.get(url).content.decode().count("<tr>") == 5
