from django.contrib import admin

from cadre.accounts.admin import AuditedAdmin
from cadre.coaching.models import Circle

# Circles: their set-up only. Circle notes are never registered: nobody reads them here.


@admin.register(Circle)
class CircleAdmin(AuditedAdmin[Circle]):
    list_display = ["name", "kind", "facilitator", "programme", "is_active"]
    list_filter = ["kind", "programme", "is_active"]
    search_fields = ["name"]
    list_select_related = ["facilitator", "programme"]
    autocomplete_fields = ["facilitator", "programme"]
    filter_horizontal = ["members"]
