"""Reads for coaching pages, API and tasks. Each function runs a fixed number of queries.

Permission is not decided here: callers pass querysets from ``access`` (what the user may
see), and these narrow, annotate and prefetch them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from cadre.coaching.models import (
    LIVE_STATUSES,
    LONGEST_SESSION_MINUTES,
    ActionItem,
    Agreement,
    Circle,
    CircleAttendance,
    CircleKind,
    CircleNote,
    CoachingRelationship,
    CoachingSession,
    Goal,
    GoalProgress,
    GoalStatus,
    RelationshipStatus,
    RelationshipTransition,
    SessionStatus,
)
from cadre.enablement.queries import coaches
from cadre.people.models import Competency, Person
from cadre.programs.models import (
    CoacheeProfile,
    CoachProfile,
    CoachStrength,
    Enrolment,
    GrowthCompetency,
    Programme,
)

# The pair's profiles ----------------------------------------------------------------------


STRONG_RATING = 4  # a coach's strengths, as the other party sees them: rated 4 or 5
SHOWN_STRENGTHS = 3
PAIRED_STATUSES = (RelationshipStatus.AGREED, RelationshipStatus.ACTIVE, RelationshipStatus.PAUSED)


@dataclass(frozen=True)
class PartyProfiles:
    """What one side of a pairing may read of what the other told the programme: the
    coachee's development goals and competencies to grow (for the coach), or the coach's bio
    and strongest competencies (for the coachee). A coachee's people to avoid and a coach's
    preferences stay with the programme's team."""

    shared: bool = False  # the reader may read the other side's profile now
    goals: str = ""
    growth: list[str] = field(default_factory=list)  # rank 1 first
    bio: str = ""
    strengths: list[str] = field(default_factory=list)  # best rated first, at most 3


def party_profiles(relationship: CoachingRelationship, *, reader: str | None) -> PartyProfiles:
    """What ``reader`` ("coach" or "coachee") of ``relationship`` may read of the other side's
    profile in its programme, as it is now (two queries; none when nothing may be read).

    The coach reads the coachee's goals once the coachee has agreed to the pairing (asking a
    coach counts) and while the relationship lasts; the coachee reads the coach's bio, shown
    to coachees choosing a coach anyway, while it is proposed or lasts. Nobody reads the other
    side's profile after the relationship has ended.
    """
    status = relationship.status
    if reader == "coach":
        agreed = status in PAIRED_STATUSES or (
            status == RelationshipStatus.PROPOSED and relationship.coachee_accepted_at is not None
        )
        if not agreed:
            return PartyProfiles()
        coachee = (
            CoacheeProfile.objects.filter(
                enrolment__programme_id=relationship.programme_id,
                enrolment__person_id=relationship.coachee_id,
                enrolment__role=Enrolment.Role.COACHEE,
            )
            .prefetch_related(
                Prefetch(
                    "growth_competencies",
                    GrowthCompetency.objects.select_related("competency").order_by("rank"),
                )
            )
            .first()
        )
        if coachee is None:
            return PartyProfiles(shared=True)
        return PartyProfiles(
            shared=True,
            goals=coachee.goals,
            growth=[growth.competency.name for growth in coachee.growth_competencies.all()],
        )
    if reader != "coachee" or status not in LIVE_STATUSES:
        return PartyProfiles()
    coach = (
        CoachProfile.objects.filter(
            enrolment__programme_id=relationship.programme_id,
            enrolment__person_id=relationship.coach_id,
            enrolment__role=Enrolment.Role.COACH,
        )
        .prefetch_related(
            Prefetch(
                "strengths",
                CoachStrength.objects.filter(rating__gte=STRONG_RATING)
                .select_related("competency")
                .order_by("-rating", "competency__position", "competency__name"),
            )
        )
        .first()
    )
    if coach is None:
        return PartyProfiles(shared=True)
    return PartyProfiles(
        shared=True,
        bio=coach.bio,
        strengths=[strength.competency.name for strength in coach.strengths.all()][
            :SHOWN_STRENGTHS
        ],
    )


