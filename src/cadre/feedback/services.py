"""The survey engine: templates and their versions, assigning surveys, saving and submitting
answers, closing surveys past their due time and reminding respondents.

Refusals raise ``FeedbackError`` naming the question or field at fault; nothing is written
when any part of a request is refused. Answers never go into audit details or e-mails, and
submitting answers is not audited at all: see ``survey_answer_save``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.coaching.models import CoachingRelationship, CoachingSession
from cadre.feedback.instruments import (
    BY_KEY,
    QuestionSpec,
    competency_questions,
    question_fields,
)
from cadre.feedback.models import (
    ANSWERABLE_STATUSES,
    CHOICE_KINDS,
    TEXT_ANSWER_MAX_LENGTH,
    Answer,
    Assessment360,
    Question,
    QuestionKind,
    Subscale,
    Survey,
    SurveyPurpose,
    SurveyStatus,
    SurveyTemplate,
    TemplateKind,
)
from cadre.feedback.queries import (
    answers_audience,
    current_template,
    questions_of,
    survey_subject,
)
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue
from cadre.people.models import Competency, Person
from cadre.programs.models import Programme

# Reminders: the first this long after a survey opens, the second this long before it is due.
FIRST_REMINDER_AFTER = timedelta(days=2)
LAST_REMINDER_BEFORE = timedelta(days=1)
MOST_REMINDERS = 2

# The value a competency question's "Not observed" option posts.
NOT_OBSERVED = "na"

# What a survey's answers may contain: a raw string per question key, or a list of them for a
# multiple-choice question.
AnswerData = Mapping[str, str | Sequence[str]]


class FeedbackError(Exception):
    """A feedback change was refused; the message says why, naming the question or field.

    ``errors`` holds one message per question key when answers were refused.
    """

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})


def _link(name: str, pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[pk])


# Templates -------------------------------------------------------------------------------------


MOST_QUESTIONS = 100
TEXT_MAX_LENGTH = 500

# The scale each number kind answers on: the anchors may label only these points.
SCALES = {
    QuestionKind.LIKERT: (1, 5),
    QuestionKind.COMPETENCY: (1, 5),
    QuestionKind.NPS: (0, 10),
}


@dataclass(frozen=True)
class QuestionProblem:
    """What is wrong with the question at ``position`` (1-based), and in which field."""

    position: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"Question {self.position}: {self.problem}"


class QuestionsError(FeedbackError):
    """The questions were refused; ``problems`` names each question and field at fault."""

    def __init__(self, problems: Sequence[QuestionProblem]) -> None:
        super().__init__(
            " ".join(str(problem) for problem in problems),
            {f"{p.position}:{p.field}": str(p) for p in problems},
        )
        self.problems = list(problems)


def _kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        QuestionKind.LIKERT: "an agreement",
        QuestionKind.NPS: "a likelihood-to-recommend",
        QuestionKind.SINGLE_CHOICE: "a single-choice",
        QuestionKind.MULTIPLE_CHOICE: "a multiple-choice",
        QuestionKind.COMPETENCY: "a competency",
        QuestionKind.TEXT: "a free-text",
    }
    return labels.get(kind, "this")


def _problems_of(spec: QuestionSpec, competency_ids: set[int]) -> list[tuple[str, str]]:
    """(field, problem) for each thing wrong with one question."""
    problems: list[tuple[str, str]] = []
    if spec.kind not in QuestionKind.values:
        return [("kind", f"“{spec.kind}” is not a kind of question.")]
    if not spec.text.strip():
        problems.append(("text", "give the question's text."))
    elif len(spec.text) > TEXT_MAX_LENGTH:
        problems.append(("text", f"keep the text to {TEXT_MAX_LENGTH} characters."))
    if len(spec.help_text) > TEXT_MAX_LENGTH:
        problems.append(("help_text", f"keep the help text to {TEXT_MAX_LENGTH} characters."))
    what = _kind_label(spec.kind)
    scale = SCALES.get(QuestionKind(spec.kind))
    if spec.anchors and scale is None:
        problems.append(("anchors", f"{what} question has no scale to label."))
    elif scale is not None:
        low, high = scale
        for point, label in spec.anchors.items():
            if not point.isdigit() or not low <= int(point) <= high:
                problems.append(
                    (
                        "anchors",
                        f"the scale runs from {low} to {high}, so “{point}” can't be labelled.",
                    )
                )
            elif not str(label).strip() or len(str(label)) > 100:
                problems.append(("anchors", f"give point {point} a label of up to 100 characters."))
    if spec.kind in CHOICE_KINDS:
        values = [str(choice.get("value", "")).strip() for choice in spec.choices]
        labels = [str(choice.get("label", "")).strip() for choice in spec.choices]
        if len(values) < 2:
            problems.append(("choices", f"{what} question needs at least two choices."))
        elif "" in values or "" in labels:
            problems.append(("choices", "give every choice a label."))
        elif len(set(values)) != len(values):
            twice = next(value for value in values if values.count(value) > 1)
            problems.append(("choices", f"the choice “{twice}” is there twice."))
        elif any(len(value) > 64 for value in values) or any(len(lab) > 200 for lab in labels):
            problems.append(("choices", "keep each choice to 200 characters, its value to 64."))
    elif spec.choices:
        problems.append(("choices", f"{what} question has no choices."))
    if spec.kind == QuestionKind.MULTIPLE_CHOICE:
        count = len(spec.choices)
        low = spec.min_choices or 0
        high = spec.max_choices if spec.max_choices is not None else count
        if spec.max_choices is not None and spec.max_choices < 1:
            problems.append(("max_choices", "the most choices must be at least 1."))
        elif low > high:
            problems.append(("min_choices", "the fewest choices can't be more than the most."))
        elif count >= 2 and (low > count or high > count):
            problems.append(("max_choices", f"there are only {count} choices to choose from."))
    elif spec.min_choices is not None or spec.max_choices is not None:
        problems.append(("min_choices", "only a multiple-choice question has fewest and most."))
    if spec.subscale:
        if spec.subscale not in Subscale.values:
            problems.append(("subscale", f"“{spec.subscale}” is not a pulse subscale."))
        elif spec.kind != QuestionKind.LIKERT:
            problems.append(
                ("subscale", "only an agreement (1 to 5) question counts in a subscale.")
            )
    if spec.competency_id is not None:
        if spec.kind != QuestionKind.COMPETENCY:
            problems.append(("competency", "only a competency rating names a competency."))
        elif spec.competency_id not in competency_ids:
            problems.append(("competency", "choose a competency from the list."))
    return problems


def question_problems(questions: Sequence[QuestionSpec]) -> list[QuestionProblem]:
    """Everything wrong with ``questions``, in order; an empty list when they may be saved.

    The one validator of questions: every version of every questionnaire is checked with it
    (``template_create``, ``template_revise``), and the editor shows each problem beside its
    question."""
    if not questions:
        return [QuestionProblem(1, "text", "a questionnaire needs at least one question.")]
    if len(questions) > MOST_QUESTIONS:
        return [
            QuestionProblem(
                MOST_QUESTIONS + 1,
                "text",
                f"a questionnaire has {MOST_QUESTIONS} questions at most.",
            )
        ]
    wanted = {spec.competency_id for spec in questions if spec.competency_id is not None}
    known = set(Competency.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    problems: list[QuestionProblem] = []
    seen: dict[str, int] = {}
    for position, spec in enumerate(questions, start=1):
        if not spec.key or len(spec.key) > 64 or slugify(spec.key) != spec.key:
            problems.append(QuestionProblem(position, "key", "its key must be a short slug."))
        elif spec.key in seen:
            problems.append(
                QuestionProblem(
                    position, "key", f"its key “{spec.key}” is question {seen[spec.key]}'s too."
                )
            )
        else:
            seen[spec.key] = position
        for field, problem in _problems_of(spec, known):
            problems.append(QuestionProblem(position, field, problem))
    return problems


def questions_check(questions: Sequence[QuestionSpec]) -> None:
    """Refuse ``questions`` unless they may be saved: ``QuestionsError`` names each question
    and field at fault ("Question 3: …")."""
    problems = question_problems(questions)
    if problems:
        raise QuestionsError(problems)


def _create_version(
    *,
    key: str,
    kind: str,
    title: str,
    intro: str,
    programme: Programme | None,
    version: int,
    questions: Sequence[QuestionSpec],
    by: User | None,
) -> SurveyTemplate:
    template = SurveyTemplate.objects.create(
        key=key,
        version=version,
        kind=kind,
        title=title,
        intro=intro,
        programme=programme,
        is_current=True,
        created_by=by,
    )
    Question.objects.bulk_create(
        Question(template=template, position=position, **question_fields(spec))
        for position, spec in enumerate(questions, start=1)
    )
    return template


def template_create(
    *,
    programme: Programme,
    key: str,
    kind: str,
    title: str,
    questions: Sequence[QuestionSpec],
    by: User | None,
    intro: str = "",
    request: HttpRequest | None = None,
) -> SurveyTemplate:
    """A programme's own questionnaire, version 1; its key may shadow a built-in one."""
    questions_check(questions)
    if kind not in TemplateKind.values:
        raise FeedbackError(f"Kind: “{kind}” is not a kind of questionnaire.")
    if not title.strip() or len(title) > 200:
        raise FeedbackError("Title: give a title of up to 200 characters.")
    with transaction.atomic():
        if SurveyTemplate.objects.filter(programme=programme, key=key).exists():
            raise FeedbackError(f"Key: the programme already has a questionnaire “{key}”.")
        template = _create_version(
            key=key,
            kind=kind,
            title=title,
            intro=intro,
            programme=programme,
            version=1,
            questions=questions,
            by=by,
        )
        audit_record(
            actor=by,
            action="feedback.template_create",
            target=template,
            request=request,
            details={"key": key},
        )
    return template


