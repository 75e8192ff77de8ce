from django.contrib import admin
from django.http import HttpRequest

from cadre.accounts.admin import AuditedAdmin
from cadre.enablement.models import (
    Certification,
    CertificationRule,
    ModuleAttempt,
    PracticeSignOff,
    QuizOption,
    QuizQuestion,
    Resource,
    TrainingModule,
)


class QuizQuestionInline(admin.TabularInline[QuizQuestion, TrainingModule]):
    model = QuizQuestion
    extra = 0
    show_change_link = True


class QuizOptionInline(admin.TabularInline[QuizOption, QuizQuestion]):
    model = QuizOption
    extra = 0


@admin.register(TrainingModule)
class TrainingModuleAdmin(AuditedAdmin[TrainingModule]):
    """Where admins edit the modules and their knowledge checks (Markdown, sanitised on
    display)."""

    list_display = ["title", "position", "is_required", "pass_mark_percent", "published"]
    list_filter = ["is_required", "published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuizQuestionInline]


@admin.register(QuizQuestion)
class QuizQuestionAdmin(AuditedAdmin[QuizQuestion]):
    list_display = ["text", "module", "position"]
    list_filter = ["module"]
    search_fields = ["text"]
    list_select_related = ["module"]
    inlines = [QuizOptionInline]


@admin.register(QuizOption)
class QuizOptionAdmin(AuditedAdmin[QuizOption]):
    list_display = ["text", "question", "is_correct"]
    list_filter = ["question__module"]
    search_fields = ["text", "question__text"]
    list_select_related = ["question"]


class _ReadOnlyAdmin[M: ModuleAttempt | PracticeSignOff | Certification](AuditedAdmin[M]):
    """Records written by the enablement services: shown, never changed by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(ModuleAttempt)
class ModuleAttemptAdmin(_ReadOnlyAdmin[ModuleAttempt]):
    list_display = ["person", "module", "score_percent", "passed", "submitted_at"]
    list_filter = ["passed", "module"]
    search_fields = ["person__full_name"]
    list_select_related = ["person", "module"]


@admin.register(PracticeSignOff)
class PracticeSignOffAdmin(_ReadOnlyAdmin[PracticeSignOff]):
    list_display = ["coach", "signed_off_by", "signed_at"]
    search_fields = ["coach__full_name"]
    list_select_related = ["coach", "signed_off_by"]


@admin.register(Certification)
class CertificationAdmin(_ReadOnlyAdmin[Certification]):
    list_display = ["person", "certified_on", "expires_on", "programme", "renewed_from"]
    search_fields = ["person__full_name"]
    list_select_related = ["person", "programme", "renewed_from"]


@admin.register(CertificationRule)
class CertificationRuleAdmin(AuditedAdmin[CertificationRule]):
    list_display = ["programme", "valid_months"]
    list_select_related = ["programme"]
    autocomplete_fields = ["programme"]


@admin.register(Resource)
class ResourceAdmin(AuditedAdmin[Resource]):
    list_display = ["title", "kind", "created_by", "updated_at"]
    list_filter = ["kind", "competencies"]
    search_fields = ["title", "description"]
    list_select_related = ["created_by"]
    filter_horizontal = ["competencies"]
