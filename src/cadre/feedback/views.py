"""Survey pages for respondents: the list of their surveys and the page answering one."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching.queries import zone_of
from cadre.feedback import queries
from cadre.feedback.access import person_of, survey_for_respondent
from cadre.feedback.forms import answers_from_post, field_name
from cadre.feedback.models import Answer, Question, QuestionKind, Survey
from cadre.feedback.services import NOT_OBSERVED, FeedbackError, survey_answer_save


@dataclass
class Option:
    value: str
    label: str
    checked: bool


@dataclass
class QuestionRow:
    """One question as the answering page shows it, with what was given and any error."""

    question: Question
    name: str
    options: list[Option]
    text: str
    error: str
    answer: Answer | None

    @property
    def is_multiple(self) -> bool:
        return self.question.kind == QuestionKind.MULTIPLE_CHOICE

    @property
    def is_text(self) -> bool:
        return self.question.kind == QuestionKind.TEXT

    @property
    def low_anchor(self) -> str:
        anchors = self.question.anchors
        return str(anchors.get("0") or anchors.get("1") or "")

    @property
    def high_anchor(self) -> str:
        anchors = self.question.anchors
        return str(anchors.get("10") or anchors.get("5") or "")

    @property
    def shown_answer(self) -> str:
        """The answer in words, for the read-only view."""
        answer = self.answer
        if answer is None:
            return "Not answered"
        if answer.not_observed:
            return "Not observed"
        if answer.number is not None:
            labels = {option.value: option.label for option in self.options}
            label = labels.get(str(answer.number), "")
            return (
                f"{answer.number}" if label == str(answer.number) else f"{answer.number}: {label}"
            )
        if answer.choices:
            labels = {choice["value"]: choice["label"] for choice in self.question.choices}
            return ", ".join(labels.get(value, value) for value in answer.choices)
        return answer.text or "Not answered"


def _options(question: Question, given: list[str]) -> list[Option]:
    kind = question.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        pairs = [(str(c["value"]), str(c["label"])) for c in question.choices]
    elif kind == QuestionKind.NPS:
        pairs = [(str(n), str(n)) for n in range(11)]
    elif kind in (QuestionKind.LIKERT, QuestionKind.COMPETENCY):
        pairs = [(str(n), str(question.anchors.get(str(n), n))) for n in range(1, 6)]
        if kind == QuestionKind.COMPETENCY:
            pairs.append((NOT_OBSERVED, "Not observed"))
    else:
        pairs = []
    return [Option(value=value, label=label, checked=value in given) for value, label in pairs]


def _given(answer: Answer | None) -> list[str]:
    if answer is None:
        return []
    if answer.not_observed:
        return [NOT_OBSERVED]
    if answer.number is not None:
        return [str(answer.number)]
    if answer.choices:
        return [str(value) for value in answer.choices]
    return [answer.text] if answer.text else []


def _rows(
    survey: Survey,
    posted: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
) -> list[QuestionRow]:
    answers = queries.answers_by_question(survey)
    rows = []
    for question in queries.questions_of(survey.template):
        answer = answers.get(question.pk)
        given = posted[question.key] if posted is not None else _given(answer)
        rows.append(
            QuestionRow(
                question=question,
                name=field_name(question),
                options=_options(question, given),
                text=given[0] if given and question.kind == QuestionKind.TEXT else "",
                error=(errors or {}).get(question.key, ""),
                answer=answer,
            )
        )
    return rows


def preview_rows(questions: list[Question]) -> list[QuestionRow]:
    """Questions as the answering page shows them, unanswered (the editor's preview)."""
    return [
        QuestionRow(
            question=question,
            name=field_name(question),
            options=_options(question, []),
            text="",
            error="",
            answer=None,
        )
        for question in questions
    ]


@login_required
def my_surveys(request: AuthenticatedRequest) -> HttpResponse:
    """The user's surveys: those to answer, soonest due first, those coming up, and those
    answered."""
    person = person_of(request.user)
    surveys = queries.surveys_of_respondent(person, now=timezone.now())
    context = {
        "to_answer": [(s, queries.survey_subject(s)) for s in surveys.to_answer],
        "coming_up": [(s, queries.survey_subject(s)) for s in surveys.coming_up],
        "answered": [(s, queries.survey_subject(s)) for s in surveys.answered],
        "zone": zone_of(person),
    }
    return render(request, "feedback/my_surveys.html", context)


def _survey_page(
    request: AuthenticatedRequest,
    survey: Survey,
    *,
    rows: list[QuestionRow] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    context = {
        "survey": survey,
        "subject": queries.survey_subject(survey),
        "audience": queries.answers_audience(survey),
        "rows": rows if rows is not None else _rows(survey),
        "can_answer": survey.is_answerable and survey.opens_at <= now < survey.due_at,
        "thanks": request.GET.get("thanks") == "1" and survey.status == Survey.Status.SUBMITTED,
        "saved": request.GET.get("saved") == "1",
        "error": error,
        "now": now,
        "zone": zone_of(person_of(request.user)),
    }
    return render(request, "feedback/survey.html", context, status=status)


@login_required
def survey(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Answer a survey (save to finish later, or submit), or read one's submitted answers."""
    found = survey_for_respondent(request.user, pk)
    if request.method != "POST":
        return _survey_page(request, found)
    questions = queries.questions_of(found.template)
    data = answers_from_post(questions, request.POST)
    submit = request.POST.get("action") == "submit"
    try:
        survey_answer_save(
            survey=found,
            user=request.user,
            data=data,
            submit=submit,
            now=timezone.now(),
        )
    except FeedbackError as error:
        posted = {key: list(values) for key, values in data.items()}
        return _survey_page(
            request,
            found,
            rows=_rows(found, posted, error.errors),
            error=str(error) if not error.errors else "Some answers need another look.",
            status=400,
        )
    suffix = "?thanks=1" if submit else "?saved=1"
    return redirect(reverse("feedback:survey", args=[found.pk]) + suffix)
