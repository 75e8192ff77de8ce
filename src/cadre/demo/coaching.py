"""The demo's coaching: the running cohort's pairs at work, with sessions, notes, goals,
actions and circles, so every coaching page has something true to show.

- The demo coach login coaches the demo coachee login (both are in the cohort): the two
  logins see the same relationship from both sides, with a private note on each side and a
  note the coach shared.
- The cohort is matched by the engine: the demo admin runs matching (synchronously) with the
  demo coach pinned to the demo coachee (given an hour a week when the coach is free, as they
  may live time zones apart), and approves every proposal, which creates the relationships
  through ``relationship_propose`` (so the hard rules are checked twice). Coachees no coach
  may take under the programme's rules wait in the pool, with the reasons on the run's page.
  Most pairs accepted, signed their agreement and are active; a few show the other states:
  proposed, agreed with one signature, paused, and ended no-fault (that
  coachee is back in the pool with priority).
- Active pairs have held sessions every two weeks since they started (now and then a
  no-show), the next one scheduled, one or two goals with a progress history, and actions,
  one of them overdue.
- A group coaching circle of cohort coachees and a peer-supervision circle of coaches meet
  every four weeks, with attendance and a circle note.

Changes go through the coaching services. Only the past is written directly: the services
refuse to schedule in the past and stamp everything "now", so held sessions are written as
rows, and the start, signature and update times are moved back afterwards.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.coaching.circles import (
    attendance_record,
    circle_note_create,
    circle_save,
    circle_session_schedule,
)
from cadre.coaching.goals import action_create, goal_create, goal_progress_record
from cadre.coaching.models import (
    ActionItem,
    Agreement,
    Circle,
    CoachingRelationship,
    CoachingSession,
    GoalProgress,
    RelationshipTransition,
    SessionFormat,
    SessionStatus,
)
from cadre.coaching.notes import note_create
from cadre.coaching.rules import CoachingError
from cadre.coaching.scheduling import session_schedule
from cadre.coaching.services import (
    agreement_sign,
    relationship_accept,
    relationship_end,
    relationship_pause,
)
from cadre.demo.cohort import COHORT_NAME
from cadre.demo.enrolment import demo_coaches
from cadre.demo.logins import LOGIN_EMAILS
from cadre.enablement.queries import coach_matchable
from cadre.matching.adapter import utc_offset_hours, weekly_utc_windows
from cadre.matching.models import MatchPin, MatchRun
from cadre.matching.services import match_run_start, proposals_approve
from cadre.people.models import Competency, Person
from cadre.programs.models import AvailabilityWindow, Enrolment, Programme

# The pairs that show the states other than active, by their position among the pairs (the
# demo pair is first and always active).
PROPOSED, AGREED, PAUSED, ENDED = (3, 7), (5,), (9,), (11,)
STARTED_DAYS_AGO = 50
CADENCE_DAYS = 14
CIRCLE_CADENCE_DAYS = 28
MIN_CIRCLE_MEMBERS = 3

GOALS = [
    (
        "Delegate the monthly forecast to my two team leads",
        "Both leads run the forecast meeting without me by the end of the quarter.",
    ),
    (
        "Hold a hard conversation each month instead of avoiding it",
        "I log each one and the outcome; my team's survey says I address issues early.",
    ),
    (
        "Build a working relationship with Finance and Operations peers",
        "A standing monthly meeting with each, and one joint initiative under way.",
    ),
    (
        "Lead the reorganisation with my team on board",
        "Everyone knows their new role before the change; nobody hears of it second-hand.",
    ),
    (
        "Speak up with a clear point of view in the leadership meeting",
        "I bring one proposal to each meeting; my manager sees me lead a topic.",
    ),
]
PROGRESS_COMMENTS = [
    "Made a plan and shared it with my manager.",
    "First attempt done; it went better than expected.",
    "Slipped back during the busy month; back on it now.",
    "Two in a row without help; feedback was good.",
]
ACTIONS = [
    "Write down the three decisions only I can make",
    "Ask two peers for feedback on the last meeting",
    "Book the first one-to-one with the Finance lead",
    "Try the 'what else?' question in the next team meeting",
]
COACH_NOTES = [
    {
        "goal": "Wants to let go of the forecast without losing control of the numbers.",
        "reality": "Still checks every line at night. The leads are capable, not trusted yet.",
        "options": "Pair one lead for a month; agree checkpoints; let the first miss happen.",
        "way_forward": "Coachee names the lead and the first checkpoint before we next meet.",
        "free_text": "Energy dropped when we talked about the CFO: explore next time.",
    },
    {
        "goal": "Prepare the conversation with the underperforming team member.",
        "reality": "Has postponed it twice; fears losing a good person.",
        "options": "Open with the impact; ask before telling; agree the next step together.",
        "way_forward": "Rehearse the opening line; hold the conversation this week.",
        "free_text": "",
    },
]
COACHEE_NOTE = {
    "goal": "What I want from coaching: to stop being the bottleneck.",
    "reality": "I say yes to everything and then work late.",
    "options": "",
    "way_forward": "Say no once this week and see what happens.",
    "free_text": "Ask my coach how she decides what to drop.",
}
CIRCLE_NOTE = (
    "We shared the patterns we see: most of us step in too early when a decision is late. "
    "Next time each of us brings one decision we handed over, and what it cost."
)


@dataclass
class DemoCoaching:
    relationships: list[CoachingRelationship] = field(default_factory=list)
    circles: list[Circle] = field(default_factory=list)


def coaching_generate(*, seed: int) -> DemoCoaching:
    """Pair the running cohort and give the pairs a history. Needs the cohort."""
    rng = random.Random(f"{seed}:coaching")
    programme = Programme.objects.get(name=COHORT_NAME)
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    now = timezone.now()
    today = timezone.localdate()
    demo_coachee = Person.objects.get(user__email=LOGIN_EMAILS[Role.COACHEE])
    # Certified coaches, the demo coach login first so it coaches the demo coachee login.
    coaches = sorted(
        (person for person in demo_coaches() if coach_matchable(person=person, on=today)),
        key=lambda person: person.user is None or person.user.email != LOGIN_EMAILS[Role.COACH],
    )
    made = DemoCoaching()
    for relationship in _matched(programme, admin, demo_coachee, coaches):
        _settle(relationship, len(made.relationships), admin)
        made.relationships.append(relationship)
    for index, relationship in enumerate(made.relationships):
        relationship.refresh_from_db()
        if relationship.status in (
            CoachingRelationship.Status.ACTIVE,
            CoachingRelationship.Status.PAUSED,
        ):
            _history(relationship, rng, now, demo=index == 0)
    made.circles = _circles(programme, admin, coaches, made.relationships, now)
    return made


def coaching_step(context: Any) -> None:
    """The ``cadre demo`` step (``context`` is the command's ``DemoContext``)."""
    coaching_generate(seed=context.seed)


def coaching_reset() -> None:
    """Delete the demo's circles and relationships (with their sessions, notes, goals)."""
    Circle.objects.all().delete()
    MatchRun.objects.filter(programme__name=COHORT_NAME).delete()
    MatchPin.objects.filter(programme__name=COHORT_NAME).delete()
    CoachingRelationship.objects.filter(programme__name=COHORT_NAME).delete()


def _matched(
    programme: Programme, admin: User, demo_coachee: Person, coaches: list[Person]
) -> list[CoachingRelationship]:
    """Match the cohort with the engine, the demo coach pinned to the demo coachee, and
    approve every proposal: the relationships, the demo pair first, then by employee id."""
    if coaches:
        _shared_hour(programme, coaches[0], demo_coachee)
        MatchPin.objects.update_or_create(
            programme=programme, coachee=demo_coachee, defaults={"coach": coaches[0], "by": admin}
        )
    run = match_run_start(programme=programme, by=admin, synchronous=True)
    if run.status != MatchRun.Status.FINISHED:
        raise CoachingError(f"The demo's matching run failed: {run.error}")
    proposals = list(run.proposals.select_related("coachee").order_by("coachee__employee_id"))
    proposals.sort(key=lambda proposal: proposal.coachee_id != demo_coachee.pk)
    if not proposals:
        return []  # a small organisation: nobody the rules allow to pair
    outcome = proposals_approve(run=run, proposal_ids=[p.pk for p in proposals], by=admin)
    approved = {
        proposal.pk: proposal.relationship
        for proposal in outcome.approved
        if proposal.relationship is not None
    }
    return [approved[p.pk] for p in proposals if p.pk in approved]


def _shared_hour(programme: Programme, coach: Person, coachee: Person) -> None:
    """Give the demo coachee an hour a week when the demo coach is free too, so the pair the
    demo pins keeps the availability rule (they may live time zones apart)."""
    enrolments = {
        e.person_id: e
        for e in Enrolment.objects.filter(programme=programme, person__in=[coach, coachee])
    }
    if coach.pk not in enrolments or coachee.pk not in enrolments:
        return  # a small organisation: one of them is not in the cohort
    now = timezone.now()
    coach_windows = weekly_utc_windows(
        [
            (w.weekday, w.starts_at, w.ends_at)
            for w in AvailabilityWindow.objects.filter(enrolment=enrolments[coach.pk])
        ],
        utc_offset_hours(coach.time_zone, now),
    )
    shift = round(utc_offset_hours(coachee.time_zone, now) * 60)
    for start, end in coach_windows:
        hour = -(-start // 60) * 60  # the first whole UTC hour inside the window
        if hour + 60 > end:
            continue
        local = (hour + shift) % (7 * 24 * 60)
        weekday, minute = divmod(local, 24 * 60)
        if minute + 60 >= 24 * 60:
            continue
        AvailabilityWindow.objects.get_or_create(
            enrolment=enrolments[coachee.pk],
            weekday=weekday,
            starts_at=time(minute // 60, minute % 60),
            ends_at=time((minute + 60) // 60, minute % 60)
            if minute + 60 < 24 * 60
            else time(23, 59),
        )
        return


def _settle(relationship: CoachingRelationship, index: int, admin: User) -> None:
    """Move a new proposal to the state its position gives it."""
    if index in PROPOSED:
        return
    relationship_accept(relationship=relationship, person=relationship.coach)
    relationship_accept(relationship=relationship, person=relationship.coachee)
    agreement = Agreement.objects.get(relationship=relationship)
    agreement_sign(agreement=agreement, person=relationship.coach)
    if index in AGREED:
        return
    agreement_sign(agreement=agreement, person=relationship.coachee)
    if index in PAUSED:
        relationship_pause(relationship=relationship, by=admin, note="Coachee on parental leave.")
    elif index in ENDED:
        relationship_end(
            relationship=relationship,
            reason=CoachingRelationship.EndReason.NO_FAULT,
            note="Schedules never lined up; both asked for a new pairing.",
            ended_by=admin,
        )


def _history(
    relationship: CoachingRelationship, rng: random.Random, now: datetime, *, demo: bool
) -> None:
    """Move the start back, hold the sessions since, schedule the next, add goals and notes."""
    started = now - timedelta(days=STARTED_DAYS_AGO - rng.randint(0, 6))
    CoachingRelationship.objects.filter(pk=relationship.pk).update(
        proposed_at=started - timedelta(days=3), started_at=started
    )
    RelationshipTransition.objects.filter(relationship=relationship).update(at=started)
    Agreement.objects.filter(relationship=relationship).update(
        coach_signed_at=started - timedelta(hours=20), coachee_signed_at=started
    )
    zone = ZoneInfo(relationship.coach.time_zone)
    held: list[CoachingSession] = []
    day = started.astimezone(zone).date() + timedelta(days=2)
    while _at(day, 9, zone) < now - timedelta(days=1):
        status = SessionStatus.NO_SHOW if rng.random() < 0.1 else SessionStatus.HELD
        held.append(
            CoachingSession.objects.create(
                relationship=relationship,
                starts_at=_at(day, rng.choice((9, 11, 14, 16)), zone),
                duration_minutes=60,
                time_zone=zone.key,
                format=rng.choice(SessionFormat.values),
                location="Room 4.12" if rng.random() < 0.3 else "",
                status=status,
                no_show_by=relationship.coachee if status == SessionStatus.NO_SHOW else None,
                created_at=_at(day - timedelta(days=7), 12, zone),
            )
        )
        day += timedelta(days=CADENCE_DAYS)
    if relationship.status == CoachingRelationship.Status.ACTIVE:
        _next_sessions(relationship, rng, now, zone, demo=demo)
    _goals(relationship, rng, now, held)
    coach_user = relationship.coach.user
    assert coach_user is not None
    last = held[-1] if held else None
    note_create(
        relationship=relationship,
        author=relationship.coach,
        values=COACH_NOTES[0],
        session=last,
    )
    if demo:
        note_create(
            relationship=relationship,
            author=relationship.coach,
            values=COACH_NOTES[1],
            session=held[0] if held else None,
            share=True,
        )
        note_create(relationship=relationship, author=relationship.coachee, values=COACHEE_NOTE)


def _next_sessions(
    relationship: CoachingRelationship,
    rng: random.Random,
    now: datetime,
    zone: ZoneInfo,
    *,
    demo: bool,
) -> None:
    coach_user = relationship.coach.user
    assert coach_user is not None
    local_today = now.astimezone(zone).date()
    first_day = rng.randint(1, CADENCE_DAYS - 1)
    wanted = [(0, 17), (10, 10)] if demo else [(first_day, hour) for hour in (10, 11, 14, 15, 16)]
    for offset, hour in wanted:
        starts = _at(local_today + timedelta(days=offset), hour, zone)
        if starts <= now + timedelta(minutes=30):
            starts = now.replace(second=0, microsecond=0) + timedelta(hours=2)
        try:
            session_schedule(
                scheduled_by=coach_user,
                relationship=relationship,
                starts_at=starts,
                duration_minutes=60,
                time_zone=zone.key,
                format=SessionFormat.VIDEO,
                location="https://meet.example.org/cadre-demo",
                agenda="Review progress on the goals; agree the next actions.",
            )
        except CoachingError:
            continue  # the coach is busy then: the next hour
        if not demo:
            return


def _goals(
    relationship: CoachingRelationship,
    rng: random.Random,
    now: datetime,
    held: list[CoachingSession],
) -> None:
    coach_user = relationship.coach.user
    assert coach_user is not None
    today = timezone.localdate()
    competencies = list(Competency.objects.filter(is_active=True).order_by("position", "name"))
    for title, measure in rng.sample(GOALS, rng.randint(1, 2)):
        goal = goal_create(
            relationship=relationship,
            by=coach_user,
            title=title,
            measure=measure,
            target_date=today + timedelta(days=rng.randint(60, 180)),
            competencies=rng.sample(competencies, 2),
        )
        progress = 0
        updates = []
        for comment in rng.sample(PROGRESS_COMMENTS, rng.randint(2, 4)):
            progress = min(90, progress + rng.randint(10, 30))
            updates.append(
                goal_progress_record(goal=goal, by=coach_user, progress=progress, comment=comment)
            )
        # Spread the updates over the weeks since the start, oldest first.
        for position, update in enumerate(updates):
            days_ago = (len(updates) - position) * CADENCE_DAYS - rng.randint(0, 4)
            GoalProgress.objects.filter(pk=update.pk).update(at=now - timedelta(days=days_ago))
    owners = [relationship.coachee, relationship.coach]
    for position, title in enumerate(rng.sample(ACTIONS, 2)):
        action = action_create(
            relationship=relationship,
            by=coach_user,
            title=title,
            owner=owners[position % 2],
            due_on=today + timedelta(days=7),
            session=held[-1] if held else None,
        )
        if position == 0:
            # The first one's date has passed: overdue, so the pages show how that looks.
            ActionItem.objects.filter(pk=action.pk).update(due_on=today - timedelta(days=3))


def _circles(
    programme: Programme,
    admin: User,
    coaches: list[Person],
    relationships: list[CoachingRelationship],
    now: datetime,
) -> list[Circle]:
    """A group coaching circle of active coachees and a supervision circle of coaches, each
    when there are enough people for one (a small organisation may have too few)."""
    coachees = [r.coachee for r in relationships if r.status == CoachingRelationship.Status.ACTIVE]
    made = []
    if len(coaches) >= 2 and len(coachees) >= MIN_CIRCLE_MEMBERS:
        made.append(
            circle_save(
                circle=Circle(
                    kind=Circle.Kind.COACHING,
                    name="First-time heads of department",
                    purpose=(
                        "Peers who lead a department for the first time work on real cases "
                        "together."
                    ),
                    programme=programme,
                    facilitator=coaches[1],
                    cadence_days=CIRCLE_CADENCE_DAYS,
                ),
                members=coachees[:6],
                saved_by=admin,
            )
        )
    facilitator = coaches[-1] if coaches else None
    peers = [c for c in demo_coaches() if facilitator is not None and c.pk != facilitator.pk]
    if facilitator is not None and len(peers) >= MIN_CIRCLE_MEMBERS:
        made.append(
            circle_save(
                circle=Circle(
                    kind=Circle.Kind.SUPERVISION,
                    name="Coaches' supervision circle",
                    purpose="Coaches bring a coaching situation and reflect on their own practice.",
                    programme=programme,
                    facilitator=facilitator,
                    cadence_days=CIRCLE_CADENCE_DAYS,
                ),
                members=peers[:6],
                saved_by=admin,
            )
        )
    for circle in made:
        _circle_history(circle, now)
    return made


def _circle_history(circle: Circle, now: datetime) -> None:
    facilitator = circle.facilitator.user
    assert facilitator is not None
    zone = ZoneInfo(circle.facilitator.time_zone)
    members = list(circle.members.order_by("pk"))
    last = None
    for weeks_ago in (6, 2):
        day = (now - timedelta(weeks=weeks_ago)).astimezone(zone).date()
        last = CoachingSession.objects.create(
            circle=circle,
            starts_at=_at(day, 15, zone),
            duration_minutes=90,
            time_zone=zone.key,
            format=SessionFormat.VIDEO,
            location="https://meet.example.org/cadre-circle",
            status=SessionStatus.HELD,
        )
        present = {member.pk for member in members[: len(members) - weeks_ago // 2]}
        attendance_record(session=last, present=present, recorded_by=facilitator)
    circle_note_create(circle=circle, body=CIRCLE_NOTE, written_by=facilitator, session=last)
    next_day = (now + timedelta(weeks=2)).astimezone(zone).date()
    circle_session_schedule(
        circle=circle,
        scheduled_by=facilitator,
        starts_at=_at(next_day, 15, zone),
        duration_minutes=90,
        time_zone=zone.key,
        format=SessionFormat.VIDEO,
        location="https://meet.example.org/cadre-circle",
    )


def _at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)
