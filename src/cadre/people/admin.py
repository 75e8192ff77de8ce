from django.contrib import admin

from cadre.people.models import Competency, Department, ImportMapping, ImportRun, Person


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
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


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin[Competency]):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin[ImportMapping]):
    list_display = ["name", "created_by", "updated_at"]
    search_fields = ["name"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
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

    def has_add_permission(self, request: object) -> bool:
        return False
