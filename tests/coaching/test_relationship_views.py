"""The pair's pages: my coaching, a relationship's overview and its agreement."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadre.coaching.models import Agreement, CoachingRelationship, RelationshipOrigin
from cadre.coaching.services import (
    agreement_sign,
    relationship_accept,
    relationship_confirm,
    relationship_propose,
)
from cadre.programs.models import (
    CoacheeProfile,
    CoachProfile,
    CoachStrength,
    Enrolment,
    GrowthCompetency,
)
from tests.coaching.conftest import active_relationship, coachee_person, enrol_coach, enrol_coachee
from tests.factories import CompetencyFactory

Status = CoachingRelationship.Status


def url(name: str, *args: object) -> str:
    return reverse(f"coaching:{name}", args=args)


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def proposal(programme, coach, coachee, admin) -> CoachingRelationship:
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    return relationship_propose(
        programme=programme, coach=coach.person, coachee=coachee.person, proposed_by=admin.user
    )


@pytest.fixture
def agreed(proposal, admin) -> CoachingRelationship:
    return relationship_confirm(relationship=proposal, by=admin.user)


# My coaching


def test_my_coaching_lists_the_relationships_with_the_next_step(proposal, coach, coachee):
    response = coach.client.get(url("my_relationships"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Cole Coachee" in page
    assert "You are the coach" in page
    assert "Proposed" in page
    assert f'href="{url("relationship", proposal.pk)}">Accept or decline the pairing' in page


def test_my_coaching_says_sign_once_agreed(agreed, coachee):
    page = coachee.client.get(url("my_relationships")).content.decode()

    assert f'href="{url("agreement", agreed.pk)}">Read and sign the agreement' in page


def test_my_coaching_without_relationships_says_what_comes_next(outsider, sponsor):
    for member in (outsider, sponsor):
        page = member.client.get(url("my_relationships")).content.decode()
        assert "You are not in a coaching relationship yet." in page


def test_my_coaching_needs_a_login():
    response = Client().get(url("my_relationships"))

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url('my_relationships')}"


def test_my_coaching_query_count_does_not_grow(programme, coach, django_assert_num_queries):
    enrol_coach(programme, coach.person, capacity=5)
    first = coachee_person()
    enrol_coachee(programme, first)
    active_relationship(programme, coach.person, first)
    coach.client.get(url("my_relationships"))
    with CaptureQueriesContext(connection) as one:
        coach.client.get(url("my_relationships"))
    for _ in range(4):
        person = coachee_person()
        enrol_coachee(programme, person)
        relationship_propose(
            programme=programme, coach=coach.person, coachee=person, proposed_by=None
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = coach.client.get(url("my_relationships"))
    assert response.content.decode().count("You are the coach") == 5


# The overview


def test_the_overview_shows_the_other_party_and_the_proposal(proposal, coachee):
    response = coachee.client.get(url("relationship", proposal.pk))

    page = response.content.decode()
    assert "<h1>Coaching with Cora Coach</h1>" in page
    assert "Leaders coaching leaders" in page
    assert "Accept the pairing" in page
    assert "Decline" in page
    assert 'aria-current="page">Overview' in page


def _profiles(relationship: CoachingRelationship) -> None:
    """The pair's profiles: the coachee's goals and growth, the coach's bio and ratings."""
    listening, strategy, finance, people = (
        CompetencyFactory(name=name, position=position)
        for position, name in enumerate(["Listening", "Strategy", "Finance", "People"])
    )
    coachee_profile = CoacheeProfile.objects.create(
        enrolment=Enrolment.objects.get(person=relationship.coachee, role="coachee"),
        goals="Stop being the bottleneck.\nDelegate the forecast.",
    )
    coachee_profile.avoid.add(relationship.coach)
    GrowthCompetency.objects.create(profile=coachee_profile, competency=strategy, rank=1)
    GrowthCompetency.objects.create(profile=coachee_profile, competency=listening, rank=2)
    coach_profile = CoachProfile.objects.get(enrolment__person=relationship.coach)
    coach_profile.bio = "Twenty years in <operations>."
    coach_profile.preferences = "Prefers coachees in sales."
    coach_profile.save()
    for competency, rating in [(listening, 4), (strategy, 2), (finance, 5), (people, 4)]:
        CoachStrength.objects.create(profile=coach_profile, competency=competency, rating=rating)


def test_the_coach_reads_what_the_coachee_wants_once_the_coachee_accepts(proposal, coach, coachee):
    _profiles(proposal)
    page = coach.client.get(url("relationship", proposal.pk)).content.decode()
    # An admin's proposal the coachee hasn't accepted yet: their goals aren't shown.
    assert "What Cole Coachee wants from coaching" in page
    assert "once they accept the pairing" in page
    assert "bottleneck" not in page
    assert "Strategy" not in page

    coachee.client.post(url("relationship_accept", proposal.pk))
    page = coach.client.get(url("relationship", proposal.pk)).content.decode()

    assert "Stop being the bottleneck.<br>Delegate the forecast." in page
    assert "Competencies to grow, most important first: Strategy, Listening." in page
    assert "chose you" not in page  # an admin proposed the pair
    assert "once they accept the pairing" not in page
    # The coach reads the coachee's words, not their own bio.
    assert "Twenty years" not in page


