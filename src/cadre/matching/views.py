"""The matching pages, for programme admins: a programme's matching (start a run, the runs
so far, pins and exclusions), a run's progress and summary, the review of its proposals
(filters, search, explanations, pin / exclude / swap, bulk approval, the department matrix)
and one proposal's explanation with the swap.

Every page fetches through ``access`` (403 for anyone but programme admins, 404 for ids that
aren't there) and changes go through ``services``.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.core.charts import bars
from cadre.matching.access import (
    exclusion_for_admin,
    programme_for_matching,
    proposal_for_admin,
    require_matching_admin,
    run_for_admin,
)
from cadre.matching.adapter import FACTOR_LABELS, REASON_LABELS
from cadre.matching.forms import ReviewFilterForm, RunStartForm, SwapForm
from cadre.matching.models import MatchRun
from cadre.matching.queries import (
    active_run,
    coach_load_bars,
    department_matrix,
    exclusions_of,
    pins_of,
    programme_coach_choices,
    programmes_for_matching,
    proposals_for_review,
    run_departments,
    runs_of,
    unmatched_for_review,
    unmatched_reason_bars,
)
from cadre.matching.services import (
    MatchingError,
    exclusion_delete,
    match_rerun,
    match_run_fail_if_left_behind,
    match_run_start,
    pair_exclude,
    proposal_pin,
    proposal_swap,
    proposal_unpin,
    proposals_approve,
)

SECTION = "matching"


@login_required
def matching_index(request: AuthenticatedRequest) -> HttpResponse:
    require_matching_admin(request.user)
    context = {"programmes": programmes_for_matching(), "section": SECTION}
    return render(request, "matching/index.html", context)


@login_required
def programme_matching(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = programme_for_matching(request.user, pk)
    form = RunStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = match_run_start(
                programme=programme,
                by=request.user,
                kind=form.cleaned_data["kind"],
                parameters=form.parameters(),
                request=request,
            )
        except MatchingError as error:
            messages.error(request, str(error))
        else:
            return redirect("matching:run", pk=run.pk)
    context = {
        "programme": programme,
        "form": form,
        "runs": runs_of(programme),
        "active_run": active_run(programme),
        "pins": pins_of(programme),
        "exclusions": exclusions_of(programme),
        "section": SECTION,
    }
    return render(request, "matching/programme.html", context)


def _reasons(reasons: dict[str, int]) -> list[tuple[str, int]]:
    return [(REASON_LABELS.get(rule, rule), count) for rule, count in reasons.items()]


@login_required
def run_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = match_run_fail_if_left_behind(
        run=run_for_admin(request.user, pk), by=request.user, request=request
    )
    context: dict[str, Any] = {"run": run, "section": SECTION}
    if run.status == MatchRun.Status.FINISHED:
        context |= {
            "load_bars": coach_load_bars(run),
            "reason_bars": bars(
                (REASON_LABELS.get(bar.label, bar.label), bar.value)
                for bar in unmatched_reason_bars(run)
            ),
            "cross_percent": round(100 * run.summary.get("cross_department_share", 0)),
        }
    template = "matching/run.html#progress" if request.htmx else "matching/run.html"
    return render(request, template, context)


@login_required
def run_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = run_for_admin(request.user, pk)
    form = ReviewFilterForm(request.GET or None, departments=run_departments(run))
    filters = form.filters()
    proposals = [] if filters.unmatched_only else list(proposals_for_review(run, filters))
    unmatched = [(item, _reasons(item.reasons)) for item in unmatched_for_review(run, filters)]
    context = {
        "run": run,
        "form": form,
        "rows": [
            (proposal, [(FACTOR_LABELS.get(n, n), v) for n, v in proposal.factors.items()])
            for proposal in proposals
        ],
        "unmatched": unmatched,
        "matrix": department_matrix(run),
        "narrowed": filters.narrowed or filters.unmatched_only,
        "section": SECTION,
    }
    template = "matching/review.html#results" if request.htmx else "matching/review.html"
    return render(request, template, context)


@login_required
def proposal_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_admin(request.user, pk)
    form = SwapForm(
        coaches=programme_coach_choices(proposal.run.programme).exclude(pk=proposal.coach_id)
    )
    context = {
        "proposal": proposal,
        "run": proposal.run,
        "factor_bars": bars(
            (FACTOR_LABELS.get(name, name), round(100 * value))
            for name, value in proposal.factors.items()
        ),
        "form": form,
        "section": SECTION,
    }
    return render(request, "matching/proposal.html", context)


def _back_to_review(request: AuthenticatedRequest, run: MatchRun) -> HttpResponse:
    return redirect("matching:review", pk=run.pk)


@require_POST
@login_required
def proposal_pin_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_admin(request.user, pk)
    try:
        if proposal.pinned:
            proposal_unpin(proposal=proposal, by=request.user, request=request)
            messages.success(
                request, f"{proposal.coachee} is no longer pinned to {proposal.coach}."
            )
        else:
            proposal_pin(proposal=proposal, by=request.user, request=request)
            messages.success(
                request, f"Pinned: the next run keeps {proposal.coach} for {proposal.coachee}."
            )
    except MatchingError as error:
        messages.error(request, str(error))
    return _back_to_review(request, proposal.run)


@require_POST
@login_required
def proposal_exclude_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_admin(request.user, pk)
    run = proposal.run
    try:
        pair_exclude(proposal=proposal, by=request.user, request=request)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Excluded: no run pairs {proposal.coach} with {proposal.coachee}. Run again to "
            "find another coach.",
        )
    return _back_to_review(request, run)


@require_POST
@login_required
def proposal_swap_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_admin(request.user, pk)
    form = SwapForm(request.POST, coaches=programme_coach_choices(proposal.run.programme))
    if not form.is_valid():
        messages.error(request, "Choose one of the programme's coaches.")
        return redirect("matching:proposal", pk=proposal.pk)
    try:
        swap = proposal_swap(
            proposal=proposal, coach=form.cleaned_data["coach"], by=request.user, request=request
        )
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        sign = "+" if swap.change >= 0 else "−"
        messages.success(
            request,
            f"{swap.proposal.coach} now coaches {swap.proposal.coachee}: score "
            f"{swap.old_score:.2f} → {swap.new_score:.2f} ({sign}{abs(swap.change):.2f}).",
        )
    return redirect("matching:proposal", pk=proposal.pk)


@require_POST
@login_required
def run_rerun(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = run_for_admin(request.user, pk)
    try:
        new = match_rerun(run=run, by=request.user, request=request)
    except MatchingError as error:
        messages.error(request, str(error))
        return redirect("matching:run", pk=run.pk)
    return redirect("matching:run", pk=new.pk)


@require_POST
@login_required
def run_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = run_for_admin(request.user, pk)
    ids = [int(value) for value in request.POST.getlist("proposal") if value.isdigit()]
    try:
        outcome = proposals_approve(run=run, proposal_ids=ids, by=request.user, request=request)
    except MatchingError as error:
        messages.error(request, str(error))
        return _back_to_review(request, run)
    if outcome.approved:
        count = len(outcome.approved)
        messages.success(
            request,
            f"Approved {count} pair{'s' if count != 1 else ''}: each coach and coachee is asked "
            "to accept.",
        )
    if outcome.already:
        messages.warning(request, f"{len(outcome.already)} were approved already.")
    for _proposal, reason in outcome.refused:
        messages.error(request, f"Not approved: {reason}")
    return _back_to_review(request, run)


@require_POST
@login_required
def exclusion_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    exclusion = exclusion_for_admin(request.user, pk)
    exclusion_delete(exclusion=exclusion, by=request.user, request=request)
    messages.success(request, f"{exclusion.coach} may be proposed for {exclusion.coachee} again.")
    return redirect("matching:programme", pk=exclusion.programme_id)
