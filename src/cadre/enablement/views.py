from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadre.accounts.access import require_programme_admin
from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.queries import is_programme_admin
from cadre.enablement import queries
from cadre.enablement.access import (
    attempt_for_user,
    coach_for_admin,
    module_for_user,
    person_of,
    require_enablement_reader,
    resource_for_admin,
    resource_for_user,
)
from cadre.enablement.forms import (
    QuizForm,
    ResourceForm,
    SignOffForm,
    question_field_name,
)
from cadre.enablement.models import Resource
from cadre.enablement.services import (
    EnablementError,
    QuizAnswersError,
    attempt_submit,
    practice_sign_off,
    resource_save,
)
from cadre.people.models import Competency
from cadre.programs.access import programme_for_admin
from cadre.programs.models import Programme

STATE_FILTERS = [
    (queries.CertificationState.CERTIFIED, "Certified"),
    (queries.CertificationState.EXPIRED, "Expired"),
    (queries.CertificationState.IN_PROGRESS, "In progress"),
    (queries.CertificationState.NOT_STARTED, "Not started"),
]


# Training: coaches (and admins) take the modules.


@login_required
def training(request: AuthenticatedRequest) -> HttpResponse:
    require_enablement_reader(request.user)
    person = person_of(request.user)
    progress = queries.module_progress(person=person)
    context = {
        "progress": progress,
        "passed": sum(item.passed for item in progress if item.module.is_required),
        "required": sum(item.module.is_required for item in progress),
        "section": "training",
    }
    return render(request, "enablement/training.html", context)


@login_required
def module_detail(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    module = module_for_user(request.user, slug)
    context = {"module": module, "section": "training"}
    return render(request, "enablement/module_detail.html", context)


@login_required
def module_quiz(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    module = module_for_user(request.user, slug)
    person = person_of(request.user)
    form = QuizForm(request.POST if request.method == "POST" else None, module=module)
    if person is None:
        messages.error(request, "Your login isn't linked to a person, so quizzes can't be saved.")
    elif request.method == "POST" and form.is_valid():
        try:
            attempt = attempt_submit(
                person=person, module=module, answers=form.answers(), request=request
            )
        except QuizAnswersError as error:
            for question_pk, message in error.errors.items():
                form.add_error(question_field_name(question_pk), message)
        except EnablementError as error:
            form.add_error(None, str(error))
        else:
            return redirect("enablement:attempt", pk=attempt.pk)
    context = {"module": module, "form": form, "section": "training"}
    return render(request, "enablement/module_quiz.html", context)


@login_required
def attempt_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    attempt = attempt_for_user(request.user, pk)
    context = {"attempt": attempt, "module": attempt.module, "section": "training"}
    return render(request, "enablement/attempt_detail.html", context)


@login_required
def my_certification(request: AuthenticatedRequest) -> HttpResponse:
    require_enablement_reader(request.user)
    person = person_of(request.user)
    today = timezone.localdate()
    status = queries.coach_status(person=person, on=today) if person is not None else None
    context = {"status": status, "today": today, "section": "training"}
    return render(request, "enablement/my_certification.html", context)


# Certification: programme admins follow every coach and sign off practice sessions.


@login_required
def certification_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every coach's certification, or (``?programme=<id>``) that of a programme's approved
    coaches, with the counts per state; ``?status=`` narrows the rows to one state."""
    require_programme_admin(request.user)
    programme = _programme_filter(request)
    today = timezone.localdate()
    state = request.GET.get("status", "")
    people = queries.programme_coaches(programme) if programme else queries.coaches()
    statuses = queries.coach_statuses(people, on=today)
    counts = queries.state_counts(statuses)
    if state in counts:
        statuses = [status for status in statuses if status.state == state]
    total = sum(counts.values())
    context = {
        "statuses": statuses,
        "filters": [(value, label, counts[value]) for value, label in STATE_FILTERS],
        "state": state,
        "programme": programme,
        "total": total,
        "uncertified": total - counts[queries.CertificationState.CERTIFIED],
        "today": today,
        "sign_off_form": SignOffForm(),
        "section": "certification",
    }
    return render(request, "enablement/certification_list.html", context)


@login_required
@require_POST
def certification_sign_off(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    coach = coach_for_admin(request.user, pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long (2,000 characters at most).")
    else:
        try:
            practice_sign_off(
                coach=coach,
                signed_off_by=request.user,
                note=form.cleaned_data["note"],
                request=request,
            )
        except EnablementError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Signed off {coach}'s practice session.")
    url = reverse("enablement:certification_list")
    programme_id = request.POST.get("programme", "")
    return redirect(f"{url}?programme={programme_id}" if programme_id.isdigit() else url)


def _programme_filter(request: AuthenticatedRequest) -> Programme | None:
    """The programme in ``?programme=<id>``: None when absent, 404 when unknown."""
    value = request.GET.get("programme", "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404("No such programme.")
    return programme_for_admin(request.user, int(value))


# The resource library.


@login_required
def resource_list(request: AuthenticatedRequest) -> HttpResponse:
    require_enablement_reader(request.user)
    text = request.GET.get("q", "")[:200]
    competency_id = request.GET.get("competency", "")
    competency = int(competency_id) if competency_id.isdigit() else None
    context = {
        "resources": queries.resource_search(
            Resource.objects.all(), text=text, competency_id=competency
        ),
        "competencies": Competency.objects.filter(is_active=True).order_by("position", "name"),
        "q": text,
        "competency": competency,
        "is_admin": is_programme_admin(request.user),
        "section": "training",
    }
    return render(request, "enablement/resource_list.html", context)


@login_required
def resource_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resource = resource_for_user(request.user, pk)
    context = {
        "resource": resource,
        "is_admin": is_programme_admin(request.user),
        "section": "training",
    }
    return render(request, "enablement/resource_detail.html", context)


@login_required
def resource_file(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The uploaded file, after the access check; files are never served from MEDIA_URL."""
    resource = resource_for_user(request.user, pk)
    if resource.kind != Resource.Kind.FILE or not resource.file:
        raise Http404("This resource has no file.")
    name = (resource.file.name or "").rsplit("/", 1)[-1]
    return FileResponse(resource.file.open("rb"), as_attachment=True, filename=name)


@login_required
def resource_new(request: AuthenticatedRequest) -> HttpResponse:
    require_programme_admin(request.user)
    return _resource_form(request, Resource())


@login_required
def resource_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _resource_form(request, resource_for_admin(request.user, pk))


def _resource_form(request: AuthenticatedRequest, resource: Resource) -> HttpResponse:
    is_new = resource.pk is None
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES, instance=resource)
    else:
        form = ResourceForm(instance=resource)
    if request.method == "POST" and form.is_valid():
        try:
            saved = resource_save(
                resource=form.save(commit=False),
                competencies=form.cleaned_data["competencies"],
                saved_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved “{saved}”.")
            return redirect("enablement:resource", pk=saved.pk)
    context = {"form": form, "resource": None if is_new else resource, "section": "training"}
    return render(request, "enablement/resource_form.html", context)