def template_revise(
    *,
    template: SurveyTemplate,
    questions: Sequence[QuestionSpec],
    by: User | None,
    title: str | None = None,
    intro: str | None = None,
    request: HttpRequest | None = None,
) -> SurveyTemplate:
    """Make a new version of ``template``'s family with ``questions``; it becomes current.

    The old version is kept unchanged, so surveys that used it still show what was asked.
    """
    questions_check(questions)
    with transaction.atomic():
        locked = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
        if not locked.is_current:
            raise FeedbackError("This is an old version: revise the current one.")
        latest = (
            SurveyTemplate.objects.filter(key=locked.key, programme=locked.programme)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        locked.is_current = False
        locked.save(update_fields=["is_current"])
        revised = _create_version(
            key=locked.key,
            kind=locked.kind,
            title=locked.title if title is None else title,
            intro=locked.intro if intro is None else intro,
            programme=locked.programme,
            version=(latest or locked.version) + 1,
            questions=questions,
            by=by,
        )
        audit_record(
            actor=by,
            action="feedback.template_revise",
            target=revised,
            request=request,
            details={"key": revised.key, "version": revised.version},
        )
    return revised


def question_spec(question: Question) -> QuestionSpec:
    """A stored question as the spec it was made from (to copy or compare questions)."""
    return QuestionSpec(
        key=question.key,
        kind=question.kind,
        text=question.text,
        help_text=question.help_text,
        required=question.required,
        anchors=dict(question.anchors),
        choices=list(question.choices),
        subscale=question.subscale,
        competency_id=question.competency_id,
        min_choices=question.min_choices,
        max_choices=question.max_choices,
    )


def template_for(*, key: str, programme: Programme) -> SurveyTemplate:
    """The version of ``key`` to assign in ``programme`` now.

    Built-in questionnaires that ask about every competency are revised first when the
    competencies in use have changed since their current version.
    """
    template = current_template(key=key, programme=programme)
    if template is None:
        raise FeedbackError(f"There is no questionnaire “{key}”: run the feedback migrations.")
    spec = BY_KEY.get(key)
    if spec is None or not spec.per_competency or not template.is_built_in:
        return template
    competencies = list(Competency.objects.filter(is_active=True).order_by("position", "name"))
    questions = questions_of(template)
    asked = [q.competency_id for q in questions if q.kind == QuestionKind.COMPETENCY]
    if asked == [c.pk for c in competencies]:
        return template
    others = [question_spec(q) for q in questions if q.kind != QuestionKind.COMPETENCY]
    return template_revise(
        template=template,
        questions=[*competency_questions(competencies, kind=spec.kind), *others],
        by=None,
    )


# Assigning -------------------------------------------------------------------------------------


def survey_assign(
    *,
    template: SurveyTemplate,
    respondent: Person,
    programme: Programme,
    purpose: str,
    dedupe_key: str,
    opens_at: datetime,
    due_at: datetime,
    session: CoachingSession | None = None,
    relationship: CoachingRelationship | None = None,
    about_person: Person | None = None,
    rater_group: str = "",
    assessment: Assessment360 | None = None,
) -> tuple[Survey, bool]:
    """Ask ``respondent`` to answer ``template`` unless ``dedupe_key`` was assigned before.

    Returns the survey and whether it was made now; a new survey's respondent gets an e-mail.
    """
    if purpose not in SurveyPurpose.values:
        raise FeedbackError(f"Purpose: “{purpose}” is not a survey purpose.")
    if due_at <= opens_at:
        raise FeedbackError("Due: a survey must be due after it opens.")
    if sum(subject is not None for subject in (session, relationship, about_person)) > 1:
        raise FeedbackError("Subject: a survey is about one session, relationship or person.")
    if template.programme_id is not None and template.programme_id != programme.pk:
        raise FeedbackError("Template: this questionnaire belongs to another programme.")
    existing = Survey.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                template=template,
                programme=programme,
                respondent=respondent,
                session=session,
                relationship=relationship,
                about_person=about_person,
                purpose=purpose,
                rater_group=rater_group,
                assessment=assessment,
                dedupe_key=dedupe_key,
                opens_at=opens_at,
                due_at=due_at,
                created_at=opens_at,
            )
    except IntegrityError:
        return Survey.objects.get(dedupe_key=dedupe_key), False
    _survey_mail(survey, kind=NotificationKind.SURVEY_REQUEST, number=0)
    return survey, True


