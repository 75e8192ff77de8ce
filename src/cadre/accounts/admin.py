from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from cadre.accounts.models import AuditEvent, RoleGrant, User
from cadre.accounts.services import audit_record

_M = TypeVar("_M", bound=models.Model)


class AuditedAdmin(admin.ModelAdmin[_M]):
    """The base of every ModelAdmin in Cadre: each change made in the Django admin also goes
    to Cadre's audit log, with the change message the admin wrote to its own history."""

    def log_addition(self, request: HttpRequest, obj: _M, message: Any) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        _audit_entry(request, "admin.add", obj, entry)
        return entry

    def log_change(self, request: HttpRequest, obj: _M, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)
        _audit_entry(request, "admin.change", obj, entry)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[_M]) -> Any:
        # Logged before the objects are deleted, so that they can still be named.
        for obj in queryset:
            audit_record(actor=_actor(request), action="admin.delete", target=obj, request=request)
        return super().log_deletions(request, queryset)


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _audit_entry(request: HttpRequest, action: str, obj: models.Model, entry: LogEntry) -> None:
    audit_record(
        actor=_actor(request),
        action=action,
        target=obj,
        request=request,
        details={"change": entry.get_change_message()} if entry.change_message else None,
    )


class RoleGrantInline(admin.TabularInline[RoleGrant, User]):
    """Roles on the user's page; each new grant records who gave it."""

    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["role", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(User)
class UserAdmin(AuditedAdmin[User], BaseUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "display_name"]
    inlines = [RoleGrantInline]
    fieldsets = (
        (None, {"fields": ("email", "display_name", "password")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_formset(
        self,
        request: Any,
        form: ModelForm[User],
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        for grant in formset.save(commit=False):
            if isinstance(grant, RoleGrant) and grant.pk is None:
                grant.granted_by = request.user
            grant.save()
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the audit log can't be edited or deleted, even by superusers."""

    list_display = [
        "occurred_at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "ip_address",
    ]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "action", "target_id", "target_label"]
    date_hierarchy = "occurred_at"

    def get_readonly_fields(self, request: HttpRequest, obj: AuditEvent | None = None) -> list[str]:
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin[RoleGrant]):
    list_display = ["user", "role", "granted_by", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__display_name"]
    list_select_related = ["user", "granted_by"]
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_by", "granted_at"]

    def save_model(self, request: Any, obj: RoleGrant, form: Any, change: bool) -> None:
        if obj.pk is None:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
