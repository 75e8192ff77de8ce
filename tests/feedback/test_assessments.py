"""360° assessments: who nominates, who approves, the rater rules, and the repeat."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import CoachingRelationship
from cadre.feedback.assessments import (
    assessment_repeat,
    assessment_start,
    assessments_repeat_due,
    nomination_add,
    nomination_decide,
    nomination_remove,
    nominations_submit,
)
from cadre.feedback.instruments import instruments_install
from cadre.feedback.models import Assessment360, RaterNomination, Survey
from cadre.feedback.scheduling import surveys_schedule
from cadre.feedback.services import FeedbackError
from cadre.notifications.models import Notification
from tests.concurrency import at_once
from tests.factories import PersonFactory, UserFactory


@pytest.fixture
def assessment(pair):
    return assessment_start(relationship=pair.relationship, by=pair.coachee.user)


def nominate(assessment, by, *, peers=3, manager=True):
    people = []
    if manager:
        people.append(
            nomination_add(assessment=assessment, rater=PersonFactory(), group="manager", by=by)
        )
    for _ in range(peers):
        people.append(
            nomination_add(assessment=assessment, rater=PersonFactory(), group="peer", by=by)
        )
    return people


def approve_all(assessment, by):
    for nomination in assessment.nominations.filter(status="proposed"):
        nomination_decide(nomination=nomination, approve=True, by=by, now=timezone.now())


class TestNominating:
    def test_only_the_coachee_starts_and_only_once(self, pair, assessment):
        with pytest.raises(FeedbackError, match="already have"):
            assessment_start(relationship=pair.relationship, by=pair.coachee.user)
        assert (assessment.phase, assessment.status) == ("before", "nominating")

    def test_the_coach_cannot_start_it(self, pair):
        with pytest.raises(FeedbackError, match="Only the coachee"):
            assessment_start(relationship=pair.relationship, by=pair.coach.user)

    def test_rater_rules(self, pair, assessment):
        by = pair.coachee.user
        boss = PersonFactory()
        nomination_add(assessment=assessment, rater=boss, group="manager", by=by)

        with pytest.raises(FeedbackError, match="one manager"):
            nomination_add(assessment=assessment, rater=PersonFactory(), group="manager", by=by)
        with pytest.raises(FeedbackError, match="already on your list"):
            nomination_add(assessment=assessment, rater=boss, group="peer", by=by)
        with pytest.raises(FeedbackError, match="rate yourself anyway"):
            nomination_add(assessment=assessment, rater=pair.coachee.person, group="peer", by=by)
        with pytest.raises(FeedbackError, match="no longer in the organisation"):
            nomination_add(
                assessment=assessment, rater=PersonFactory(is_active=False), group="peer", by=by
            )
        with pytest.raises(FeedbackError, match="is your coach and reads this report"):
            nomination_add(assessment=assessment, rater=pair.coach.person, group="peer", by=by)
        with pytest.raises(FeedbackError, match="Group: choose"):
            nomination_add(assessment=assessment, rater=PersonFactory(), group="self", by=by)
        with pytest.raises(FeedbackError, match="Only the person being assessed"):
            nomination_add(
                assessment=assessment, rater=PersonFactory(), group="peer", by=pair.coach.user
            )

    def test_sending_for_approval_needs_three_peers(self, pair, assessment):
        nominate(assessment, pair.coachee.user, peers=2)

        with pytest.raises(FeedbackError, match="at least 3 peers \\(you have 2\\)"):
            nominations_submit(assessment=assessment, by=pair.coachee.user)

        nomination_add(
            assessment=assessment, rater=PersonFactory(), group="peer", by=pair.coachee.user
        )
        nominations_submit(assessment=assessment, by=pair.coachee.user)
        assert assessment.status == "awaiting_approval"
        mail = Notification.objects.get(kind=Notification.Kind.RATERS_TO_APPROVE)
        assert mail.recipient == pair.coach.user
        with pytest.raises(FeedbackError, match="sent for approval"):
            nomination_add(
                assessment=assessment, rater=PersonFactory(), group="peer", by=pair.coachee.user
            )


class TestApproving:
    def test_approved_raters_and_self_get_surveys(self, pair, assessment):
        raters = nominate(assessment, pair.coachee.user)
        nominations_submit(assessment=assessment, by=pair.coachee.user)

        approve_all(assessment, pair.coach.user)

        assessment.refresh_from_db()
        assert assessment.status == "collecting"
        surveys = Survey.objects.filter(assessment=assessment)
        assert sorted(surveys.values_list("rater_group", flat=True)) == [
            "manager",
            "peer",
            "peer",
            "peer",
            "self",
        ]
        assert {s.respondent for s in surveys} == {pair.coachee.person, *(n.rater for n in raters)}
        assert {s.about_person for s in surveys} == {pair.coachee.person}
        assert {s.purpose for s in surveys} == {"assessment_before"}
        assert {s.template.key for s in surveys} == {"assessment-360"}

    def test_rejections_below_three_peers_send_the_list_back(self, pair, assessment):
        nominate(assessment, pair.coachee.user)
        nominations_submit(assessment=assessment, by=pair.coachee.user)
        peer = assessment.nominations.filter(group="peer").first()

        nomination_decide(
            nomination=peer, approve=False, by=pair.coach.user, now=timezone.now(), reason="Too new"
        )
        approve_all(assessment, pair.coach.user)

        assessment.refresh_from_db()
        peer.refresh_from_db()
        assert assessment.status == "nominating"
        assert (peer.status, peer.reason) == ("rejected", "Too new")
        assert not Survey.objects.filter(assessment=assessment).exists()

    def test_an_admin_may_approve_but_not_the_coachee_or_a_stranger(
        self, pair, assessment, admin, outsider
    ):
        nominate(assessment, pair.coachee.user)
        nominations_submit(assessment=assessment, by=pair.coachee.user)
        nomination = assessment.nominations.first()

        for user in (pair.coachee.user, outsider.user):
            with pytest.raises(FeedbackError, match="Only the coach or a programme admin"):
                nomination_decide(nomination=nomination, approve=True, by=user, now=timezone.now())
        nomination_decide(nomination=nomination, approve=True, by=admin.user, now=timezone.now())
        with pytest.raises(FeedbackError, match="already decided"):
            nomination_decide(
                nomination=nomination, approve=True, by=admin.user, now=timezone.now()
            )

    def test_a_decision_made_meanwhile_is_not_overwritten(self, pair, assessment, admin):
        """Two approvers open the list; the coach rejects a rater, then the admin's page,
        read before, approves the same one: refused, the rejection stands."""
        nominate(assessment, pair.coachee.user)
        nominations_submit(assessment=assessment, by=pair.coachee.user)
        peer = assessment.nominations.filter(group="peer").first()
        seen_by_admin = RaterNomination.objects.get(pk=peer.pk)

        nomination_decide(
            nomination=peer, approve=False, by=pair.coach.user, now=timezone.now(), reason="No"
        )
        with pytest.raises(FeedbackError, match="already decided"):
            nomination_decide(
                nomination=seen_by_admin, approve=True, by=admin.user, now=timezone.now()
            )

        peer.refresh_from_db()
        assert (peer.status, peer.reason, peer.decided_by) == ("rejected", "No", pair.coach.user)


class TestRepeat:
    def test_the_after_assessment_asks_the_same_approved_raters(self, pair, assessment):
        nominate(assessment, pair.coachee.user, peers=4)
        nominations_submit(assessment=assessment, by=pair.coachee.user)
        rejected = assessment.nominations.filter(group="peer").first()
        nomination_decide(
            nomination=rejected, approve=False, by=pair.coach.user, now=timezone.now()
        )
        approve_all(assessment, pair.coach.user)

        after = assessment_repeat(assessment=assessment, by=pair.coach.user, now=timezone.now())

        assert (after.phase, after.status, after.previous) == ("after", "collecting", assessment)
        before_raters = set(
            assessment.nominations.filter(status="approved").values_list("rater", flat=True)
        )
        assert set(after.nominations.values_list("rater", flat=True)) == before_raters
        assert rejected.rater_id not in before_raters
        assert Survey.objects.filter(assessment=after, purpose="assessment_after").count() == 5
        assert Assessment360.objects.get(pk=assessment.pk).status == "closed"
        with pytest.raises(FeedbackError, match="already repeated"):
            assessment_repeat(assessment=assessment, by=pair.coach.user, now=timezone.now())

    def test_not_before_the_raters_were_asked(self, pair, assessment):
        with pytest.raises(FeedbackError, match="hasn't gone to its raters"):
            assessment_repeat(assessment=assessment, by=pair.coach.user, now=timezone.now())
        assert RaterNomination.objects.count() == 0


class TestWhatRatersAreTold:
    """Nobody is promised more anonymity than the report gives them."""

    def test_each_rater_group_is_told_exactly_who_sees_their_ratings(self, pair, assessment):
        by = pair.coachee.user
        manager = PersonFactory(user=UserFactory(), full_name="Mo Manager")
        peer = PersonFactory(user=UserFactory())
        nomination_add(assessment=assessment, rater=manager, group="manager", by=by)
        nomination_add(assessment=assessment, rater=peer, group="peer", by=by)
        nominate(assessment, by, peers=2, manager=False)
        nominations_submit(assessment=assessment, by=by)

        approve_all(assessment, pair.coach.user)

        requests = Notification.objects.filter(kind=Notification.Kind.SURVEY_REQUEST)
        name = pair.coachee.person.display_name
        to_manager = requests.get(recipient=manager.user).body
        to_peer = requests.get(recipient=peer.user).body
        to_self = requests.get(recipient=pair.coachee.user).body
        assert "Nobody" not in to_manager
        assert (
            f"You rate {name} as their manager, a group of one: {name} and their coach see "
            "your ratings as the manager's, so they will know they are yours. Your comments "
            "are not shown to them."
        ) in to_manager
        assert "Nobody else sees your answers on their own" not in to_self
        assert "You and your coach see your own ratings and comments as yours" in to_self
        assert (
            f"{name} and their coach see your ratings only in averages over at least 3 raters"
        ) in to_peer

    def test_the_approval_page_promises_no_more_than_the_report_gives(self, pair, assessment):
        page = pair.coach.client.get(reverse("feedback:assessment_approve", args=[assessment.pk]))

        assert "never one rater's answers" not in page.text
        assert "the manager's ratings as they are" in page.text


class TestRaceSafety:
    """Every change to a rater list re-reads the assessment under a lock, so a page read
    before another change (or a second request at the same moment) can't undo it."""

    def test_a_page_read_before_the_list_was_sent_adds_and_sends_nothing(self, pair, assessment):
        by = pair.coachee.user
        nominate(assessment, by)
        stale = Assessment360.objects.get(pk=assessment.pk)
        nominations_submit(assessment=assessment, by=by)

        with pytest.raises(FeedbackError, match="the list was sent for approval"):
            nomination_add(assessment=stale, rater=PersonFactory(), group="peer", by=by)
        with pytest.raises(FeedbackError, match="the list was sent for approval"):
            nominations_submit(assessment=stale, by=by)
        with pytest.raises(FeedbackError, match="the list was sent for approval"):
            nomination_remove(
                nomination=RaterNomination.objects.filter(group="peer").first(), by=by
            )

        assert assessment.nominations.count() == 4
        assert Notification.objects.filter(kind=Notification.Kind.RATERS_TO_APPROVE).count() == 1
        assert AuditEvent.objects.filter(action="feedback.raters_submit").count() == 1

    def test_a_decided_rater_stays_on_the_list(self, pair, assessment):
        by = pair.coachee.user
        nominate(assessment, by)
        nominations_submit(assessment=assessment, by=by)
        approved, rejected = assessment.nominations.filter(group="peer")[:2]
        nomination_decide(nomination=approved, approve=True, by=pair.coach.user, now=timezone.now())
        nomination_decide(
            nomination=rejected, approve=False, by=pair.coach.user, now=timezone.now()
        )
        approve_all(assessment, pair.coach.user)  # two peers approved: back to choosing
        assessment.refresh_from_db()
        assert assessment.status == "nominating"
        approved = RaterNomination.objects.select_related("rater", "assessment").get(pk=approved.pk)
        rejected = RaterNomination.objects.select_related("rater", "assessment").get(pk=rejected.pk)

        with pytest.raises(
            FeedbackError,
            match=f"{approved.rater.display_name} is already approved and stays on your list",
        ):
            nomination_remove(nomination=approved, by=by)
        with pytest.raises(FeedbackError, match="was not approved; the decision stays"):
            nomination_remove(nomination=rejected, by=by)
        assert RaterNomination.objects.filter(pk__in=[approved.pk, rejected.pk]).count() == 2

    def test_a_proposed_rater_can_be_removed(self, pair, assessment):
        [nomination] = nominate(assessment, pair.coachee.user, peers=0)

        nomination_remove(nomination=nomination, by=pair.coachee.user)

        assert not assessment.nominations.exists()

    def test_repeating_from_a_page_read_before_the_repeat_is_refused(self, pair, assessment):
        nominate(assessment, pair.coachee.user)
        nominations_submit(assessment=assessment, by=pair.coachee.user)
        approve_all(assessment, pair.coach.user)
        stale = Assessment360.objects.get(pk=assessment.pk)
        assessment_repeat(assessment=assessment, by=pair.coach.user, now=timezone.now())

        with pytest.raises(FeedbackError, match="already repeated"):
            assessment_repeat(assessment=stale, by=pair.coach.user, now=timezone.now())
        assert Assessment360.objects.filter(phase="after").count() == 1

    def test_an_after_assessment_made_some_other_way_is_not_a_500(self, pair, assessment):
        """The database's "one per phase" rule is met with the same refusal, not an error."""
        nominate(assessment, pair.coachee.user)
        nominations_submit(assessment=assessment, by=pair.coachee.user)
        approve_all(assessment, pair.coach.user)
        Assessment360.objects.create(
            programme=assessment.programme, coachee=assessment.coachee, phase="after"
        )

        with pytest.raises(FeedbackError, match="already repeated"):
            assessment_repeat(assessment=assessment, by=pair.coach.user, now=timezone.now())
        assert Assessment360.objects.get(pk=assessment.pk).status == "collecting"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no real race to test"
)
def test_two_repeats_at_once_make_one_after_assessment_and_one_refusal(pair):
    # A transactional test starts from a flushed database: the built-in questionnaires, which
    # a data migration installs, are gone.
    instruments_install()
    assessment = assessment_start(relationship=pair.relationship, by=pair.coachee.user)
    nominate(assessment, pair.coachee.user)
    nominations_submit(assessment=assessment, by=pair.coachee.user)
    approve_all(assessment, pair.coach.user)

    def repeat() -> None:
        found = Assessment360.objects.get(pk=assessment.pk)
        assessment_repeat(assessment=found, by=pair.coach.user, now=timezone.now())

    outcomes = at_once([repeat, repeat], refused=FeedbackError, done="repeated")

    assert sorted(outcomes) == ["This assessment was already repeated.", "repeated"]
    assert Assessment360.objects.filter(previous=assessment).count() == 1


