"""Programme admins' pages about relationships: the list (and its CSV), pairing by hand, one
relationship's record and moves, and a programme's agreement template.

Admins see who is paired, the status, the cadence and whether the agreement is signed; never
the agreement's text, and never a note.
"""

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadre.accounts.access import require_programme_admin
from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.services import audit_record
from cadre.coaching.access import person_of, relationship_for_admin, relationships_for_admin
from cadre.coaching.forms import (
    AgreementTemplateForm,
    PairForm,
    RelationshipActionForm,
    RelationshipFilterForm,
    template_initial,
)
from cadre.coaching.models import CoachingRelationship, RelationshipStatus
from cadre.coaching.queries import (
    RelationshipFilters,
    SignatureState,
    cadence_overdue,
    relationship_transitions,
    relationships_for_overview,
    signature_state,
    zone_of,
)
from cadre.coaching.rules import CoachingError
from cadre.coaching.services import (
    agreement_template_for,
    agreement_template_save,
    allowed_transitions,
    relationship_complete,
    relationship_confirm,
    relationship_end,
    relationship_pause,
    relationship_propose,
    relationship_resume,
)
from cadre.programs.access import programme_for_admin
from cadre.programs.models import Programme

Status = RelationshipStatus
PAGE_SIZE = 50

# Relationships and agreements (helper "relationships")


def _time_zone(request: AuthenticatedRequest) -> str:
    return zone_of(person_of(request.user)).key


def _filtered(request: AuthenticatedRequest) -> tuple[RelationshipFilterForm, Any]:
    relationships = relationships_for_admin(request.user)
    form = RelationshipFilterForm(request.GET or None)
    filters = RelationshipFilters()
    if form.is_bound:
        if not form.is_valid():
            return form, relationships.none()
        data = form.cleaned_data
        filters = RelationshipFilters(
            programme=data["programme"],
            status=data["status"],
            signature=data["signature"],
            search=data["q"],
        )
    return form, relationships_for_overview(relationships, filters)


def _rows(relationships: Any) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "relationship": relationship,
            "signature": signature_state(relationship),
            "signature_label": SignatureState.LABELS[signature_state(relationship)],
            "overdue": cadence_overdue(relationship, now),
        }
        for relationship in relationships
    ]


@login_required
def admin_relationships(request: AuthenticatedRequest) -> HttpResponse:
    form, relationships = _filtered(request)
    page = Paginator(relationships, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.object_list),
        "query": query.urlencode(),
        "time_zone": _time_zone(request),
        "section": "coaching-admin",
    }
    template = (
        "coaching/admin_relationships.html#results"
        if request.htmx
        else "coaching/admin_relationships.html"
    )
    return render(request, template, context)


CSV_COLUMNS = [
    "id",
    "programme",
    "coach",
    "coachee",
    "status",
    "origin",
    "proposed_at",
    "started_at",
    "finished_at",
    "end_reason",
    "sessions_held",
    "last_held_session",
    "cadence_days",
    "cadence_overdue",
    "agreement",
    "coach_signed_at",
    "coachee_signed_at",
]


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


@login_required
def admin_relationships_csv(request: AuthenticatedRequest) -> HttpResponse:
    _form, relationships = _filtered(request)
    rows = _rows(relationships)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="coaching-relationships.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        relationship: CoachingRelationship = row["relationship"]
        writer.writerow(
            [
                relationship.pk,
                relationship.programme.name,
                relationship.coach.display_name,
                relationship.coachee.display_name,
                relationship.status,
                relationship.origin,
                _iso(relationship.proposed_at),
                _iso(relationship.started_at),
                _iso(relationship.finished_at),
                relationship.end_reason,
                relationship.sessions_held,  # type: ignore[attr-defined]
                _iso(relationship.last_held_at),  # type: ignore[attr-defined]
                relationship.programme.session_cadence_days,
                "yes" if row["overdue"] else "no",
                row["signature"],
                _iso(relationship.coach_signed_at),  # type: ignore[attr-defined]
                _iso(relationship.coachee_signed_at),  # type: ignore[attr-defined]
            ]
        )
    filters = {key: value for key, value in request.GET.items() if key != "page"}
    audit_record(
        actor=request.user,
        action="coaching.relationships_export",
        request=request,
        details={"filters": filters, "rows": len(rows)},
    )
    return response


