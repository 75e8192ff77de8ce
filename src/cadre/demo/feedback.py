"""The demo's feedback: survey history with realistic trends, relationship health with open
alerts, one handled alert, and a 360° "before" assessment the report can show.

- Every held session of an active pair has its after-session surveys (coachee and coach),
  almost all answered; the demo coachee login's latest one is left open to answer.
- Each active pair's session ratings follow a trend: most improve, a couple decline (a
  check-in), and two pairs are at risk. Pulses go out exactly when the scheduler would send
  them (after the third held session, then as the programme's rhythm says), answered by both:
  good for improving pairs, low for declining ones. An at-risk pair's trust broke down in its
  pulse and it has held or booked nothing since; one that held too few sessions for a pulse
  has held none for five weeks.
- The health check then runs as the hourly scan would: the at-risk and declining pairs get
  alerts, e-mailed to the admins; the demo admin suggests a check-in to one declining pair.
- The demo coachee login has a 360° "before" assessment: their manager, five peers and their
  direct reports approved by their coach, nearly all answered, so every group shows.

Answers are written directly (the services stamp "now" and need the respondent's login):
the surveys are assigned under the same keys the scheduler uses, so a later scan adds none.
"""

import random
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.coaching.models import CoachingRelationship, CoachingSession, SessionStatus
from cadre.demo.cohort import COHORT_NAME
from cadre.demo.logins import LOGIN_EMAILS
from cadre.feedback.alerts import alert_suggest_check_in
from cadre.feedback.assessments import (
    assessment_start,
    nomination_add,
    nomination_decide,
    nominations_submit,
)
from cadre.feedback.health import health_refresh
from cadre.feedback.models import (
    Answer,
    Assessment360,
    HealthStatus,
    QuestionKind,
    Survey,
    SurveyPurpose,
    SurveyStatus,
    SurveyTemplate,
)
from cadre.feedback.queries import settings_for
from cadre.feedback.scheduling import PULSE_FIRST_AFTER_SESSIONS, PULSE_OPEN_FOR, pulse_number
from cadre.feedback.services import template_for
from cadre.people.models import Person
from cadre.programs.models import Programme

# How many pairs decline between their pulses, and how many are at risk (from the end).
DECLINING = 2
AT_RISK = 2
# At-risk pairs held no session for this long.
AT_RISK_SILENCE = timedelta(days=35)
PEERS_360 = 5
SESSION_COMMENTS = [
    "Clear next steps; the role play helped.",
    "Good to slow down and think before the reorganisation.",
    "We ran out of time on the second topic.",
    "",
    "",
]
RATER_COMMENTS = [
    "Keep asking the team for their view before deciding.",
    "More of the calm you showed in the budget review.",
    "Delegate more: the team is ready for it.",
    "",
]


def feedback_generate(*, seed: int) -> None:
    """Survey history, health and alerts for the cohort's pairs. Needs the coaching step."""
    rng = random.Random(f"{seed}:feedback")
    programme = Programme.objects.filter(name=COHORT_NAME).first()
    if programme is None:
        return
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    now = timezone.now()
    active = list(
        CoachingRelationship.objects.filter(
            programme=programme, status=CoachingRelationship.Status.ACTIVE
        )
        .select_related("programme", "coach__user", "coachee__user")
        .order_by("pk")
    )
    demo = [
        r for r in active if r.coachee.user and r.coachee.user.email == LOGIN_EMAILS[Role.COACHEE]
    ]
    others = [r for r in active if r not in demo]
    at_risk = others[-AT_RISK:] if len(others) > AT_RISK else []
    declining = others[-AT_RISK - DECLINING : -AT_RISK] if len(others) > AT_RISK + DECLINING else []
    templates = {
        key: template_for(key=key, programme=programme)
        for key in ("session-coachee", "session-coach", "pulse")
    }
    for relationship in active:
        trend = (
            "at_risk"
            if relationship in at_risk
            else "declining"
            if relationship in declining
            else "improving"
        )
        if trend == "at_risk":
            _silence(relationship, now)
        _session_surveys(
            relationship, templates, rng, now, trend=trend, leave_open=relationship in demo
        )
        _pulses(relationship, templates["pulse"], rng, now, trend=trend)
    refreshed = health_refresh(programme=programme, now=now)
    to_handle = [a for a in refreshed.alerts if a.to_status == HealthStatus.CHECK_IN]
    if to_handle:
        alert_suggest_check_in(alert=to_handle[0], by=admin, now=now)
    if demo:
        _assessment(demo[0], rng, now)


