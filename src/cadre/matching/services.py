"""Matching a programme: starting runs, reviewing what they propose, and approving pairs.

Only programme admins run and approve matching. A run is queued here and done by the
``match_run_apply`` task (``tasks.py``), which calls ``running.match_run_execute``.

Approving a proposal creates a proposed relationship through
``cadre.coaching.services.relationship_propose(origin="matching")``, which checks every hard
rule again under its own locks; the run row is locked while approving, so two admins
approving at once can't both create a pair (and the coaching constraint of one live
relationship per coachee is the backstop).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.access import require_programme_admin
from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.coaching.models import RelationshipOrigin
from cadre.coaching.rules import CoachingError
from cadre.coaching.services import PAIRING_PROGRAMME_STATUSES, relationship_propose
from cadre.matching.adapter import (
    DEFAULT_SEED,
    DEFAULT_TOP_K,
    Rules,
    matching_input,
    pair_score,
)
from cadre.matching.models import (
    MatchExclusion,
    MatchPin,
    MatchProposal,
    MatchRun,
    UnmatchedCoachee,
)
from cadre.matching.running import match_run_execute
from cadre.matching.tasks import match_run_apply
from cadre.people.models import Person
from cadre.programs.models import Programme


class MatchingError(CoachingError):
    """A matching request was refused; the message says why. A ``CoachingError``, so pages
    and the API show it the same way."""


# Runs -----------------------------------------------------------------------------------------


def run_parameters(
    *,
    programme: Programme,
    weights: dict[str, float] | None = None,
    top_k: int = DEFAULT_TOP_K,
    seed: int = DEFAULT_SEED,
    rules: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a run records about how it was asked to match: weights, top-K, seed and the
    programme's rules as they are now (``rules`` overrides some, e.g. past pairs)."""
    return {
        "weights": dict(weights or {}),
        "top_k": top_k,
        "seed": seed,
        "rules": Rules.of(programme, **(rules or {})).as_dict(),
    }


def match_run_start(
    *,
    programme: Programme,
    by: User,
    kind: str = MatchRun.Kind.FULL,
    parameters: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    synchronous: bool = False,
) -> MatchRun:
    """Queue a run of ``kind`` for ``programme`` (admins only), or do it here and now with
    ``synchronous`` (the demo). One run at a time per programme: a second is refused."""
    require_programme_admin(by)
    if kind not in MatchRun.Kind.values:
        raise MatchingError(f"Unknown kind of run: {kind}.")
    if programme.status not in PAIRING_PROGRAMME_STATUSES:
        status = Programme.Status(programme.status).label.lower()
        raise MatchingError(
            f"“{programme}” is {status}: it is matched only while it is matching or running."
        )
    with transaction.atomic():
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        busy = MatchRun.objects.filter(
            programme=programme, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
        ).first()
        if busy is not None and _left_behind(busy, by=by, request=request):
            busy = None  # failed as left behind: the programme is free
        if busy is not None:
            raise MatchingError(
                f"“{programme}” is being matched already (run #{busy.pk}, "
                f"{busy.get_status_display().lower()}): wait for it to finish."
            )
        try:
            with transaction.atomic():
                run = MatchRun.objects.create(
                    programme=programme,
                    kind=kind,
                    parameters=parameters or run_parameters(programme=programme),
                    started_by=by,
                    stage="Waiting for a worker",
                )
        except IntegrityError:
            raise MatchingError(f"“{programme}” is being matched already.") from None
        audit_record(
            actor=by,
            action="matching.run_start",
            target=run,
            request=request,
            details={"programme": programme.pk, "kind": kind, "synchronous": synchronous},
        )
        if not synchronous:
            match_run_apply.enqueue(run_id=run.pk)
    if synchronous:
        return match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


# A run still queued or running this long after it was started was left behind by a worker
# that stopped (a crash, a deploy) or never came: the next start fails it. The largest
# programmes are matched in minutes.
RUN_STUCK_AFTER = timedelta(hours=2)
STUCK_ERROR = (
    "The run stopped without finishing, probably because its worker was restarted or none "
    "was running; nothing was saved. Start the run again."
)


def _left_behind(run: MatchRun, *, by: User, request: HttpRequest | None) -> bool:
    """Fail ``run`` if it has been queued or running for :data:`RUN_STUCK_AFTER`; whether it
    was. A worker that takes it up afterwards finds it no longer queued and does nothing."""
    now = timezone.now()
    if run.status not in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING):
        return False
    if (run.started_at or run.created_at) > now - RUN_STUCK_AFTER:
        return False
    failed = MatchRun.objects.filter(pk=run.pk, status=run.status).update(
        status=MatchRun.Status.FAILED, stage="Failed", finished_at=now, error=STUCK_ERROR
    )
    if failed:
        audit_record(
            actor=by,
            action="matching.run_fail_stuck",
            target=run,
            request=request,
            details={"programme": run.programme_id, "status": run.status},
        )
    return bool(failed)


