"""Reads for feedback: a programme's settings, the templates in force, a person's surveys and
the answers and scores of one survey. Nothing here checks who may see what (see ``access``).
"""

from dataclasses import dataclass
from datetime import datetime
from statistics import fmean

from django.db.models import Prefetch, Q, QuerySet

from cadre.feedback.models import (
    ANSWERABLE_STATUSES,
    LOWEST_ANONYMITY_THRESHOLD,
    Answer,
    Assessment360,
    FeedbackSettings,
    Question,
    RaterGroup,
    RaterNomination,
    Survey,
    SurveyPurpose,
    SurveyStatus,
    SurveyTemplate,
)
from cadre.people.models import Person
from cadre.programs.models import Programme


def settings_for(programme: Programme) -> FeedbackSettings:
    """The programme's feedback settings, created with the defaults on first use."""
    found, _ = FeedbackSettings.objects.get_or_create(programme=programme)
    return found


def current_template(*, key: str, programme: Programme | None) -> SurveyTemplate | None:
    """The version in force of the family ``key`` for ``programme``: the programme's own
    current version if it has one, else the built-in one."""
    candidates = SurveyTemplate.objects.filter(key=key, is_current=True).filter(
        Q(programme=programme) | Q(programme__isnull=True)
        if programme is not None
        else Q(programme__isnull=True)
    )
    own = [t for t in candidates if t.programme_id is not None]
    if own:
        return own[0]
    built_in = [t for t in candidates if t.programme_id is None]
    return built_in[0] if built_in else None


def questions_of(template: SurveyTemplate) -> list[Question]:
    return list(template.questions.select_related("competency").order_by("position"))


def surveys_with_context(queryset: QuerySet[Survey]) -> QuerySet[Survey]:
    """Surveys with what their lists and pages show, fetched in the same query."""
    return queryset.select_related(
        "template",
        "programme",
        "respondent",
        "session__relationship__coach",
        "session__relationship__coachee",
        "relationship__coach",
        "relationship__coachee",
        "about_person",
    )


@dataclass(frozen=True)
class MySurveys:
    to_answer: list[Survey]
    coming_up: list[Survey]
    answered: list[Survey]


def surveys_of_respondent(person: Person | None, *, now: datetime) -> MySurveys:
    """A person's surveys as of ``now``: those open to answer, soonest due first; those not
    open yet, soonest opening first; and those submitted, newest first. A survey past its due
    time that the hourly run hasn't closed yet is in none of them."""
    if person is None:
        return MySurveys(to_answer=[], coming_up=[], answered=[])
    surveys = list(
        surveys_with_context(
            Survey.objects.filter(
                respondent=person,
                status__in=[*ANSWERABLE_STATUSES, SurveyStatus.SUBMITTED],
            )
        ).order_by("due_at", "pk")
    )
    answerable = [s for s in surveys if s.status in ANSWERABLE_STATUSES and now < s.due_at]
    to_answer = [s for s in answerable if s.opens_at <= now]
    coming_up = sorted(
        (s for s in answerable if now < s.opens_at), key=lambda s: (s.opens_at, s.pk)
    )
    answered = sorted(
        (s for s in surveys if s.status == SurveyStatus.SUBMITTED),
        key=lambda s: (s.submitted_at, s.pk),
        reverse=True,
    )
    return MySurveys(to_answer=to_answer, coming_up=coming_up, answered=answered)


def survey_subject(survey: Survey) -> str:
    """What the survey asks about, in words for its respondent."""
    if survey.session is not None and survey.session.relationship is not None:
        relationship = survey.session.relationship
        other = (
            relationship.coach
            if survey.respondent_id == relationship.coachee_id
            else relationship.coachee
        )
        return f"Your session with {other.display_name}"
    if survey.relationship is not None:
        other = survey.relationship.other_party(survey.respondent)
        return f"Your coaching with {other.display_name}"
    if survey.about_person is not None:
        if survey.about_person.pk == survey.respondent_id:
            return "Yourself"
        return survey.about_person.display_name
    return survey.programme.name


def answers_audience(survey: Survey) -> str:
    """Who will see the survey's answers, and how: the promise its e-mail and page make.

    Exact for each case (``anonymity`` holds the rules): a 360's self-ratings are read by the
    coachee and their coach; its manager is a group of one, shown as such; peers and direct
    reports only in groups of at least 3. A coachee's session ratings and both sides' pulse
    answers also feed the relationship's health signals, which programme admins see.
    """
    if survey.rater_group == RaterGroup.SELF and survey.about_person_id == survey.respondent_id:
        return (
            "You and your coach see your own ratings and comments as yours: your coach goes "
            "through the 360° report with you. Nobody else sees them."
        )
    if survey.about_person is not None and survey.rater_group == RaterGroup.MANAGER:
        name = survey.about_person.display_name
        return (
            f"You rate {name} as their manager, a group of one: {name} and their coach see "
            "your ratings as the manager's, so they will know they are yours. Your comments "
            "are not shown to them."
        )
    if survey.about_person is not None and survey.rater_group in (
        RaterGroup.PEER,
        RaterGroup.DIRECT_REPORT,
    ):
        name = survey.about_person.display_name
        return (
            f"{name} and their coach see your ratings only in averages over at least "
            f"{LOWEST_ANONYMITY_THRESHOLD} raters, and your comments without your name. If too "
            "few in your group answer, it is merged with others or hidden."
        )
    summaries = (
        "Nobody else sees your answers on their own: people see only summaries over several "
        "respondents."
    )
    if survey.purpose in (SurveyPurpose.SESSION, SurveyPurpose.PULSE) and (
        survey.purpose == SurveyPurpose.PULSE or _is_coachees_session_survey(survey)
    ):
        return (
            f"{summaries} Low ratings also tell the programme's admins that your coaching may "
            "need a check-in, without showing them what you answered."
        )
    return summaries


def _is_coachees_session_survey(survey: Survey) -> bool:
    session = survey.session
    return (
        session is not None
        and session.relationship is not None
        and session.relationship.coachee_id == survey.respondent_id
    )


def answers_by_question(survey: Survey) -> dict[int, Answer]:
    """The survey's answers, by question id."""
    return {answer.question_id: answer for answer in survey.answers.all()}


def answers_for(surveys: QuerySet[Survey]) -> QuerySet[Answer]:
    """The answers of submitted surveys among ``surveys``, with their question and survey.

    For aggregates only: callers must apply the programme's anonymity threshold before
    showing anything derived from them.
    """
    return Answer.objects.filter(
        survey__in=surveys.filter(status=SurveyStatus.SUBMITTED)
    ).select_related("question", "survey")


def subscale_scores(answers: list[Answer]) -> dict[str, float]:
    """Per pulse subscale, the mean of its answered items (Likert 1–5)."""
    by_subscale: dict[str, list[int]] = {}
    for answer in answers:
        if answer.question.subscale and answer.number is not None:
            by_subscale.setdefault(answer.question.subscale, []).append(answer.number)
    return {subscale: fmean(values) for subscale, values in by_subscale.items()}


def assessments_with_context(queryset: QuerySet[Assessment360]) -> QuerySet[Assessment360]:
    return queryset.select_related(
        "programme", "coachee", "relationship__coach", "relationship__coachee", "previous"
    ).prefetch_related(
        Prefetch(
            "nominations",
            queryset=RaterNomination.objects.select_related("rater").order_by("group", "pk"),
        )
    )
