"""How login throttling (django-axes) identifies whom a login attempt is for."""

from typing import Any

from django.http import HttpRequest


def login_identity(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The e-mail being tried, lower-cased, so that changing its case doesn't dodge the limit."""
    value = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(value).strip().lower()