def _survey_mail(survey: Survey, *, kind: str, number: int) -> bool:
    user = survey.respondent.user
    if user is None or not user.is_active:
        return False
    name = "request" if kind == NotificationKind.SURVEY_REQUEST else "reminder"
    zone = survey.respondent.time_zone or "UTC"
    with timezone.override(zone):
        _, created = notification_queue(
            key=f"{kind}:{survey.pk}:{number}",
            recipient=user,
            kind=kind,
            subject_template=f"feedback/email/survey_{name}_subject.txt",
            body_template=f"feedback/email/survey_{name}.txt",
            context={
                "survey": survey,
                "title": survey.template.title,
                "subject": survey_subject(survey),
                "audience": answers_audience(survey),
                "time_zone": zone,
                "link": _link("feedback:survey", survey.pk),
            },
        )
    return created


# Answering -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerValue:
    number: int | None = None
    not_observed: bool = False
    choices: tuple[str, ...] = ()
    text: str = ""


def _as_list(raw: str | Sequence[str] | None) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw] if raw.strip() else []
    return [value for value in raw if value.strip()]


def _number(raw: str, low: int, high: int) -> int | None:
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if low <= value <= high else None


def answer_parse(question: Question, raw: str | Sequence[str] | None) -> AnswerValue | None:
    """The answer ``raw`` gives ``question``, None when unanswered; raises ``FeedbackError``
    (naming the question) when the answer isn't one the question allows."""
    values = _as_list(raw)
    if not values:
        return None
    kind = question.kind
    if kind == QuestionKind.TEXT:
        text = values[0].strip()
        if len(text) > TEXT_ANSWER_MAX_LENGTH:
            raise FeedbackError(
                f"{question.label}: keep it to {TEXT_ANSWER_MAX_LENGTH} characters at most."
            )
        return AnswerValue(text=text)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        allowed = [choice["value"] for choice in question.choices]
        if any(value not in allowed for value in values) or len(set(values)) != len(values):
            raise FeedbackError(f"{question.label}: choose from the options given.")
        if question.min_choices is not None and len(values) < question.min_choices:
            raise FeedbackError(f"{question.label}: choose at least {question.min_choices}.")
        if question.max_choices is not None and len(values) > question.max_choices:
            raise FeedbackError(f"{question.label}: choose at most {question.max_choices}.")
        return AnswerValue(choices=tuple(values))
    if len(values) > 1:
        raise FeedbackError(f"{question.label}: choose one answer.")
    value = values[0].strip()
    if kind == QuestionKind.SINGLE_CHOICE:
        if value not in [choice["value"] for choice in question.choices]:
            raise FeedbackError(f"{question.label}: choose one of the options given.")
        return AnswerValue(choices=(value,))
    if kind == QuestionKind.COMPETENCY:
        if value == NOT_OBSERVED:
            return AnswerValue(not_observed=True)
        number = _number(value, 1, 5)
        if number is None:
            raise FeedbackError(f"{question.label}: choose a value from 1 to 5, or “Not observed”.")
        return AnswerValue(number=number)
    low, high = (0, 10) if kind == QuestionKind.NPS else (1, 5)
    number = _number(value, low, high)
    if number is None:
        raise FeedbackError(f"{question.label}: choose a value from {low} to {high}.")
    return AnswerValue(number=number)