# Goals and actions ------------------------------------------------------------------------


def goals_of(relationship: CoachingRelationship) -> list[Goal]:
    """The relationship's goals, open ones first, each with its competencies and its progress
    history (oldest update first) prefetched: three queries."""
    goals = (
        Goal.objects.filter(relationship=relationship)
        .prefetch_related(
            Prefetch("competencies", queryset=Competency.objects.order_by("position", "name")),
            Prefetch("updates", queryset=GoalProgress.objects.select_related("by")),
        )
        .order_by("target_date", "pk")
    )
    order = {GoalStatus.OPEN: 0, GoalStatus.ACHIEVED: 1, GoalStatus.DROPPED: 2}
    return sorted(goals, key=lambda goal: order.get(GoalStatus(goal.status), 3))


def goal_with_history(goals: QuerySet[Goal], pk: int) -> Goal:
    """One goal of ``goals`` with its competencies and history prefetched."""
    return goals.prefetch_related(
        Prefetch("competencies", queryset=Competency.objects.order_by("position", "name")),
        Prefetch("updates", queryset=GoalProgress.objects.select_related("by")),
    ).get(pk=pk)


def actions_of(relationship: CoachingRelationship) -> QuerySet[ActionItem]:
    """The relationship's actions, open ones first by due date, then done ones, newest first;
    with owner, session and goal: one query."""
    return (
        ActionItem.objects.filter(relationship=relationship)
        .select_related("owner", "session", "goal")
        .order_by(F("done_at").desc(nulls_first=True), "due_on", "pk")
    )


def sessions_of(relationship: CoachingRelationship) -> QuerySet[CoachingSession]:
    """The relationship's sessions, newest first: the choices an action may come from."""
    return CoachingSession.objects.filter(relationship=relationship).order_by("-starts_at", "-pk")


def competency_choices(*, linked: Iterable[Competency] = ()) -> QuerySet[Competency]:
    """The competencies a goal may be linked to: those in use, and any it is linked to."""
    return Competency.objects.filter(
        Q(is_active=True) | Q(pk__in=[competency.pk for competency in linked])
    ).order_by("position", "name")


@dataclass(frozen=True)
class ProgressChart:
    """A small line chart of a goal's progress over time, drawn on a 0–100 × 0–40 canvas."""

    points: str  # an SVG polyline's points
    dots: list[tuple[float, float]]
    summary: str  # the text alternative


CHART_WIDTH = 100
CHART_HEIGHT = 40


def progress_chart(updates: Sequence[GoalProgress]) -> ProgressChart | None:
    """The chart of a goal's updates, spaced evenly by update (not by date, so that a burst of
    updates stays readable); None for fewer than two updates."""
    if len(updates) < 2:
        return None
    step = CHART_WIDTH / (len(updates) - 1)
    dots = [
        (round(index * step, 1), round(CHART_HEIGHT - update.progress * CHART_HEIGHT / 100, 1))
        for index, update in enumerate(updates)
    ]
    figures = ", ".join(f"{update.progress}%" for update in updates)
    return ProgressChart(
        points=" ".join(f"{x},{y}" for x, y in dots),
        dots=dots,
        summary=f"Progress over {len(updates)} updates: {figures}.",
    )


def zone_of(person: Person | None) -> ZoneInfo:
    """The time zone a person sees dates in: theirs, or the organisation's default."""
    for name in (getattr(person, "time_zone", ""), settings.CADRE_DEFAULT_TIME_ZONE, "UTC"):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


# Home pages -------------------------------------------------------------------------------

UPCOMING_DAYS = 14


def _next_session_at(now: datetime) -> Subquery:
    return Subquery(
        CoachingSession.objects.filter(
            relationship=OuterRef("pk"), status=SessionStatus.SCHEDULED, starts_at__gte=now
        )
        .order_by()
        .values("relationship")
        .annotate(first=Min("starts_at"))
        .values("first")[:1],
        output_field=DateTimeField(),
    )


