"""Feedback in the Django admin: programmes' settings (editable) and questionnaires (read
only: a change of questions is a new version, made by ``services.template_revise``, so that
surveys already answered keep what they asked). Surveys and answers are never registered:
they belong to their respondents (see ``access``)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cadre.accounts.admin import AuditedAdmin
from cadre.feedback.models import FeedbackSettings, Question, SurveyTemplate


@admin.register(FeedbackSettings)
class FeedbackSettingsAdmin(AuditedAdmin[FeedbackSettings]):
    list_display = ["programme", "anonymity_threshold", "pulse_schedule"]
    list_select_related = ["programme"]
    readonly_fields = ["programme"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class QuestionInline(admin.TabularInline[Question, SurveyTemplate]):
    model = Question
    fields = readonly_fields = (
        "position",
        "key",
        "kind",
        "text",
        "required",
        "subscale",
        "competency",
    )
    extra = 0
    can_delete = False
    ordering = ["position"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(AuditedAdmin[SurveyTemplate]):
    list_display = ["title", "key", "version", "kind", "programme", "is_current"]
    list_filter = ["kind", "is_current", "programme"]
    search_fields = ["title", "key"]
    list_select_related = ["programme"]
    readonly_fields = fields = (
        "key",
        "version",
        "kind",
        "title",
        "intro",
        "programme",
        "is_current",
        "created_at",
        "created_by",
    )
    inlines = [QuestionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
