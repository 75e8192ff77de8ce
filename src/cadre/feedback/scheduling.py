"""Which surveys are due when: a periodic scan (``surveys_schedule``) assigns them, so no
coaching code has to know about feedback. Every assignment has a dedupe key, so a scan that
runs again, or late, assigns nothing twice.

- **After a session**: once a pair's session is marked held and has ended, the coachee gets
  the coachee's survey and the coach the coach's (key ``session:<id>:<role>``). Sessions held
  more than ``SESSION_LOOKBACK`` ago are left alone.
- **Relationship pulse**: to both of an active pair after their third held session, then
  every four held sessions, or every ``PULSE_MONTH`` days after the first, as the programme's
  settings say (key ``pulse:<relationship>:<n>:<role>``).
- **Programme reaction**: to every approved participant at the programme's midpoint and end;
  **learning** to coachees at the end (each within ``PROGRAMME_WINDOW`` of the date).
- **Behaviour**: to each coachee's manager ``BEHAVIOUR_AFTER`` the programme's end.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from cadre.coaching.models import (
    CoachingRelationship,
    CoachingSession,
    RelationshipStatus,
    SessionStatus,
)
from cadre.feedback.assessments import assessments_repeat_due
from cadre.feedback.models import PulseSchedule, Survey, SurveyPurpose
from cadre.feedback.queries import settings_for
from cadre.feedback.services import survey_assign, template_for
from cadre.people.models import Person
from cadre.programs.models import Enrolment, Programme, ProgrammeStatus

SESSION_LOOKBACK = timedelta(days=14)
SESSION_SURVEY_OPEN_FOR = timedelta(days=7)
PULSE_FIRST_AFTER_SESSIONS = 3
PULSE_EVERY_SESSIONS = 4
PULSE_MONTH = timedelta(days=30)
PULSE_OPEN_FOR = timedelta(days=10)
PROGRAMME_WINDOW = timedelta(days=30)
PROGRAMME_SURVEY_OPEN_FOR = timedelta(days=14)
BEHAVIOUR_AFTER = timedelta(days=91)


@dataclass(frozen=True)
class Scheduled:
    session: int = 0
    pulse: int = 0
    programme: int = 0
    behaviour: int = 0
    assessment: int = 0  # "after" 360s sent to the same raters at the end

    @property
    def total(self) -> int:
        return self.session + self.pulse + self.programme + self.behaviour + self.assessment


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=timezone.get_current_timezone())


def session_surveys_schedule(*, now: datetime) -> int:
    """Assign the after-session surveys of sessions held and ended recently."""
    surveyed = Survey.objects.filter(session=OuterRef("pk"), purpose=SurveyPurpose.SESSION)
    sessions = (
        CoachingSession.objects.filter(
            relationship__isnull=False,
            status=SessionStatus.HELD,
            starts_at__gte=now - SESSION_LOOKBACK,
            starts_at__lte=now,
        )
        .annotate(surveyed=Exists(surveyed))
        .filter(surveyed=False)
        .select_related("relationship__programme", "relationship__coach", "relationship__coachee")
        .order_by("starts_at", "pk")
    )
    assigned = 0
    templates = {}
    for session in sessions:
        if session.ends_at > now:
            continue
        relationship = session.relationship
        assert relationship is not None
        programme = relationship.programme
        for role, person, key in (
            ("coachee", relationship.coachee, "session-coachee"),
            ("coach", relationship.coach, "session-coach"),
        ):
            if (programme.pk, key) not in templates:
                templates[programme.pk, key] = template_for(key=key, programme=programme)
            _, created = survey_assign(
                template=templates[programme.pk, key],
                respondent=person,
                programme=programme,
                purpose=SurveyPurpose.SESSION,
                dedupe_key=f"session:{session.pk}:{role}",
                opens_at=session.ends_at,
                due_at=max(session.ends_at + SESSION_SURVEY_OPEN_FOR, now + timedelta(days=1)),
                session=session,
            )
            assigned += created
    return assigned


def pulse_number(*, schedule: str, held: int, first_opened: datetime | None, now: datetime) -> int:
    """Which pulse (1, 2, …) a pair is due, 0 for none yet.

    The first comes after the third held session; then one every four held sessions, or one a
    month after the first."""
    if held < PULSE_FIRST_AFTER_SESSIONS:
        return 0
    if schedule == PulseSchedule.MONTHLY:
        if first_opened is None:
            return 1
        return 1 + (now - first_opened) // PULSE_MONTH
    return 1 + (held - PULSE_FIRST_AFTER_SESSIONS) // PULSE_EVERY_SESSIONS


def pulse_surveys_schedule(*, now: datetime) -> int:
    """Assign the relationship pulses due to active pairs."""
    relationships = (
        CoachingRelationship.objects.filter(status=RelationshipStatus.ACTIVE)
        .annotate(
            held=Count(
                "sessions",
                filter=Q(sessions__status=SessionStatus.HELD, sessions__starts_at__lte=now),
            )
        )
        .filter(held__gte=PULSE_FIRST_AFTER_SESSIONS)
        .select_related("programme", "coach", "coachee")
        .order_by("pk")
    )
    assigned = 0
    for relationship in relationships:
        programme = relationship.programme
        first = (
            Survey.objects.filter(relationship=relationship, purpose=SurveyPurpose.PULSE)
            .order_by("opens_at")
            .values_list("opens_at", flat=True)
            .first()
        )
        number = pulse_number(
            schedule=settings_for(programme).pulse_schedule,
            held=relationship.held,
            first_opened=first,
            now=now,
        )
        template = template_for(key="pulse", programme=programme)
        for role, person in (("coachee", relationship.coachee), ("coach", relationship.coach)):
            _, created = survey_assign(
                template=template,
                respondent=person,
                programme=programme,
                purpose=SurveyPurpose.PULSE,
                dedupe_key=f"pulse:{relationship.pk}:{number}:{role}",
                opens_at=now,
                due_at=now + PULSE_OPEN_FOR,
                relationship=relationship,
            )
            assigned += created
    return assigned


def _participants(programme: Programme, *, role: str | None = None) -> list[Person]:
    enrolments = Enrolment.objects.filter(
        programme=programme, status=Enrolment.Status.APPROVED, person__is_active=True
    )
    if role is not None:
        enrolments = enrolments.filter(role=role)
    return [e.person for e in enrolments.select_related("person__manager").order_by("pk")]


def _in_window(today: date, day: date) -> bool:
    return day <= today < day + PROGRAMME_WINDOW


def programme_surveys_schedule(*, now: datetime) -> tuple[int, int]:
    """Assign the reaction (midpoint and end), learning (end) and behaviour (three months
    after the end) surveys due now; returns (programme surveys, behaviour surveys)."""
    today = timezone.localdate(now)
    programmes = Programme.objects.filter(
        status__in=[ProgrammeStatus.RUNNING, ProgrammeStatus.CLOSED], starts_on__lte=today
    )
    assigned = behaviour = 0
    for programme in programmes.order_by("pk"):
        midpoint = programme.starts_on + (programme.ends_on - programme.starts_on) / 2
        due = now + PROGRAMME_SURVEY_OPEN_FOR
        plans: list[tuple[str, str, str | None]] = []
        if _in_window(today, midpoint) and today < programme.ends_on:
            plans.append((SurveyPurpose.REACTION_MID, "reaction", None))
        if _in_window(today, programme.ends_on):
            plans.append((SurveyPurpose.REACTION_END, "reaction", None))
            plans.append((SurveyPurpose.LEARNING_END, "learning", Enrolment.Role.COACHEE))
        for purpose, key, role in plans:
            template = template_for(key=key, programme=programme)
            for person in _participants(programme, role=role):
                _, created = survey_assign(
                    template=template,
                    respondent=person,
                    programme=programme,
                    purpose=purpose,
                    dedupe_key=f"{purpose}:{programme.pk}:{person.pk}",
                    opens_at=now,
                    due_at=due,
                )
                assigned += created
        if _in_window(today, programme.ends_on + BEHAVIOUR_AFTER):
            template = template_for(key="behaviour", programme=programme)
            for coachee in _participants(programme, role=Enrolment.Role.COACHEE):
                manager = coachee.manager
                if manager is None or not manager.is_active:
                    continue
                _, created = survey_assign(
                    template=template,
                    respondent=manager,
                    programme=programme,
                    purpose=SurveyPurpose.BEHAVIOUR_3M,
                    dedupe_key=f"{SurveyPurpose.BEHAVIOUR_3M}:{programme.pk}:{coachee.pk}",
                    opens_at=now,
                    due_at=due,
                    about_person=coachee,
                    rater_group="manager",
                )
                behaviour += created
    return assigned, behaviour


def surveys_schedule(*, now: datetime) -> Scheduled:
    """Assign every survey due by ``now``; see the module's docstring."""
    programme, behaviour = programme_surveys_schedule(now=now)
    return Scheduled(
        session=session_surveys_schedule(now=now),
        pulse=pulse_surveys_schedule(now=now),
        programme=programme,
        behaviour=behaviour,
        assessment=assessments_repeat_due(now=now),
    )