def match_run_fail_if_left_behind(
    *, run: MatchRun, by: User, request: HttpRequest | None = None
) -> MatchRun:
    """The run as it is now, after failing it if it was left behind (queued or running for
    :data:`RUN_STUCK_AFTER`). Its page calls this, so that an admin who opens it sees what
    happened instead of a run that never ends."""
    require_programme_admin(by)
    if _left_behind(run, by=by, request=request):
        run.refresh_from_db()
    return run


def match_rerun(*, run: MatchRun, by: User, request: HttpRequest | None = None) -> MatchRun:
    """Run the programme again with ``run``'s kind and parameters; pins are kept (they
    belong to the programme), exclusions too."""
    return match_run_start(
        programme=run.programme,
        by=by,
        kind=run.kind,
        parameters=run.parameters,
        request=request,
    )


# Review -----------------------------------------------------------------------------------------


def _require_reviewable(run: MatchRun) -> None:
    if run.status != MatchRun.Status.FINISHED:
        raise MatchingError(
            f"Run #{run.pk} is {run.get_status_display().lower()}: only a "
            "finished run's proposals can be changed."
        )


def _require_undecided(proposal: MatchProposal) -> None:
    if proposal.relationship_id is not None:
        raise MatchingError(f"{proposal.coach} for {proposal.coachee} is approved already.")


def proposal_pin(
    *, proposal: MatchProposal, by: User, request: HttpRequest | None = None
) -> MatchPin:
    """Pin the proposal's pair: every later run of the programme proposes it (a coachee is
    pinned to one coach; pinning another coach moves the pin)."""
    require_programme_admin(by)
    _require_reviewable(proposal.run)
    with transaction.atomic():
        pin, _ = MatchPin.objects.update_or_create(
            programme=proposal.run.programme,
            coachee=proposal.coachee,
            defaults={"coach": proposal.coach, "by": by, "at": timezone.now()},
        )
        MatchExclusion.objects.filter(
            programme=proposal.run.programme, coachee=proposal.coachee, coach=proposal.coach
        ).delete()
        proposal.pinned = True
        proposal.save(update_fields=["pinned"])
        audit_record(
            actor=by,
            action="matching.pin",
            target=proposal.run,
            request=request,
            details={"coachee": proposal.coachee_id, "coach": proposal.coach_id},
        )
    return pin


def proposal_unpin(
    *, proposal: MatchProposal, by: User, request: HttpRequest | None = None
) -> None:
    """Remove the pin of the proposal's coachee."""
    require_programme_admin(by)
    with transaction.atomic():
        MatchPin.objects.filter(programme=proposal.run.programme, coachee=proposal.coachee).delete()
        proposal.pinned = False
        proposal.save(update_fields=["pinned"])
        audit_record(
            actor=by,
            action="matching.unpin",
            target=proposal.run,
            request=request,
            details={"coachee": proposal.coachee_id, "coach": proposal.coach_id},
        )


def pair_exclude(
    *, proposal: MatchProposal, by: User, request: HttpRequest | None = None
) -> MatchExclusion:
    """Rule the proposal's pair out of the programme: no later run proposes it. The proposal
    leaves the run and its coachee is listed as unmatched until the next run."""
    require_programme_admin(by)
    _require_reviewable(proposal.run)
    _require_undecided(proposal)
    with transaction.atomic():
        exclusion, _ = MatchExclusion.objects.get_or_create(
            programme=proposal.run.programme,
            coachee=proposal.coachee,
            coach=proposal.coach,
            defaults={"by": by, "at": timezone.now()},
        )
        MatchPin.objects.filter(
            programme=proposal.run.programme, coachee=proposal.coachee, coach=proposal.coach
        ).delete()
        UnmatchedCoachee.objects.get_or_create(
            run=proposal.run,
            coachee=proposal.coachee,
            defaults={"reasons": {EXCLUDED_BY_ADMIN: 1}},
        )
        audit_record(
            actor=by,
            action="matching.exclude",
            target=proposal.run,
            request=request,
            details={"coachee": proposal.coachee_id, "coach": proposal.coach_id},
        )
        proposal.delete()
    return exclusion


EXCLUDED_BY_ADMIN = "excluded"


def exclusion_delete(
    *, exclusion: MatchExclusion, by: User, request: HttpRequest | None = None
) -> None:
    """Allow the excluded pair again in later runs."""
    require_programme_admin(by)
    with transaction.atomic():
        audit_record(
            actor=by,
            action="matching.exclusion_delete",
            target=exclusion.programme,
            request=request,
            details={"coachee": exclusion.coachee_id, "coach": exclusion.coach_id},
        )
        exclusion.delete()


@dataclass(frozen=True)
class SwapResult:
    proposal: MatchProposal
    old_score: float
    new_score: float

    @property
    def change(self) -> float:
        return round(self.new_score - self.old_score, 4)


