"""Reads about coach enablement: modules and progress, what a coach still lacks for
certification, who is matchable, and the resource library.

Certification states, on a given day:

- **certified**: a certification covers the day (``certified_on <= day < expires_on``);
- **expired**: the coach was certified, but no certification covers the day;
- **in progress**: never certified, but has passed a required module or has a sign-off;
- **not started**: none of that.

What a coach lacks: for a first certification, every required module passed and a practice
session signed off. For a renewal (the last certification has expired, or expires within
``RENEWAL_WINDOW_DAYS``), every required module passed again since the last certification;
the practice sign-off is not needed again.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from cadre.accounts.models import Role
from cadre.enablement.models import (
    Certification,
    CertificationRule,
    ModuleAttempt,
    PracticeSignOff,
    QuizOption,
    QuizQuestion,
    Resource,
    TrainingModule,
)
from cadre.people.models import Person
from cadre.programs.models import Enrolment, Programme
from cadre.programs.queries import months_after

DEFAULT_VALID_MONTHS = 24
RENEWAL_WINDOW_DAYS = 90


class CertificationState:
    CERTIFIED = "certified"
    EXPIRED = "expired"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"


STATE_LABELS = {
    CertificationState.CERTIFIED: "Certified",
    CertificationState.EXPIRED: "Expired",
    CertificationState.IN_PROGRESS: "In progress",
    CertificationState.NOT_STARTED: "Not started",
}


def published_modules() -> QuerySet[TrainingModule]:
    return TrainingModule.objects.filter(published=True).order_by("position", "title")


def required_modules() -> QuerySet[TrainingModule]:
    return published_modules().filter(is_required=True)


def module_with_quiz(modules: QuerySet[TrainingModule], slug: str) -> TrainingModule:
    """One module with its questions and their options, in three queries."""
    return modules.prefetch_related(
        Prefetch(
            "questions",
            queryset=QuizQuestion.objects.order_by("position", "pk").prefetch_related(
                Prefetch("options", queryset=QuizOption.objects.order_by("position", "pk"))
            ),
        )
    ).get(slug=slug)


def coaches() -> QuerySet[Person]:
    """Active people whose active login holds the coach role."""
    return (
        Person.objects.filter(
            is_active=True, user__is_active=True, user__role_grants__role=Role.COACH
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def programme_coaches(programme: Programme) -> QuerySet[Person]:
    """The coaches approved in ``programme`` (who still hold the coach role)."""
    return coaches().filter(
        enrolments__programme=programme,
        enrolments__role=Enrolment.Role.COACH,
        enrolments__status=Enrolment.Status.APPROVED,
    )


def valid_months(programme: Programme | None) -> int:
    """How long a certification lasts under ``programme``'s rule, or the default rule."""
    if programme is None:
        return DEFAULT_VALID_MONTHS
    rule = CertificationRule.objects.filter(programme=programme).first()
    return rule.valid_months if rule is not None else DEFAULT_VALID_MONTHS


def expiry_for(certified_on: date, programme: Programme | None) -> date:
    return months_after(certified_on, valid_months(programme))


@dataclass
class ModuleProgress:
    module: TrainingModule
    best_score: int | None
    passed_on: date | None
    attempts: int

    @property
    def passed(self) -> bool:
        return self.passed_on is not None


def module_progress(*, person: Person | None) -> list[ModuleProgress]:
    """Every published module with ``person``'s best score and last pass, in two queries."""
    modules = list(published_modules())
    stats: dict[int, Any] = {}
    if person is not None:
        rows = (
            ModuleAttempt.objects.filter(person=person)
            .values("module_id")
            .annotate(
                best=Max("score_percent"),
                last_pass=Max("submitted_at", filter=Q(passed=True)),
                count=Count("pk"),
            )
            .order_by()
        )
        stats = {row["module_id"]: row for row in rows}
    progress = []
    for module in modules:
        row = stats.get(module.pk, {})
        last_pass = row.get("last_pass")
        progress.append(
            ModuleProgress(
                module=module,
                best_score=row.get("best"),
                passed_on=timezone.localdate(last_pass) if last_pass else None,
                attempts=row.get("count", 0),
            )
        )
    return progress


