"""Logins, logouts and failed logins go to the audit log."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from cadre.accounts.models import User
from cadre.accounts.services import audit_record


@receiver(user_logged_in)
def _audit_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit_record(actor=user, action="accounts.login", target=user, request=request)


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="accounts.logout", target=user, request=request)


@receiver(user_login_failed)
def _audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit_record(
        actor=None, action="accounts.login_failed", request=request, details={"email": email}
    )
