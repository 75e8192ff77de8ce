"""Programme admins' questionnaire pages: the programme's questionnaires, customising a
built-in one, writing a new one, editing (each save a new version), a version's preview and
the version history. Everyone but programme admins gets 404 (``access``)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.feedback import questionnaires
from cadre.feedback.access import programme_for_questionnaires, questionnaire_for_admin
from cadre.feedback.editor_forms import (
    BaseQuestionFormSet,
    QuestionnaireForm,
    competency_choices,
    formset_with_another,
    question_formset,
    template_initial,
)
from cadre.feedback.models import SurveyTemplate
from cadre.feedback.questionnaire_queries import (
    programme_questionnaires,
    version_changes,
    version_questions,
)
from cadre.feedback.questionnaires import QuestionsError
from cadre.feedback.services import FeedbackError
from cadre.feedback.views import preview_rows
from cadre.programs.models import Programme

EDITOR = "feedback/questionnaire_edit.html"


@login_required
def questionnaire_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The programme's questionnaires: built-in ones in use, its copies and its own."""
    programme = programme_for_questionnaires(request.user, pk)
    context = {
        "programme": programme,
        "rows": programme_questionnaires(programme),
        "section": "programmes",
    }
    return render(request, "feedback/questionnaires.html", context)


@login_required
@require_POST
def questionnaire_customise(request: AuthenticatedRequest, pk: int, key: str) -> HttpResponse:
    """Copy a built-in questionnaire into the programme's own, to edit it."""
    programme, _ = questionnaire_for_admin(request.user, pk, key)
    try:
        questionnaires.questionnaire_customise(
            programme=programme, key=key, by=request.user, request=request
        )
    except FeedbackError as error:
        messages.error(request, str(error))
        return redirect("feedback:questionnaire_list", programme.pk)
    messages.success(
        request, "The programme has its own copy now, version 1. Surveys sent from now on use it."
    )
    return redirect("feedback:questionnaire_edit", programme.pk, key)


def _editor(
    request: AuthenticatedRequest,
    *,
    programme: Programme,
    current: SurveyTemplate | None,
    form: QuestionnaireForm,
    formset: BaseQuestionFormSet,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "programme": programme,
        "current": current,
        "next_version": current.version + 1 if current else 1,
        "form": form,
        "formset": formset,
        "error": error,
        "section": "programmes",
    }
    template = f"{EDITOR}#editor" if request.htmx else EDITOR
    return render(request, template, context, status=status)


def _edit(
    request: AuthenticatedRequest, programme: Programme, current: SurveyTemplate | None
) -> HttpResponse:
    """The editor of a new questionnaire (``current`` None) or of the current version."""
    competencies = competency_choices()
    if request.method != "POST":
        return _editor(
            request,
            programme=programme,
            current=current,
            form=QuestionnaireForm(initial=template_initial(current) if current else None),
            formset=question_formset(
                None,
                questions=version_questions(current) if current else (),
                competencies=competencies,
            ),
        )
    form = QuestionnaireForm(request.POST)
    formset = question_formset(request.POST, competencies=competencies)
    if "add" in request.POST:
        return _editor(
            request,
            programme=programme,
            current=current,
            form=form,
            formset=formset_with_another(formset, competencies=competencies),
        )
    if not (form.is_valid() and formset.is_valid()):
        return _editor(
            request,
            programme=programme,
            current=current,
            form=form,
            formset=formset,
            error="Nothing was saved: see the questions marked below.",
            status=400,
        )
    edited = form.cleaned_data["version"]
    if current is not None and edited is not None and edited != current.version:
        return _editor(
            request,
            programme=programme,
            current=current,
            form=form,
            formset=formset,
            error=f"Nothing was saved: version {current.version} was saved while you edited "
            f"version {edited}. Open the questionnaire again to see it.",
            status=400,
        )
    values = {
        "title": form.cleaned_data["title"],
        "intro": form.cleaned_data["intro"],
        "questions": formset.specs(),
        "by": request.user,
        "request": request,
    }
    try:
        if current is None:
            saved = questionnaires.questionnaire_create(programme=programme, **values)
            made = True
        else:
            saved, made = questionnaires.questionnaire_revise(template=current, **values)
    except QuestionsError as refused:
        formset.add_problems(refused.problems)
        error = "Nothing was saved: see the questions marked below."
    except FeedbackError as refused:
        error = f"Nothing was saved. {refused}"
    else:
        if made:
            messages.success(request, f"Saved “{saved.title}” as version {saved.version}.")
        else:
            messages.info(request, f"Nothing changed: version {saved.version} is still current.")
        return redirect("feedback:questionnaire", programme.pk, saved.key)
    return _editor(
        request,
        programme=programme,
        current=current,
        form=form,
        formset=formset,
        error=error,
        status=400,
    )


@login_required
def questionnaire_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Write a new questionnaire of the programme's own."""
    programme = programme_for_questionnaires(request.user, pk)
    return _edit(request, programme, None)


@login_required
def questionnaire_edit(request: AuthenticatedRequest, pk: int, key: str) -> HttpResponse:
    """Edit the programme's questionnaire ``key``: saving makes a new version."""
    programme, versions = questionnaire_for_admin(request.user, pk, key)
    current = next((version for version in versions if version.is_current), versions[0])
    if current.is_built_in:
        messages.info(request, "A built-in questionnaire is edited as the programme's own copy.")
        return redirect("feedback:questionnaire", programme.pk, key)
    return _edit(request, programme, current)


@login_required
def questionnaire(request: AuthenticatedRequest, pk: int, key: str) -> HttpResponse:
    """A questionnaire's versions, newest first, with what changed in each."""
    programme, versions = questionnaire_for_admin(request.user, pk, key)
    current = next((version for version in versions if version.is_current), versions[0])
    context = {
        "programme": programme,
        "current": current,
        "versions": version_changes(versions),
        "section": "programmes",
    }
    return render(request, "feedback/questionnaire.html", context)


@login_required
def questionnaire_preview(
    request: AuthenticatedRequest, pk: int, key: str, version: int
) -> HttpResponse:
    """A version of the questionnaire as its respondents see it, read-only."""
    programme, versions = questionnaire_for_admin(request.user, pk, key)
    template = next((t for t in versions if t.version == version), None)
    if template is None:
        raise Http404("No such version.")
    context = {
        "programme": programme,
        "template": template,
        "rows": preview_rows(version_questions(template)),
        "section": "programmes",
    }
    return render(request, "feedback/questionnaire_preview.html", context)
