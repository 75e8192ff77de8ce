"""The goals and actions tab of a relationship's workspace, for its coach and coachee."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching import goals as goal_services
from cadre.coaching import queries
from cadre.coaching.access import (
    action_for_party,
    goal_for_party,
    person_of,
    relationship_for_party,
)
from cadre.coaching.forms import ActionForm, GoalForm, ProgressForm
from cadre.coaching.models import ActionItem, CoachingRelationship, Goal
from cadre.coaching.rules import WORKING_STATUSES, CoachingError


@dataclass
class GoalCard:
    goal: Goal
    chart: queries.ProgressChart | None
    form: ProgressForm
    error: str | None = None


def _card(goal: Goal, form: ProgressForm | None = None, error: str | None = None) -> GoalCard:
    updates = list(goal.updates.all())
    return GoalCard(
        goal=goal,
        chart=queries.progress_chart(updates),
        form=form or ProgressForm(prefix=f"goal-{goal.pk}"),
        error=error,
    )


def _zone(request: AuthenticatedRequest) -> ZoneInfo:
    return queries.zone_of(person_of(request.user))


def _can_change(relationship: CoachingRelationship) -> bool:
    return relationship.status in WORKING_STATUSES


def _action_form(
    relationship: CoachingRelationship, zone: ZoneInfo, data: object = None
) -> ActionForm:
    return ActionForm(
        data,
        relationship=relationship,
        sessions=queries.sessions_of(relationship),
        goals=Goal.objects.filter(relationship=relationship, status=Goal.Status.OPEN),
        zone=zone,
        prefix="action",
    )


def _goals_page(
    request: AuthenticatedRequest,
    relationship: CoachingRelationship,
    *,
    action_form: ActionForm | None = None,
) -> HttpResponse:
    zone = _zone(request)
    context = {
        "relationship": relationship,
        "tab": "goals",
        "cards": [_card(goal) for goal in queries.goals_of(relationship)],
        "actions": list(queries.actions_of(relationship)),
        "action_form": action_form or _action_form(relationship, zone),
        "can_change": _can_change(relationship),
        "today": timezone.localdate(timezone=zone),
        "zone": zone,
    }
    return render(request, "coaching/goals.html", context)


@login_required
def goals(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The relationship's goals with their progress history, and its actions."""
    relationship = relationship_for_party(request.user, pk)
    return _goals_page(request, relationship)


def _goal_form_page(
    request: AuthenticatedRequest,
    relationship: CoachingRelationship,
    form: GoalForm,
    goal: Goal | None = None,
) -> HttpResponse:
    context = {"relationship": relationship, "tab": "goals", "form": form, "goal": goal}
    return render(request, "coaching/goal_form.html", context)


@login_required
def goal_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        competencies=queries.competency_choices(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            goal = goal_services.goal_create(
                relationship=relationship,
                by=request.user,
                title=form.cleaned_data["title"],
                measure=form.cleaned_data["measure"],
                target_date=form.cleaned_data["target_date"],
                competencies=form.cleaned_data["competencies"],
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Goal set: “{goal}”.")
            return redirect(f"{reverse('coaching:goals', args=[relationship.pk])}#goal-{goal.pk}")
    return _goal_form_page(request, relationship, form)


@login_required
def goal_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    goal = goal_for_party(request.user, pk)
    relationship = goal.relationship
    linked = list(goal.competencies.all())
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        initial=GoalForm.initial_for(goal),
        competencies=queries.competency_choices(linked=linked),
    )
    if request.method == "POST" and form.is_valid():
        try:
            goal_services.goal_update(
                goal=goal,
                by=request.user,
                title=form.cleaned_data["title"],
                measure=form.cleaned_data["measure"],
                target_date=form.cleaned_data["target_date"],
                competencies=form.cleaned_data["competencies"],
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved the goal “{goal}”.")
            return redirect(f"{reverse('coaching:goals', args=[relationship.pk])}#goal-{goal.pk}")
    return _goal_form_page(request, relationship, form, goal)


@login_required
@require_POST
def goal_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record progress with a comment. With htmx, answers the goal's card, redrawn."""
    goal = goal_for_party(request.user, pk)
    form = ProgressForm(request.POST, prefix=f"goal-{goal.pk}")
    error = None
    if form.is_valid():
        try:
            goal_services.goal_progress_record(
                goal=goal,
                by=request.user,
                progress=form.cleaned_data["progress"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except CoachingError as refused:
            error = str(refused)
        else:
            form = ProgressForm(prefix=f"goal-{goal.pk}")
    else:
        error = "Check the progress and the comment."
    if request.htmx:
        zone = _zone(request)
        fresh = queries.goal_with_history(Goal.objects.filter(relationship=goal.relationship), pk)
        context = {
            "card": _card(fresh, form, error),
            "relationship": goal.relationship,
            "can_change": _can_change(goal.relationship),
            "zone": zone,
            "today": timezone.localdate(timezone=zone),
            "saved": error is None,
        }
        return render(request, "coaching/goals.html#goal", context)
    if error is not None:
        messages.error(request, f"“{goal}”: {error}")
    elif goal.status == Goal.Status.ACHIEVED:
        messages.success(request, f"“{goal}” is achieved.")
    else:
        messages.success(request, f"“{goal}”: progress recorded.")
    return redirect(f"{reverse('coaching:goals', args=[goal.relationship_id])}#goal-{goal.pk}")


def _goal_status_change(request: AuthenticatedRequest, pk: int, *, drop: bool) -> HttpResponse:
    goal = goal_for_party(request.user, pk)
    change = goal_services.goal_drop if drop else goal_services.goal_reopen
    try:
        change(goal=goal, by=request.user, request=request)
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{goal}” {'dropped' if drop else 'reopened'}.")
    return redirect(f"{reverse('coaching:goals', args=[goal.relationship_id])}#goal-{goal.pk}")


@login_required
@require_POST
def goal_drop(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _goal_status_change(request, pk, drop=True)


@login_required
@require_POST
def goal_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _goal_status_change(request, pk, drop=False)


@login_required
@require_POST
def action_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    form = _action_form(relationship, _zone(request), request.POST)
    if form.is_valid():
        try:
            action = goal_services.action_create(
                relationship=relationship,
                by=request.user,
                title=form.cleaned_data["title"],
                owner=form.owner_person(),
                due_on=form.cleaned_data["due_on"],
                session=form.cleaned_data["session"],
                goal=form.cleaned_data["goal"],
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Action added: “{action}”.")
            return redirect(f"{reverse('coaching:goals', args=[relationship.pk])}#actions")
    return _goals_page(request, relationship, action_form=form)


def _action_change(request: AuthenticatedRequest, pk: int, *, complete: bool) -> HttpResponse:
    action = action_for_party(request.user, pk)
    change = goal_services.action_complete if complete else goal_services.action_reopen
    error = None
    try:
        change(action=action, by=request.user, request=request)
    except CoachingError as refused:
        error = str(refused)
    if request.htmx:
        zone = _zone(request)
        fresh = ActionItem.objects.select_related("owner", "session", "goal").get(pk=action.pk)
        context = {
            "action": fresh,
            "error": error,
            "can_change": _can_change(action.relationship),
            "today": timezone.localdate(timezone=zone),
            "zone": zone,
        }
        return render(request, "coaching/goals.html#action", context)
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(request, f"“{action}” {'done' if complete else 'reopened'}.")
    return redirect(f"{reverse('coaching:goals', args=[action.relationship_id])}#actions")


@login_required
@require_POST
def action_complete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _action_change(request, pk, complete=True)


@login_required
@require_POST
def action_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _action_change(request, pk, complete=False)
