"""Report pages: the programme's feedback (admins and its sponsor) with its exports, a
coach's feedback about their coaching, and a coachee's 360 report. Every figure comes from
``reports``, under the rules of ``anonymity``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.queries import is_programme_admin
from cadre.feedback import anonymity, reports
from cadre.feedback.access import assessment_for_report, coach_for_report
from cadre.feedback.exports import FORMATS, report_export
from cadre.feedback.forms import AnonymityForm
from cadre.feedback.rules import feedback_settings_update
from cadre.feedback.services import FeedbackError
from cadre.programs.access import programme_for_admin, programme_for_user


def _department(request: AuthenticatedRequest) -> str | None:
    return request.GET.get("department") or None


def _programme_page(
    request: AuthenticatedRequest, pk: int, *, form: AnonymityForm | None = None, status: int = 200
) -> HttpResponse:
    programme = programme_for_user(request.user, pk)
    report = reports.programme_report(programme=programme, department=_department(request))
    is_admin = is_programme_admin(request.user)
    context = {
        "programme": programme,
        "report": report,
        "is_admin": is_admin,
        "form": form or AnonymityForm(initial={"anonymity_threshold": report.threshold}),
        "subtraction": anonymity.SUBTRACTION,
        "query": request.GET.urlencode(),
        "section": "programmes",
    }
    return render(request, "feedback/programme_report.html", context, status=status)


@login_required
def programme_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The programme's feedback for its admins and sponsor; ``?department=`` narrows it."""
    return _programme_page(request, pk)


@login_required
def programme_report_export(request: AuthenticatedRequest, pk: int, format: str) -> HttpResponse:
    """The programme report's figures as CSV or XLSX, with the page's filter."""
    if format not in FORMATS:
        raise Http404("No such format.")
    programme = programme_for_user(request.user, pk)
    report = reports.programme_report(programme=programme, department=_department(request))
    export = report_export(report=report, format=format, by=request.user, request=request)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@login_required
@require_POST
def anonymity_threshold(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An admin sets how many people an aggregate needs (3 to 10), as on the settings page."""
    programme = programme_for_admin(request.user, pk)
    form = AnonymityForm(request.POST)
    if not form.is_valid():
        return _programme_page(request, pk, form=form, status=400)
    try:
        feedback_settings_update(
            programme=programme,
            values={"anonymity_threshold": form.cleaned_data["anonymity_threshold"]},
            by=request.user,
            request=request,
        )
    except FeedbackError as error:
        form.add_error("anonymity_threshold", str(error))
        return _programme_page(request, pk, form=form, status=400)
    messages.success(request, "The anonymity threshold was changed.")
    return redirect("feedback:programme_report", programme.pk)


@login_required
def coach_report(request: AuthenticatedRequest) -> HttpResponse:
    """What the coach's coachees said about their sessions and the relationship, summed up."""
    coach = coach_for_report(request.user)
    report = reports.coach_report(coach=coach)
    return render(request, "feedback/coach_report.html", {"report": report, "section": "surveys"})


@login_required
def assessment_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The coachee's 360 report, for them and their coach."""
    assessment = assessment_for_report(request.user, pk)
    report = reports.assessment_report_view(assessment=assessment, by=request.user, request=request)
    context = {
        "assessment": assessment,
        "report": report,
        "subtraction": anonymity.SUBTRACTION,
        "section": "surveys",
    }
    return render(request, "feedback/assessment_report.html", context)
