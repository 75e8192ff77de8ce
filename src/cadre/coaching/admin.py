from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cadre.accounts.admin import AuditedAdmin
from cadre.coaching.models import (
    AgreementTemplate,
    CalendarFeed,
    Circle,
    CoachingRelationship,
    RelationshipTransition,
)
from cadre.coaching.services import agreement_template_save

# Circles: their set-up, read only. They change through Cadre's circle pages and
# ``cadre.coaching.circles`` (which check the facilitator's certification, who may be a member
# and the size, and cancel the sessions of an archived circle). Circle notes are never
# registered: nobody reads them here.


@admin.register(Circle)
class CircleAdmin(AuditedAdmin[Circle]):
    list_display = ["name", "kind", "facilitator", "programme", "is_active"]
    list_filter = ["kind", "programme", "is_active"]
    search_fields = ["name"]
    list_select_related = ["facilitator", "programme"]
    readonly_fields = fields = (
        "kind",
        "name",
        "purpose",
        "programme",
        "facilitator",
        "members",
        "cadence_days",
        "is_active",
        "created_by",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Circle | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Circle | None = None) -> bool:
        return False


# Sessions and calendars. Sessions are not registered: they belong to the pair or the circle
# (see ``access``). A calendar feed is, so that an operator can revoke a leaked address by
# deleting it; its token is never shown.


@admin.register(CalendarFeed)
class CalendarFeedAdmin(AuditedAdmin[CalendarFeed]):
    list_display = ["user", "created_at", "last_fetched_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "last_fetched_at"]
    readonly_fields = ["user", "created_at", "last_fetched_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarFeed | None = None) -> bool:
        return False


# Relationships and agreements (helper "relationships")


class RelationshipTransitionInline(
    admin.TabularInline[RelationshipTransition, CoachingRelationship]
):
    """The moves of a relationship, as the services wrote them: read only."""

    model = RelationshipTransition
    extra = 0
    fields = ["from_status", "to_status", "by", "at", "note"]
    readonly_fields = ["from_status", "to_status", "by", "at", "note"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: CoachingRelationship | None = None
    ) -> bool:
        return False


@admin.register(CoachingRelationship)
class CoachingRelationshipAdmin(AuditedAdmin[CoachingRelationship]):
    """Relationships change through Cadre's services (``cadre.coaching.services``), which
    check the hard rules and record every move; here they are read only."""

    list_display = [
        "coach",
        "coachee",
        "programme",
        "status",
        "origin",
        "proposed_at",
        "started_at",
    ]
    list_filter = ["status", "origin", "rematch_priority", "programme"]
    search_fields = ["coach__full_name", "coachee__full_name"]
    list_select_related = ["coach", "coachee", "programme"]
    date_hierarchy = "proposed_at"
    inlines = [RelationshipTransitionInline]
    readonly_fields = [
        "programme",
        "coach",
        "coachee",
        "status",
        "origin",
        "coach_accepted_at",
        "coachee_accepted_at",
        "proposed_by",
        "proposed_at",
        "started_at",
        "finished_at",
        "end_reason",
        "end_note",
        "rematch_priority",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: CoachingRelationship | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: CoachingRelationship | None = None
    ) -> bool:
        # Deleting would take the pair's agreement, notes and goals with it, list their own
        # words on the confirmation page, and leave calendars holding the sessions.
        return False


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(AuditedAdmin[AgreementTemplate]):
    """A programme's template. A change goes through ``agreement_template_save``, as on the
    template page: the version goes up, and agreements already drawn up keep their text."""

    list_display = ["programme", "version", "updated_by", "updated_at"]
    list_select_related = ["programme", "updated_by"]
    readonly_fields = ["version", "updated_by", "updated_at"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: AgreementTemplate | None = None
    ) -> list[str]:
        return [*self.readonly_fields, "programme"] if obj is not None else self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: AgreementTemplate, form: Any, change: bool
    ) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        saved = agreement_template_save(
            programme=obj.programme,
            values={name: form.cleaned_data[name] for name in AgreementTemplate.SECTIONS},
            by=request.user,  # type: ignore[arg-type]
            request=request,
        )
        obj.version, obj.updated_by, obj.updated_at = (
            saved.version,
            saved.updated_by,
            saved.updated_at,
        )