def _last_session_at() -> Subquery:
    return Subquery(
        CoachingSession.objects.filter(relationship=OuterRef("pk"), status=SessionStatus.HELD)
        .order_by()
        .values("relationship")
        .annotate(last=Max("starts_at"))
        .values("last")[:1],
        output_field=DateTimeField(),
    )


def _action_count(**filters: object) -> Coalesce:
    return Coalesce(
        Subquery(
            ActionItem.objects.filter(relationship=OuterRef("pk"), done_at__isnull=True, **filters)
            .order_by()
            .values("relationship")
            .annotate(count=Count("pk"))
            .values("count")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def with_health(
    relationships: QuerySet[CoachingRelationship], *, now: datetime, today: date
) -> QuerySet[CoachingRelationship]:
    """Annotate each relationship with ``next_session_at`` (the next scheduled session),
    ``last_session_at`` (the last held one), ``open_actions`` and ``overdue_actions``."""
    return relationships.annotate(
        next_session_at=_next_session_at(now),
        last_session_at=_last_session_at(),
        open_actions=_action_count(),
        overdue_actions=_action_count(due_on__lt=today),
    )


def days_without_session(
    relationship: CoachingRelationship, *, last_held: datetime | None, now: datetime
) -> int | None:
    """Whole days since the pair's last held session, or since the start when none was held
    yet; None before the start. The one measure behind the home page's hint, the admins'
    "Overdue" and the cadence nudge."""
    since = last_held or relationship.started_at
    return None if since is None else (now - since).days


def past_cadence(
    relationship: CoachingRelationship, *, last_held: datetime | None, now: datetime
) -> bool:
    """Whether the pair has gone longer than the programme's cadence without a session."""
    days = days_without_session(relationship, last_held=last_held, now=now)
    return days is not None and days > relationship.programme.session_cadence_days


def health_hints(relationship: CoachingRelationship, *, now: datetime) -> list[str]:
    """Short warnings about a relationship annotated by ``with_health``: empty when all is well.

    A working relationship should meet every ``programme.session_cadence_days``: the gap is
    counted from the last held session, or from the start when none was held yet.
    """
    hints: list[str] = []
    status = relationship.status
    if status == RelationshipStatus.PAUSED:
        return ["Paused"]
    if status == RelationshipStatus.PROPOSED:
        return ["Waiting for both to accept"]
    if status == RelationshipStatus.AGREED:
        hints.append("Agreement not signed by both yet")
    last: datetime | None = getattr(relationship, "last_session_at", None)
    if past_cadence(relationship, last_held=last, now=now):
        days = days_without_session(relationship, last_held=last, now=now)
        hints.append(f"No session for {days} days" if last else f"No session held in {days} days")
    if getattr(relationship, "next_session_at", None) is None:
        hints.append("No session scheduled")
    overdue = getattr(relationship, "overdue_actions", 0)
    if overdue:
        hints.append(f"{overdue} overdue action{'s' if overdue != 1 else ''}")
    return hints


@dataclass
class CoacheeRow:
    """One relationship on a coach's home page."""

    relationship: CoachingRelationship
    hints: list[str]


@dataclass
class CoachHome:
    coachees: list[CoacheeRow]
    today: list[CoachingSession]
    upcoming: list[CoachingSession]
    circles: list[Circle]


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants a day starts and ends at, in a time zone."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def sessions_ahead(
    sessions: QuerySet[CoachingSession], *, today: date, zone: ZoneInfo
) -> tuple[list[CoachingSession], list[CoachingSession]]:
    """Today's sessions (any not cancelled) and the scheduled ones of the next
    ``UPCOMING_DAYS`` days, in the viewer's zone: one query."""
    start, end_of_today = day_bounds(today, zone)
    _, horizon = day_bounds(today + timedelta(days=UPCOMING_DAYS), zone)
    found = list(
        sessions.filter(starts_at__gte=start, starts_at__lt=horizon)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )
    todays = [session for session in found if session.starts_at < end_of_today]
    upcoming = [
        session
        for session in found
        if session.starts_at >= end_of_today and session.status == SessionStatus.SCHEDULED
    ]
    return todays, upcoming


def coach_home(
    *,
    person: Person,
    relationships: QuerySet[CoachingRelationship],
    sessions: QuerySet[CoachingSession],
    circles: QuerySet[Circle],
    now: datetime,
    zone: ZoneInfo,
) -> CoachHome:
    """What a coach sees first: their live relationships with how each is going, today's and
    the coming sessions, and their circles. Three queries, however many coachees."""
    today = now.astimezone(zone).date()
    live = with_health(
        relationships.filter(coach=person, status__in=LIVE_STATUSES), now=now, today=today
    ).order_by("coachee__full_name", "pk")
    rows = [
        CoacheeRow(relationship=relationship, hints=health_hints(relationship, now=now))
        for relationship in live
    ]
    todays, upcoming = sessions_ahead(sessions, today=today, zone=zone)
    return CoachHome(
        coachees=rows, today=todays, upcoming=upcoming, circles=list(circles.filter(is_active=True))
    )


@dataclass
class CoachView:
    """One of a coachee's relationships, as their home page shows it."""

    relationship: CoachingRelationship
    goals: list[Goal] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    missing_signatures: list[str] = field(default_factory=list)


def coachee_home(
    *,
    person: Person,
    relationships: QuerySet[CoachingRelationship],
    now: datetime,
    zone: ZoneInfo,
) -> list[CoachView]:
    """A coachee's live relationships: the coach, the agreement's state, goals in progress or
    achieved, the next session and the open actions. Three queries, however many."""
    today = now.astimezone(zone).date()
    live = (
        with_health(
            relationships.filter(coachee=person, status__in=LIVE_STATUSES), now=now, today=today
        )
        .select_related("agreement")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.exclude(status=GoalStatus.DROPPED).order_by(
                    "-status", "target_date", "pk"
                ),  # open ("open" > "achieved") before achieved
                to_attr="home_goals",
            ),
            Prefetch(
                "actions",
                queryset=ActionItem.objects.filter(done_at__isnull=True)
                .select_related("owner")
                .order_by("due_on", "pk"),
                to_attr="home_actions",
            ),
        )
        .order_by("-proposed_at", "-pk")
    )
    views = []
    for relationship in live:
        agreement = getattr(relationship, "agreement", None)
        missing: list[str] = []
        if agreement is None:
            missing.append("The agreement hasn't been drawn up yet")
        else:
            if agreement.coach_signed_at is None:
                missing.append("Your coach's signature")
            if agreement.coachee_signed_at is None:
                missing.append("Your signature")
        views.append(
            CoachView(
                relationship=relationship,
                goals=relationship.home_goals,
                actions=relationship.home_actions,
                missing_signatures=missing,
            )
        )
    return views


