"""Writes about people that are not imports: logins for people and the competency model."""

from smtplib import SMTPException

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

    An existing login with the person's e-mail is linked rather than duplicated, and a login
    that was switched off (when the person left) is switched on again. Raises
    :class:`AccountError` when the person can't have a login, or when everything was saved
    but the invitation couldn't be sent (the admin can send it again).
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
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
            audit_record(
                actor=granted_by, action="accounts.user_reactivate", target=user, request=request
            )
        roles_set(user=user, roles=roles, changed_by=granted_by, request=request)
    if created:
        person_invitation_send(person=person, sent_by=granted_by, request=request)
    return user


def person_invitation_send(*, person: Person, sent_by: User, request: HttpRequest) -> None:
    """E-mail ``person`` a link to set their password, e.g. when the first one went astray."""
    user = person.user
    if user is None or not user.is_active:
        raise AccountError(f"{person} has no active login to invite.")
    try:
        password_link_send(user=user, request=request, invitation=True)
    except (OSError, SMTPException) as error:
        raise AccountError(
            f"The login for {person} is saved, but the invitation e-mail could not be sent "
            f"({error}). Check the mail settings, then use “Send the invitation again”."
        ) from error
    audit_record(actor=sent_by, action="accounts.invitation_send", target=user, request=request)


def person_login_follow(*, person: Person, request: HttpRequest | None = None) -> None:
    """When someone has left (their person is deactivated), switch their login off too."""
    user = person.user
    if person.is_active or user is None or not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    actor = getattr(request, "user", None)
    audit_record(
        actor=actor if isinstance(actor, User) else None,
        action="accounts.user_deactivate",
        target=user,
        request=request,
        details={"reason": "person deactivated", "person": person.employee_id},
    )


def competency_save(
    *, competency: Competency, changed_by: User, request: HttpRequest | None = None
) -> Competency:
    """Save a new or edited competency and note the change in the audit log."""
    action = "people.competency_update" if competency.pk else "people.competency_create"
    with transaction.atomic():
        competency.save()
        audit_record(actor=changed_by, action=action, target=competency, request=request)
    return competency
