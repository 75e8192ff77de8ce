"""360° pages: the coachee starts an assessment and chooses raters; the coach or an admin
approves each rater and, later, asks the same raters again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching.access import relationship_for_party
from cadre.coaching.models import RelationshipStatus
from cadre.feedback import assessments as services
from cadre.feedback.access import (
    assessment_for_approver,
    assessment_for_coachee,
    assessments_for_approver,
    assessments_for_coachee,
    nomination_for_approver,
    nomination_for_coachee,
    person_of,
)
from cadre.feedback.forms import NominationForm, RejectForm
from cadre.feedback.models import Assessment360, AssessmentStatus, NominationStatus
from cadre.feedback.services import FeedbackError


@login_required
def my_assessments(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own 360s, the relationships where they may start one, and those awaiting
    their approval as coach or admin."""
    person = person_of(request.user)
    own = list(assessments_for_coachee(request.user))
    started = {a.relationship_id for a in own}
    startable = []
    if person is not None:
        startable = [
            r
            for r in person.coaching_as_coachee.filter(
                status__in=[RelationshipStatus.AGREED, RelationshipStatus.ACTIVE]
            ).select_related("coach", "programme")
            if r.pk not in started
        ]
    to_approve = list(
        assessments_for_approver(request.user).filter(status=AssessmentStatus.AWAITING_APPROVAL)
    )
    context = {"own": own, "startable": startable, "to_approve": to_approve}
    return render(request, "feedback/my_assessments.html", context)


@login_required
@require_POST
def assessment_start(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    try:
        assessment = services.assessment_start(
            relationship=relationship, by=request.user, request=request
        )
    except FeedbackError as error:
        messages.error(request, str(error))
        return redirect("feedback:my_assessments")
    return redirect("feedback:assessment", assessment.pk)


def _assessment_page(
    request: AuthenticatedRequest,
    assessment: Assessment360,
    *,
    form: NominationForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    nominations = list(assessment.nominations.all())
    context = {
        "assessment": assessment,
        "nominations": nominations,
        "peers": sum(
            n.group == "peer" and n.status != NominationStatus.REJECTED for n in nominations
        ),
        "fewest_peers": services.FEWEST_PEERS,
        "form": form or NominationForm(coachee=assessment.coachee),
        "can_nominate": assessment.status == AssessmentStatus.NOMINATING,
        "error": error,
    }
    return render(request, "feedback/assessment.html", context, status=status)


@login_required
def assessment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The coachee's 360: their raters and, while choosing, the form to add one."""
    found = assessment_for_coachee(request.user, pk)
    if request.method != "POST":
        return _assessment_page(request, found)
    form = NominationForm(request.POST, coachee=found.coachee)
    if not form.is_valid():
        return _assessment_page(request, found, form=form, status=400)
    try:
        services.nomination_add(
            assessment=found,
            rater=form.cleaned_data["rater"],
            group=form.cleaned_data["group"],
            by=request.user,
        )
    except FeedbackError as error:
        return _assessment_page(request, found, form=form, error=str(error), status=400)
    return redirect("feedback:assessment", found.pk)


@login_required
@require_POST
def nomination_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    nomination = nomination_for_coachee(request.user, pk)
    try:
        services.nomination_remove(nomination=nomination, by=request.user)
    except FeedbackError as error:
        messages.error(request, str(error))
    return redirect("feedback:assessment", nomination.assessment_id)


@login_required
@require_POST
def assessment_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = assessment_for_coachee(request.user, pk)
    try:
        services.nominations_submit(assessment=found, by=request.user, request=request)
    except FeedbackError as error:
        return _assessment_page(request, found, error=str(error), status=400)
    messages.success(request, "Your raters were sent to your coach for approval.")
    return redirect("feedback:assessment", found.pk)


@login_required
def assessment_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The coach's or admin's view of a coachee's raters, to approve or reject each."""
    found = assessment_for_approver(request.user, pk)
    context = {
        "assessment": found,
        "nominations": list(found.nominations.all()),
        "reject_form": RejectForm(),
        "can_decide": found.status == AssessmentStatus.AWAITING_APPROVAL,
        "can_repeat": services.assessment_repeatable(found),
    }
    return render(request, "feedback/assessment_approve.html", context)


@login_required
@require_POST
def nomination_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    nomination = nomination_for_approver(request.user, pk)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.nomination_decide(
            nomination=nomination,
            approve=request.POST.get("decision") == "approve",
            by=request.user,
            now=timezone.now(),
            reason=reason,
            request=request,
        )
    except FeedbackError as error:
        messages.error(request, str(error))
    return redirect("feedback:assessment_approve", nomination.assessment_id)


@login_required
@require_POST
def assessment_repeat(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = assessment_for_approver(request.user, pk)
    try:
        after = services.assessment_repeat(
            assessment=found, by=request.user, now=timezone.now(), request=request
        )
    except FeedbackError as error:
        messages.error(request, str(error))
        return redirect("feedback:assessment_approve", found.pk)
    messages.success(request, "The same raters were asked again.")
    return redirect("feedback:assessment_approve", after.pk)
