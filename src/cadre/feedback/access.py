"""Who may see what in feedback. Every view fetches surveys and assessments through these.

A survey and its answers belong to its respondent alone: anyone else gets 404, admins, the
coach and the person it is about included (they see anonymised aggregates elsewhere, never a
survey). A 360° assessment's rater list is the coachee's; their coach in that relationship and
programme admins see it to approve raters, never the answers.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from cadre.accounts.models import Role, User
from cadre.accounts.queries import is_programme_admin, user_roles
from cadre.coaching.access import person_of
from cadre.feedback.models import (
    Assessment360,
    HealthAlert,
    RaterNomination,
    Survey,
    SurveyTemplate,
)
from cadre.feedback.queries import assessments_with_context, surveys_with_context
from cadre.feedback.questionnaire_queries import family_versions
from cadre.people.models import Person
from cadre.programs.access import programme_for_user
from cadre.programs.models import Programme

__all__ = ["person_of"]


def surveys_for_respondent(user: User | AnonymousUser) -> QuerySet[Survey]:
    """The surveys the user is asked to answer."""
    person = person_of(user)
    if person is None:
        return Survey.objects.none()
    return surveys_with_context(Survey.objects.filter(respondent=person))


def survey_for_respondent(user: User | AnonymousUser, pk: int) -> Survey:
    """The survey ``pk`` if the user is its respondent, else 404."""
    try:
        return surveys_for_respondent(user).get(pk=pk)
    except Survey.DoesNotExist:
        raise Http404("No such survey.") from None


def assessments_for_coachee(user: User | AnonymousUser) -> QuerySet[Assessment360]:
    """The user's own 360° assessments."""
    person = person_of(user)
    if person is None:
        return Assessment360.objects.none()
    return assessments_with_context(Assessment360.objects.filter(coachee=person))


def assessment_for_coachee(user: User | AnonymousUser, pk: int) -> Assessment360:
    try:
        return assessments_for_coachee(user).get(pk=pk)
    except Assessment360.DoesNotExist:
        raise Http404("No such assessment.") from None


def assessments_for_approver(user: User | AnonymousUser) -> QuerySet[Assessment360]:
    """Assessments whose raters the user approves: every one for a programme admin, those of
    their coachees for a coach."""
    if not user.is_authenticated:
        return Assessment360.objects.none()
    if is_programme_admin(user):
        return assessments_with_context(Assessment360.objects.all())
    person = person_of(user)
    if person is None:
        return Assessment360.objects.none()
    return assessments_with_context(Assessment360.objects.filter(Q(relationship__coach=person)))


def assessment_for_approver(user: User | AnonymousUser, pk: int) -> Assessment360:
    try:
        return assessments_for_approver(user).get(pk=pk)
    except Assessment360.DoesNotExist:
        raise Http404("No such assessment.") from None


def nomination_for_approver(user: User | AnonymousUser, pk: int) -> RaterNomination:
    assessments = assessments_for_approver(user).values("pk")
    try:
        return RaterNomination.objects.select_related(
            "rater",
            "assessment__coachee",
            "assessment__relationship__coach",
            "assessment__programme",
        ).get(pk=pk, assessment__in=assessments)
    except RaterNomination.DoesNotExist:
        raise Http404("No such rater.") from None


def nomination_for_coachee(user: User | AnonymousUser, pk: int) -> RaterNomination:
    person = person_of(user)
    try:
        return RaterNomination.objects.select_related(
            "rater", "assessment__coachee", "assessment__programme"
        ).get(pk=pk, assessment__coachee=person)
    except RaterNomination.DoesNotExist:
        raise Http404("No such rater.") from None


def assessment_for_report(user: User | AnonymousUser, pk: int) -> Assessment360:
    """The 360 ``pk`` for its report: the coachee's own, or one of the coach's coachees'.
    Admins and sponsors get 404: they never see a 360's answers, even summed up."""
    person = person_of(user)
    if person is None:
        raise Http404("No such assessment.")
    try:
        return assessments_with_context(
            Assessment360.objects.filter(Q(coachee=person) | Q(relationship__coach=person))
        ).get(pk=pk)
    except Assessment360.DoesNotExist:
        raise Http404("No such assessment.") from None


def coach_for_report(user: User | AnonymousUser) -> Person:
    """The user's person, for "feedback about my coaching": 404 unless they coach."""
    person = person_of(user)
    if person is None or not (Role.COACH in user_roles(user) or person.coaching_as_coach.exists()):
        raise Http404("Feedback about coaching is for coaches.")
    return person


# Relationship health: alerts name a pair and the signals behind them, so they are for
# programme admins alone; anyone else gets 404. A programme's health page is for those who see
# the programme (``programs.access``): admins in full, its sponsor as counts only.


def alert_for_admin(user: User | AnonymousUser, pk: int) -> HealthAlert:
    """The health alert ``pk`` for a programme admin, else 404. An admin who is the pair's
    coach or coachee gets 404 too: its signals come from the other one's answers."""
    if not is_programme_admin(user):
        raise Http404("No such alert.")
    person = person_of(user)
    alerts = HealthAlert.objects.all()
    if person is not None:
        alerts = alerts.exclude(relationship__coach=person).exclude(relationship__coachee=person)
    try:
        return alerts.select_related(
            "relationship__programme",
            "relationship__coach",
            "relationship__coachee",
            "relationship__health",
            "handled_by",
        ).get(pk=pk)
    except HealthAlert.DoesNotExist:
        raise Http404("No such alert.") from None


# Questionnaires: programme admins change a programme's questionnaires; everyone else, sponsors
# included, gets 404 (the page is no business of theirs).


def programme_for_questionnaires(user: User | AnonymousUser, pk: int) -> Programme:
    """The programme ``pk`` for editing its questionnaires: programme admins only, else 404."""
    if not is_programme_admin(user):
        raise Http404("No such programme.")
    return programme_for_user(user, pk)


def questionnaire_for_admin(
    user: User | AnonymousUser, pk: int, key: str
) -> tuple[Programme, list[SurveyTemplate]]:
    """The programme ``pk`` and every version (newest first) of its questionnaire ``key``, for
    a programme admin; 404 for anyone else or a questionnaire the programme doesn't have."""
    programme = programme_for_questionnaires(user, pk)
    versions = family_versions(programme, key)
    if not versions:
        raise Http404("No such questionnaire.")
    return programme, versions