def proposal_swap(
    *, proposal: MatchProposal, coach: Person, by: User, request: HttpRequest | None = None
) -> SwapResult:
    """Give the proposal's coachee ``coach`` instead, if the hard rules allow the pair and
    the coach has a place left in this run; the new score is the engine's for that pair."""
    require_programme_admin(by)
    run = proposal.run
    _require_reviewable(run)
    _require_undecided(proposal)
    if coach.pk == proposal.coach_id:
        raise MatchingError(f"{coach} is the proposed coach already.")
    with transaction.atomic():
        MatchRun.objects.select_for_update().filter(pk=run.pk).first()
        rules = Rules.of(run.programme, **(run.parameters or {}).get("rules", {}))
        data = matching_input(
            programme=run.programme, kind=MatchRun.Kind.FULL, rules=rules, coachee_ids=[]
        )
        record = next((c for c in data.coaches if c.person_id == coach.pk), None)
        if record is None:
            raise MatchingError(f"{coach} is not an approved coach in “{run.programme}”.")
        in_run = MatchProposal.objects.filter(run=run, coach=coach).count()
        if record.load + in_run >= record.capacity:
            raise MatchingError(
                f"{coach} has no place left: {record.load} live and {in_run} proposed in this "
                f"run, of {record.capacity}."
            )
        scored = pair_score(
            programme=run.programme,
            rules=rules,
            coachee=proposal.coachee,
            coach=coach,
            weights=(run.parameters or {}).get("weights") or {},
        )
        if scored.refusals:
            raise MatchingError(
                f"{coach} can't coach {proposal.coachee}: " + "; ".join(scored.refusals) + "."
            )
        old_score, old_coach = proposal.score, proposal.coach
        proposal.swapped_from = proposal.swapped_from or old_coach
        proposal.coach = coach
        proposal.score = round(scored.score, 4)
        proposal.factors = {name: round(v, 4) for name, v in scored.factors.items()}
        proposal.rank = scored.rank
        proposal.pinned = False
        proposal.refusal = ""
        proposal.save()
        MatchPin.objects.filter(programme=run.programme, coachee=proposal.coachee).delete()
        audit_record(
            actor=by,
            action="matching.swap",
            target=run,
            request=request,
            details={
                "coachee": proposal.coachee_id,
                "from": old_coach.pk,
                "to": coach.pk,
                "score_change": round(proposal.score - old_score, 4),
            },
        )
    return SwapResult(proposal=proposal, old_score=old_score, new_score=proposal.score)


# Approval ----------------------------------------------------------------------------------------


@dataclass
class Approval:
    """What approving did: the proposals now relationships, and the ones refused, why."""

    approved: list[MatchProposal] = field(default_factory=list)
    refused: list[tuple[MatchProposal, str]] = field(default_factory=list)
    already: list[MatchProposal] = field(default_factory=list)


def proposals_approve(
    *,
    run: MatchRun,
    proposal_ids: list[int],
    by: User,
    request: HttpRequest | None = None,
) -> Approval:
    """Make the chosen proposals of ``run`` proposed relationships, through the coaching
    service (every hard rule checked again). The run row is locked throughout, so a second
    admin approving the same proposals waits, then finds them approved."""
    require_programme_admin(by)
    outcome = Approval()
    with transaction.atomic():
        locked = MatchRun.objects.select_for_update().select_related("programme").get(pk=run.pk)
        _require_reviewable(locked)
        proposals = list(
            MatchProposal.objects.filter(run=locked, pk__in=proposal_ids)
            .select_related("coach", "coachee")
            .order_by("coachee__full_name", "pk")
        )
        if not proposals:
            raise MatchingError("Choose at least one proposal of this run to approve.")
        for proposal in proposals:
            if proposal.relationship_id is not None:
                outcome.already.append(proposal)
                continue
            try:
                with transaction.atomic():
                    relationship = relationship_propose(
                        programme=locked.programme,
                        coach=proposal.coach,
                        coachee=proposal.coachee,
                        proposed_by=by,
                        origin=RelationshipOrigin.MATCHING,
                        request=request,
                    )
            except CoachingError as error:
                proposal.refusal = str(error)[:2000]
                proposal.save(update_fields=["refusal"])
                outcome.refused.append((proposal, str(error)))
                continue
            proposal.relationship = relationship
            proposal.approved_by = by
            proposal.approved_at = timezone.now()
            proposal.refusal = ""
            proposal.save(update_fields=["relationship", "approved_by", "approved_at", "refusal"])
            outcome.approved.append(proposal)
        audit_record(
            actor=by,
            action="matching.approve",
            target=locked,
            request=request,
            details={
                "approved": [p.pk for p in outcome.approved],
                "refused": [p.pk for p, _ in outcome.refused],
                "already": [p.pk for p in outcome.already],
            },
        )
    return outcome
