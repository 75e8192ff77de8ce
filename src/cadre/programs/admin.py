from django.contrib import admin
from django.http import HttpRequest

from cadre.accounts.admin import AuditedAdmin
from cadre.programs.models import (
    ApplicationQuestion,
    AvailabilityWindow,
    CoacheeProfile,
    CoachProfile,
    CoachStrength,
    Enrolment,
    GrowthCompetency,
    MilestoneProgress,
    Programme,
    ProgrammeObjective,
    ProgrammeResponsibility,
    ProgrammeTransition,
    TrackMilestone,
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


@admin.register(ApplicationQuestion)
class ApplicationQuestionAdmin(AuditedAdmin[ApplicationQuestion]):
    list_display = ["text", "programme", "required", "position"]
    search_fields = ["text", "programme__name"]
    list_select_related = ["programme"]
    autocomplete_fields = ["programme"]


@admin.register(Enrolment)
class EnrolmentAdmin(AuditedAdmin[Enrolment]):
    """Repairs only: enrolments are made and decided on Cadre's own pages."""

    list_display = ["person", "programme", "role", "route", "status", "created_at"]
    list_filter = ["role", "route", "status"]
    search_fields = ["person__full_name", "person__employee_id", "programme__name"]
    list_select_related = ["person", "programme"]
    autocomplete_fields = ["programme", "person", "nominated_by"]
    readonly_fields = ["decided_by", "decided_at", "consent_at", "created_at"]


@admin.register(CoachProfile)
class CoachProfileAdmin(AuditedAdmin[CoachProfile]):
    list_display = ["enrolment", "capacity", "updated_at"]
    list_select_related = ["enrolment"]
    raw_id_fields = ["enrolment"]


@admin.register(CoachStrength)
class CoachStrengthAdmin(AuditedAdmin[CoachStrength]):
    list_display = ["profile", "competency", "rating"]
    list_select_related = ["profile", "competency"]
    raw_id_fields = ["profile"]


@admin.register(CoacheeProfile)
class CoacheeProfileAdmin(AuditedAdmin[CoacheeProfile]):
    list_display = ["enrolment", "prefers_other_function", "updated_at"]
    list_select_related = ["enrolment"]
    raw_id_fields = ["enrolment", "avoid"]


@admin.register(GrowthCompetency)
class GrowthCompetencyAdmin(AuditedAdmin[GrowthCompetency]):
    list_display = ["profile", "rank", "competency"]
    list_select_related = ["profile", "competency"]
    raw_id_fields = ["profile"]


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(AuditedAdmin[AvailabilityWindow]):
    list_display = ["enrolment", "weekday", "starts_at", "ends_at"]
    list_select_related = ["enrolment"]
    raw_id_fields = ["enrolment"]


@admin.register(TrackMilestone)
class TrackMilestoneAdmin(AuditedAdmin[TrackMilestone]):
    """Repairs only: the curriculum is edited on the programme's development-track page, where
    the programme's dates and status are checked."""

    list_display = ["title", "programme", "due_on", "position"]
    search_fields = ["title", "programme__name"]
    list_select_related = ["programme"]
    autocomplete_fields = ["programme"]


@admin.register(MilestoneProgress)
class MilestoneProgressAdmin(AuditedAdmin[MilestoneProgress]):
    list_display = ["milestone", "enrolment", "status", "completed_at", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["milestone", "enrolment"]
    raw_id_fields = ["milestone", "enrolment", "updated_by"]
    readonly_fields = ["updated_at"]