# Sessions: who attends, what a session is called, and in which zone each person sees it.

# No session is longer than this (``CoachingSession.duration_minutes``).
LONGEST_SESSION = timedelta(minutes=LONGEST_SESSION_MINUTES)
# A calendar feed lists sessions from this many days ago on.
FEED_DAYS_BACK = 90


@cache
def known_time_zones() -> frozenset[str]:
    """The IANA zone names this system knows."""
    return frozenset(available_timezones())


def session_attendees(session: CoachingSession) -> list[Person]:
    """Who a session is for: the coach and coachee, or the circle's facilitator and members."""
    if session.relationship is not None:
        return [session.relationship.coach, session.relationship.coachee]
    assert session.circle is not None
    members = sorted(session.circle.members.all(), key=lambda person: person.full_name)
    return [session.circle.facilitator, *members]


def session_title(session: CoachingSession) -> str:
    """What calendars and e-mails call the session; never anything said in it."""
    if session.relationship is not None:
        relationship = session.relationship
        return (
            f"Coaching session: {relationship.coach.full_name} & {relationship.coachee.full_name}"
        )
    assert session.circle is not None
    return f"Circle: {session.circle.name}"


def sessions_with_attendees(sessions: QuerySet[CoachingSession]) -> QuerySet[CoachingSession]:
    """``sessions`` with what ``session_attendees`` and ``session_title`` read, fetched at once."""
    return sessions.select_related(
        "relationship__coach__user",
        "relationship__coachee__user",
        "relationship__programme",
        "circle__facilitator__user",
    ).prefetch_related("circle__members__user")


