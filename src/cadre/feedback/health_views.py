"""Relationship health pages: a programme's health (alerts, each pair's status, survey response
rates), one alert with what an admin can do about it, and the programme's feedback settings.

Programme admins see and act on everything here. A programme's sponsor sees its health page
as counts only: how many pairs are in each status and how surveys are answered, never a name,
a signal of a named pair or an answer.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.queries import is_programme_admin
from cadre.coaching.queries import zone_of
from cadre.feedback.access import alert_for_admin, person_of
from cadre.feedback.alerts import (
    alert_dismiss,
    alert_end_rematch,
    alert_nudge,
    alert_pause,
    alert_suggest_check_in,
)
from cadre.feedback.forms import AlertActionForm, FeedbackSettingsForm, HealthFilterForm
from cadre.feedback.health import (
    SIGNALS,
    health_refresh,
    programme_health,
    with_labels,
)
from cadre.feedback.models import AlertAction, AlertState, HealthAlert, HealthStatus
from cadre.feedback.queries import settings_for
from cadre.feedback.rules import feedback_settings_update
from cadre.feedback.services import FeedbackError
from cadre.programs.access import programme_for_admin, programme_for_user


@login_required
def programme_health_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The programme's health: in full for admins, as counts for its sponsor."""
    programme = programme_for_user(request.user, pk)
    now = timezone.now()
    context: dict[str, object] = {
        "programme": programme,
        "zone": zone_of(person_of(request.user)),
        "section": "programmes",
        "statuses": HealthStatus.choices,
    }
    if not is_programme_admin(request.user):
        health = programme_health(programme=programme, now=now)
        context |= {"is_admin": False, "counts": health.counts, "rates": health.rates}
        return render(request, "feedback/programme_health.html", context)
    form = HealthFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    health = programme_health(
        programme=programme, now=now, status=status, viewer=person_of(request.user)
    )
    context |= {
        "is_admin": True,
        "form": form,
        "status": status,
        "health": health,
        "counts": health.counts,
        "rates": health.rates,
        "signals": SIGNALS.values(),
    }
    template = (
        "feedback/programme_health.html#relationships"
        if request.htmx and request.htmx.target == "relationships"
        else "feedback/programme_health.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def programme_health_check(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Check every active pair of the programme now, as the hourly scan does."""
    programme = programme_for_admin(request.user, pk)
    refreshed = health_refresh(programme=programme, now=timezone.now())
    messages.success(
        request,
        f"Checked {refreshed.checked} active relationship{'s' if refreshed.checked != 1 else ''}: "
        f"{len(refreshed.alerts)} new alert{'s' if len(refreshed.alerts) != 1 else ''}.",
    )
    return redirect("feedback:programme_health", pk=programme.pk)


def _alert_page(
    request: AuthenticatedRequest,
    alert: HealthAlert,
    *,
    form: AlertActionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    relationship = alert.relationship
    context = {
        "alert": with_labels(alert),
        "relationship": relationship,
        "programme": relationship.programme,
        "is_open": alert.state == AlertState.OPEN,
        "is_active": relationship.status == relationship.Status.ACTIVE,
        "form": form or AlertActionForm(initial={"recipients": "both"}),
        "error": error,
        "zone": zone_of(person_of(request.user)),
        "section": "programmes",
    }
    return render(request, "feedback/alert.html", context, status=status)


def _act(request: AuthenticatedRequest, alert: HealthAlert, data: dict[str, str]) -> HealthAlert:
    now = timezone.now()
    action, by = data["action"], request.user
    if action == AlertAction.NUDGE:
        return alert_nudge(
            alert=alert, by=by, recipients=data["recipients"], now=now, request=request
        )
    if action == AlertAction.CHECK_IN:
        return alert_suggest_check_in(alert=alert, by=by, now=now, request=request)
    if action == AlertAction.PAUSE:
        return alert_pause(alert=alert, by=by, now=now, note=data["note"], request=request)
    if action == AlertAction.END_REMATCH:
        return alert_end_rematch(alert=alert, by=by, now=now, note=data["note"], request=request)
    return alert_dismiss(alert=alert, by=by, now=now, request=request)


DONE = {
    AlertAction.NUDGE: "Reminder sent.",
    AlertAction.CHECK_IN: "Check-in suggested to both.",
    AlertAction.PAUSE: "The relationship is paused.",
    AlertAction.END_REMATCH: (
        "The relationship has ended, no fault: the coachee is back in the matching pool "
        "with priority."
    ),
    AlertAction.DISMISS: "Alert dismissed.",
}


@login_required
def alert(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One alert: why it was raised, and the admin's actions (POST takes one)."""
    found = alert_for_admin(request.user, pk)
    if request.method != "POST":
        return _alert_page(request, found)
    form = AlertActionForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _alert_page(request, found, form=form, error=str(first), status=400)
    try:
        handled = _act(request, found, form.cleaned_data)
    except FeedbackError as error:
        return _alert_page(request, found, form=form, error=str(error), status=400)
    if request.htmx:
        row = {"alert": with_labels(handled), "zone": zone_of(person_of(request.user))}
        return render(request, "feedback/programme_health.html#alert-row", row)
    messages.success(request, DONE[AlertAction(handled.action)])
    return redirect("feedback:alert", pk=handled.pk)


@login_required
def feedback_settings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The programme's anonymity threshold, pulse rhythm and health thresholds."""
    programme = programme_for_admin(request.user, pk)
    current = settings_for(programme)
    form = FeedbackSettingsForm(request.POST or None, instance=current)
    error = ""
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            feedback_settings_update(
                programme=programme, values=values, by=request.user, request=request
            )
        except FeedbackError as refusal:
            error = str(refusal)
        else:
            messages.success(request, "Feedback settings saved.")
            return redirect("feedback:feedback_settings", pk=programme.pk)
    context = {
        "programme": programme,
        "form": form,
        "error": error,
        "section": "programmes",
        "health_url": reverse("feedback:programme_health", args=[programme.pk]),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/feedback_settings.html", context, status=status)