def feedback_step(context: Any) -> None:
    """The ``cadre demo`` step (``context`` is the command's ``DemoContext``)."""
    feedback_generate(seed=context.seed)


def feedback_reset() -> None:
    """Delete the cohort's surveys (with their answers) and 360° assessments; health and
    alerts go with the relationships (the coaching step's reset)."""
    Survey.objects.filter(programme__name=COHORT_NAME).delete()
    Assessment360.objects.filter(programme__name=COHORT_NAME).delete()


def _submitted(survey: Survey, numbers: dict[str, int], *, at: datetime, comment: str = "") -> None:
    """Answer ``survey`` with ``numbers`` per question key (and ``comment`` for a text one)."""
    answers = []
    for question in survey.template.questions.all():
        if question.kind == QuestionKind.TEXT:
            if comment:
                answers.append(
                    Answer(survey=survey, question=question, text=comment, updated_at=at)
                )
        elif question.key in numbers:
            answers.append(
                Answer(
                    survey=survey, question=question, number=numbers[question.key], updated_at=at
                )
            )
    Answer.objects.bulk_create(answers)
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.SUBMITTED, submitted_at=at)


def _survey(template: SurveyTemplate, respondent: Person, key: str, **fields: Any) -> Survey:
    survey = Survey.objects.create(
        template=template, respondent=respondent, dedupe_key=key, **fields
    )
    survey.template = template
    return survey


def _score(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.5))))


def _held(relationship: CoachingRelationship, now: datetime) -> list[CoachingSession]:
    return list(
        CoachingSession.objects.filter(
            relationship=relationship, status=SessionStatus.HELD, starts_at__lte=now
        ).order_by("starts_at")
    )


def _ends(session: CoachingSession) -> datetime:
    return session.starts_at + timedelta(minutes=session.duration_minutes)


def _silence(relationship: CoachingRelationship, now: datetime) -> None:
    """An at-risk pair: nothing held or booked after the session their (very low) pulse
    follows; with too few sessions for a pulse, nothing for ``AT_RISK_SILENCE``."""
    held = _held(relationship, now)
    if len(held) >= PULSE_FIRST_AFTER_SESSIONS:
        since = held[PULSE_FIRST_AFTER_SESSIONS - 1].starts_at
    else:
        since = now - AT_RISK_SILENCE
    CoachingSession.objects.filter(relationship=relationship, starts_at__gt=since).delete()


def _trend(start: float, end: float, position: int, count: int) -> float:
    """The mean at ``position`` (0-based) of ``count`` steps going from ``start`` to ``end``."""
    return end if count < 2 else start + (end - start) * position / (count - 1)


def _session_surveys(
    relationship: CoachingRelationship,
    templates: dict[str, SurveyTemplate],
    rng: random.Random,
    now: datetime,
    *,
    trend: str,
    leave_open: bool,
) -> None:
    held = _held(relationship, now)
    start, end = {"improving": (3.9, 4.5), "declining": (4.2, 2.2), "at_risk": (3.0, 2.0)}[trend]
    for position, session in enumerate(held):
        ends = _ends(session)
        mean = _trend(start, end, position, len(held))
        for role, person, template in (
            ("coachee", relationship.coachee, templates["session-coachee"]),
            ("coach", relationship.coach, templates["session-coach"]),
        ):
            due = max(ends + timedelta(days=7), now + timedelta(days=1))
            survey = _survey(
                template,
                person,
                f"session:{session.pk}:{role}",
                programme=relationship.programme,
                session=session,
                purpose=SurveyPurpose.SESSION,
                opens_at=ends,
                due_at=due,
                created_at=ends,
            )
            last = position == len(held) - 1
            if last and leave_open and role == "coachee":
                continue  # the demo coachee login answers this one
            if due <= now and rng.random() < 0.08:
                Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
                continue
            numbers = {
                question.key: _score(rng, mean + 0.4 * (role == "coach"))
                for question in template.questions.all()
                if question.kind == QuestionKind.LIKERT
            }
            comment = rng.choice(SESSION_COMMENTS) if role == "coachee" else ""
            _submitted(survey, numbers, at=min(ends + timedelta(days=1), now), comment=comment)


