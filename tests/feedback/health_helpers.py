"""Crafted histories for the health rules: held sessions, pulses, session surveys, actions
and unanswered surveys, each at a given moment (written directly: the services stamp "now")."""

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from cadre.coaching.models import ActionItem, CoachingRelationship, CoachingSession
from cadre.feedback.models import Answer, Survey, SurveyPurpose, SurveyStatus
from cadre.feedback.services import template_for
from cadre.people.models import Person
from tests.coaching.conftest import active_relationship, coachee_person, enrol_coachee
from tests.factories import PersonFactory

SECRET = "I feel my coach does not listen to me at all"


def hold(relationship: CoachingRelationship, *, at: datetime) -> CoachingSession:
    """A session the pair held at ``at``."""
    return CoachingSession.objects.create(
        relationship=relationship,
        starts_at=at,
        duration_minutes=60,
        time_zone="UTC",
        format="video",
        status="held",
    )


def _respondent(relationship: CoachingRelationship, role: str) -> Person:
    return relationship.coachee if role == "coachee" else relationship.coach


def pulse(
    relationship: CoachingRelationship,
    number: int,
    *,
    at: datetime,
    coachee: int | Mapping[str, int] = 5,
    coach: int | Mapping[str, int] = 5,
) -> list[Survey]:
    """Pulse ``number`` answered by both at ``at``: each item of a subscale gets the score the
    side gives that subscale (one score for all, or a score per subscale, 5 for the others)."""
    template = template_for(key="pulse", programme=relationship.programme)
    questions = list(template.questions.all())
    made = []
    for role, scores in (("coachee", coachee), ("coach", coach)):
        survey = Survey.objects.create(
            template=template,
            programme=relationship.programme,
            respondent=_respondent(relationship, role),
            relationship=relationship,
            purpose=SurveyPurpose.PULSE,
            dedupe_key=f"pulse:{relationship.pk}:{number}:{role}",
            opens_at=at - timedelta(days=2),
            due_at=at + timedelta(days=8),
            status=SurveyStatus.SUBMITTED,
            submitted_at=at,
        )
        Answer.objects.bulk_create(
            Answer(
                survey=survey,
                question=question,
                number=scores if isinstance(scores, int) else scores.get(question.subscale, 5),
            )
            for question in questions
        )
        made.append(survey)
    return made


def session_survey(
    relationship: CoachingRelationship, *, at: datetime, usefulness: int, comment: str = ""
) -> Survey:
    """A session held at ``at``, whose coachee's survey rated it ``usefulness``, a day later."""
    session = hold(relationship, at=at)
    template = template_for(key="session-coachee", programme=relationship.programme)
    survey = Survey.objects.create(
        template=template,
        programme=relationship.programme,
        respondent=relationship.coachee,
        session=session,
        purpose=SurveyPurpose.SESSION,
        dedupe_key=f"session:{session.pk}:coachee",
        opens_at=at + timedelta(hours=1),
        due_at=at + timedelta(days=7),
        status=SurveyStatus.SUBMITTED,
        submitted_at=at + timedelta(days=1),
    )
    questions = {question.key: question for question in template.questions.all()}
    Answer.objects.create(survey=survey, question=questions["usefulness"], number=usefulness)
    Answer.objects.create(survey=survey, question=questions["next-steps"], number=usefulness)
    if comment:
        Answer.objects.create(survey=survey, question=questions["comment"], text=comment)
    return survey


def overdue_actions(
    relationship: CoachingRelationship, count: int, *, due_on: date
) -> list[ActionItem]:
    return [
        ActionItem.objects.create(
            relationship=relationship,
            title=f"Action {n}",
            owner=relationship.coachee,
            due_on=due_on,
        )
        for n in range(count)
    ]


def unanswered(
    relationship: CoachingRelationship,
    count: int,
    *,
    due: datetime,
    status: str = SurveyStatus.CLOSED,
) -> list[Survey]:
    """``count`` pulse surveys to the coachee whose due time ``due`` passed unanswered."""
    template = template_for(key="pulse", programme=relationship.programme)
    start = Survey.objects.count()
    return [
        Survey.objects.create(
            template=template,
            programme=relationship.programme,
            respondent=relationship.coachee,
            relationship=relationship,
            purpose=SurveyPurpose.PULSE,
            dedupe_key=f"pulse:{relationship.pk}:{100 + start + n}:coachee",
            opens_at=due - timedelta(days=10),
            due_at=due,
            status=status,
        )
        for n in range(count)
    ]


def another_pair(relationship: CoachingRelationship, name: str) -> CoachingRelationship:
    """Another active pair in the same programme, the same coach, a new coachee."""
    coachee = coachee_person(full_name=name, department=PersonFactory().department)
    enrol_coachee(relationship.programme, coachee)
    other = active_relationship(relationship.programme, relationship.coach, coachee)
    CoachingRelationship.objects.filter(pk=other.pk).update(started_at=relationship.started_at)
    other.refresh_from_db()
    return other
