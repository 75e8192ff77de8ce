"""Who may see which programmes. Every view and endpoint fetches programmes through these.

Programme admins see and change every programme. A programme's sponsor (the person linked to
the login) sees that programme's page: its configuration and objectives, no personal data.
Anyone else gets 404.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cadre.accounts.models import Role, User
from cadre.accounts.queries import is_programme_admin, user_roles
from cadre.programs.models import Programme
from cadre.programs.queries import programme_page


def programmes_for_user(user: User | AnonymousUser) -> QuerySet[Programme]:
    """The programmes ``user`` may see: all (admins), the ones they sponsor, or none."""
    if not user.is_authenticated or not user.is_active:
        return Programme.objects.none()
    if is_programme_admin(user):
        return Programme.objects.all()
    return Programme.objects.filter(sponsor__user=user, sponsor__is_active=True)


def programme_for_user(user: User | AnonymousUser, pk: int) -> Programme:
    """The programme ``pk`` if ``user`` may see it, else 404."""
    try:
        return programmes_for_user(user).select_related("sponsor").get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404("No such programme.") from None


def programme_page_for_user(user: User | AnonymousUser, pk: int) -> Programme:
    """The programme ``pk`` with everything its page shows, if ``user`` may see it, else 404."""
    try:
        return programme_page(programmes_for_user(user), pk)
    except Programme.DoesNotExist:
        raise Http404("No such programme.") from None


def programme_for_admin(user: User | AnonymousUser, pk: int) -> Programme:
    """The programme ``pk`` for a change only admins may make: 404 if unseen, 403 if not admin."""
    programme = programme_for_user(user, pk)
    if not is_programme_admin(user):
        raise PermissionDenied("Only programme admins can change programmes.")
    return programme


def require_programme_reader(user: User | AnonymousUser) -> None:
    """Raise 403 unless ``user`` is a programme admin or a sponsor (the programme list)."""
    if not user_roles(user) & {Role.PROGRAMME_ADMIN, Role.SPONSOR}:
        raise PermissionDenied("Programmes are for programme admins and sponsors.")
