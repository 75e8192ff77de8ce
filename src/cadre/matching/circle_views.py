"""Group circle formation, for programme admins: choose who to place, the sizes and the
facilitators, see the circles the engine proposes with their diversity against its bound,
and create them (``formation.circles_create``, through the coaching circles service)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching.models import CircleKind
from cadre.coaching.queries import certified_coaches
from cadre.coaching.rules import CoachingError
from cadre.enablement.queries import programme_coaches
from cadre.matching.access import programme_for_matching
from cadre.matching.circle_forms import CircleFormationForm
from cadre.matching.formation import (
    already_in_circles,
    circles_create,
    circles_propose,
    formation_participant_choices,
)
from cadre.programs.models import Programme


@login_required
def circle_formation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = programme_for_matching(request.user, pk)
    default = CircleKind.COACHING if programme.offers_group_circles else CircleKind.SUPERVISION
    kind = request.GET.get("kind", default)
    if kind not in CircleKind.values:
        kind = default
    data = request.POST if request.method == "POST" else None
    form = CircleFormationForm(
        data, programme=programme, kind=kind, initial=_initial(programme, kind)
    )
    context: dict[str, Any] = {
        "programme": programme,
        "kind": kind,
        "kinds": [
            (value, label)
            for value, label in CircleKind.choices
            if value == CircleKind.SUPERVISION or programme.offers_group_circles
        ],
        "form": form,
        "section": "matching",
    }
    if data is not None and form.is_valid():
        values = {
            "programme": programme,
            "kind": kind,
            "participants": list(form.cleaned_data["participants"]),
            "facilitators": list(form.cleaned_data["facilitators"]),
            "min_size": form.cleaned_data["min_size"],
            "max_size": form.cleaned_data["max_size"],
            "circles_per_facilitator": form.cleaned_data["circles_per_facilitator"],
            "by": request.user,
        }
        try:
            if request.POST.get("action") == "create":
                created = circles_create(**values, request=request)
                messages.success(
                    request,
                    f"{len(created)} circle{'s' if len(created) != 1 else ''} created; each "
                    "facilitator schedules their circle's sessions.",
                )
                return redirect("coaching:admin_circles")
            context["proposal"] = circles_propose(**values)
            # The same choices again, as hidden fields, so "Create" makes the circles shown.
            context["chosen"] = CircleFormationForm(
                data, programme=programme, kind=kind, auto_id=False
            )
        except CoachingError as error:
            form.add_error(None, str(error))
    return render(request, "matching/circle_formation.html", context)


def _initial(programme: Programme, kind: str) -> dict[str, Any]:
    """Everyone not yet in an active circle of this kind; for group coaching, the programme's
    certified coaches as facilitators."""
    taken = already_in_circles(programme=programme, kind=kind)
    initial: dict[str, Any] = {
        "participants": [
            pk
            for pk in formation_participant_choices(programme=programme, kind=kind).values_list(
                "pk", flat=True
            )
            if pk not in taken
        ]
    }
    if kind == CircleKind.COACHING:
        initial["facilitators"] = list(
            certified_coaches()
            .filter(pk__in=programme_coaches(programme).values("pk"))
            .values_list("pk", flat=True)
        )
    return initial
