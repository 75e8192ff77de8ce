from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cadre.accounts.access import require_programme_admin
from cadre.accounts.forms import RolesForm
from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.models import Role
from cadre.accounts.queries import is_programme_admin, user_roles
from cadre.accounts.services import audit_record
from cadre.people import queries
from cadre.people.access import people_for_user, person_for_admin, person_for_user, require_member
from cadre.people.forms import CompetencyForm, DirectoryFilterForm
from cadre.people.models import Competency, Person
from cadre.people.services import (
    AccountError,
    competency_save,
    person_account_grant,
    person_invitation_send,
)

DIRECTORY_PAGE_SIZE = 25
# The tops of the org chart shown at once; an import without managers would make everyone one.
ORG_CHART_ROOTS_SHOWN = 100


@login_required
def directory(request: AuthenticatedRequest) -> HttpResponse:
    require_member(request.user)
    admin = is_programme_admin(request.user)
    form = DirectoryFilterForm(request.GET or None, hr_fields=admin)
    filters = form.filters()
    people = queries.directory(people_for_user(request.user), filters)
    page = Paginator(people, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "is_admin": admin,
        "section": "people",
    }
    if request.htmx and request.htmx.target == "directory-results":
        return render(request, "people/directory.html#results", context)
    form.offer(queries.directory_choices())
    return render(request, "people/directory.html", context)


@login_required
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = person_for_user(request.user, pk)
    admin = is_programme_admin(request.user)
    if admin:
        audit_record(actor=request.user, action="people.view", target=person, request=request)
    context = {
        "person": person,
        "chain": queries.management_chain(person, include_inactive=admin),
        "reports": queries.direct_reports(person),
        "is_admin": admin,
        "person_type_id": ContentType.objects.get_for_model(Person).pk,
        "roles_form": RolesForm(
            initial={"roles": sorted(user_roles(person.user))} if person.user else None
        ),
        "section": "people",
    }
    return render(request, "people/person_detail.html", context)


@login_required
@require_POST
def person_account(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Give a person a login (inviting them) and set their roles."""
    person = person_for_admin(request.user, pk)
    form = RolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose roles from the list.")
        return redirect("people:person", pk=person.pk)
    roles = form.selected_roles()
    if person.user_id == request.user.pk and Role.PROGRAMME_ADMIN not in roles:
        messages.error(request, "You can't remove your own programme admin role.")
        return redirect("people:person", pk=person.pk)
    invited = person.user_id is None
    try:
        user = person_account_grant(
            person=person, roles=roles, granted_by=request.user, request=request
        )
    except AccountError as error:
        messages.error(request, str(error))
    else:
        if invited:
            messages.success(request, f"Invitation sent to {user.email}; roles saved.")
        else:
            messages.success(request, f"Roles saved for {person.display_name}.")
    return redirect("people:person", pk=person.pk)


@login_required
@require_POST
def person_invitation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Send a person's invitation again (the first one may have gone astray)."""
    person = person_for_admin(request.user, pk)
    try:
        person_invitation_send(person=person, sent_by=request.user, request=request)
    except AccountError as error:
        messages.error(request, str(error))
    else:
        assert person.user is not None
        messages.success(request, f"Invitation sent again to {person.user.email}.")
    return redirect("people:person", pk=person.pk)


@login_required
def org_chart(request: AuthenticatedRequest) -> HttpResponse:
    require_member(request.user)
    roots = list(queries.org_chart_roots()[: ORG_CHART_ROOTS_SHOWN + 1])
    more_roots = len(roots) > ORG_CHART_ROOTS_SHOWN
    roots = roots[:ORG_CHART_ROOTS_SHOWN]
    focus = None
    if request.GET.get("person", "").isdigit():
        focus = person_for_user(request.user, int(request.GET["person"]))
        roots = queries.org_chart_opened_to(focus, roots)
    context = {
        "roots": roots,
        "focus": focus,
        "focus_id": focus.pk if focus else None,
        "more_roots": more_roots,
        "section": "org",
    }
    return render(request, "people/org_chart.html", context)


@login_required
def org_chart_reports(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The direct reports of one person, as a branch of the org chart (loaded by htmx)."""
    person = person_for_user(request.user, pk)
    context = {"people": queries.direct_reports(person), "parent": person}
    return render(request, "people/org_chart.html#branch", context)


@login_required
def competencies(request: AuthenticatedRequest) -> HttpResponse:
    require_member(request.user)
    admin = is_programme_admin(request.user)
    context = {
        "competencies": queries.competency_model(include_retired=admin),
        "is_admin": admin,
        "section": "competencies",
    }
    return render(request, "people/competencies.html", context)


@login_required
def competency_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    require_programme_admin(request.user)
    competency = get_object_or_404(Competency, pk=pk) if pk is not None else Competency()
    form = CompetencyForm(request.POST or None, instance=competency)
    if request.method == "POST" and form.is_valid():
        competency_save(
            competency=form.save(commit=False), changed_by=request.user, request=request
        )
        messages.success(request, f"Saved “{form.instance.name}”.")
        return redirect("people:competencies")
    context = {"form": form, "competency": competency, "section": "competencies"}
    return render(request, "people/competency_form.html", context)
