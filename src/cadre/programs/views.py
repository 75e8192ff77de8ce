from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadre.accounts.access import require_programme_admin
from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.models import Role
from cadre.accounts.queries import is_programme_admin
from cadre.people.queries import competency_model, direct_reports
from cadre.programs import queries, track
from cadre.programs.access import (
    enrolment_for_participant,
    open_programme_for_user,
    participant_for_user,
    programme_for_admin,
    programme_page_for_user,
    programmes_for_user,
    require_programme_reader,
)
from cadre.programs.default_responsibilities import DEFAULT_RESPONSIBILITIES
from cadre.programs.forms import (
    DECISION_CHOICES,
    ApplicationForm,
    BulkEnrolForm,
    CoacheeProfileForm,
    CoachProfileForm,
    MilestoneFormSet,
    NominationForm,
    ObjectiveFormSet,
    ProgrammeForm,
    ResponsibilitiesForm,
    availability_formset,
    windows_of,
)
from cadre.programs.models import (
    CoacheeProfile,
    CoachProfile,
    Enrolment,
    MilestoneStatus,
    Programme,
)
from cadre.programs.services import (
    BulkEnrolmentError,
    EnrolmentError,
    ObjectiveChanges,
    ProgrammeError,
    allowed_transitions,
    coach_profile_save,
    coachee_profile_save,
    enrolment_apply,
    enrolment_bulk,
    enrolment_nominate,
    enrolment_withdraw,
    enrolments_decide,
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
        "funnel": queries.enrolment_funnel(programme),
        "funnel_statuses": Enrolment.Status.choices,
        "section": "programmes",
        **_track_context(programme),
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


# Enrolment pages


@login_required
def enrol_list(request: AuthenticatedRequest) -> HttpResponse:
    """The programmes taking applications, with why the participant may not join one."""
    person = participant_for_user(request.user)
    enrolled = {e.programme_id: e for e in queries.enrolments_of(person)}
    programmes = [
        {
            "programme": programme,
            "enrolment": enrolled.get(programme.pk),
            "refusals": queries.eligibility_refusals(programme, person),
        }
        for programme in queries.open_programmes()
    ]
    context = {"programmes": programmes, "section": "enrol"}
    return render(request, "programs/enrol_list.html", context)


@login_required
def enrol_apply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = open_programme_for_user(request.user, pk)
    person = participant_for_user(request.user)
    questions = list(programme.application_questions.all())
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, questions=questions)
    if data is not None and form.is_valid():
        try:
            enrolment_apply(
                programme=programme,
                person=person,
                role=form.cleaned_data["role"],
                answers=form.answers(),
                consent=form.cleaned_data["consent"],
                by=request.user,
                request=request,
            )
        except EnrolmentError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Your application to “{programme}” is in.")
            return redirect("programs:my_enrolments")
    context = {
        "programme": programme,
        "form": form,
        "refusals": queries.eligibility_refusals(programme, person),
        "section": "enrol",
    }
    return render(request, "programs/enrol_apply.html", context)


@login_required
def my_enrolments(request: AuthenticatedRequest) -> HttpResponse:
    person = participant_for_user(request.user)
    context = {"enrolments": queries.enrolments_of(person), "section": "enrol"}
    context["tracks"] = track.participant_tracks(person)
    context["milestone_statuses"] = MilestoneStatus.choices
    return render(request, "programs/my_enrolments.html", context)


@login_required
@require_POST
def enrolment_withdraw_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = enrolment_for_participant(request.user, pk)
    try:
        enrolment_withdraw(enrolment=enrolment, by=request.user, request=request)
    except EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You withdrew from “{enrolment.programme}”.")
    return redirect("programs:my_enrolments")


