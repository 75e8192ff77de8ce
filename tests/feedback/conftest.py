"""Feedback test data: the coaching pair of ``tests.coaching`` and surveys made for them."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cadre.feedback.instruments import QuestionSpec
from cadre.feedback.models import Survey, SurveyTemplate
from cadre.feedback.services import survey_assign, template_create, template_for
from cadre.people.models import Person
from cadre.programs.models import Programme
from tests.coaching.conftest import (
    Pair,
    active_relationship,
    coachee_person,
    enrol_coach,
    enrol_coachee,
    make_programme,
    pair,
    programme,
)

__all__ = [
    "Pair",
    "active_relationship",
    "coachee_person",
    "enrol_coach",
    "enrol_coachee",
    "make_programme",
    "pair",
    "programme",
]

EVERY_KIND = [
    QuestionSpec(key="clarity", kind="likert", text="Clarity of next steps"),
    QuestionSpec(key="recommend", kind="nps", text="Recommend"),
    QuestionSpec(
        key="format",
        kind="single_choice",
        text="Best format",
        choices=[{"value": "video", "label": "Video"}, {"value": "room", "label": "In a room"}],
    ),
    QuestionSpec(
        key="topics",
        kind="multiple_choice",
        text="Topics",
        choices=[
            {"value": "a", "label": "A"},
            {"value": "b", "label": "B"},
            {"value": "c", "label": "C"},
        ],
        min_choices=1,
        max_choices=2,
    ),
    QuestionSpec(key="listening", kind="competency", text="Listening"),
    QuestionSpec(key="comment", kind="text", text="Comment", required=False),
]


def custom_template(programme: Programme, key: str = "custom") -> SurveyTemplate:
    return template_create(
        programme=programme, key=key, kind="custom", title="Custom", questions=EVERY_KIND, by=None
    )


def assign(
    respondent: Person,
    programme: Programme,
    *,
    template: SurveyTemplate | None = None,
    key: str = "",
    now: datetime | None = None,
    days: int = 7,
    **subject: object,
) -> Survey:
    now = now or timezone.now()
    template = template or template_for(key="session-coachee", programme=programme)
    survey, _ = survey_assign(
        template=template,
        respondent=respondent,
        programme=programme,
        purpose="custom",
        dedupe_key=key or f"test:{respondent.pk}:{template.pk}:{Survey.objects.count()}",
        opens_at=now,
        due_at=now + timedelta(days=days),
        **subject,  # type: ignore[arg-type]
    )
    return survey


@pytest.fixture
def survey(pair: Pair) -> Survey:
    """An open every-kind survey for the pair's coachee."""
    assert pair.coachee.person is not None
    return assign(pair.coachee.person, pair.programme, template=custom_template(pair.programme))