def sessions_of_people(people: list[Person]) -> QuerySet[CoachingSession]:
    """Sessions any of ``people`` attends, as a party to a relationship or in a circle."""
    return CoachingSession.objects.filter(
        Q(relationship__coach__in=people)
        | Q(relationship__coachee__in=people)
        | Q(circle__facilitator__in=people)
        | Q(circle__members__in=people)
    ).distinct()


def busy_sessions(
    people: list[Person], *, starts: datetime, ends: datetime
) -> list[CoachingSession]:
    """The scheduled sessions of any of ``people`` that could overlap ``starts``–``ends``."""
    return list(
        sessions_of_people(people).filter(
            status=SessionStatus.SCHEDULED,
            starts_at__lt=ends,
            starts_at__gt=starts - LONGEST_SESSION,
        )
    )


def relationship_sessions(relationship: CoachingRelationship) -> QuerySet[CoachingSession]:
    """A relationship's sessions, in time order."""
    return relationship.sessions.select_related("no_show_by").order_by("starts_at", "pk")


# Circles: who may lead and join them, and what their pages show.


def coaches_among(people: Iterable[Person]) -> set[int]:
    """The ids of the coaches among ``people``."""
    return set(
        coaches().filter(pk__in=[person.pk for person in people]).values_list("pk", flat=True)
    )


def _approved_coachees(programme: Programme) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        programme=programme, role=Enrolment.Role.COACHEE, status=Enrolment.Status.APPROVED
    )


def circle_programme_coachees(programme: Programme, people: Iterable[Person]) -> set[int]:
    """The ids of those among ``people`` who are approved coachees of ``programme``."""
    enrolments = _approved_coachees(programme).filter(person__in=[person.pk for person in people])
    return set(enrolments.values_list("person_id", flat=True))


def certified_coaches(*, on: date | None = None) -> QuerySet[Person]:
    """Coaches certified on ``on`` (today by default): who may facilitate a circle."""
    on = on or timezone.localdate()
    return (
        coaches()
        .filter(certifications__certified_on__lte=on, certifications__expires_on__gt=on)
        .distinct()
    )


def circle_member_choices(*, kind: str, programme: Programme | None) -> QuerySet[Person]:
    """Who may join a circle: coaches for peer supervision; for group coaching, the approved
    coachees of the programme (of every programme offering circles until one is chosen)."""
    if kind == CircleKind.SUPERVISION:
        return coaches()
    if programme is not None:
        enrolments = _approved_coachees(programme)
    else:
        enrolments = Enrolment.objects.filter(
            programme__offers_group_circles=True,
            role=Enrolment.Role.COACHEE,
            status=Enrolment.Status.APPROVED,
        )
    return Person.objects.filter(is_active=True, pk__in=enrolments.values("person_id")).order_by(
        "full_name", "pk"
    )


def circle_programmes() -> QuerySet[Programme]:
    """The programmes a group coaching circle can belong to."""
    return Programme.objects.filter(offers_group_circles=True).order_by("name", "pk")