def survey_answer_save(
    *,
    survey: Survey,
    user: User,
    data: AnswerData,
    submit: bool,
    now: datetime,
) -> Survey:
    """Save the respondent's answers (``data``: a raw value per question key); with
    ``submit``, every required question must be answered and the survey is submitted.

    Every answer is checked before anything is written; ``FeedbackError.errors`` names each
    question at fault. An unanswered question's earlier answer is cleared.
    """
    if survey.respondent.user_id != user.pk:
        raise FeedbackError("Only the person asked can answer this survey.")
    questions = questions_of(survey.template)
    parsed: dict[int, AnswerValue] = {}
    errors: dict[str, str] = {}
    for question in questions:
        try:
            value = answer_parse(question, data.get(question.key))
        except FeedbackError as error:
            errors[question.key] = str(error)
            continue
        if value is not None:
            parsed[question.pk] = value
        elif submit and question.required:
            errors[question.key] = f"{question.label}: answer this question."
    if errors:
        raise FeedbackError(" ".join(errors.values()), errors)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status not in ANSWERABLE_STATUSES or now >= locked.due_at:
            raise FeedbackError(
                "This survey is closed: it can no longer be answered."
                if locked.status != SurveyStatus.SUBMITTED
                else "This survey was already submitted."
            )
        if now < locked.opens_at:
            raise FeedbackError("This survey isn't open yet.")
        Answer.objects.filter(survey=locked).delete()
        Answer.objects.bulk_create(
            Answer(
                survey=locked,
                question_id=question_id,
                number=value.number,
                not_observed=value.not_observed,
                choices=list(value.choices),
                text=value.text,
                updated_at=now,
            )
            for question_id, value in parsed.items()
        )
        if submit:
            locked.status = SurveyStatus.SUBMITTED
            locked.submitted_at = now
        else:
            locked.status = SurveyStatus.IN_PROGRESS
        locked.save(update_fields=["status", "submitted_at"])
        # Not audited, on purpose: answering one's own survey reads and changes no one else's
        # data, and an entry naming the respondent (or their survey) with its time would let
        # whoever reads the log see whose answers moved an aggregate (docs/feedback.md).
    survey.status, survey.submitted_at = locked.status, locked.submitted_at
    return survey


