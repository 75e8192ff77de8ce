"""Relationship health: how each active coaching relationship is going, and the alerts that
tell programme admins when one gets worse.

The rule (also in ``docs/feedback.md``). Each active relationship is checked for these
signals; the thresholds are the programme's ``FeedbackSettings``:

- ``cadence_overdue`` (check in): the days since the last held session (or since the start,
  when none was held) exceed the session cadence + ``cadence_grace_days``;
- ``cadence_stalled`` (at risk, replaces ``cadence_overdue``): those days exceed the session
  cadence × ``at_risk_cadence_factor``;
- ``pulse_low`` (check in): in the latest pulse, a subscale's mean (both sides' answers
  pooled) is below ``pulse_check_in_below``;
- ``pulse_very_low`` (at risk, replaces ``pulse_low``): a subscale's mean is below
  ``pulse_at_risk_below``;
- ``pulse_drop`` (check in): the mean of the subscales fell by ``pulse_drop`` or more since
  the pulse before (0 switches this signal off);
- ``session_low`` (check in): the coachee's mean usefulness rating over their last
  ``RECENT_SESSION_SURVEYS`` session surveys is below ``session_usefulness_below``;
- ``actions_overdue`` (check in): at least ``overdue_actions_check_in`` open actions are past
  their due date;
- ``surveys_unanswered`` (check in): at least ``unanswered_surveys_check_in`` of the pair's
  surveys about the relationship (pulses, session surveys) passed their due time unanswered
  within the last ``UNANSWERED_WINDOW``.

The status is **at risk** when any at-risk signal is present, or when
``CHECK_IN_SIGNALS_AT_RISK`` or more check-in signals are present together; **check in** when
any check-in signal is present; **on track** otherwise. Only answers submitted, sessions held
and surveys due by ``now`` count, so the rule can be evaluated at any moment.

Signals are codes with fixed labels: never a score, an answer or a note. ``relationship_health``
computes every active relationship of one programme (or of all) in a fixed number of queries.
``health_refresh`` stores the verdicts (``RelationshipHealth``) and raises a ``HealthAlert``,
e-mailed to every programme admin, whenever a relationship's status gets worse.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.coaching.models import (
    ActionItem,
    CoachingRelationship,
    RelationshipStatus,
    SessionStatus,
)
from cadre.coaching.queries import days_without_session
from cadre.feedback.models import (
    ANSWERABLE_STATUSES,
    AlertAction,
    AlertState,
    Answer,
    FeedbackSettings,
    HealthAlert,
    HealthStatus,
    RelationshipHealth,
    Survey,
    SurveyPurpose,
    SurveyStatus,
    TemplateKind,
)
from cadre.notifications.models import NotificationKind
from cadre.notifications.services import notification_queue
from cadre.people.models import Person
from cadre.programs.models import Programme

# The session survey question whose answers the ``session_low`` signal reads.
USEFULNESS_KEY = "usefulness"
# How many of the coachee's latest session surveys ``session_low`` averages.
RECENT_SESSION_SURVEYS = 3
# Surveys due longer ago than this no longer count as unanswered.
UNANSWERED_WINDOW = timedelta(days=60)
# This many check-in signals at once make a relationship at risk.
CHECK_IN_SIGNALS_AT_RISK = 3


@dataclass(frozen=True)
class SignalKind:
    code: str
    level: str
    label: str


SIGNALS: dict[str, SignalKind] = {
    kind.code: kind
    for kind in (
        SignalKind("cadence_stalled", HealthStatus.AT_RISK, "No session for a long time"),
        SignalKind("pulse_very_low", HealthStatus.AT_RISK, "Pulse very low"),
        SignalKind("cadence_overdue", HealthStatus.CHECK_IN, "Session overdue"),
        SignalKind("pulse_low", HealthStatus.CHECK_IN, "Pulse low"),
        SignalKind("pulse_drop", HealthStatus.CHECK_IN, "Pulse dropped"),
        SignalKind("session_low", HealthStatus.CHECK_IN, "Recent sessions rated less useful"),
        SignalKind("actions_overdue", HealthStatus.CHECK_IN, "Actions overdue"),
        SignalKind("surveys_unanswered", HealthStatus.CHECK_IN, "Surveys left unanswered"),
    )
}

# Worse statuses sort higher.
SEVERITY = {HealthStatus.ON_TRACK: 0, HealthStatus.CHECK_IN: 1, HealthStatus.AT_RISK: 2}


def signal_labels(codes: Iterable[str]) -> list[str]:
    """The words for signal codes, in the order given; unknown codes as they are."""
    return [SIGNALS[code].label if code in SIGNALS else code for code in codes]


def with_labels(alert: HealthAlert) -> HealthAlert:
    """The alert, with ``labels``: the words for its signals, for pages and e-mails."""
    alert.labels = signal_labels(alert.signals)  # type: ignore[attr-defined]
    return alert


def status_of(codes: Iterable[str]) -> str:
    """The status that signal codes add up to (see the module's docstring)."""
    levels = [SIGNALS[code].level for code in codes if code in SIGNALS]
    if HealthStatus.AT_RISK in levels or len(levels) >= CHECK_IN_SIGNALS_AT_RISK:
        return HealthStatus.AT_RISK
    return HealthStatus.CHECK_IN if levels else HealthStatus.ON_TRACK


@dataclass(frozen=True)
class HealthVerdict:
    relationship: CoachingRelationship
    status: str
    signals: tuple[str, ...]

    @property
    def labels(self) -> list[str]:
        return signal_labels(self.signals)


def _pulse_round(dedupe_key: str) -> int | None:
    """The pulse number of a pulse survey's key ``pulse:<relationship>:<n>:<role>``."""
    parts = dedupe_key.split(":")
    if len(parts) != 4 or parts[0] != "pulse" or not parts[2].isdigit():
        return None
    return int(parts[2])


def _pulse_scores(relationship_ids: list[int], now: datetime) -> dict[int, list[dict[str, float]]]:
    """Per relationship, each pulse round's subscale means, oldest round first (one query)."""
    rows = Answer.objects.filter(
        survey__relationship_id__in=relationship_ids,
        survey__purpose=SurveyPurpose.PULSE,
        survey__status=SurveyStatus.SUBMITTED,
        survey__submitted_at__lte=now,
        number__isnull=False,
    ).exclude(question__subscale="")
    by_round: dict[int, dict[int, dict[str, list[int]]]] = defaultdict(lambda: defaultdict(dict))
    for relationship_id, key, subscale, number in rows.values_list(
        "survey__relationship_id", "survey__dedupe_key", "question__subscale", "number"
    ):
        number_of_round = _pulse_round(key)
        if number_of_round is None or number is None:
            continue
        by_round[relationship_id][number_of_round].setdefault(subscale, []).append(number)
    return {
        relationship_id: [
            {subscale: fmean(values) for subscale, values in rounds[n].items()}
            for n in sorted(rounds)
        ]
        for relationship_id, rounds in by_round.items()
    }


def _session_usefulness(relationship_ids: list[int], now: datetime) -> dict[int, list[int]]:
    """Per relationship, the coachee's usefulness ratings of their latest session surveys,
    newest first (one query)."""
    rows = (
        Answer.objects.filter(
            survey__session__relationship_id__in=relationship_ids,
            survey__purpose=SurveyPurpose.SESSION,
            survey__template__kind=TemplateKind.SESSION_COACHEE,
            survey__status=SurveyStatus.SUBMITTED,
            survey__submitted_at__lte=now,
            question__key=USEFULNESS_KEY,
            number__isnull=False,
        )
        .order_by("-survey__session__starts_at", "-pk")
        .values_list("survey__session__relationship_id", "number")
    )
    found: dict[int, list[int]] = defaultdict(list)
    for relationship_id, number in rows:
        if number is not None and len(found[relationship_id]) < RECENT_SESSION_SURVEYS:
            found[relationship_id].append(number)
    return found


def _unanswered(relationship_ids: list[int], now: datetime) -> dict[int, int]:
    """Per relationship, its pair's surveys about it whose due time passed unanswered within
    ``UNANSWERED_WINDOW`` (one query)."""
    rows = (
        Survey.objects.filter(
            Q(relationship_id__in=relationship_ids)
            | Q(session__relationship_id__in=relationship_ids),
            Q(status=SurveyStatus.CLOSED) | Q(status__in=ANSWERABLE_STATUSES),
            due_at__lte=now,
            due_at__gt=now - UNANSWERED_WINDOW,
        )
        .annotate(about=Coalesce("relationship_id", "session__relationship_id"))
        .order_by()
        .values("about")
        .annotate(count=Count("pk"))
        .values_list("about", "count")
    )
    return dict(rows)


def _settings_by_programme(programme_ids: set[int]) -> dict[int, FeedbackSettings]:
    """Each programme's settings; the defaults (unsaved) for one that has none yet."""
    found = {
        s.programme_id: s for s in FeedbackSettings.objects.filter(programme__in=programme_ids)
    }
    return {pk: found.get(pk) or FeedbackSettings(programme_id=pk) for pk in programme_ids}


def active_relationships(
    *, programme: Programme | None, now: datetime
) -> list[CoachingRelationship]:
    """The active relationships health looks at, with ``last_held`` (the start of the last
    session held by ``now``) and ``overdue_actions`` (open past their due date): one query."""
    today = timezone.localdate(now)
    relationships = CoachingRelationship.objects.filter(status=RelationshipStatus.ACTIVE)
    if programme is not None:
        relationships = relationships.filter(programme=programme)
    overdue = Coalesce(
        Subquery(
            ActionItem.objects.filter(
                relationship=OuterRef("pk"), done_at__isnull=True, due_on__lt=today
            )
            .order_by()
            .values("relationship")
            .annotate(count=Count("pk"))
            .values("count")[:1],
            output_field=IntegerField(),
        ),
        0,
    )
    return list(
        relationships.select_related("programme", "coach", "coachee")
        .annotate(
            last_held=Max(
                "sessions__starts_at",
                filter=Q(sessions__status=SessionStatus.HELD, sessions__starts_at__lte=now),
            ),
            overdue_actions=overdue,
        )
        .order_by("coachee__full_name", "pk")
    )


def _cadence_signal(
    relationship: CoachingRelationship, rules: FeedbackSettings, now: datetime
) -> str | None:
    last_held: datetime | None = getattr(relationship, "last_held", None)
    days = days_without_session(relationship, last_held=last_held, now=now)
    if days is None:
        return None
    cadence = relationship.programme.session_cadence_days
    if days > cadence * rules.at_risk_cadence_factor:
        return "cadence_stalled"
    if days > cadence + rules.cadence_grace_days:
        return "cadence_overdue"
    return None


def _pulse_signals(rounds: list[dict[str, float]], rules: FeedbackSettings) -> list[str]:
    if not rounds:
        return []
    signals = []
    latest = rounds[-1]
    lowest = round(min(latest.values()), 2)
    if lowest < rules.pulse_at_risk_below:
        signals.append("pulse_very_low")
    elif lowest < rules.pulse_check_in_below:
        signals.append("pulse_low")
    if len(rounds) >= 2:
        fall = fmean(rounds[-2].values()) - fmean(latest.values())
        if round(fall, 2) >= rules.pulse_drop > 0:
            signals.append("pulse_drop")
    return signals


def relationship_health(
    *, now: datetime, programme: Programme | None = None
) -> list[HealthVerdict]:
    """The health of every active relationship (of ``programme``, or of every programme) as
    of ``now``, by coachee name: six queries, however many relationships."""
    relationships = active_relationships(programme=programme, now=now)
    if not relationships:
        return []
    ids = [relationship.pk for relationship in relationships]
    rules_of = _settings_by_programme({relationship.programme_id for relationship in relationships})
    pulses = _pulse_scores(ids, now)
    usefulness = _session_usefulness(ids, now)
    unanswered = _unanswered(ids, now)
    verdicts = []
    for relationship in relationships:
        rules = rules_of[relationship.programme_id]
        signals: list[str] = []
        cadence = _cadence_signal(relationship, rules, now)
        if cadence is not None:
            signals.append(cadence)
        signals += _pulse_signals(pulses.get(relationship.pk, []), rules)
        ratings = usefulness.get(relationship.pk)
        if ratings and round(fmean(ratings), 2) < rules.session_usefulness_below:
            signals.append("session_low")
        if getattr(relationship, "overdue_actions", 0) >= rules.overdue_actions_check_in:
            signals.append("actions_overdue")
        if unanswered.get(relationship.pk, 0) >= rules.unanswered_surveys_check_in:
            signals.append("surveys_unanswered")
        verdicts.append(
            HealthVerdict(
                relationship=relationship, status=status_of(signals), signals=tuple(signals)
            )
        )
    return verdicts


# Storing verdicts and raising alerts ---------------------------------------------------------


@dataclass(frozen=True)
class HealthRefresh:
    checked: int
    changed: int
    alerts: list[HealthAlert]


def programme_admins() -> list[User]:
    """The active logins that hold the programme admin role."""
    return list(
        User.objects.filter(is_active=True, role_grants__role=Role.PROGRAMME_ADMIN)
        .distinct()
        .order_by("pk")
    )


def health_refresh(*, now: datetime, programme: Programme | None = None) -> HealthRefresh:
    """Store each active relationship's health as of ``now``; for each whose status got worse
    (on track → check in → at risk, or straight to at risk), raise a ``HealthAlert`` and
    e-mail the programme admins which signals, never any content. Running it again with
    nothing new changes nothing.

    The active relationships are locked first (in a fixed order) and judged under the lock: a
    second refresh running at the same time waits and then finds the verdicts stored (no
    second alert, no clash creating the same health row), and a pair paused or ended meanwhile
    is not judged as active."""
    alerts: list[HealthAlert] = []
    changed = 0
    with transaction.atomic():
        live = CoachingRelationship.objects.filter(status=RelationshipStatus.ACTIVE)
        if programme is not None:
            live = live.filter(programme=programme)
        list(live.select_for_update().order_by("pk").values_list("pk", flat=True))
        verdicts = relationship_health(now=now, programme=programme)
        stored = {
            health.relationship_id: health
            for health in RelationshipHealth.objects.select_for_update().filter(
                relationship__in=[verdict.relationship.pk for verdict in verdicts]
            )
        }
        for verdict in verdicts:
            relationship = verdict.relationship
            health = stored.get(relationship.pk)
            before = health.status if health is not None else HealthStatus.ON_TRACK
            signals = list(verdict.signals)
            if health is None:
                RelationshipHealth.objects.create(
                    relationship=relationship,
                    status=verdict.status,
                    signals=signals,
                    computed_at=now,
                )
            elif health.status != verdict.status or health.signals != signals:
                health.status, health.signals, health.computed_at = verdict.status, signals, now
                health.save(update_fields=["status", "signals", "computed_at"])
            else:
                continue
            changed += 1
            if SEVERITY[HealthStatus(verdict.status)] > SEVERITY[HealthStatus(before)]:
                alert = HealthAlert.objects.create(
                    relationship=relationship,
                    from_status=before,
                    to_status=verdict.status,
                    signals=signals,
                    created_at=now,
                )
                alerts.append(alert)
        # A pair paused or ended outside an alert leaves nothing to act on: its open alerts close.
        stale = HealthAlert.objects.filter(state=AlertState.OPEN).exclude(
            relationship__status=RelationshipStatus.ACTIVE
        )
        if programme is not None:
            stale = stale.filter(relationship__programme=programme)
        stale.update(state=AlertState.DISMISSED, action=AlertAction.DISMISS, handled_at=now)
        if alerts:
            admins = programme_admins()
            for alert in alerts:
                _alert_mail(alert, admins)
    return HealthRefresh(checked=len(verdicts), changed=changed, alerts=alerts)


def _alert_mail(alert: HealthAlert, admins: list[User]) -> None:
    relationship = alert.relationship
    link = settings.SITE_URL.rstrip("/") + reverse("feedback:alert", args=[alert.pk])
    parties = {relationship.coach.user_id, relationship.coachee.user_id}
    for admin in admins:
        if admin.pk in parties:  # an admin in the pair never hears how the other one rated it
            continue
        notification_queue(
            key=f"{NotificationKind.HEALTH_ALERT.value}:{alert.pk}:{admin.pk}",
            recipient=admin,
            kind=NotificationKind.HEALTH_ALERT,
            subject_template="feedback/email/health_alert_subject.txt",
            body_template="feedback/email/health_alert.txt",
            context={
                "programme": relationship.programme.name,
                "coach": relationship.coach.display_name,
                "coachee": relationship.coachee.display_name,
                "status": HealthStatus(alert.to_status).label.lower(),
                "signals": signal_labels(alert.signals),
                "link": link,
            },
        )


# The programme health page ----------------------------------------------------------------

# How many handled alerts the page lists.
RECENT_HANDLED = 10


@dataclass(frozen=True)
class HealthRow:
    """An active relationship's stored health; ``health`` is None before its first check."""

    relationship: CoachingRelationship
    health: RelationshipHealth | None

    @property
    def status(self) -> str:
        return self.health.status if self.health is not None else ""

    @property
    def labels(self) -> list[str]:
        return signal_labels(self.health.signals) if self.health is not None else []


@dataclass(frozen=True)
class ResponseRate:
    """How one questionnaire's surveys in a programme were answered: counts only."""

    title: str
    asked: int
    answered: int
    still_open: int
    unanswered: int

    @property
    def rate(self) -> int | None:
        """Answered, in percent of the surveys whose answering is over; None for none yet."""
        decided = self.answered + self.unanswered
        return round(100 * self.answered / decided) if decided else None


@dataclass(frozen=True)
class ProgrammeHealth:
    rows: list[HealthRow]
    counts: dict[str, int]
    open_alerts: list[HealthAlert]
    handled_alerts: list[HealthAlert]
    rates: list[ResponseRate]


def response_rates(*, programme: Programme, now: datetime) -> list[ResponseRate]:
    """Per questionnaire (template family), the programme's surveys opened by ``now``: asked,
    answered, still open and left unanswered. One query; no answer is read."""
    answerable = Q(status__in=ANSWERABLE_STATUSES)
    rows = (
        Survey.objects.filter(programme=programme, opens_at__lte=now)
        .order_by()
        .values("template__key")
        .annotate(
            title=Max("template__title"),
            asked=Count("pk"),
            answered=Count("pk", filter=Q(status=SurveyStatus.SUBMITTED)),
            still_open=Count("pk", filter=answerable & Q(due_at__gt=now)),
            unanswered=Count(
                "pk", filter=Q(status=SurveyStatus.CLOSED) | (answerable & Q(due_at__lte=now))
            ),
        )
        .order_by("template__key")
    )
    return [
        ResponseRate(
            title=row["title"],
            asked=row["asked"],
            answered=row["answered"],
            still_open=row["still_open"],
            unanswered=row["unanswered"],
        )
        for row in rows
    ]


def _alerts(programme: Programme) -> Any:
    return HealthAlert.objects.filter(relationship__programme=programme).select_related(
        "relationship__coach", "relationship__coachee", "handled_by"
    )


def programme_health(
    *, programme: Programme, now: datetime, status: str = "", viewer: Person | None = None
) -> ProgrammeHealth:
    """What the programme's health page shows: its active relationships' stored health (those
    with ``status`` when given; ``"unchecked"`` for those not checked yet), the count of each
    status, the open alerts, the latest handled ones and the survey response rates. Four
    queries, however many relationships and alerts.

    A ``viewer`` who coaches or is coached in a pair doesn't see that pair's row or alerts: its
    signals come from the other one's answers."""
    relationships = (
        CoachingRelationship.objects.filter(programme=programme, status=RelationshipStatus.ACTIVE)
        .select_related("coach", "coachee", "health")
        .order_by("coachee__full_name", "pk")
    )
    alerts = _alerts(programme)
    if viewer is not None:
        relationships = relationships.exclude(coach=viewer).exclude(coachee=viewer)
        alerts = alerts.exclude(relationship__coach=viewer).exclude(relationship__coachee=viewer)
    every = [HealthRow(relationship=r, health=getattr(r, "health", None)) for r in relationships]
    counts = dict.fromkeys([*HealthStatus.values, "unchecked"], 0)
    for row in every:
        counts[row.status or "unchecked"] += 1
    wanted = "" if status == "unchecked" else status
    rows = [row for row in every if row.status == wanted] if status in counts else every
    return ProgrammeHealth(
        rows=rows,
        counts=counts,
        open_alerts=[
            with_labels(alert)
            for alert in alerts.filter(state=AlertState.OPEN).order_by("-created_at", "-pk")
        ],
        handled_alerts=list(
            alerts.exclude(state=AlertState.OPEN).order_by("-handled_at", "-pk")[:RECENT_HANDLED]
        ),
        rates=response_rates(programme=programme, now=now),
    )