class TestRepeatAtTheEnd:
    """The scheduler asks the same raters again once the coaching is over, once."""

    @pytest.fixture
    def collecting(self, pair, assessment):
        nominate(assessment, pair.coachee.user, peers=3)
        nominations_submit(assessment=assessment, by=pair.coachee.user)
        approve_all(assessment, pair.coach.user)
        return assessment

    def test_not_while_the_programme_runs(self, collecting):
        end = collecting.programme.ends_on
        now = timezone.make_aware(datetime.combine(end - timedelta(days=1), time(12)))
        assert assessments_repeat_due(now=now) == 0
        assert not Assessment360.objects.filter(phase="after").exists()

    def test_at_the_programme_end_and_only_once(self, collecting):
        end = collecting.programme.ends_on
        now = timezone.make_aware(datetime.combine(end, time(12)))
        assert surveys_schedule(now=now).assessment == 1
        after = Assessment360.objects.get(phase="after")
        assert (after.previous, after.status) == (collecting, "collecting")
        assert Survey.objects.filter(assessment=after, purpose="assessment_after").count() == 5
        entry = AuditEvent.objects.get(action="feedback.assessment_repeat")
        assert entry.actor is None
        assert surveys_schedule(now=now).assessment == 0

    def test_when_the_relationship_completes_before_the_end(self, pair, collecting):
        CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
            status="completed", finished_at=timezone.now()
        )
        assert assessments_repeat_due(now=timezone.now()) == 1