@dataclass
class CoachStatus:
    """Where one coach stands on ``day``, and what they still lack."""

    person: Person
    state: str
    certification: Certification | None
    modules_missing: list[TrainingModule] = field(default_factory=list)
    sign_off_missing: bool = False
    renewal_due: bool = False

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def can_be_granted(self) -> bool:
        """All conditions for a (new or renewed) certification are met."""
        return (self.state != CertificationState.CERTIFIED or self.renewal_due) and not (
            self.modules_missing or self.sign_off_missing
        )

    @property
    def lacks(self) -> list[str]:
        """What is missing, in words."""
        items = [f"Pass “{module}”" for module in self.modules_missing]
        if self.sign_off_missing:
            items.append("A practice session signed off by a certified coach or an admin")
        return items


def coach_statuses(people: Iterable[Person], *, on: date) -> list[CoachStatus]:
    """The certification status of each person on ``on``, in a fixed number of queries."""
    people = list(people)
    ids = [person.pk for person in people]
    modules = list(required_modules())
    passes: dict[int, dict[int, date]] = defaultdict(dict)
    for row in (
        ModuleAttempt.objects.filter(
            person_id__in=ids, passed=True, submitted_at__date__lte=on, module__in=modules
        )
        .values("person_id", "module_id")
        .annotate(last=Max("submitted_at"))
        .order_by()
    ):
        passes[row["person_id"]][row["module_id"]] = timezone.localdate(row["last"])
    signed = set(
        PracticeSignOff.objects.filter(coach_id__in=ids, signed_at__date__lte=on).values_list(
            "coach_id", flat=True
        )
    )
    latest: dict[int, Certification] = {}
    for certification in Certification.objects.filter(
        person_id__in=ids, certified_on__lte=on
    ).order_by("certified_on", "pk"):
        latest[certification.person_id] = certification
    return [
        _status(person, on, modules, passes[person.pk], person.pk in signed, latest)
        for person in people
    ]


def _status(
    person: Person,
    on: date,
    modules: list[TrainingModule],
    passes: dict[int, date],
    signed: bool,
    latest: dict[int, Certification],
) -> CoachStatus:
    certification = latest.get(person.pk)
    if certification is None:
        missing = [module for module in modules if module.pk not in passes]
        state = (
            CertificationState.IN_PROGRESS if passes or signed else CertificationState.NOT_STARTED
        )
        return CoachStatus(
            person=person,
            state=state,
            certification=None,
            modules_missing=missing,
            sign_off_missing=not signed,
        )
    since = certification.certified_on
    missing = [module for module in modules if passes.get(module.pk, since) <= since]
    current = on < certification.expires_on
    renewal_due = certification.expires_on - on <= timedelta(days=RENEWAL_WINDOW_DAYS)
    if current and not renewal_due:
        missing = []
    return CoachStatus(
        person=person,
        state=CertificationState.CERTIFIED if current else CertificationState.EXPIRED,
        certification=certification,
        modules_missing=missing,
        renewal_due=renewal_due,
    )


def state_counts(statuses: Iterable[CoachStatus]) -> dict[str, int]:
    """How many of ``statuses`` are in each certification state, every state listed."""
    counts = dict.fromkeys(STATE_LABELS, 0)
    for status in statuses:
        counts[status.state] += 1
    return counts


def coach_status(*, person: Person, on: date) -> CoachStatus:
    return coach_statuses([person], on=on)[0]


def is_coach(person: Person) -> bool:
    return coaches().filter(pk=person.pk).exists()


def coach_matchable(*, person: Person, on: date) -> bool:
    """Whether ``person`` may be matched as a coach on ``on``: a coach with a valid
    certification."""
    return (
        is_coach(person)
        and Certification.objects.filter(
            person=person, certified_on__lte=on, expires_on__gt=on
        ).exists()
    )


def uncertified_coaches(*, on: date) -> list[CoachStatus]:
    """Every coach who is not certified on ``on``, with what each still lacks."""
    return [
        status
        for status in coach_statuses(coaches(), on=on)
        if status.state != CertificationState.CERTIFIED
    ]


def attempts_of(person: Person) -> QuerySet[ModuleAttempt]:
    return ModuleAttempt.objects.filter(person=person).select_related("module")


def resource_search(
    resources: QuerySet[Resource], *, text: str = "", competency_id: int | None = None
) -> QuerySet[Resource]:
    """Resources whose title, description or body contain ``text``, tagged ``competency_id``."""
    text = text.strip()
    if text:
        resources = resources.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(body_markdown__icontains=text)
        )
    if competency_id is not None:
        resources = resources.filter(competencies__pk=competency_id)
    return resources.prefetch_related("competencies").distinct()
