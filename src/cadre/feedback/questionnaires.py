"""Programme admins change their programme's questionnaires: customise a built-in one, write a
new one, and revise either. A revision is always a new version (``services.template_revise``);
surveys already sent keep the version they were given on.

Questions are checked here first, each problem naming the question and the field at fault
(``QuestionProblem``), so a page can show every problem beside its question; nothing is written
while any remains.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.text import slugify

from cadre.accounts.models import User
from cadre.feedback.instruments import BY_KEY, QuestionSpec
from cadre.feedback.models import (
    CHOICE_KINDS,
    QuestionKind,
    Subscale,
    SurveyTemplate,
    TemplateKind,
)
from cadre.feedback.queries import current_template, questions_of
from cadre.feedback.services import (
    FeedbackError,
    _spec_of,
    template_create,
    template_for,
    template_revise,
)
from cadre.people.models import Competency
from cadre.programs.models import Programme

MOST_QUESTIONS = 100
TEXT_MAX_LENGTH = 500
TITLE_MAX_LENGTH = 200
INTRO_MAX_LENGTH = 2000

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
    """Everything wrong with ``questions``, in order; an empty list when they may be saved."""
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


def _check(questions: Sequence[QuestionSpec], *, title: str | None, intro: str | None) -> None:
    if title is not None and (not title.strip() or len(title) > TITLE_MAX_LENGTH):
        raise FeedbackError(f"Title: give a title of up to {TITLE_MAX_LENGTH} characters.")
    if intro is not None and len(intro) > INTRO_MAX_LENGTH:
        raise FeedbackError(f"Introduction: keep it to {INTRO_MAX_LENGTH} characters.")
    problems = question_problems(questions)
    if problems:
        raise QuestionsError(problems)


def questionnaire_customise(
    *, programme: Programme, key: str, by: User, request: HttpRequest | None = None
) -> SurveyTemplate:
    """The programme's own copy of the built-in questionnaire ``key``, version 1, with the
    built-in's current questions; from now on the programme's surveys use the copy."""
    if key not in BY_KEY:
        raise FeedbackError(f"There is no built-in questionnaire “{key}”.")
    if SurveyTemplate.objects.filter(programme=programme, key=key).exists():
        raise FeedbackError("The programme already has its own copy of this questionnaire.")
    built_in = template_for(key=key, programme=programme)
    return template_create(
        programme=programme,
        key=key,
        kind=built_in.kind,
        title=built_in.title,
        intro=built_in.intro,
        questions=[_spec_of(question) for question in questions_of(built_in)],
        by=by,
        request=request,
    )


def _new_key(programme: Programme, title: str) -> str:
    base = slugify(title)[:50].strip("-") or "questionnaire"
    taken = (
        set(SurveyTemplate.objects.filter(programme=programme).values_list("key", flat=True))
        | set(BY_KEY)
        | {"new"}
    )
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def questionnaire_create(
    *,
    programme: Programme,
    title: str,
    intro: str,
    questions: Sequence[QuestionSpec],
    by: User,
    request: HttpRequest | None = None,
) -> SurveyTemplate:
    """A new questionnaire of the programme's own, version 1; its key comes from the title."""
    _check(questions, title=title, intro=intro)
    return template_create(
        programme=programme,
        key=_new_key(programme, title),
        kind=TemplateKind.CUSTOM,
        title=title.strip(),
        intro=intro.strip(),
        questions=questions,
        by=by,
        request=request,
    )


def questionnaire_revise(
    *,
    template: SurveyTemplate,
    title: str,
    intro: str,
    questions: Sequence[QuestionSpec],
    by: User,
    request: HttpRequest | None = None,
) -> tuple[SurveyTemplate, bool]:
    """Save a programme's questionnaire as a new version, unless nothing changed.

    ``template`` is the version the admin edited: if another version was saved meanwhile, the
    save is refused. Returns the current version and whether it was made now.
    """
    if template.programme_id is None:
        raise FeedbackError("A built-in questionnaire can't change: customise it first.")
    _check(questions, title=title, intro=intro)
    current = current_template(key=template.key, programme=template.programme)
    if current is None or current.pk != template.pk:
        raise FeedbackError(
            f"Version {current.version if current else '?'} was saved while you edited "
            f"version {template.version}: open the questionnaire again to see it."
        )
    title, intro = title.strip(), intro.strip()
    unchanged = (
        title == template.title
        and intro == template.intro
        and [_spec_of(question) for question in questions_of(template)] == list(questions)
    )
    if unchanged:
        return template, False
    revised = template_revise(
        template=template, questions=questions, by=by, title=title, intro=intro, request=request
    )
    return revised, True