def _pulses(
    relationship: CoachingRelationship,
    template: SurveyTemplate,
    rng: random.Random,
    now: datetime,
    *,
    trend: str,
) -> None:
    """The pulses the scheduler would have sent after the pair's held sessions (its key,
    opened as the session ended), answered by both a few days later."""
    schedule = settings_for(relationship.programme).pulse_schedule
    opened_at: dict[int, datetime] = {}
    for count, session in enumerate(_held(relationship, now), start=1):
        ends = _ends(session)
        first = opened_at.get(1)
        number = pulse_number(schedule=schedule, held=count, first_opened=first, now=ends)
        if number and number not in opened_at:
            opened_at[number] = ends
    start, end = {"improving": (3.9, 4.4), "declining": (4.0, 3.0), "at_risk": (3.2, 2.1)}[trend]
    questions = [q for q in template.questions.all() if q.subscale]
    for position, (number, opened) in enumerate(sorted(opened_at.items())):
        mean = _trend(start, end, position, len(opened_at))
        for role, person in (("coachee", relationship.coachee), ("coach", relationship.coach)):
            survey = _survey(
                template,
                person,
                f"pulse:{relationship.pk}:{number}:{role}",
                programme=relationship.programme,
                relationship=relationship,
                purpose=SurveyPurpose.PULSE,
                opens_at=opened,
                due_at=opened + PULSE_OPEN_FOR,
                created_at=opened,
            )
            # An at-risk pair's latest pulse: trust has broken down.
            low_trust = trend == "at_risk" and position == len(opened_at) - 1
            scores = {
                q.key: min(_score(rng, mean), 2)
                if low_trust and q.subscale == "trust"
                else _score(rng, mean)
                for q in questions
            }
            answered = min(opened + timedelta(days=rng.randint(1, 3)), now)
            _submitted(survey, scores, at=answered)


def _assessment(relationship: CoachingRelationship, rng: random.Random, now: datetime) -> None:
    """The demo coachee's 360 before: raters nominated, approved by the coach, answered."""
    coachee, coach = relationship.coachee, relationship.coach
    coachee_user, coach_user = coachee.user, coach.user
    if coachee_user is None or coach_user is None:
        return
    excluded = Q(pk__in=[coachee.pk, coach.pk])
    peers = list(
        Person.objects.filter(is_active=True, department=coachee.department)
        .exclude(excluded)
        .exclude(manager=coachee)
        .exclude(pk=coachee.manager_id or 0)
        .order_by("employee_id")[:PEERS_360]
    )
    reports = list(Person.objects.filter(is_active=True, manager=coachee).exclude(excluded)[:4])
    if len(peers) < 3:
        return
    assessment = assessment_start(relationship=relationship, by=coachee_user)
    manager = coachee.manager
    if manager is not None and manager.is_active and manager.pk != coach.pk:
        nomination_add(assessment=assessment, rater=manager, group="manager", by=coachee_user)
    for peer in peers:
        nomination_add(assessment=assessment, rater=peer, group="peer", by=coachee_user)
    for report in reports:
        nomination_add(assessment=assessment, rater=report, group="direct_report", by=coachee_user)
    nominations_submit(assessment=assessment, by=coachee_user)
    opened = now - timedelta(days=20)
    for nomination in assessment.nominations.order_by("pk"):
        nomination_decide(nomination=nomination, approve=True, by=coach_user, now=opened)
    Assessment360.objects.filter(pk=assessment.pk).update(opens_at=opened)
    surveys = list(assessment.surveys.select_related("template").order_by("pk"))
    Survey.objects.filter(assessment=assessment).update(opens_at=opened, created_at=opened)
    waiting = next((s for s in surveys if s.rater_group == "peer"), None)
    for survey in surveys:
        if survey is waiting:
            continue  # one peer hasn't answered yet
        bias = {"self": 0.4, "manager": -0.2}.get(survey.rater_group, 0.0)
        numbers = {
            question.key: _score(rng, 3.4 + bias)
            for question in survey.template.questions.all()
            if question.kind == QuestionKind.COMPETENCY
        }
        comment = "" if survey.rater_group == "self" else rng.choice(RATER_COMMENTS)
        _submitted(survey, numbers, at=opened + timedelta(days=rng.randint(1, 10)), comment=comment)
