"""Programme admins change their programme's questionnaires: customise a built-in one, write a
new one, and revise either. A revision is always a new version (``services.template_revise``);
surveys already sent keep the version they were given on.

Questions are checked by ``services.questions_check`` (the one validator every questionnaire
goes through), each problem naming the question and the field at fault (``QuestionProblem``),
so a page can show every problem beside its question; nothing is written while any remains.
"""

from collections.abc import Sequence

from django.http import HttpRequest
from django.utils.text import slugify

from cadre.accounts.models import User
from cadre.feedback.instruments import BY_KEY, QuestionSpec
from cadre.feedback.models import (
    SurveyTemplate,
    TemplateKind,
)
from cadre.feedback.queries import current_template, questions_of
from cadre.feedback.services import (
    MOST_QUESTIONS,
    SCALES,
    TEXT_MAX_LENGTH,
    FeedbackError,
    QuestionProblem,
    QuestionsError,
    question_problems,
    question_spec,
    questions_check,
    template_create,
    template_for,
    template_revise,
)
from cadre.programs.models import Programme

# The question rules live in ``services`` (one validator for every questionnaire); the editor
# reads them, and the limits of a questionnaire's title and introduction, from here.
__all__ = [
    "INTRO_MAX_LENGTH",
    "MOST_QUESTIONS",
    "SCALES",
    "TEXT_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "QuestionProblem",
    "QuestionsError",
    "question_problems",
    "questionnaire_create",
    "questionnaire_customise",
    "questionnaire_revise",
]

TITLE_MAX_LENGTH = 200
INTRO_MAX_LENGTH = 2000


def _check(questions: Sequence[QuestionSpec], *, title: str | None, intro: str | None) -> None:
    if title is not None and (not title.strip() or len(title) > TITLE_MAX_LENGTH):
        raise FeedbackError(f"Title: give a title of up to {TITLE_MAX_LENGTH} characters.")
    if intro is not None and len(intro) > INTRO_MAX_LENGTH:
        raise FeedbackError(f"Introduction: keep it to {INTRO_MAX_LENGTH} characters.")
    questions_check(questions)


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
        questions=[question_spec(question) for question in questions_of(built_in)],
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
        and [question_spec(question) for question in questions_of(template)] == list(questions)
    )
    if unchanged:
        return template, False
    revised = template_revise(
        template=template, questions=questions, by=by, title=title, intro=intro, request=request
    )
    return revised, True
