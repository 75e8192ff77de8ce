from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from cadre.accounts.access import require_programme_admin
from cadre.accounts.forms import AuditFilterForm
from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.queries import audit_actions, audit_events
from cadre.accounts.services import audit_record, password_reset_admit

AUDIT_PAGE_SIZE = 50


@login_required
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    require_programme_admin(request.user)
    form = AuditFilterForm(request.GET or None, actions=audit_actions())
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "actor_email": data["actor"],
            "action": data["action"],
            "target_type_id": data["target_type"].pk if data["target_type"] else None,
            "target_id": data["target_id"],
            "since": data["since"],
            "until": data["until"],
        }
    events = (
        audit_events(**filters) if not form.is_bound or form.is_valid() else audit_events().none()
    )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "section": "audit"}
    template = "accounts/audit_log.html#results" if request.htmx else "accounts/audit_log.html"
    return render(request, template, context)


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Ask for a password-reset e-mail, at most a few per e-mail address and per client address
    an hour. Over the limit the page looks the same, so it reveals nothing, but sends nothing."""

    def form_valid(self, form: Any) -> HttpResponse:
        if not password_reset_admit(email=form.cleaned_data["email"], request=self.request):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Set a password from an e-mailed link (an invitation or a reset), and audit it."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=form.user, action="accounts.password_set", target=form.user, request=self.request
        )
        return response
