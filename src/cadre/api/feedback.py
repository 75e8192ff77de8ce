"""Feedback: questionnaires, the caller's surveys and their answers, and reports.

A survey is its respondent's alone (404 for anyone else, admins included). Answers go through
``cadre.feedback.services.survey_answer_save``, so the API refuses what the pages refuse: a
400 with one item per question at fault, ``loc`` ``["body", "answers", "<question key>"]``.
Reports come from ``cadre.feedback.reports`` under the rules of ``cadre.feedback.anonymity``:
a hidden figure has ``value`` and ``people`` null and ``hidden`` giving the reason.
"""

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from cadre.accounts.http import AuthenticatedRequest
from cadre.accounts.queries import is_programme_admin
from cadre.api.schemas import MessageOut, ValidationErrorOut
from cadre.feedback import queries, reports
from cadre.feedback.access import (
    assessment_for_report,
    coach_for_report,
    survey_for_respondent,
    surveys_for_respondent,
)
from cadre.feedback.models import (
    Question,
    QuestionKind,
    Survey,
    SurveyPurpose,
    SurveyStatus,
    SurveyTemplate,
    TemplateKind,
)
from cadre.feedback.services import survey_answer_save
from cadre.programs.access import programme_for_user

router = Router(tags=["feedback"])

READ_ERRORS: dict[int, Any] = {401: MessageOut, 403: MessageOut, 404: MessageOut}
WRITE_ERRORS: dict[int, Any] = {400: ValidationErrorOut, 422: ValidationErrorOut, **READ_ERRORS}


# Questionnaires and surveys


class QuestionOut(Schema):
    key: str = Field(description="Stable across versions; answers are posted under it.")
    position: int
    kind: QuestionKind
    text: str
    help_text: str
    required: bool
    anchors: dict[str, str]
    choices: list[dict[str, str]]
    subscale: str
    competency_id: int | None
    min_choices: int | None
    max_choices: int | None


class TemplateOut(Schema):
    id: int
    key: str
    version: int
    kind: TemplateKind
    title: str
    intro: str
    programme_id: int | None = Field(description="Null for a built-in questionnaire.")
    is_current: bool
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj: SurveyTemplate) -> list[Question]:
        return list(obj.questions.all())


class SurveyOut(Schema):
    id: int
    template_id: int
    title: str
    subject: str = Field(description="What it asks about, in words for the respondent.")
    programme_id: int
    purpose: SurveyPurpose
    status: SurveyStatus
    opens_at: datetime
    due_at: datetime
    submitted_at: datetime | None

    @staticmethod
    def resolve_title(obj: Survey) -> str:
        return obj.template.title

    @staticmethod
    def resolve_subject(obj: Survey) -> str:
        return queries.survey_subject(obj)


class AnswerOut(Schema):
    question: str
    number: int | None
    not_observed: bool
    choices: list[str]
    text: str


class SurveyDetailOut(SurveyOut):
    intro: str
    questions: list[QuestionOut]
    answers: list[AnswerOut] = Field(description="The caller's saved answers.")

    @staticmethod
    def resolve_intro(obj: Survey) -> str:
        return obj.template.intro

    @staticmethod
    def resolve_questions(obj: Survey) -> list[Question]:
        return queries.questions_of(obj.template)

    @staticmethod
    def resolve_answers(obj: Survey) -> list[dict[str, Any]]:
        return [
            {
                "question": answer.question.key,
                "number": answer.number,
                "not_observed": answer.not_observed,
                "choices": list(answer.choices),
                "text": answer.text,
            }
            for answer in obj.answers.select_related("question").order_by("question__position")
        ]


class AnswersIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, str | list[str]] = Field(
        description='One value per question key: "4", "na" (not observed), a choice value, '
        "a list of choice values, or text. A key left out is unanswered."
    )
    submit: bool = Field(False, description="Submit (every required question answered).")


def _templates_for(request: AuthenticatedRequest) -> QuerySet[SurveyTemplate]:
    templates = SurveyTemplate.objects.all()
    if not is_programme_admin(request.user):
        templates = templates.filter(
            pk__in=surveys_for_respondent(request.user).values("template_id")
        )
    return templates.prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("position"))
    ).order_by("key", "programme_id", "-version")


@router.get("/feedback/templates", response={200: list[TemplateOut], **READ_ERRORS})
def template_list(request: AuthenticatedRequest) -> Any:
    """Questionnaire versions with their questions: every one for programme admins, the
    versions of the caller's own surveys for everyone else."""
    return list(_templates_for(request))


@router.get("/feedback/surveys", response={200: list[SurveyOut], **READ_ERRORS})
def survey_list(request: AuthenticatedRequest, status: SurveyStatus | None = None) -> Any:
    """The caller's surveys, soonest due first."""
    surveys = surveys_for_respondent(request.user)
    if status is not None:
        surveys = surveys.filter(status=status)
    return list(surveys.order_by("due_at", "pk"))


