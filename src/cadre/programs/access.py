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
from cadre.people.models import Person
from cadre.people.queries import person_of_user
from cadre.programs.models import Enrolment, Programme
from cadre.programs.queries import open_programmes, programme_page


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


# Enrolments: a participant sees their own; programme admins see every one; a sponsor sees
# the funnel (counts) on the programme page and never an application; anyone else gets 404.


def enrolments_for_user(user: User | AnonymousUser) -> QuerySet[Enrolment]:
    """The enrolments ``user`` may see: all (admins), their own, or none."""
    if not user.is_authenticated or not user.is_active:
        return Enrolment.objects.none()
    if is_programme_admin(user):
        return Enrolment.objects.all()
    return Enrolment.objects.filter(person__user=user, person__is_active=True)


def enrolment_for_user(user: User | AnonymousUser, pk: int) -> Enrolment:
    """The enrolment ``pk`` if ``user`` may see it, else 404."""
    try:
        return (
            enrolments_for_user(user)
            .select_related("programme", "person", "person__user")
            .get(pk=pk)
        )
    except Enrolment.DoesNotExist:
        raise Http404("No such enrolment.") from None


def enrolment_for_participant(user: User | AnonymousUser, pk: int) -> Enrolment:
    """The user's own enrolment ``pk``, for what only the participant does (their profile,
    withdrawing): 404 if unseen, 403 for an admin looking at someone else's."""
    enrolment = enrolment_for_user(user, pk)
    if enrolment.person.user_id != user.pk:
        raise PermissionDenied("Only the participant can change their enrolment.")
    return enrolment


def participant_for_user(user: User | AnonymousUser) -> Person:
    """The active person linked to ``user``, who may enrol; 403 for logins without one."""
    person = person_of_user(user)
    if person is None:
        raise PermissionDenied(
            "Your login is not linked to anyone in the organisation. Ask a programme admin."
        )
    return person


def open_programme_for_user(user: User | AnonymousUser, pk: int) -> Programme:
    """A programme taking applications today, for anyone in the organisation; else 404."""
    participant_for_user(user)
    try:
        return open_programmes().get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404("No such programme is taking applications.") from None
