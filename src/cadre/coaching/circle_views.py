"""Circle pages: a member's circles and a circle's page (members, sessions, attendance and
notes) for its facilitator and members; the set-up pages for programme admins, who manage
circles but never read their notes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cadre.accounts.access import require_programme_admin
from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching import queries
from cadre.coaching.access import (
    circle_for_admin,
    circle_for_facilitator,
    circle_for_member,
    circle_note_for_author,
    circle_session_for_facilitator,
    circles_for_admin,
    circles_for_member,
    person_of,
)
from cadre.coaching.circles import (
    attendance_record,
    circle_archive,
    circle_note_create,
    circle_note_delete,
    circle_note_update,
    circle_save,
    circle_session_schedule,
)
from cadre.coaching.forms import (
    AttendanceForm,
    CircleForm,
    CircleNoteForm,
    SessionScheduleForm,
)
from cadre.coaching.models import Circle, CircleKind
from cadre.coaching.queries import zone_of
from cadre.coaching.rules import CoachingError
from cadre.programs.models import Programme

# For the facilitator and the members.


def _viewer_time_zone(request: AuthenticatedRequest) -> str:
    return zone_of(person_of(request.user)).key


@login_required
def circles(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "circles": queries.circle_list(circles_for_member(request.user)),
        "person": person_of(request.user),
        "viewer_time_zone": _viewer_time_zone(request),
        "section": "circles",
    }
    return render(request, "coaching/circle_list.html", context)


def _circle_context(
    request: AuthenticatedRequest,
    circle: Circle,
    *,
    note_form: CircleNoteForm | None = None,
    schedule_form: SessionScheduleForm | None = None,
) -> dict[str, object]:
    person = person_of(request.user)
    is_facilitator = person is not None and person.pk == circle.facilitator_id
    zone = _viewer_time_zone(request)
    if is_facilitator and schedule_form is None:
        schedule_form = SessionScheduleForm(
            initial={"time_zone": zone, "duration_minutes": 90}, prefix="schedule"
        )
    return {
        "circle": circle,
        "page": queries.circle_page(circle),
        "person": person,
        "is_facilitator": is_facilitator,
        "note_form": note_form or CircleNoteForm(),
        "schedule_form": schedule_form,
        "viewer_time_zone": zone,
        "section": "circles",
    }


@login_required
def circle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = circle_for_member(request.user, pk)
    return render(request, "coaching/circle_detail.html", _circle_context(request, circle))


@login_required
@require_POST
def circle_session_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = circle_for_facilitator(request.user, pk)
    form = SessionScheduleForm(request.POST, prefix="schedule")
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = circle_session_schedule(
                circle=circle,
                scheduled_by=request.user,
                starts_at=data["instant"],
                duration_minutes=data["duration_minutes"],
                time_zone=data["time_zone"],
                format=data["format"],
                location=data["location"],
                agenda=data["agenda"],
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Scheduled. Every member gets an invitation.")
            return redirect(reverse("coaching:circle", args=[circle.pk]) + f"#session-{session.pk}")
    context = _circle_context(request, circle, schedule_form=form)
    return render(request, "coaching/circle_detail.html", context, status=400)


@login_required
@require_POST
def circle_note_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = circle_for_member(request.user, pk)
    form = CircleNoteForm(request.POST)
    if form.is_valid():
        try:
            circle_note_create(
                circle=circle,
                body=form.cleaned_data["body"],
                written_by=request.user,
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            if request.htmx:
                form = CircleNoteForm()
            else:
                messages.success(request, "Your note is shared with the circle.")
                return redirect(reverse("coaching:circle", args=[circle.pk]) + "#notes")
    template = "coaching/circle_detail.html"
    if request.htmx:
        template += "#notes"
    return render(request, template, _circle_context(request, circle, note_form=form))


@login_required
def circle_note_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    note = circle_note_for_author(request.user, pk)
    form = CircleNoteForm(
        request.POST if request.method == "POST" else None, initial={"body": note.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            circle_note_update(
                note=note, body=form.cleaned_data["body"], changed_by=request.user, request=request
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Note saved.")
            return redirect(reverse("coaching:circle", args=[note.circle_id]) + "#notes")
    context = {"note": note, "circle": note.circle, "form": form, "section": "circles"}
    return render(request, "coaching/circle_note_form.html", context)


@login_required
@require_POST
def circle_note_delete_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    note = circle_note_for_author(request.user, pk)
    circle_id = note.circle_id
    try:
        circle_note_delete(note=note, deleted_by=request.user, request=request)
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Note deleted.")
    return redirect(reverse("coaching:circle", args=[circle_id]) + "#notes")


@login_required
@require_POST
def circle_attendance(request: AuthenticatedRequest, pk: int, session_pk: int) -> HttpResponse:
    session = circle_session_for_facilitator(request.user, pk, session_pk)
    circle = session.circle
    assert circle is not None
    member_ids = list(circle.members.values_list("pk", flat=True))
    form = AttendanceForm(request.POST, member_ids=member_ids)
    if not form.is_valid():
        messages.error(request, "Attendance is recorded for the circle's members only.")
    else:
        try:
            attendance_record(
                session=session,
                present=set(form.cleaned_data["present"]),
                recorded_by=request.user,
                request=request,
            )
        except CoachingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Attendance recorded.")
    return redirect(reverse("coaching:circle", args=[circle.pk]) + f"#session-{session.pk}")


# For programme admins: setting circles up.


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def admin_circles(request: AuthenticatedRequest) -> HttpResponse:
    circles = circles_for_admin(request.user)
    kind = request.GET.get("kind", "")
    filters = queries.CircleFilters(
        kind=kind if kind in CircleKind.values else "",
        programme_id=_int_or_none(request.GET.get("programme")),
        archived=request.GET.get("archived") == "1",
    )
    context = {
        "circles": queries.circles_for_admin_list(circles, filters),
        "filters": filters,
        "kinds": CircleKind.choices,
        "programmes": Programme.objects.order_by("name", "pk"),
        "section": "circles",
    }
    template = "coaching/admin_circle_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
def circle_new(request: AuthenticatedRequest) -> HttpResponse:
    require_programme_admin(request.user)
    kind = request.GET.get("kind", "")
    return _circle_form(request, Circle(kind=kind if kind in CircleKind.values else "coaching"))


@login_required
def circle_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _circle_form(request, circle_for_admin(request.user, pk))


def _circle_form(request: AuthenticatedRequest, circle: Circle) -> HttpResponse:
    is_new = circle.pk is None
    members_url = request.path + (f"?kind={circle.kind}" if is_new else "")
    if request.method == "POST":
        form = CircleForm(request.POST, instance=circle, kind=circle.kind, members_url=members_url)
    else:
        # Choosing a programme reloads the page's member choices (htmx) with ?programme=.
        programme_id = _int_or_none(request.GET.get("programme"))
        programme = (
            queries.circle_programmes().filter(pk=programme_id).first() if programme_id else None
        )
        initial = {"programme": programme} if programme else {}
        form = CircleForm(
            instance=circle, kind=circle.kind, members_url=members_url, initial=initial
        )
    if request.method == "POST" and form.is_valid():
        try:
            saved = circle_save(
                circle=form.save(commit=False),
                members=form.cleaned_data["members"],
                saved_by=request.user,
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved the circle “{saved}”.")
            return redirect(reverse("coaching:admin_circles") + f"?kind={saved.kind}")
    context = {
        "form": form,
        "circle": None if is_new else circle,
        "kind_label": CircleKind(circle.kind).label,
        "section": "circles",
    }
    return render(request, "coaching/circle_form.html", context)


@login_required
@require_POST
def circle_archive_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = circle_for_admin(request.user, pk)
    try:
        circle_archive(circle=circle, archived_by=request.user, request=request)
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Archived the circle “{circle}”.")
    return redirect(reverse("coaching:admin_circles") + f"?kind={circle.kind}")
