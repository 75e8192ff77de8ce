"""Writes for accounts: the audit log, roles and invitations. The only way these change."""

from datetime import timedelta
from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cadre.accounts.models import AuditEvent, Role, RoleGrant, User
from cadre.accounts.queries import password_reset_requests_since


def _client_address(request: HttpRequest | None) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    address = get_client_ip_address(request) or None
    agent = str(request.META.get("HTTP_USER_AGENT", ""))[:300]
    return address, agent


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. ``action`` is a dotted verb such as ``people.import``."""
    from django.contrib.contenttypes.models import ContentType

    address, agent = _client_address(request)
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        ip_address=address,
        user_agent=agent,
        details=details or {},
    )


def role_grant(
    *, user: User, role: Role, granted_by: User | None, request: HttpRequest | None = None
) -> RoleGrant:
    """Give ``user`` a role. Granting a role the user already holds changes nothing."""
    try:
        with transaction.atomic():
            grant, created = RoleGrant.objects.get_or_create(
                user=user, role=role, defaults={"granted_by": granted_by}
            )
            if created:
                audit_record(
                    actor=granted_by,
                    action="accounts.role_grant",
                    target=user,
                    request=request,
                    details={"role": str(role)},
                )
    except IntegrityError:
        # A concurrent request granted the same role first; the outcome is the same.
        grant = RoleGrant.objects.get(user=user, role=role)
    return grant


def role_revoke(
    *, user: User, role: Role, revoked_by: User | None, request: HttpRequest | None = None
) -> bool:
    """Take a role away. Returns whether the user held it."""
    with transaction.atomic():
        deleted, _ = RoleGrant.objects.filter(user=user, role=role).delete()
        if deleted:
            audit_record(
                actor=revoked_by,
                action="accounts.role_revoke",
                target=user,
                request=request,
                details={"role": str(role)},
            )
    return bool(deleted)


def roles_set(
    *, user: User, roles: set[Role], changed_by: User | None, request: HttpRequest | None = None
) -> None:
    """Make ``user``'s roles exactly ``roles``, granting and revoking as needed."""
    with transaction.atomic():
        held = {Role(value) for value in user.role_grants.values_list("role", flat=True)}
        for role in sorted(roles - held):
            role_grant(user=user, role=role, granted_by=changed_by, request=request)
        for role in sorted(held - roles):
            role_revoke(user=user, role=role, revoked_by=changed_by, request=request)


def password_link_send(*, user: User, request: HttpRequest, invitation: bool) -> None:
    """E-mail ``user`` a one-time link to set a password (an invitation or a reset)."""
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "protocol": "https" if request.is_secure() else "http",
        "domain": request.get_host(),
        "invitation": invitation,
    }
    subject = "You are invited to Cadre" if invitation else "Reset your Cadre password"
    body = render_to_string("accounts/email/password_link.txt", context)
    send_mail(subject, body, None, [user.email])


PASSWORD_RESET_WINDOW = timedelta(hours=1)
PASSWORD_RESETS_PER_EMAIL = 3
PASSWORD_RESETS_PER_ADDRESS = 10


def password_reset_admit(*, email: str, request: HttpRequest) -> bool:
    """Whether to send a password-reset e-mail now: at most a few an hour per e-mail address
    and per client address, so nobody can flood an inbox. Each request is audited, and the
    audit log is what is counted."""
    email = email.strip().lower()
    address = get_client_ip_address(request) or None
    for_email, from_address = password_reset_requests_since(
        since=timezone.now() - PASSWORD_RESET_WINDOW, email=email, address=address
    )
    admitted = for_email < PASSWORD_RESETS_PER_EMAIL and from_address < PASSWORD_RESETS_PER_ADDRESS
    audit_record(
        actor=None,
        action="accounts.password_reset_request"
        if admitted
        else "accounts.password_reset_throttled",
        request=request,
        details={"email": email},
    )
    return admitted