def test_the_coachee_reads_about_the_coach_but_not_their_preferences(proposal, coachee):
    _profiles(proposal)

    page = coachee.client.get(url("relationship", proposal.pk)).content.decode()

    assert "About Cora Coach" in page
    assert "Twenty years in &lt;operations&gt;." in page
    # Rated 4 or 5, best first, then in the model's order.
    assert "Strongest in: Finance, Listening, People." in page
    assert "Prefers coachees in sales" not in page
    assert "wants from coaching" not in page


def test_neither_side_reads_the_others_profile_once_it_has_ended(agreed, coach, coachee):
    _profiles(agreed)
    assert "bottleneck" in coach.client.get(url("relationship", agreed.pk)).content.decode()
    CoachingRelationship.objects.filter(pk=agreed.pk).update(
        status=Status.ENDED, end_reason="declined"
    )

    coach_page = coach.client.get(url("relationship", agreed.pk)).content.decode()
    coachee_page = coachee.client.get(url("relationship", agreed.pk)).content.decode()

    assert "wants from coaching" not in coach_page
    assert "bottleneck" not in coach_page
    assert "About Cora Coach" not in coachee_page
    assert "Twenty years" not in coachee_page


def test_each_side_reads_the_profile_of_the_others_role(agreed, programme, coach, coachee):
    """The coach is also a coachee in the programme and the coachee also a coach: each reads
    the other's profile in their role in this pair, not the one in their other role."""
    _profiles(agreed)
    coach_as_coachee = enrol_coachee(programme, coach.person)
    CoacheeProfile.objects.create(enrolment=coach_as_coachee, goals="The coach's own goals.")
    coachee_as_coach = enrol_coach(programme, coachee.person)
    assert CoachProfile.objects.filter(enrolment=coachee_as_coach).update(
        bio="The coachee's own bio."
    )

    coach_page = coach.client.get(url("relationship", agreed.pk)).content.decode()
    coachee_page = coachee.client.get(url("relationship", agreed.pk)).content.decode()

    assert "Stop being the bottleneck." in coach_page
    assert "The coach's own goals." not in coach_page
    assert "Twenty years in &lt;operations&gt;." in coachee_page
    assert "The coachee's own bio." not in coachee_page


def test_the_coach_sees_a_coachee_chose_them(programme, coach, coachee):
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    chosen = relationship_propose(
        programme=programme,
        coach=coach.person,
        coachee=coachee.person,
        proposed_by=coachee.user,
        origin=RelationshipOrigin.MATCHING,
    )
    relationship_accept(relationship=chosen, person=coachee.person)

    page = coach.client.get(url("relationship", chosen.pk)).content.decode()

    assert "Cole Coachee chose you from the coaches suggested to them." in page
    assert "hasn't written their goals for this programme yet" in page


def test_accepting_from_the_overview(proposal, coach, coachee):
    response = coachee.client.post(url("relationship_accept", proposal.pk))

    assert response["Location"] == url("relationship", proposal.pk)
    assert flash(response) == ["Accepted. Once Cora Coach accepts too, your agreement is drawn up."]
    page = coachee.client.get(url("relationship", proposal.pk)).content.decode()
    assert "You have accepted." in page

    response = coach.client.post(url("relationship_accept", proposal.pk))

    assert response["Location"] == url("agreement", proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Status.AGREED


def test_declining_from_the_overview(proposal, coachee):
    response = coachee.client.post(url("relationship_decline", proposal.pk))

    assert response["Location"] == url("my_relationships")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.end_reason) == (Status.ENDED, "declined")


def test_a_refused_accept_is_shown(agreed, coachee):
    Agreement.objects.filter(relationship=agreed).delete()
    CoachingRelationship.objects.filter(pk=agreed.pk).update(
        status=Status.ENDED, end_reason="other"
    )

    response = coachee.client.post(url("relationship_accept", agreed.pk))

    assert flash(response) == ["The relationship is ended early: only a proposal can be accepted."]


def test_the_pair_pauses_and_resumes(pair):
    relationship = pair.relationship
    page = pair.coachee.client.get(url("relationship", relationship.pk)).content.decode()
    assert "Pause" in page

    pair.coachee.client.post(url("relationship_pause", relationship.pk), {"note": "Holiday"})
    relationship.refresh_from_db()
    assert relationship.status == Status.PAUSED
    assert relationship.transitions.get().note == "Holiday"

    pair.coach.client.post(url("relationship_resume", relationship.pk))
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE


