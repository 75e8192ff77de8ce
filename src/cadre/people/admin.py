from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from cadre.accounts.admin import AuditedAdmin
from cadre.people import queries
from cadre.people.models import Competency, Department, ImportMapping, ImportRun, Person
from cadre.people.services import person_login_follow


class DepartmentAdminForm(forms.ModelForm[Department]):
    def clean_parent(self) -> Department | None:
        parent: Department | None = self.cleaned_data["parent"]
        own = self.instance.pk
        if (
            parent is not None
            and own is not None
            and parent.pk in queries.department_subtree_ids(own)
        ):
            raise forms.ValidationError(
                f"{parent} is {self.instance} or one of its sub-departments: "
                "a department can't sit under itself."
            )
        return parent


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin[Department]):
    form = DepartmentAdminForm
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


class PersonAdminForm(forms.ModelForm[Person]):
    """The same rules as the HRIS import: e-mails in lower case, real time zones, no loops."""

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_time_zone(self) -> str:
        zone = str(self.cleaned_data["time_zone"]).strip()
        if zone not in available_timezones():
            raise forms.ValidationError(
                f"“{zone}” is not a time zone. Use an IANA name such as Europe/London."
            )
        return zone

    def clean_manager(self) -> Person | None:
        manager: Person | None = self.cleaned_data["manager"]
        person = self.instance
        if manager is not None and person.pk is not None:
            if manager.pk == person.pk:
                raise forms.ValidationError("A person can't be their own manager.")
            if any(above.pk == person.pk for above in queries.management_chain(manager)):
                raise forms.ValidationError(
                    f"{manager} reports to {person}, directly or not: "
                    "this would make a loop in the reporting line."
                )
        return manager


@admin.register(Person)
class PersonAdmin(AuditedAdmin[Person]):
    form = PersonAdminForm
    list_display = [
        "full_name",
        "employee_id",
        "email",
        "department",
        "job_title",
        "level",
        "is_active",
    ]
    list_filter = ["is_active", "department", "level"]
    search_fields = ["full_name", "preferred_name", "employee_id", "email"]
    list_select_related = ["department"]
    autocomplete_fields = ["department", "manager", "user"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        person_login_follow(person=obj, request=request)


@admin.register(Competency)
class CompetencyAdmin(AuditedAdmin[Competency]):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]


@admin.register(ImportMapping)
class ImportMappingAdmin(AuditedAdmin[ImportMapping]):
    list_display = ["name", "created_by", "updated_at"]
    search_fields = ["name"]


@admin.register(ImportRun)
class ImportRunAdmin(AuditedAdmin[ImportRun]):
    list_display = [
        "original_name",
        "status",
        "rows_total",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