@login_required
def profile_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The participant's coach or coachee profile, with weekly availability."""
    enrolment = enrolment_for_participant(request.user, pk)
    competencies = list(competency_model())
    needs_consent = enrolment.consent_at is None
    data = request.POST if request.method == "POST" else None
    windows = availability_formset(data, list(enrolment.availability.all()))
    is_coach = enrolment.role == Enrolment.Role.COACH
    form: CoachProfileForm | CoacheeProfileForm
    if is_coach:
        coach = CoachProfile.objects.filter(enrolment=enrolment).first()
        initial: dict[str, object] = {"capacity": enrolment.programme.default_coach_capacity}
        if coach is not None:
            initial = {
                "capacity": coach.capacity,
                "languages": ", ".join(coach.languages),
                "bio": coach.bio,
                "preferences": coach.preferences,
                **{f"strength_{s.competency_id}": s.rating for s in coach.strengths.all()},
            }
        form = CoachProfileForm(
            data, initial=initial, competencies=competencies, needs_consent=needs_consent
        )
    else:
        coachee = (
            CoacheeProfile.objects.filter(enrolment=enrolment).prefetch_related("avoid").first()
        )
        initial = {}
        if coachee is not None:
            initial = {
                "goals": coachee.goals,
                "prefers_other_function": coachee.prefers_other_function,
                "avoid": ", ".join(p.employee_id for p in coachee.avoid.all()),
                **{f"growth_{g.rank}": g.competency_id for g in coachee.growth_competencies.all()},
            }
        form = CoacheeProfileForm(
            data, initial=initial, competencies=competencies, needs_consent=needs_consent
        )
    if data is not None and form.is_valid() and windows.is_valid():
        consent = bool(form.cleaned_data.get("consent"))
        try:
            if isinstance(form, CoachProfileForm):
                languages = form.cleaned_data["languages"].split(",")
                coach_profile_save(
                    enrolment=enrolment,
                    capacity=form.cleaned_data["capacity"],
                    strengths=form.strengths(),
                    availability=windows_of(windows),
                    languages=languages,
                    bio=form.cleaned_data["bio"],
                    preferences=form.cleaned_data["preferences"],
                    consent=consent,
                    by=request.user,
                    request=request,
                )
            else:
                coachee_profile_save(
                    enrolment=enrolment,
                    goals=form.cleaned_data["goals"],
                    growth=form.growth(),
                    availability=windows_of(windows),
                    prefers_other_function=form.cleaned_data["prefers_other_function"],
                    avoid=form.cleaned_data["avoid"],
                    consent=consent,
                    by=request.user,
                    request=request,
                )
        except EnrolmentError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Saved your profile.")
            return redirect("programs:my_enrolments")
    context = {
        "enrolment": enrolment,
        "form": form,
        "windows": windows,
        "is_coach": is_coach,
        "section": "enrol",
    }
    return render(request, "programs/profile_form.html", context)


@login_required
def nominate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A manager nominates one of their direct reports as a coachee."""
    programme = open_programme_for_user(request.user, pk)
    manager = participant_for_user(request.user)
    reports = direct_reports(manager)
    data = request.POST if request.method == "POST" else None
    form = NominationForm(data, reports=reports)
    if data is not None and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            enrolment_nominate(
                programme=programme,
                person=person,
                nominated_by=manager,
                by=request.user,
                request=request,
            )
        except EnrolmentError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Nominated {person.display_name} for “{programme}”.")
            return redirect("programs:enrol_list")
    context = {"programme": programme, "form": form, "has_reports": reports.exists()}
    return render(request, "programs/nominate.html", {**context, "section": "enrol"})


@login_required
def enrolment_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The admins' table of a programme's enrolments, with decisions in bulk."""
    programme = programme_for_admin(request.user, pk)
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("enrolment") if value.isdigit()]
        decision = request.POST.get("decision", "")
        try:
            decided = enrolments_decide(
                programme=programme,
                enrolment_ids=ids,
                decision=decision,
                by=request.user,
                request=request,
            )
        except EnrolmentError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            label = Enrolment.Status(decision).label.lower()
            messages.success(request, f"{len(decided)} enrolment(s) {label}.")
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    filters = queries.ReviewFilters(
        role=request.GET.get("role", ""),
        status=request.GET.get("status", ""),
        route=request.GET.get("route", ""),
    )
    questions = list(programme.application_questions.order_by("position", "pk"))
    enrolments = list(queries.enrolments_for_review(programme, filters))
    for enrolment in enrolments:
        enrolment.answered = queries.answers_by_question(enrolment, questions)  # type: ignore[attr-defined]
    context = {
        "programme": programme,
        "enrolments": enrolments,
        "filters": filters,
        "roles": Enrolment.Role.choices,
        "statuses": Enrolment.Status.choices,
        "routes": Enrolment.Route.choices,
        "decisions": DECISION_CHOICES,
        "section": "programmes",
    }
    return render(request, "programs/enrolment_review.html", context)


