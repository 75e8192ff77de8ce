"""Writes about people that are not imports: logins for people and the competency model."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest

from cadre.accounts.models import Role, User
from cadre.accounts.services import audit_record, password_link_send, roles_set
from cadre.people.models import Competency, Person


class AccountError(Exception):
    """An account can't be created or linked; the message says why."""


def person_account_grant(
    *, person: Person, roles: set[Role], granted_by: User, request: HttpRequest
) -> User:
    """Give ``person`` a login with ``roles``, inviting them by e-mail when the login is new.

    An existing login with the person's e-mail is linked rather than duplicated.
    """
    if not person.is_active:
        raise AccountError(f"{person} is deactivated; reactivate them before giving a login.")
    if not person.email:
        raise AccountError(f"{person} has no e-mail address; add one before giving a login.")
    user_model = get_user_model()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        user = person.user or user_model.objects.filter(email__iexact=person.email).first()
        created = user is None
        if user is None:
            user = user_model.objects.create_user(
                email=person.email, password=None, display_name=person.display_name
            )
        elif Person.objects.filter(user=user).exclude(pk=person.pk).exists():
            raise AccountError(f"The login {user.email} already belongs to someone else.")
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user"])
            audit_record(
                actor=granted_by,
                action="people.account_link",
                target=person,
                request=request,
                details={"user": user.email, "created": created},
            )
        roles_set(user=user, roles=roles, changed_by=granted_by, request=request)
    if created:
        password_link_send(user=user, request=request, invitation=True)
    return user


def competency_save(
    *, competency: Competency, changed_by: User, request: HttpRequest | None = None
) -> Competency:
    """Save a new or edited competency and note the change in the audit log."""
    action = "people.competency_update" if competency.pk else "people.competency_create"
    with transaction.atomic():
        competency.save()
        audit_record(actor=changed_by, action=action, target=competency, request=request)
    return competency