def circle_list(circles: QuerySet[Circle]) -> QuerySet[Circle]:
    """Circles with their facilitator, programme, members and next session, for a list."""
    now = timezone.now()
    upcoming = CoachingSession.objects.filter(
        starts_at__gte=now, status=SessionStatus.SCHEDULED
    ).order_by("starts_at", "pk")
    return circles.select_related("facilitator", "programme").prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by("full_name", "pk")),
        Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"),
    )


@dataclass(frozen=True)
class CircleFilters:
    kind: str = ""
    programme_id: int | None = None
    archived: bool = False


def circles_for_admin_list(circles: QuerySet[Circle], filters: CircleFilters) -> QuerySet[Circle]:
    """The admin's list of circles, by kind and programme; active ones unless asked."""
    if filters.kind:
        circles = circles.filter(kind=filters.kind)
    if filters.programme_id is not None:
        circles = circles.filter(programme_id=filters.programme_id)
    circles = circles.filter(is_active=not filters.archived)
    # An aggregate drops the model's default ordering (GROUP BY), so order explicitly.
    return (
        circle_list(circles)
        .annotate(sessions_held=Count("sessions", filter=Q(sessions__status=SessionStatus.HELD)))
        .order_by(Lower("name"), "pk")
    )


@dataclass(frozen=True)
class CirclePage:
    members: list[Person]
    upcoming: Sequence[CoachingSession]
    past: Sequence[CoachingSession]
    notes: list[CircleNote]


def circle_page(circle: Circle, *, now: datetime | None = None) -> CirclePage:
    """What a circle's page shows its facilitator and members: members, sessions (with
    attendance, in member order) and the notes, newest first."""
    now = now or timezone.now()
    members = list(circle.members.order_by("full_name", "pk"))
    attendance = CircleAttendance.objects.select_related("person").order_by(
        "person__full_name", "person_id"
    )
    sessions = list(
        circle.sessions.order_by("starts_at", "pk").prefetch_related(
            Prefetch("attendance", queryset=attendance, to_attr="attendance_rows")
        )
    )
    upcoming = [
        session
        for session in sessions
        if session.status == SessionStatus.SCHEDULED and session.ends_at > now
    ]
    past = [session for session in reversed(sessions) if session not in upcoming]
    notes = list(circle.notes.select_related("author").order_by("-created_at", "-pk"))
    return CirclePage(members=members, upcoming=upcoming, past=past, notes=notes)


# Relationships and agreements (helper "relationships")


def coachee_pool(programme: Programme) -> QuerySet[Enrolment]:
    """Approved coachees of the programme without a live relationship there, annotated
    ``priority`` (their latest pairing ended no-fault or was declined), priority first."""
    live = CoachingRelationship.objects.filter(
        programme=programme, coachee=OuterRef("person"), status__in=LIVE_STATUSES
    )
    # The coachee's latest pairing decides: a no-fault ending gives priority, a later
    # ending for another reason takes it away.
    latest = CoachingRelationship.objects.filter(
        programme=programme,
        coachee=OuterRef("person"),
        status__in=[RelationshipStatus.ENDED, RelationshipStatus.COMPLETED],
    ).order_by("-finished_at", "-pk")
    rematch = Coalesce(
        Subquery(latest.values("rematch_priority")[:1]), Value(False), output_field=BooleanField()
    )
    return (
        Enrolment.objects.filter(
            programme=programme,
            role=Enrolment.Role.COACHEE,
            status=Enrolment.Status.APPROVED,
        )
        .exclude(Exists(live))
        .annotate(priority=rematch)
        .select_related("person")
        .order_by("-priority", "person__full_name", "pk")
    )


class SignatureState:
    """Where a relationship's agreement stands, as the admin list filters it."""

    NONE = "none"
    UNSIGNED = "unsigned"
    ONE = "one"
    SIGNED = "signed"
    CHOICES = [
        (NONE, "No agreement yet"),
        (UNSIGNED, "Not signed"),
        (ONE, "Signed by one"),
        (SIGNED, "Signed by both"),
    ]
    LABELS = dict(CHOICES)


