"""The matching workflow end to end: run, review, pin, re-run, approve, relationships; the
incremental run; who may do it; and refusals named clearly."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import CoachingRelationship
from cadre.coaching.services import relationship_end
from cadre.matching import running
from cadre.matching.models import (
    MatchExclusion,
    MatchPin,
    MatchProposal,
    MatchRun,
    UnmatchedCoachee,
)
from cadre.matching.running import match_run_execute
from cadre.matching.services import (
    STUCK_ERROR,
    MatchingError,
    match_rerun,
    match_run_start,
    pair_exclude,
    proposal_pin,
    proposal_swap,
    proposals_approve,
)
from cadre.people.models import Person
from cadre.programs.models import Programme
from tests.concurrency import at_once
from tests.matching.conftest import add_coach, add_coachee
from tests.programs.conftest import put_in

pytestmark = pytest.mark.django_db


def pairs_of(run: MatchRun) -> dict[str, str]:
    return {
        p.coachee.full_name: p.coach.full_name
        for p in run.proposals.select_related("coach", "coachee")
    }


def test_a_run_proposes_every_coachee_a_coach_within_capacity(cohort, admin):
    run = match_run_start(programme=cohort.programme, by=admin.user)

    assert (run.status, run.progress, run.stage) == ("finished", 100, "Finished")
    assert len(pairs_of(run)) == 4
    load = {row["name"]: row["load"] for row in run.summary["coach_load"]}
    assert all(count <= 2 for count in load.values())
    assert run.summary["matched"] == 4
    assert run.summary["unmatched"] == 0
    assert run.summary["mean_score"] == pytest.approx(
        sum(p.score for p in run.proposals.all()) / 4, abs=1e-3
    )
    assert run.gap == 0
    assert run.certified
    assert run.duration_seconds is not None
    assert run.started_at
    assert run.finished_at
    proposal = run.proposals.first()
    assert set(proposal.factors) == {
        "competency",
        "silo",
        "availability",
        "preference",
        "seniority",
    }
    assert proposal.rank >= 1
    assert proposal.options >= proposal.rank
    assert AuditEvent.objects.filter(action="matching.run_start").count() == 1


def test_the_workflow_pin_rerun_approve_makes_relationships(cohort, admin):
    first = match_run_start(programme=cohort.programme, by=admin.user)
    dana = cohort.coachees[0]
    chen = cohort.coaches[2]
    proposal = first.proposals.get(coachee=dana)
    if proposal.coach != chen:
        proposal_swap(proposal=proposal, coach=chen, by=admin.user)
        proposal.refresh_from_db()
    proposal_pin(proposal=proposal, by=admin.user)

    second = match_rerun(run=first, by=admin.user)

    assert second.pk != first.pk
    assert second.status == "finished"
    kept = second.proposals.get(coachee=dana)
    assert (kept.coach, kept.pinned) == (chen, True)
    outcome = proposals_approve(
        run=second, proposal_ids=list(second.proposals.values_list("pk", flat=True)), by=admin.user
    )
    assert len(outcome.approved) == 4
    assert outcome.refused == []
    relationships = CoachingRelationship.objects.filter(programme=cohort.programme)
    assert sorted(
        (r.coachee.full_name, r.coach.full_name, r.origin, r.status) for r in relationships
    ) == sorted(
        (coachee, coach, "matching", "proposed") for coachee, coach in pairs_of(second).items()
    )
    assert set(second.proposals.values_list("approved_by", flat=True)) == {admin.user.pk}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"matching.run_start", "matching.pin", "matching.approve"} <= actions


def test_approving_twice_creates_nothing_new(cohort, admin):
    run = match_run_start(programme=cohort.programme, by=admin.user)
    ids = list(run.proposals.values_list("pk", flat=True))
    proposals_approve(run=run, proposal_ids=ids, by=admin.user)

    again = proposals_approve(run=run, proposal_ids=ids, by=admin.user)

    assert (len(again.approved), len(again.already)) == (0, 4)
    assert CoachingRelationship.objects.count() == 4


def test_approval_checks_the_hard_rules_again_and_says_why(cohort, admin):
    run = match_run_start(programme=cohort.programme, by=admin.user)
    proposal = run.proposals.select_related("coach").first()
    # Since the run, the coach's certification lapsed.
    proposal.coach.certifications.all().delete()

    outcome = proposals_approve(run=run, proposal_ids=[proposal.pk], by=admin.user)

    assert outcome.approved == []
    [(refused, reason)] = outcome.refused
    assert "Only certified coaches coach" in reason
    refused.refresh_from_db()
    assert refused.refusal == reason
    assert refused.relationship is None


def test_an_excluded_pair_is_never_proposed_again(cohort, admin):
    run = match_run_start(programme=cohort.programme, by=admin.user)
    proposal = run.proposals.select_related("coach", "coachee").first()
    coach, coachee = proposal.coach, proposal.coachee

    pair_exclude(proposal=proposal, by=admin.user)

    assert MatchExclusion.objects.filter(coach=coach, coachee=coachee).exists()
    assert run.unmatched.filter(coachee=coachee).exists()
    again = match_rerun(run=run, by=admin.user)
    assert again.proposals.get(coachee=coachee).coach != coach


def test_a_swap_shows_the_score_change_and_refuses_a_pair_the_rules_forbid(cohort, admin):
    run = match_run_start(programme=cohort.programme, by=admin.user)
    proposal = run.proposals.select_related("coach").get(coachee=cohort.coachees[1])
    other = next(c for c in cohort.coaches if c != proposal.coach)
    before = proposal.score
    # Make room for the swap if the other coach is full in this run.
    for extra in run.proposals.filter(coach=other).exclude(pk=proposal.pk)[1:]:
        extra.delete()

    swap = proposal_swap(proposal=proposal, coach=other, by=admin.user)

    assert swap.old_score == before
    assert swap.change == pytest.approx(swap.new_score - before, abs=1e-4)
    proposal.refresh_from_db()
    assert (proposal.coach, proposal.swapped_from_id) == (other, swap.proposal.swapped_from_id)
    junior = add_coach(cohort.programme, "Junior Jones", "Legal", level=5)
    with pytest.raises(MatchingError, match="not senior enough"):
        proposal_swap(proposal=proposal, coach=junior, by=admin.user)


def test_an_incremental_run_matches_late_joiners_into_free_places_only(cohort, admin):
    first = match_run_start(programme=cohort.programme, by=admin.user)
    proposals_approve(
        run=first, proposal_ids=list(first.proposals.values_list("pk", flat=True)), by=admin.user
    )
    live_before = set(CoachingRelationship.objects.values_list("pk", "coach_id", "coachee_id"))
    late = add_coachee(cohort.programme, "Hana Hill", "Sales")

    second = match_run_start(programme=cohort.programme, by=admin.user, kind="incremental")

    assert pairs_of(second).keys() == {"Hana Hill"}
    load = {row["coach"]: row for row in second.summary["coach_load"]}
    coach = second.proposals.get().coach_id
    assert load[coach]["live"] + 1 == load[coach]["load"] <= load[coach]["capacity"]
    assert (
        set(CoachingRelationship.objects.values_list("pk", "coach_id", "coachee_id")) == live_before
    )
    assert late.pk == second.proposals.get().coachee_id


def test_a_rematch_after_a_no_fault_ending_goes_first_and_gets_a_new_coach(cohort, admin):
    run = match_run_start(programme=cohort.programme, by=admin.user)
    proposal = run.proposals.select_related("coach", "coachee").get(coachee=cohort.coachees[0])
    proposals_approve(run=run, proposal_ids=[proposal.pk], by=admin.user)
    proposal.refresh_from_db()
    relationship_end(
        relationship=proposal.relationship,
        reason=CoachingRelationship.EndReason.NO_FAULT,
        note="",
        ended_by=admin.user,
    )

    again = match_run_start(programme=cohort.programme, by=admin.user, kind="incremental")

    rematch = again.proposals.get(coachee=cohort.coachees[0])
    assert rematch.coach != proposal.coach  # past pairs are excluded


def test_one_run_at_a_time_per_programme(cohort, admin, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    queued = match_run_start(programme=cohort.programme, by=admin.user)
    assert queued.status == "queued"

    with pytest.raises(MatchingError, match=rf"being matched already \(run #{queued.pk}, queued\)"):
        match_run_start(programme=cohort.programme, by=admin.user)


def test_a_run_left_behind_for_two_hours_is_failed_by_the_next_start(cohort, admin, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    left = match_run_start(programme=cohort.programme, by=admin.user)
    MatchRun.objects.filter(pk=left.pk).update(
        status=MatchRun.Status.RUNNING, started_at=timezone.now() - timedelta(minutes=10)
    )
    with pytest.raises(MatchingError, match=rf"being matched already \(run #{left.pk}, running\)"):
        match_run_start(programme=cohort.programme, by=admin.user)

    MatchRun.objects.filter(pk=left.pk).update(started_at=timezone.now() - timedelta(hours=3))
    fresh = match_run_start(programme=cohort.programme, by=admin.user)

    left.refresh_from_db()
    assert (fresh.status, left.status, left.error) == ("queued", "failed", STUCK_ERROR)
    event = AuditEvent.objects.get(action="matching.run_fail_stuck")
    assert (event.target_id, event.details["status"]) == (str(left.pk), "running")
    # Its worker, if it ever comes back, saves nothing.
    assert match_run_execute(run_id=left.pk).status == "failed"
    assert not left.proposals.exists()


def test_a_worker_whose_run_was_failed_meanwhile_saves_nothing(
    cohort, admin, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    run = match_run_start(programme=cohort.programme, by=admin.user)
    solve = running.engine_solve

    def failed_while_solving(*args, **kwargs):
        MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.FAILED, error=STUCK_ERROR)
        return solve(*args, **kwargs)

    monkeypatch.setattr(running, "engine_solve", failed_while_solving)
    run = match_run_execute(run_id=run.pk)

    assert (run.status, run.error, run.progress) == ("failed", STUCK_ERROR, 30)
    assert not run.proposals.exists()
    assert not UnmatchedCoachee.objects.filter(run=run).exists()


def test_only_programmes_taking_pairs_are_matched(cohort, admin):
    put_in(cohort.programme, Programme.Status.CLOSED)

    with pytest.raises(MatchingError, match="is closed: it is matched only while"):
        match_run_start(programme=cohort.programme, by=admin.user)


def test_only_programme_admins_run_pin_and_approve(cohort, admin, coach, sponsor):
    run = match_run_start(programme=cohort.programme, by=admin.user)
    proposal = run.proposals.first()
    for member in (coach, sponsor):
        with pytest.raises(PermissionDenied):
            match_run_start(programme=cohort.programme, by=member.user)
        with pytest.raises(PermissionDenied):
            proposal_pin(proposal=proposal, by=member.user)
        with pytest.raises(PermissionDenied):
            proposals_approve(run=run, proposal_ids=[proposal.pk], by=member.user)
    assert not MatchPin.objects.exists()
    assert not CoachingRelationship.objects.exists()


def test_a_coachee_no_coach_may_take_is_listed_with_the_rules_counted(cohort, admin):
    lonely = add_coachee(cohort.programme, "Ivo Ivanov", "Sales")
    Person.objects.filter(pk=lonely.pk).update(languages=["fi"])
    for coach in cohort.coaches:
        Person.objects.filter(pk=coach.pk).update(level=5)

    run = match_run_start(programme=cohort.programme, by=admin.user)

    assert run.summary["matched"] == 0
    reasons = run.unmatched.get(coachee=lonely).reasons
    assert reasons["language"] == 3
    assert reasons["level_gap"] == 3


def test_a_failing_run_is_recorded_and_changes_nothing(cohort, admin):
    Person.objects.filter(pk=cohort.coachees[0].pk).update(languages=[f"l{n}" for n in range(70)])

    run = match_run_start(programme=cohort.programme, by=admin.user)

    assert run.status == "failed"
    assert "64 languages" in run.error
    assert not MatchProposal.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no real race to test"
)
def test_two_admins_approving_at_once_make_each_pair_once(cohort, admin):
    run = match_run_start(programme=cohort.programme, by=admin.user)
    ids = list(run.proposals.values_list("pk", flat=True))
    outcomes = at_once([lambda: proposals_approve(run=run, proposal_ids=ids, by=admin.user)] * 2)

    assert sorted(len(o.approved) for o in outcomes) == [0, 4]
    assert sorted(len(o.already) for o in outcomes) == [0, 4]
    assert CoachingRelationship.objects.count() == 4
