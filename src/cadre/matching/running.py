"""Doing a matching run: what the worker runs for a queued run (``tasks.match_run_apply``),
and ``services.match_run_start`` for a synchronous one.

``match_run_execute`` reads the programme (``adapter.matching_input``), solves with the
engine, and writes the proposals, the unmatched coachees and the summary, moving the run's
progress on as it goes. Who may start a run is checked when it is started, in ``services``.
"""

import time
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cadre.matching.adapter import (
    DEFAULT_SEED,
    DEFAULT_TOP_K,
    EngineOutcome,
    MatchingInput,
    Rules,
    engine_solve,
    matching_input,
)
from cadre.matching.models import MatchProposal, MatchRun, UnmatchedCoachee


class _FailedMeanwhileError(Exception):
    """The run was failed as left behind while this worker was still on it."""


def _running(run_id: int) -> QuerySet[MatchRun]:
    # Every write of a worker is conditional on the run still running: a run failed as left
    # behind (``services._left_behind``: by the next start, the run's page or the API) keeps
    # that outcome, and nothing of it is saved.
    return MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.RUNNING)


def _progress(run_id: int, progress: int, stage: str) -> None:
    _running(run_id).update(progress=progress, stage=stage)


def match_run_execute(*, run_id: int) -> MatchRun:
    """Do the queued run ``run_id``: read, solve, write. Failures are recorded on the run
    (status failed, the error in words) and change nothing else."""
    started = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING,
        started_at=timezone.now(),
        progress=5,
        stage="Reading the programme",
    )
    run = MatchRun.objects.select_related("programme").get(pk=run_id)
    if not started:
        return run  # done or being done by another worker
    clock = time.perf_counter()
    try:
        # Progress is saved outside the transaction that writes the outcome, so that the run's
        # page sees it move while the engine works.
        parameters = run.parameters or {}
        rules = Rules.of(run.programme, **parameters.get("rules", {}))
        data = matching_input(programme=run.programme, kind=run.kind, rules=rules)
        _progress(
            run_id, 30, f"Matching {len(data.coachees)} coachees with {len(data.coaches)} coaches"
        )
        outcome = engine_solve(
            data,
            weights=parameters.get("weights") or {},
            top_k=int(parameters.get("top_k") or DEFAULT_TOP_K),
            seed=int(parameters.get("seed") or DEFAULT_SEED),
        )
        _progress(run_id, 85, "Saving the proposals")
        with transaction.atomic():
            _outcome_save(run, data, outcome)
            finished = _running(run_id).update(
                status=MatchRun.Status.FINISHED,
                progress=100,
                stage="Finished",
                finished_at=timezone.now(),
                duration_seconds=round(time.perf_counter() - clock, 3),
                objective=outcome.objective,
                bound=outcome.bound,
                gap=outcome.gap,
                certified=outcome.certified,
                summary=_summary(data, outcome),
            )
            if not finished:
                raise _FailedMeanwhileError  # roll the proposals back
    except _FailedMeanwhileError:
        pass
    except Exception as error:
        _running(run_id).update(
            status=MatchRun.Status.FAILED,
            stage="Failed",
            finished_at=timezone.now(),
            duration_seconds=round(time.perf_counter() - clock, 3),
            error=str(error)[:2000] or error.__class__.__name__,
        )
    run.refresh_from_db()
    return run


def _outcome_save(run: MatchRun, data: MatchingInput, outcome: EngineOutcome) -> None:
    pinned = set(data.pins)
    MatchProposal.objects.bulk_create(
        MatchProposal(
            run=run,
            coachee_id=pair.coachee_id,
            coach_id=pair.coach_id,
            score=round(pair.score, 4),
            factors={name: round(value, 4) for name, value in pair.factors.items()},
            rank=pair.rank,
            options=pair.options,
            pinned=(pair.coachee_id, pair.coach_id) in pinned,
        )
        for pair in outcome.pairs
    )
    UnmatchedCoachee.objects.bulk_create(
        UnmatchedCoachee(run=run, coachee_id=coachee_id, reasons=reasons)
        for coachee_id, reasons in outcome.unmatched
    )


def _summary(data: MatchingInput, outcome: EngineOutcome) -> dict[str, Any]:
    departments = {record.person_id: record.department_id for record in data.coachees}
    departments.update({record.person_id: record.department_id for record in data.coaches})
    crossing = sum(
        1
        for pair in outcome.pairs
        if departments.get(pair.coachee_id) != departments.get(pair.coach_id)
    )
    proposed: dict[int, int] = {}
    for pair in outcome.pairs:
        proposed[pair.coach_id] = proposed.get(pair.coach_id, 0) + 1
    matched = len(outcome.pairs)
    names = data.names
    return {
        "coachees": len(data.coachees),
        "coaches": len(data.coaches),
        "matched": matched,
        "unmatched": len(outcome.unmatched),
        "unmatched_reasons": [
            {"coachee": coachee_id, "name": names.get(coachee_id, ""), "reasons": reasons}
            for coachee_id, reasons in outcome.unmatched
        ],
        "cross_department_share": round(crossing / matched, 4) if matched else 0.0,
        "mean_score": round(sum(p.score for p in outcome.pairs) / matched, 4) if matched else 0.0,
        "coach_load": [
            {
                "coach": record.person_id,
                "name": record.name,
                "live": record.load,
                "proposed": proposed.get(record.person_id, 0),
                "load": record.load + proposed.get(record.person_id, 0),
                "capacity": record.capacity,
            }
            for record in data.coaches
        ],
        "pins": len(data.pins),
        "exclusions": len(data.exclusions),
        "statistics": outcome.statistics,
    }
