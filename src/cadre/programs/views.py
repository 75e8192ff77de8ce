from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cadre.accounts.access import require_programme_admin
from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.models import Role
from cadre.accounts.queries import is_programme_admin
from cadre.programs import queries
from cadre.programs.access import (
    programme_for_admin,
    programme_page_for_user,
    programmes_for_user,
    require_programme_reader,
)
from cadre.programs.default_responsibilities import DEFAULT_RESPONSIBILITIES
from cadre.programs.forms import ObjectiveFormSet, ProgrammeForm, ResponsibilitiesForm
from cadre.programs.models import Programme
from cadre.programs.services import (
    ObjectiveChanges,
    ProgrammeError,
    allowed_transitions,
    programme_create,
    programme_transition,
    programme_update,
    transition_refusal,
)

# The button for each move, by target status (forward) or as a step back.
TRANSITION_LABELS: dict[tuple[str, str], str] = {
    (Programme.Status.DRAFT, Programme.Status.ENROLLING): "Open enrolment",
    (Programme.Status.ENROLLING, Programme.Status.MATCHING): "Close enrolment and start matching",
    (Programme.Status.MATCHING, Programme.Status.RUNNING): "Start running",
    (Programme.Status.RUNNING, Programme.Status.CLOSED): "Close the programme",
    (Programme.Status.ENROLLING, Programme.Status.DRAFT): "Back to draft",
    (Programme.Status.MATCHING, Programme.Status.ENROLLING): "Reopen enrolment",
}


@login_required
def programme_list(request: AuthenticatedRequest) -> HttpResponse:
    require_programme_reader(request.user)
    context = {
        "programmes": queries.programme_list(programmes_for_user(request.user)),
        "is_admin": is_programme_admin(request.user),
        "section": "programmes",
    }
    return render(request, "programs/programme_list.html", context)


@login_required
def programme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = programme_page_for_user(request.user, pk)
    admin = is_programme_admin(request.user)
    transitions = []
    if admin:
        transitions = [
            {
                "to_status": to_status,
                "label": TRANSITION_LABELS[(programme.status, to_status)],
                "refusal": (
                    None
                    if to_status == Programme.Status.CLOSED
                    else transition_refusal(programme, to_status)
                ),
                "needs_note": to_status == Programme.Status.CLOSED,
            }
            for to_status in allowed_transitions(programme)
        ]
    responsibilities = {r.role: r for r in programme.responsibilities.all()}
    context = {
        "programme": programme,
        "is_admin": admin,
        "checklist": queries.programme_checklist(programme) if admin else None,
        "transitions": transitions,
        "responsibilities": [(label, responsibilities.get(role)) for role, label in Role.choices],
        "locked": queries.field_labels(queries.locked_fields(programme)),
        "section": "programmes",
    }
    return render(request, "programs/programme_detail.html", context)


@login_required
def programme_new(request: AuthenticatedRequest) -> HttpResponse:
    require_programme_admin(request.user)
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data)
    objectives = ObjectiveFormSet(data, instance=Programme(), prefix="objectives")
    responsibilities = ResponsibilitiesForm(
        data, initial=DEFAULT_RESPONSIBILITIES, prefix="responsibilities"
    )
    if (
        data is not None
        and form.is_valid()
        and objectives.is_valid()
        and responsibilities.is_valid()
    ):
        try:
            programme = programme_create(
                values=form.values(),
                objectives=objectives.save(commit=False),
                responsibilities=responsibilities.cleaned_data,
                created_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Created “{programme}” as a draft.")
            return redirect("programs:programme", pk=programme.pk)
    context = {
        "form": form,
        "objectives": objectives,
        "responsibilities": responsibilities,
        "programme": None,
        "section": "programmes",
    }
    return render(request, "programs/programme_form.html", context)


@login_required
def programme_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = programme_for_admin(request.user, pk)
    if programme.status == Programme.Status.CLOSED:
        messages.error(request, f"“{programme}” is closed: nothing in it can be changed any more.")
        return redirect("programs:programme", pk=programme.pk)
    locked = queries.locked_fields(programme)
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data, instance=programme, locked=locked)
    objectives = ObjectiveFormSet(data, instance=programme, prefix="objectives")
    responsibilities = ResponsibilitiesForm(
        data,
        initial={r.role: r.text for r in programme.responsibilities.all()},
        prefix="responsibilities",
    )
    if (
        data is not None
        and form.is_valid()
        and objectives.is_valid()
        and responsibilities.is_valid()
    ):
        objectives.save(commit=False)
        try:
            programme_update(
                programme=programme,
                values=form.values(),
                objectives=ObjectiveChanges(
                    added=objectives.new_objects,
                    changed=[objective for objective, _ in objectives.changed_objects],
                    removed=objectives.deleted_objects,
                ),
                responsibilities=responsibilities.cleaned_data,
                changed_by=request.user,
                request=request,
            )
        except ProgrammeError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved “{programme}”.")
            return redirect("programs:programme", pk=programme.pk)
    context = {
        "form": form,
        "objectives": objectives,
        "responsibilities": responsibilities,
        "programme": programme,
        "locked": queries.field_labels(locked),
        "section": "programmes",
    }
    return render(request, "programs/programme_form.html", context)


@login_required
@require_POST
def programme_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move the programme to another status, if the move is allowed and nothing blocks it."""
    programme = programme_for_admin(request.user, pk)
    to_status = request.POST.get("to_status", "")
    note = request.POST.get("note", "")[:2000]
    try:
        programme_transition(
            programme=programme, to_status=to_status, by=request.user, note=note, request=request
        )
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{programme}” is now {programme.get_status_display().lower()}.")
    return redirect("programs:programme", pk=programme.pk)
