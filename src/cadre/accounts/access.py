"""Role checks that pages and endpoints use before they read or change anything."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from cadre.accounts.models import User
from cadre.accounts.queries import is_programme_admin


def require_programme_admin(user: User | AnonymousUser) -> None:
    """Raise ``PermissionDenied`` (403) unless ``user`` is a programme admin."""
    if not is_programme_admin(user):
        raise PermissionDenied("This page is for programme admins.")
