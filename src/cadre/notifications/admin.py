from django.contrib import admin
from django.http import HttpRequest

from cadre.accounts.admin import AuditedAdmin
from cadre.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin[Notification]):
    """Read-only: messages are written by the services and sent by the worker."""

    list_display = ["created_at", "kind", "recipient", "subject", "sent_at", "attempts"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "subject", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"

    def get_readonly_fields(
        self, request: HttpRequest, obj: Notification | None = None
    ) -> list[str]:
        return [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