@login_required
def admin_relationship_new(request: AuthenticatedRequest) -> HttpResponse:
    require_programme_admin(request.user)
    programme = _programme_of(request.POST.get("programme") or request.GET.get("programme"))
    form = PairForm(request.POST or None, programme=programme, initial={"programme": programme})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            relationship = relationship_propose(
                programme=data["programme"],
                coach=data["coach"],
                coachee=data["coachee"],
                proposed_by=request.user,
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Proposed {relationship.coach} as the coach of {relationship.coachee}. "
                "Both are asked to accept.",
            )
            return redirect("coaching:admin_relationship", relationship.pk)
    context = {"form": form, "programme": programme, "section": "coaching-admin"}
    return render(request, "coaching/admin_relationship_new.html", context)


def _programme_of(value: str | None) -> Programme | None:
    if not value or not value.isdigit():
        return None
    return Programme.objects.filter(pk=int(value)).first()


# The admin's buttons for each move, by target status.
MOVES: dict[str, tuple[str, str]] = {
    Status.AGREED: ("confirm", "Confirm for both"),
    Status.PAUSED: ("pause", "Pause"),
    Status.ACTIVE: ("resume", "Resume"),
    Status.COMPLETED: ("complete", "Mark completed"),
    Status.ENDED: ("end", "End early"),
}


@login_required
def admin_relationship(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_admin(request.user, pk)
    signatures = relationships_for_overview(
        relationships_for_admin(request.user).filter(pk=pk), RelationshipFilters()
    ).get()
    moves = []
    for to_status in allowed_transitions(relationship):
        action, label = MOVES[to_status]
        if relationship.status == Status.AGREED and to_status == Status.ACTIVE:
            continue  # only the pair's signatures make it active
        moves.append({"action": action, "label": label})
    context = {
        "relationship": relationship,
        "signature_label": SignatureState.LABELS[signature_state(signatures)],
        "summary": signatures,
        "overdue": cadence_overdue(signatures),
        "transitions": relationship_transitions(relationship),
        "moves": moves,
        "end_form": RelationshipActionForm(initial={"action": "end"}),
        "time_zone": _time_zone(request),
        "section": "coaching-admin",
    }
    return render(request, "coaching/admin_relationship.html", context)


@login_required
@require_POST
def admin_relationship_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_admin(request.user, pk)
    form = RelationshipActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do, and why when ending.")
        return redirect("coaching:admin_relationship", pk)
    action = form.cleaned_data["action"]
    note = form.cleaned_data["note"]
    user = request.user
    try:
        if action == "confirm":
            relationship_confirm(relationship=relationship, by=user, request=request)
        elif action == "pause":
            relationship_pause(relationship=relationship, by=user, note=note, request=request)
        elif action == "resume":
            relationship_resume(relationship=relationship, by=user, note=note, request=request)
        elif action == "complete":
            relationship_complete(relationship=relationship, by=user, note=note, request=request)
        else:
            relationship_end(
                relationship=relationship,
                reason=form.cleaned_data["reason"],
                note=note,
                ended_by=user,
                request=request,
            )
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        relationship.refresh_from_db(fields=["status"])
        messages.success(
            request, f"The relationship is {relationship.get_status_display().lower()}."
        )
    return redirect("coaching:admin_relationship", pk)


@login_required
def agreement_template_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = programme_for_admin(request.user, pk)
    template = agreement_template_for(programme)
    form = AgreementTemplateForm(request.POST or None, initial=template_initial(template))
    if request.method == "POST" and form.is_valid():
        try:
            saved = agreement_template_save(
                programme=programme, values=form.cleaned_data, by=request.user, request=request
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Saved as version {saved.version}. Agreements already drawn up keep their text.",
            )
            return redirect("coaching:agreement_template", pk)
    context = {
        "programme": programme,
        "template": template,
        "form": form,
        "section": "coaching-admin",
    }
    return render(request, "coaching/agreement_template.html", context)