PARTY_PAGES = ["relationship", "agreement"]
PARTY_ACTIONS = [
    "relationship_accept",
    "relationship_decline",
    "relationship_pause",
    "relationship_resume",
    "agreement_sign",
]


@pytest.mark.parametrize("name", PARTY_PAGES + PARTY_ACTIONS)
def test_nobody_but_the_pair_sees_or_changes_it(agreed, outsider, sponsor, admin, name):
    for member in (outsider, sponsor, admin):
        if name in PARTY_PAGES:
            response = member.client.get(url(name, agreed.pk))
        else:
            response = member.client.post(url(name, agreed.pk))
        assert response.status_code == 404, member.user.email
    agreed.refresh_from_db()
    assert agreed.status == Status.AGREED


@pytest.mark.parametrize("name", PARTY_PAGES + PARTY_ACTIONS)
def test_the_pair_pages_need_a_login(agreed, name):
    response = Client().post(url(name, agreed.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_overview_query_count_is_fixed(pair, django_assert_num_queries):
    client = pair.coach.client
    page = url("relationship", pair.relationship.pk)
    client.get(page)
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    for _ in range(3):
        pair.relationship.transitions.create(from_status="active", to_status="paused")
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(page)


# The agreement


def test_the_agreement_shows_the_text_and_a_sign_button(agreed, coach):
    response = coach.client.get(url("agreement", agreed.pk))

    page = response.content.decode()
    assert "<h1>Coaching agreement: Cora Coach and Cole Coachee</h1>" in page
    assert "<h2>Confidentiality</h2>" in page
    assert "Sign the agreement" in page
    assert page.count("Not signed yet") == 2
    assert "Change the agreement" in page
    assert 'aria-current="page">Agreement' in page


def test_both_sign_in_the_app_and_the_relationship_becomes_active(agreed, coach, coachee):
    response = coach.client.post(url("agreement_sign", agreed.pk))
    assert flash(response) == ["Signed. Your coaching starts once Cole Coachee signs too."]
    page = coach.client.get(url("agreement", agreed.pk)).content.decode()
    assert "You have signed. Waiting for Cole Coachee." in page

    response = coachee.client.post(url("agreement_sign", agreed.pk))

    assert flash(response) == ["Signed by you both: your coaching relationship is active."]
    agreed.refresh_from_db()
    assert agreed.status == Status.ACTIVE
    page = coachee.client.get(url("agreement", agreed.pk)).content.decode()
    assert "this is the text you signed" in page
    assert agreed.agreement.signed_text_sha256 in page
    assert "Change the agreement" not in page
    assert "Not signed yet" not in page


def test_an_edit_withdraws_a_signature_and_says_so(agreed, coach, coachee):
    agreement_sign(agreement=agreed.agreement, person=coach.person)
    values = {name: getattr(agreed.agreement, name) for name in Agreement.SECTIONS}
    values["goals"] = "Lead the new team with confidence."

    response = coachee.client.post(url("agreement", agreed.pk), values)

    assert response["Location"] == url("agreement", agreed.pk)
    assert flash(response) == [
        "Saved. The text changed, so the coach's signature was withdrawn: both of you sign "
        "the new text."
    ]
    agreement = Agreement.objects.get(relationship=agreed)
    assert (agreement.goals, agreement.coach_signed_at) == (
        "Lead the new team with confidence.",
        None,
    )


def test_an_invalid_edit_is_shown_with_the_form(agreed, coach):
    values = {name: getattr(agreed.agreement, name) for name in Agreement.SECTIONS}
    values["ending"] = ""

    response = coach.client.post(url("agreement", agreed.pk), values)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_the_agreement_text_is_rendered_safely(agreed, coach):
    values = {name: getattr(agreed.agreement, name) for name in Agreement.SECTIONS}
    values["goals"] = "Be **bold**. <script>alert(1)</script>"
    coach.client.post(url("agreement", agreed.pk), values)

    page = coach.client.get(url("agreement", agreed.pk)).content.decode()

    assert "<strong>bold</strong>" in page
    assert "<script>alert(1)</script>" not in page


def test_before_both_accept_there_is_no_agreement_yet(proposal, coach):
    page = coach.client.get(url("agreement", proposal.pk)).content.decode()

    assert "There is no agreement yet." in page
    response = coach.client.post(url("agreement_sign", proposal.pk))
    assert flash(response) == ["There is no agreement to sign yet: both must accept the pairing."]


def test_the_agreement_query_count_is_fixed(agreed, coach, django_assert_num_queries):
    page = url("agreement", agreed.pk)
    coach.client.get(page)
    with CaptureQueriesContext(connection) as one:
        coach.client.get(page)
    agreement_sign(agreement=agreed.agreement, person=coach.person)
    with django_assert_num_queries(len(one.captured_queries)):
        coach.client.get(page)
