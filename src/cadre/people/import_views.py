"""The HRIS import pages: upload → map columns → preview → confirm → status.

Programme admins only. Every page fetches its run through ``_import_run_for_admin``; the
work is done by the services in ``cadre.people.importing`` and, once confirmed, by the
``import_run_apply`` task.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cadre.accounts.access import require_programme_admin
from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.models import User
from cadre.people import importing
from cadre.people.import_forms import ColumnMappingForm, ImportUploadForm, SavedMappingChoiceForm
from cadre.people.models import ImportRun

# Rows listed per table in a preview or a status page; the rest are counted.
LIST_LIMIT = 100


@dataclass(frozen=True)
class Capped:
    """The first ``LIST_LIMIT`` items of a list, and how many more there are."""

    items: list[Any]
    more: int


def _capped(items: list[Any], total: int | None = None) -> Capped:
    """``items`` cut to ``LIST_LIMIT``; ``total`` counts them when only the first were built."""
    shown = items[:LIST_LIMIT]
    return Capped(shown, (len(items) if total is None else total) - len(shown))


def _import_run_for_admin(user: User, pk: int) -> ImportRun:
    """The run ``pk`` for a programme admin: 403 for everyone else, 404 if there is none."""
    require_programme_admin(user)
    return get_object_or_404(ImportRun.objects.select_related("created_by", "confirmed_by"), pk=pk)


def _not_editable(run: ImportRun) -> bool:
    return run.status not in importing.EDITABLE_STATUSES


@login_required
def import_start(request: AuthenticatedRequest) -> HttpResponse:
    require_programme_admin(request.user)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = importing.import_run_create(
                    content=upload.read(), filename=upload.name, actor=request.user, request=request
                )
            except importing.ImportFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect("people:import_map", pk=run.pk)
    else:
        form = ImportUploadForm()
    context = {
        "form": form,
        "runs": importing.recent_import_runs(),
        "step": 1,
        "section": "import",
    }
    return render(request, "people/import/start.html", context)


@login_required
def import_map(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = _import_run_for_admin(request.user, pk)
    if _not_editable(run):
        return redirect("people:import_status", pk=run.pk)
    try:
        headers = importing.import_run_headers(run=run)
    except importing.ImportFileError as error:
        messages.error(request, f"{run.original_name} can't be read any more: {error}")
        return redirect("people:import_start")
    chooser = SavedMappingChoiceForm(request.GET or None)
    saved = chooser.chosen()
    if saved is not None:
        mapping = importing.mapping_of(saved)
    elif run.columns:
        mapping = importing.import_run_mapping(run=run)
    else:
        mapping = importing.suggest_columns(headers=headers)
    form = ColumnMappingForm(
        request.POST if request.method == "POST" else None,
        headers=headers,
        mapping=mapping,
        full_sync=run.full_sync,
        skip_invalid=run.skip_invalid,
    )
    if request.method == "POST" and form.is_valid():
        save_as = form.cleaned_data["save_as"].strip()
        try:
            importing.import_run_configure(
                run=run,
                mapping=form.mapping(),
                full_sync=form.cleaned_data["full_sync"],
                skip_invalid=form.cleaned_data["skip_invalid"],
                save_as=save_as,
                actor=request.user,
                request=request,
            )
        except importing.ImportRunStateError as error:
            messages.error(request, str(error))
            return redirect("people:import_status", pk=run.pk)
        if save_as:
            messages.success(request, f"Saved the mapping as “{save_as}”.")
        return redirect("people:import_preview", pk=run.pk)
    present = set(headers)
    context = {
        "run": run,
        "form": form,
        "chooser": chooser,
        "saved": saved,
        "has_saved_mappings": bool(importing.saved_mappings()),
        "missing_columns": sorted(
            header for header in mapping.columns.values() if header not in present
        ),
        "step": 2,
        "section": "import",
    }
    return render(request, "people/import/map.html", context)


@login_required
def import_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = _import_run_for_admin(request.user, pk)
    if request.method == "POST":
        if importing.import_run_confirm(run=run, actor=request.user, request=request):
            messages.success(request, f"Import of {run.original_name} confirmed.")
        elif run.status == ImportRun.Status.UPLOADED:
            messages.info(request, "Check the preview before importing.")
            return redirect("people:import_preview", pk=run.pk)
        else:
            messages.info(request, "This import was already confirmed.")
        return redirect("people:import_status", pk=run.pk)
    if _not_editable(run):
        return redirect("people:import_status", pk=run.pk)
    if not run.columns:
        return redirect("people:import_map", pk=run.pk)
    try:
        plan = importing.import_run_preview(run=run, actor=request.user, request=request)
    except importing.ImportFileGoneError as error:
        messages.error(request, str(error))
        return redirect("people:import_start")
    except (importing.ImportFileError, importing.ImportMappingError) as error:
        messages.error(request, str(error))
        return redirect("people:import_map", pk=run.pk)
    context = {
        "run": run,
        "plan": plan,
        "counts": plan.counts(),
        "creates": _capped(plan.first_creates(LIST_LIMIT), len(plan.create_rows)),
        "updates": _capped(plan.first_updates(LIST_LIMIT), len(plan.update_records)),
        "unchanged": _capped(plan.first_unchanged(LIST_LIMIT), len(plan.unchanged_people)),
        "deactivations": _capped(plan.deactivations),
        "issues": _capped(plan.issues),
        "step": 3,
        "section": "import",
    }
    return render(request, "people/import/preview.html", context)


@login_required
def import_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = importing.import_run_fail_if_stuck(run=_import_run_for_admin(request.user, pk))
    issues = importing.import_run_issues(run=run)
    context = {
        "run": run,
        "issues": _capped(issues, run.summary.get("issues_total", len(issues))),
        "in_progress": run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING),
        "step": 4,
        "section": "import",
    }
    template = "people/import/status.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)
