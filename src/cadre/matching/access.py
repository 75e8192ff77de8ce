"""Who may see and change matching. Every view and endpoint fetches through these.

Matching is for programme admins only: anyone else gets 403, and an admin asking for a run,
proposal or programme that isn't there gets 404.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cadre.accounts.models import User
from cadre.accounts.queries import is_programme_admin
from cadre.coaching.access import person_of
from cadre.coaching.services import PAIRING_PROGRAMME_STATUSES
from cadre.matching.models import MatchExclusion, MatchProposal, MatchRun
from cadre.people.models import Person
from cadre.programs.models import Enrolment, Programme


def require_matching_admin(user: User | AnonymousUser) -> None:
    """Raise 403 unless ``user`` is a programme admin."""
    if not is_programme_admin(user):
        raise PermissionDenied("Matching is for programme admins.")


def programme_for_matching(user: User | AnonymousUser, pk: int) -> Programme:
    """The programme ``pk`` for its matching pages: 403 for non-admins, 404 if unknown."""
    require_matching_admin(user)
    try:
        return Programme.objects.get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404("No such programme.") from None


def run_for_admin(user: User | AnonymousUser, pk: int) -> MatchRun:
    """The run ``pk`` with its programme and who started it: 403 for non-admins, 404 if
    unknown."""
    require_matching_admin(user)
    try:
        return MatchRun.objects.select_related("programme", "started_by").get(pk=pk)
    except MatchRun.DoesNotExist:
        raise Http404("No such matching run.") from None


def proposal_for_admin(user: User | AnonymousUser, pk: int) -> MatchProposal:
    """The proposal ``pk`` with its run and pair: 403 for non-admins, 404 if unknown."""
    require_matching_admin(user)
    try:
        return MatchProposal.objects.select_related(
            "run__programme", "coach__department", "coachee__department"
        ).get(pk=pk)
    except MatchProposal.DoesNotExist:
        raise Http404("No such proposal.") from None


def exclusion_for_admin(user: User | AnonymousUser, pk: int) -> MatchExclusion:
    """The exclusion ``pk`` with its pair: 403 for non-admins, 404 if unknown."""
    require_matching_admin(user)
    try:
        return MatchExclusion.objects.select_related("programme", "coach", "coachee").get(pk=pk)
    except MatchExclusion.DoesNotExist:
        raise Http404("No such exclusion.") from None


# Coachee choice (issue 5) -------------------------------------------------------------------


def programmes_for_choice(person: Person) -> QuerySet[Programme]:
    """The programmes where ``person`` is an approved coachee and coachee choice is open while
    the programme pairs (matching or running)."""
    return Programme.objects.filter(
        choice_mode__is_open=True,
        status__in=PAIRING_PROGRAMME_STATUSES,
        enrolments__person=person,
        enrolments__role=Enrolment.Role.COACHEE,
        enrolments__status=Enrolment.Status.APPROVED,
    )


def programme_for_choice(user: User | AnonymousUser, pk: int) -> Programme:
    """The programme ``pk`` of ``programmes_for_choice`` for ``user``: 404 for anyone else,
    admins included (they don't choose for coachees)."""
    person = person_of(user)
    if person is None:
        raise Http404("No such programme to choose a coach in.")
    try:
        return programmes_for_choice(person).get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404("No such programme to choose a coach in.") from None
