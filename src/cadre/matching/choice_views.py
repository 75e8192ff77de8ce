"""Coachee-choice pages: a coachee's suggestions (and asking one), and the admins' settings.

The suggestions page shows the caller's own suggestions only, in every programme where they
are an approved coachee and choice is open; asking fetches the programme through
``access.programme_for_choice`` (404 for anyone else). The settings page is for programme
admins (``access.programme_for_matching``).
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching.access import person_of
from cadre.coaching.rules import CoachingError
from cadre.matching.access import programme_for_choice, programme_for_matching
from cadre.matching.choice import (
    STALE_REQUEST_DAYS,
    choice_close,
    choice_mode_of,
    choice_open,
    choice_programmes,
    choice_requests,
    suggestion_request,
    suggestions_for,
)
from cadre.matching.choice_forms import ChoiceModeForm
from cadre.people.models import Person


@login_required
def suggestions(request: AuthenticatedRequest) -> HttpResponse:
    person = person_of(request.user)
    pages = [
        suggestions_for(programme=programme, coachee=person)
        for programme in choice_programmes(person)
        if person is not None
    ]
    return render(request, "matching/suggestions.html", {"pages": pages, "section": "suggestions"})


@login_required
@require_POST
def suggestion_request_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = programme_for_choice(request.user, pk)
    coach_id = request.POST.get("coach", "")
    coach = Person.objects.filter(pk=int(coach_id)).first() if coach_id.isdigit() else None
    if coach is None:
        messages.error(request, "Choose one of the coaches suggested to you.")
        return redirect("matching:suggestions")
    try:
        suggestion_request(
            programme=programme, coach=coach, requested_by=request.user, request=request
        )
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"You asked {coach} to be your coach in “{programme}”. They accept or decline; "
            "you'll hear by e-mail.",
        )
    return redirect("matching:suggestions")


@login_required
def choice_settings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = programme_for_matching(request.user, pk)
    mode = choice_mode_of(programme)
    form = ChoiceModeForm(request.POST or None, initial={"suggestions": mode.suggestions})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                choice_close(programme=programme, by=request.user, request=request)
                messages.success(request, "Coachee choice is closed.")
                return redirect("matching:choice", pk=programme.pk)
            if form.is_valid():
                choice_open(
                    programme=programme,
                    by=request.user,
                    suggestions=form.cleaned_data["suggestions"],
                    request=request,
                )
                messages.success(request, "Coachee choice is open.")
                return redirect("matching:choice", pk=programme.pk)
        except CoachingError as error:
            form.add_error(None, str(error))
    requests = choice_requests(programme)
    now = timezone.now()
    stale_before = now - timedelta(days=STALE_REQUEST_DAYS)
    context = {
        "programme": programme,
        "mode": mode,
        "form": form,
        "requests": requests,
        "now": now,
        "stale_before": stale_before,
        "stale_days": STALE_REQUEST_DAYS,
        "stale": any(asked.proposed_at < stale_before for asked in requests),
        "section": "matching",
    }
    return render(request, "matching/choice.html", context)