@router.get("/feedback/surveys/{int:survey_id}", response={200: SurveyDetailOut, **READ_ERRORS})
def survey_detail(request: AuthenticatedRequest, survey_id: int) -> Survey:
    return survey_for_respondent(request.user, survey_id)


@router.post(
    "/feedback/surveys/{int:survey_id}/answers", response={200: SurveyDetailOut, **WRITE_ERRORS}
)
def survey_answers(request: AuthenticatedRequest, survey_id: int, payload: AnswersIn) -> Survey:
    """Save the caller's answers (replacing those saved before), or submit them."""
    survey = survey_for_respondent(request.user, survey_id)
    return survey_answer_save(
        survey=survey,
        user=request.user,
        data=payload.answers,
        submit=payload.submit,
        now=timezone.now(),
    )


# Reports


class CellOut(Schema):
    value: float | None
    people: int | None = Field(description="How many people it sums up; null when hidden.")
    hidden: str = Field(description="Why it is hidden; empty when shown.")


class MeasureOut(Schema):
    key: str
    label: str
    kind: str = Field(description="mean (1 to 5), nps (−100 to 100), choices or text.")


class ShareOut(Schema):
    label: str
    count: int
    percent: float


class FigureOut(Schema):
    measure: MeasureOut
    cell: CellOut
    shares: list[ShareOut]
    comments: list[str] = Field(description="Without names, in no particular order.")


class BreakdownRowOut(Schema):
    department: str = Field(alias="name")
    cells: list[CellOut]


class BreakdownOut(Schema):
    measures: list[MeasureOut]
    total: list[CellOut]
    rows: list[BreakdownRowOut]


class SectionOut(Schema):
    family: str = Field(description="The questionnaire's key.")
    title: str
    figures: list[FigureOut]
    breakdown: BreakdownOut | None


class ResponseRateOut(Schema):
    family: str
    title: str
    assigned: int
    submitted: int
    percent: float


class DepartmentOut(Schema):
    key: str
    name: str


class ProgrammeReportOut(Schema):
    programme_id: int
    threshold: int
    department: DepartmentOut | None
    departments: list[DepartmentOut]
    response_rates: list[ResponseRateOut]
    sections: list[SectionOut]

    @staticmethod
    def resolve_programme_id(obj: reports.ProgrammeReport) -> int:
        return obj.programme.pk


class CoachReportOut(Schema):
    threshold: int
    programmes: list[str]
    sections: list[SectionOut]


class ColumnOut(Schema):
    key: str
    label: str
    raters: int | None
    hidden: str


class CompetencyRowOut(Schema):
    competency_id: int
    name: str
    cells: list[CellOut] = Field(description="One per column, in the columns' order.")


class CommentGroupOut(Schema):
    label: str
    comments: list[str]


class PhaseOut(Schema):
    assessment_id: int
    columns: list[ColumnOut]
    rows: list[CompetencyRowOut]
    comments: list[CommentGroupOut]

    @staticmethod
    def resolve_assessment_id(obj: reports.PhaseReport) -> int:
        return obj.assessment.pk


class ChangeRowOut(Schema):
    name: str
    self_before: CellOut
    self_after: CellOut
    self_change: CellOut
    all_before: CellOut
    all_after: CellOut
    all_change: CellOut


class AssessmentReportOut(Schema):
    coachee_id: int
    before: PhaseOut | None
    after: PhaseOut | None
    changes: list[ChangeRowOut]

    @staticmethod
    def resolve_coachee_id(obj: reports.AssessmentReport) -> int:
        return obj.coachee.pk


@router.get(
    "/feedback/programmes/{int:programme_id}/report",
    response={200: ProgrammeReportOut, **READ_ERRORS},
)
def programme_report(
    request: AuthenticatedRequest, programme_id: int, department: str | None = None
) -> reports.ProgrammeReport:
    """The programme report (admins and the programme's sponsor); ``department`` ("<id>" or
    "none") narrows it to that department's protected cells."""
    programme = programme_for_user(request.user, programme_id)
    return reports.programme_report(programme=programme, department=department or None)


@router.get("/feedback/coaching-report", response={200: CoachReportOut, **READ_ERRORS})
def coach_report(request: AuthenticatedRequest) -> reports.CoachReport:
    """The caller's coachees' answers about the caller's coaching, summed up (coaches)."""
    return reports.coach_report(coach=coach_for_report(request.user))


@router.get(
    "/feedback/assessments/{int:assessment_id}/report",
    response={200: AssessmentReportOut, **READ_ERRORS},
)
def assessment_report(
    request: AuthenticatedRequest, assessment_id: int
) -> reports.AssessmentReport:
    """A 360 report: the coachee's own, or a coachee's for their coach (audited)."""
    return reports.assessment_report_view(
        assessment=assessment_for_report(request.user, assessment_id),
        by=request.user,
        request=request,
    )
