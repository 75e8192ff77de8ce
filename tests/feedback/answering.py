"""Submitted surveys for report tests: people in departments answering questionnaires."""

from datetime import timedelta

from django.utils import timezone

from cadre.coaching.models import CoachingRelationship
from cadre.feedback.models import Survey
from cadre.feedback.services import survey_answer_save, survey_assign, template_for
from cadre.people.models import Person
from cadre.programs.models import Programme
from tests.coaching.conftest import coachee_person
from tests.factories import DepartmentFactory

SESSION = {"usefulness": "4", "next-steps": "4", "safety": "4"}
PULSE_ITEMS = [
    "trust-honest",
    "trust-confidential",
    "trust-reliable",
    "rapport-understood",
    "rapport-respect",
    "rapport-look-forward",
    "goals-shared",
    "goals-matter",
    "working-approach",
    "working-time",
    "working-change",
]


def pulse(value: str) -> dict[str, str]:
    return dict.fromkeys(PULSE_ITEMS, value)


def people_in(department: str, count: int) -> list[Person]:
    """``count`` people with logins in the department named ``department``."""
    place = DepartmentFactory(name=department)
    return [coachee_person(department=place) for _ in range(count)]


def answer(
    respondent: Person,
    programme: Programme,
    data: dict[str, str | list[str]],
    *,
    key: str = "session-coachee",
    purpose: str = "custom",
    relationship: CoachingRelationship | None = None,
    about_person: Person | None = None,
    rater_group: str = "",
    assessment: object = None,
) -> Survey:
    """A survey of ``key`` given to ``respondent`` and submitted with ``data``."""
    now = timezone.now()
    survey, _ = survey_assign(
        template=template_for(key=key, programme=programme),
        respondent=respondent,
        programme=programme,
        purpose=purpose,
        dedupe_key=f"report-test:{respondent.pk}:{key}:{Survey.objects.count()}",
        opens_at=now - timedelta(minutes=1),
        due_at=now + timedelta(days=7),
        relationship=relationship,
        about_person=about_person,
        rater_group=rater_group,
        assessment=assessment,  # type: ignore[arg-type]
    )
    assert respondent.user is not None
    survey_answer_save(survey=survey, user=respondent.user, data=data, submit=True, now=now)
    return survey
