from django.contrib import admin
from django.http import HttpRequest

from cadre.accounts.admin import AuditedAdmin
from cadre.coaching.models import CalendarFeed, Circle

# Circles: their set-up only. Circle notes are never registered: nobody reads them here.


@admin.register(Circle)
class CircleAdmin(AuditedAdmin[Circle]):
    list_display = ["name", "kind", "facilitator", "programme", "is_active"]
    list_filter = ["kind", "programme", "is_active"]
    search_fields = ["name"]
    list_select_related = ["facilitator", "programme"]
    autocomplete_fields = ["facilitator", "programme"]
    filter_horizontal = ["members"]


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
