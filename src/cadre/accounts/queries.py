"""Reads for accounts: a user's roles and the audit log."""

from datetime import date, datetime, time

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from cadre.accounts.models import AuditEvent, Role, User

_ROLES_CACHE = "_cadre_roles"


def user_roles(user: User | AnonymousUser) -> frozenset[Role]:
    """The roles ``user`` holds, read once per user object (so once per request).

    A superuser counts as a programme admin.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        roles = {Role(value) for value in user.role_grants.values_list("role", flat=True)}
        if user.is_superuser:
            roles.add(Role.PROGRAMME_ADMIN)
        cached = frozenset(roles)
        setattr(user, _ROLES_CACHE, cached)
    return cached


def is_programme_admin(user: User | AnonymousUser) -> bool:
    return Role.PROGRAMME_ADMIN in user_roles(user)


def audit_events(
    *,
    actor_email: str = "",
    action: str = "",
    target_type_id: int | None = None,
    target_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, narrowed by the given filters."""
    events = AuditEvent.objects.select_related("target_type")
    if actor_email:
        events = events.filter(actor_label__icontains=actor_email.strip())
    if action:
        events = events.filter(action=action)
    if target_type_id is not None:
        events = events.filter(target_type_id=target_type_id)
    if target_id:
        events = events.filter(target_id=target_id)
    tz = timezone.get_current_timezone()
    if since is not None:
        events = events.filter(occurred_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until is not None:
        events = events.filter(occurred_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events


def password_reset_requests_since(
    *, since: datetime, email: str, address: str | None
) -> tuple[int, int]:
    """How many password resets were asked for since ``since``: for this e-mail, and from this
    address. The audit log is the record, so the limit holds across every web process."""
    recent = AuditEvent.objects.filter(
        action="accounts.password_reset_request", occurred_at__gte=since
    )
    for_email = recent.filter(details__email=email).count()
    from_address = recent.filter(ip_address=address).count() if address else 0
    return for_email, from_address


def audit_actions() -> list[str]:
    """Every action name that occurs in the log, for the filter's choices."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