@login_required
def enrolment_bulk_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = programme_for_admin(request.user, pk)
    form = BulkEnrolForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    row_errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = enrolment_bulk(
                programme=programme,
                employee_ids=form.cleaned_data["rows"],
                role=form.cleaned_data["role"],
                by=request.user,
                request=request,
            )
        except BulkEnrolmentError as error:
            row_errors = error.rows
        except EnrolmentError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Enrolled {len(created)} people in “{programme}”.")
            return redirect("programs:enrolment_review", pk=programme.pk)
    context = {
        "programme": programme,
        "form": form,
        "row_errors": row_errors,
        "section": "programmes",
    }
    return render(request, "programs/enrolment_bulk.html", context)


# The development track: the curriculum on the programme page and its edit page (admins),
# and the participant's own milestones on "My programmes".


def _track_context(programme: Programme) -> dict[str, object]:
    """The development-track section of the programme page: aggregate figures only."""
    if not programme.offers_development_track:
        return {"track": None}
    return {"track": track.curriculum(programme)}


@login_required
def curriculum_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add, change, reorder and remove the milestones of the programme's development track."""
    programme = programme_for_admin(request.user, pk)
    refusal = track.track_refusal(programme)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect("programs:programme", pk=programme.pk)
    data = request.POST if request.method == "POST" else None
    formset = MilestoneFormSet(
        data,
        instance=programme,
        queryset=track.milestones_of(programme),
        prefix="milestones",
        form_kwargs={"programme": programme},
    )
    if data is not None and formset.is_valid():
        formset.save(commit=False)
        changes = track.CurriculumChanges(
            added=formset.new_objects,
            changed=[milestone for milestone, _ in formset.changed_objects],
            removed=formset.deleted_objects,
        )
        try:
            track.curriculum_save(
                programme=programme, changes=changes, by=request.user, request=request
            )
        except track.TrackError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Saved the development track of “{programme}”.")
            return redirect("programs:programme", pk=programme.pk)
    context = {"programme": programme, "formset": formset, "section": "programmes"}
    return render(request, "programs/curriculum_form.html", context)


@login_required
@require_POST
def progress_update(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    """The participant marks one of their milestones not started, in progress or done."""
    enrolment = enrolment_for_participant(request.user, pk)
    milestone = track.milestone_of(enrolment, milestone_pk)
    error = None
    try:
        progress = track.progress_set(
            milestone=milestone,
            enrolment=enrolment,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            by=request.user,
            request=request,
        )
    except track.TrackError as refused:
        error = str(refused)
    if request.htmx:
        current = enrolment.milestone_progress.filter(milestone=milestone).first()
        context = {
            "step": track.step_for(milestone, enrolment, current, timezone.localdate()),
            "error": error,
            "milestone_statuses": MilestoneStatus.choices,
        }
        return render(request, "programs/my_enrolments.html#milestone", context)
    if error is not None:
        messages.error(request, error)
    else:
        label = MilestoneStatus(progress.status).label.lower()
        messages.success(request, f"“{milestone}”: {label}.")
    return redirect("programs:my_enrolments")
