from django.contrib import admin
from django.http import HttpRequest

from cadre.accounts.admin import AuditedAdmin
from cadre.programs.models import (
    Programme,
    ProgrammeObjective,
    ProgrammeResponsibility,
    ProgrammeTransition,
)


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin[Programme]):
    """Repairs only: programmes are made and moved on Cadre's own pages, where the locks and
    the lifecycle apply. The status is read-only here, so the history stays true."""

    list_display = ["name", "status", "starts_on", "ends_on", "sponsor"]
    list_filter = ["status"]
    search_fields = ["name"]
    list_select_related = ["sponsor"]
    autocomplete_fields = ["sponsor"]
    filter_horizontal = ["eligible_departments"]
    readonly_fields = ["status", "created_by", "created_at", "updated_at"]


@admin.register(ProgrammeObjective)
class ProgrammeObjectiveAdmin(AuditedAdmin[ProgrammeObjective]):
    list_display = ["description", "programme", "metric", "target", "unit", "due_on"]
    list_filter = ["metric"]
    search_fields = ["description", "programme__name"]
    list_select_related = ["programme"]
    autocomplete_fields = ["programme"]


@admin.register(ProgrammeResponsibility)
class ProgrammeResponsibilityAdmin(AuditedAdmin[ProgrammeResponsibility]):
    list_display = ["programme", "role"]
    list_filter = ["role"]
    search_fields = ["programme__name"]
    list_select_related = ["programme"]
    autocomplete_fields = ["programme"]


@admin.register(ProgrammeTransition)
class ProgrammeTransitionAdmin(AuditedAdmin[ProgrammeTransition]):
    """Read-only: the history of a programme's moves is written by ``programme_transition``."""

    list_display = ["programme", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    list_select_related = ["programme", "by"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: ProgrammeTransition | None = None
    ) -> list[str]:
        return [field.name for field in ProgrammeTransition._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ProgrammeTransition | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ProgrammeTransition | None = None
    ) -> bool:
        return False