# Closing and reminding -------------------------------------------------------------------------


def surveys_close_due(*, now: datetime) -> int:
    """Close every unsubmitted survey whose due time has passed; returns how many."""
    return Survey.objects.filter(status__in=ANSWERABLE_STATUSES, due_at__lte=now).update(
        status=SurveyStatus.CLOSED
    )


def _reminders_due(survey: Survey, now: datetime) -> int:
    """How many reminders the survey should have had by ``now`` (0 to 2)."""
    return int(now >= survey.opens_at + FIRST_REMINDER_AFTER) + int(
        now >= survey.due_at - LAST_REMINDER_BEFORE
    )


def survey_reminders_send(*, now: datetime) -> int:
    """Remind respondents of open surveys: two days after opening and a day before the due
    time, twice at most. Returns how many reminders were queued now; running it again queues
    nothing new."""
    surveys = (
        Survey.objects.filter(
            status__in=ANSWERABLE_STATUSES,
            opens_at__lte=now - FIRST_REMINDER_AFTER,
            due_at__gt=now,
            reminders_sent__lt=MOST_REMINDERS,
        )
        .select_related(
            "template",
            "programme",
            "respondent__user",
            "session__relationship__coach",
            "session__relationship__coachee",
            "relationship__coach",
            "relationship__coachee",
            "about_person",
        )
        .order_by("pk")
    )
    queued = 0
    for survey in surveys:
        due = min(_reminders_due(survey, now), MOST_REMINDERS)
        if due <= survey.reminders_sent:
            continue
        queued += _survey_mail(survey, kind=NotificationKind.SURVEY_REMINDER, number=due)
        Survey.objects.filter(pk=survey.pk).update(reminders_sent=due, reminded_at=now)
    return queued
