"""Who may see which people. Every view and endpoint fetches people through these helpers.

Members of the organisation (anyone with a role or an active person record) see active
colleagues; programme admins also see deactivated people and HR fields. Anyone else gets 404.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cadre.accounts.models import User
from cadre.accounts.queries import is_programme_admin, user_roles
from cadre.people.models import Person

_LINKED_PERSON_CACHE = "_cadre_linked_person_active"


def _linked_person_active(user: User) -> bool | None:
    """Whether the user's person is active (None: no linked person), read once per request."""
    if not hasattr(user, _LINKED_PERSON_CACHE):
        found = Person.objects.filter(user=user).values_list("is_active", flat=True).first()
        setattr(user, _LINKED_PERSON_CACHE, found)
    value: bool | None = getattr(user, _LINKED_PERSON_CACHE)
    return value


def is_member(user: User | AnonymousUser) -> bool:
    """Whether ``user`` belongs to the organisation and may use the directory.

    Someone whose person record has been deactivated (they left) is not, whatever roles
    their login still holds.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    linked = _linked_person_active(user)
    if linked is False:
        return False
    return linked is True or bool(user_roles(user))


def people_for_user(user: User | AnonymousUser) -> QuerySet[Person]:
    """The people ``user`` may see: none, active colleagues, or everyone (admins)."""
    if is_programme_admin(user) and is_member(user):
        return Person.objects.all()
    if is_member(user):
        return Person.objects.filter(is_active=True)
    return Person.objects.none()


def person_for_user(user: User | AnonymousUser, pk: int) -> Person:
    """The person ``pk`` if ``user`` may see them, else 404."""
    try:
        return people_for_user(user).select_related("department", "manager", "user").get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person.") from None


def person_for_admin(user: User | AnonymousUser, pk: int) -> Person:
    """The person ``pk`` for a change only admins may make: 404 if unseen, 403 if not admin."""
    person = person_for_user(user, pk)
    if not is_programme_admin(user):
        raise PermissionDenied("Only programme admins can change people.")
    return person


def require_member(user: User | AnonymousUser) -> None:
    if not is_member(user):
        raise PermissionDenied(
            "Your account is not linked to anyone in the organisation. Ask a programme admin."
        )
