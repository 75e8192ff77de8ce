"""Who may see what in coach enablement. Every view fetches objects through these.

Training, the resource library and one's own certification are for coaches and programme
admins (403 for everyone else). A person's quiz attempts are theirs alone: anyone else gets
404. The certification overview, sign-offs and library editing are for programme admins.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cadre.accounts.access import require_programme_admin
from cadre.accounts.models import Role, User
from cadre.accounts.queries import user_roles
from cadre.enablement.models import ModuleAttempt, Resource, TrainingModule
from cadre.enablement.queries import coaches, module_with_quiz, published_modules
from cadre.people.models import Person


def require_enablement_reader(user: User | AnonymousUser) -> None:
    """Raise 403 unless ``user`` is a coach or a programme admin."""
    if not user_roles(user) & {Role.COACH, Role.PROGRAMME_ADMIN}:
        raise PermissionDenied("Training and the resource library are for coaches and admins.")


def person_of(user: User | AnonymousUser) -> Person | None:
    """The active person linked to the login, if any."""
    person: Person | None = getattr(user, "person", None)
    return person if person is not None and person.is_active else None


def module_for_user(user: User | AnonymousUser, slug: str) -> TrainingModule:
    """The published module ``slug`` with its quiz, for coaches and admins; 404 if missing."""
    require_enablement_reader(user)
    try:
        return module_with_quiz(published_modules(), slug)
    except TrainingModule.DoesNotExist:
        raise Http404("No such module.") from None


def attempt_for_user(user: User | AnonymousUser, pk: int) -> ModuleAttempt:
    """The attempt ``pk`` if it is the user's own, else 404."""
    require_enablement_reader(user)
    person = person_of(user)
    try:
        return ModuleAttempt.objects.select_related("module").get(pk=pk, person=person)
    except ModuleAttempt.DoesNotExist:
        raise Http404("No such attempt.") from None


def coach_for_admin(user: User | AnonymousUser, pk: int) -> Person:
    """The coach ``pk`` for an admin's action: 403 for non-admins, 404 if not a coach."""
    require_programme_admin(user)
    try:
        return coaches().get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such coach.") from None


def resource_for_user(user: User | AnonymousUser, pk: int) -> Resource:
    """The resource ``pk`` for coaches and admins; 404 if missing."""
    require_enablement_reader(user)
    try:
        return Resource.objects.prefetch_related("competencies").get(pk=pk)
    except Resource.DoesNotExist:
        raise Http404("No such resource.") from None


def resource_for_admin(user: User | AnonymousUser, pk: int) -> Resource:
    """The resource ``pk`` for a change: 404 if unseen, 403 unless a programme admin."""
    resource = resource_for_user(user, pk)
    require_programme_admin(user)
    return resource