def with_signatures(
    relationships: QuerySet[CoachingRelationship],
) -> QuerySet[CoachingRelationship]:
    """Annotate the agreement's signature times and template version, never its text:
    ``agreement_id``, ``coach_signed_at``, ``coachee_signed_at``."""
    return relationships.annotate(
        agreement_pk=F("agreement__pk"),
        coach_signed_at=F("agreement__coach_signed_at"),
        coachee_signed_at=F("agreement__coachee_signed_at"),
    )


def signature_state(relationship: CoachingRelationship) -> str:
    """The ``SignatureState`` of a relationship annotated by ``with_signatures``."""
    if getattr(relationship, "agreement_pk", None) is None:
        return SignatureState.NONE
    signed = [
        getattr(relationship, "coach_signed_at", None),
        getattr(relationship, "coachee_signed_at", None),
    ]
    count = sum(1 for at in signed if at is not None)
    return [SignatureState.UNSIGNED, SignatureState.ONE, SignatureState.SIGNED][count]


def _signature_filter(state: str) -> Q:
    coach = Q(agreement__coach_signed_at__isnull=False)
    coachee = Q(agreement__coachee_signed_at__isnull=False)
    return {
        SignatureState.NONE: Q(agreement__isnull=True),
        SignatureState.UNSIGNED: Q(agreement__isnull=False) & ~coach & ~coachee,
        SignatureState.ONE: (coach & ~coachee) | (~coach & coachee),
        SignatureState.SIGNED: coach & coachee,
    }.get(state, Q())


@dataclass(frozen=True)
class RelationshipFilters:
    programme: Programme | None = None
    status: str = ""
    signature: str = ""
    search: str = ""


def relationships_for_overview(
    relationships: QuerySet[CoachingRelationship], filters: RelationshipFilters
) -> QuerySet[CoachingRelationship]:
    """The admin list: filtered, with signatures (``with_signatures``), ``sessions_held``
    and ``last_held_at`` (the start of the last held session), newest first. Nothing of what
    the pair wrote is loaded."""
    if filters.programme is not None:
        relationships = relationships.filter(programme=filters.programme)
    if filters.status:
        relationships = relationships.filter(status=filters.status)
    if filters.signature:
        relationships = relationships.filter(_signature_filter(filters.signature))
    if filters.search:
        term = filters.search.strip()
        relationships = relationships.filter(
            Q(coach__full_name__icontains=term)
            | Q(coach__preferred_name__icontains=term)
            | Q(coachee__full_name__icontains=term)
            | Q(coachee__preferred_name__icontains=term)
        )
    held = Q(sessions__status=SessionStatus.HELD)
    return with_signatures(
        relationships.select_related("programme", "coach", "coachee").annotate(
            sessions_held=Count("sessions", filter=held),
            last_held_at=Max("sessions__starts_at", filter=held),
        )
    ).order_by("-proposed_at", "-pk")


def cadence_overdue(relationship: CoachingRelationship, now: datetime | None = None) -> bool:
    """Whether an active relationship has gone longer than the programme's cadence without a
    held session (counted from its start when none was held). Needs ``last_held_at``."""
    if relationship.status != RelationshipStatus.ACTIVE:
        return False
    last_held = getattr(relationship, "last_held_at", None)
    return past_cadence(relationship, last_held=last_held, now=now or timezone.now())


def agreement_of(relationship: CoachingRelationship) -> Agreement | None:
    """The relationship's agreement (for its pair only: fetch the relationship through
    ``access.relationship_for_party`` first), or None before both accepted."""
    agreement = Agreement.objects.filter(relationship=relationship).first()
    if agreement is not None:
        agreement.relationship = relationship
    return agreement


def relationship_transitions(
    relationship: CoachingRelationship,
) -> QuerySet[RelationshipTransition]:
    return relationship.transitions.select_related("by").order_by("at", "pk")
