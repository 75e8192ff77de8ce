"""Reads about programmes: the list, the page, what is locked, and the checklist of what
still blocks the next stage."""

import calendar
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from cadre.accounts.models import Role
from cadre.people.models import Person
from cadre.people.queries import department_subtree_ids
from cadre.programs.models import (
    ApplicationQuestion,
    Enrolment,
    Programme,
    ProgrammeObjective,
    ProgrammeTransition,
)

Status = Programme.Status

# The next stage of each status; a closed programme has none.
NEXT_STATUS: dict[str, str] = {
    Status.DRAFT: Status.ENROLLING,
    Status.ENROLLING: Status.MATCHING,
    Status.MATCHING: Status.RUNNING,
    Status.RUNNING: Status.CLOSED,
}

# Groups of fields, named as the lock messages name them.
FORMAT_FIELDS = ("offers_one_on_one", "offers_group_circles", "offers_development_track")
ENROLMENT_FIELDS = ("enrolment_opens_on", "enrolment_closes_on")
ELIGIBILITY_FIELDS = ("min_level", "max_level", "eligible_departments", "min_tenure_months")
MATCHING_FIELDS = (
    "default_coach_capacity",
    "cross_department",
    "min_level_gap",
    "time_zone_window_hours",
)
SCHEDULE_FIELDS = ("starts_on", "relationship_months", "session_cadence_days", "minimum_sessions")
DESCRIPTION_FIELDS = ("name", "description", "sponsor")
# Everything a programme admin edits on the programme itself.
EDITABLE_FIELDS = (
    *DESCRIPTION_FIELDS,
    *FORMAT_FIELDS,
    *SCHEDULE_FIELDS,
    "ends_on",
    *ENROLMENT_FIELDS,
    *ELIGIBILITY_FIELDS,
    *MATCHING_FIELDS,
)

# What can no longer change in each status, and why (the lock message says it).
#  - enrolling: people enrol into the formats they were offered;
#  - matching: whom the programme is for and how it matches are settled, and the enrolment
#    window has closed;
#  - running: pairs have started on the agreed schedule; only the end date may move (to extend);
#  - closed: nothing changes, including objectives and responsibilities.
LOCKED_FIELDS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (),
    Status.ENROLLING: FORMAT_FIELDS,
    Status.MATCHING: (*FORMAT_FIELDS, *ENROLMENT_FIELDS, *ELIGIBILITY_FIELDS, *MATCHING_FIELDS),
    Status.RUNNING: (
        *FORMAT_FIELDS,
        *SCHEDULE_FIELDS,
        *ENROLMENT_FIELDS,
        *ELIGIBILITY_FIELDS,
        *MATCHING_FIELDS,
    ),
    Status.CLOSED: EDITABLE_FIELDS,
}


def locked_fields(programme: Programme) -> tuple[str, ...]:
    """The programme's fields that can't change in its current status."""
    return LOCKED_FIELDS[programme.status]


def field_labels(fields: tuple[str, ...] | list[str]) -> list[str]:
    """Readable names of the fields, with the three format switches named once as "formats"."""
    labels: list[str] = []
    for name in fields:
        field = Programme._meta.get_field(name)
        label = "formats" if name in FORMAT_FIELDS else str(getattr(field, "verbose_name", name))
        if label not in labels:
            labels.append(label)
    return labels


def programme_list(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    """The programmes for the list page, each with its sponsor and number of objectives."""
    # Meta.ordering is not applied to queries with GROUP BY: order explicitly.
    return (
        programmes.select_related("sponsor")
        .annotate(objective_count=Count("objectives"))
        .order_by("-starts_on", "name")
    )


def programme_page(programmes: QuerySet[Programme], pk: int) -> Programme:
    """One programme with everything its page shows, in a fixed number of queries."""
    return (
        programmes.select_related("sponsor", "created_by")
        .prefetch_related(
            "eligible_departments",
            Prefetch("objectives", queryset=ProgrammeObjective.objects.order_by("position", "pk")),
            "responsibilities",
            Prefetch(
                "transitions",
                queryset=ProgrammeTransition.objects.select_related("by").order_by("at", "pk"),
            ),
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class ChecklistItem:
    text: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    """What the next stage needs: ``next_status`` is None for a closed programme."""

    next_status: str | None
    items: list[ChecklistItem]

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]

    @property
    def next_label(self) -> str:
        return Status(self.next_status).label.lower() if self.next_status else ""


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def programme_checklist(programme: Programme, *, today: date | None = None) -> Checklist:
    """The items the programme needs before it can move to its next stage.

    Reads the programme's objectives and responsibilities through ``.all()``, so a programme
    from ``programme_page`` costs no further query.
    """
    today = today or timezone.localdate()
    next_status = NEXT_STATUS.get(programme.status)
    items: list[ChecklistItem] = []
    if next_status == Status.ENROLLING:
        objectives = programme.objectives.all()
        written = {r.role for r in programme.responsibilities.all() if r.text.strip()}
        closes = programme.enrolment_closes_on
        items = [
            ChecklistItem(
                "At least one objective has a target and a due date",
                any(o.target is not None and o.due_on is not None for o in objectives),
            ),
            ChecklistItem("The coaches' responsibilities are written", Role.COACH in written),
            ChecklistItem("The coachees' responsibilities are written", Role.COACHEE in written),
            ChecklistItem(
                "The enrolment window is set",
                programme.enrolment_opens_on is not None and closes is not None,
            ),
            ChecklistItem(
                "The enrolment window has not closed yet", closes is not None and closes >= today
            ),
        ]
    elif next_status == Status.MATCHING:
        closes = programme.enrolment_closes_on
        items = [
            ChecklistItem(
                f"The enrolment window has closed or closes today ({_day(closes)})",
                closes is not None and closes <= today,
            )
        ]
    elif next_status == Status.RUNNING:
        months = programme.relationship_months
        items = [
            ChecklistItem(
                f"Relationships of {months} month{'s' if months != 1 else ''} started today end "
                f"by the programme's end ({_day(programme.ends_on)})",
                months_after(today, months) <= programme.ends_on,
            )
        ]
    elif next_status == Status.CLOSED:
        items = [
            ChecklistItem(
                f"The end date ({_day(programme.ends_on)}) has come, or a note says why the "
                "programme closes early",
                programme.ends_on <= today,
            )
        ]
    return Checklist(next_status=next_status, items=items)


def _day(day: date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else "not set"


# Enrolment reads: eligibility, the open programmes, the funnel and the review table.

ENROLMENT_STATUSES = [status for status, _ in Enrolment.Status.choices]


def tenure_months(hire_date: date, today: date) -> int:
    """Whole months from the hire date to ``today``."""
    months = (today.year - hire_date.year) * 12 + today.month - hire_date.month
    return months - (1 if today.day < hire_date.day else 0)


def eligibility_refusals(
    programme: Programme, person: Person, *, today: date | None = None
) -> list[str]:
    """Why ``person`` may not enrol as a coachee in ``programme``: one message per rule broken.

    Eligibility (levels, departments with the departments under them, minimum tenure from the
    hire date) applies to coachees; coaches are chosen by the admins when they approve.
    Reads the programme's eligible departments through ``.all()`` (prefetch them for lists).
    """
    today = today or timezone.localdate()
    refusals: list[str] = []
    low, high = programme.min_level, programme.max_level
    if low is not None or high is not None:
        wanted = f"levels {low or 'any'} to {high or 'any'}"
        if person.level is None:
            refusals.append(f"Levels: no level is recorded, and the programme is for {wanted}.")
        elif (low is not None and person.level < low) or (high is not None and person.level > high):
            refusals.append(f"Levels: level {person.level} is outside {wanted}.")
    departments = list(programme.eligible_departments.all())
    if departments:
        allowed: set[int] = set()
        for department in departments:
            allowed |= department_subtree_ids(department.pk)
        names = ", ".join(sorted(department.name for department in departments))
        if person.department_id not in allowed:
            refusals.append(
                f"Departments: the programme is for {names} (and the departments under them)."
            )
    minimum = programme.min_tenure_months
    if minimum:
        needed = f"{minimum} month{'s' if minimum != 1 else ''}"
        if person.hire_date is None:
            refusals.append(f"Tenure: no hire date is recorded, and {needed} are needed.")
        else:
            months = tenure_months(person.hire_date, today)
            if months < minimum:
                refusals.append(
                    f"Tenure: {months} month{'s' if months != 1 else ''} since hire, "
                    f"and {needed} are needed."
                )
    return refusals


def window_refusal(programme: Programme, *, today: date | None = None) -> str | None:
    """Why ``programme`` takes no applications today, or None when it does."""
    today = today or timezone.localdate()
    opens, closes = programme.enrolment_opens_on, programme.enrolment_closes_on
    if programme.status != Status.ENROLLING:
        status = Status(programme.status).label.lower()
        return f"“{programme}” is not taking applications: it is {status}."
    if opens is None or closes is None:
        return f"“{programme}” has no enrolment window."
    if today < opens:
        return f"Enrolment for “{programme}” opens on {_day(opens)}."
    if today > closes:
        return f"Enrolment for “{programme}” closed on {_day(closes)}."
    return None


def open_programmes(*, today: date | None = None) -> QuerySet[Programme]:
    """Programmes taking applications today, with what eligibility reads."""
    today = today or timezone.localdate()
    return (
        Programme.objects.filter(
            status=Status.ENROLLING,
            enrolment_opens_on__lte=today,
            enrolment_closes_on__gte=today,
        )
        .prefetch_related("eligible_departments")
        .order_by("enrolment_closes_on", "name")
    )


def enrolments_of(person: Person) -> QuerySet[Enrolment]:
    """A person's own enrolments, newest first, with their programmes."""
    return person.enrolments.select_related("programme").order_by("-created_at", "pk")


@dataclass(frozen=True)
class Funnel:
    """Enrolment counts by role and status: aggregates only, no one named."""

    counts: dict[str, dict[str, int]]

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """(role label, counts in ``ENROLMENT_STATUSES`` order, total) per role."""
        return [
            (
                label,
                [self.counts.get(role, {}).get(status, 0) for status in ENROLMENT_STATUSES],
                sum(self.counts.get(role, {}).values()),
            )
            for role, label in Enrolment.Role.choices
        ]

    @property
    def total(self) -> int:
        return sum(sum(by_status.values()) for by_status in self.counts.values())


def enrolment_funnel(programme: Programme) -> Funnel:
    """How many enrolments the programme has in each role and status, in one query."""
    counts: dict[str, dict[str, int]] = {}
    rows = (
        Enrolment.objects.filter(programme=programme)
        .values("role", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["role"], {})[row["status"]] = row["count"]
    return Funnel(counts=counts)


@dataclass(frozen=True)
class ReviewFilters:
    role: str = ""
    status: str = ""
    route: str = ""


def answers_by_question(
    enrolment: Enrolment, questions: list[ApplicationQuestion]
) -> list[tuple[str, str]]:
    """The enrolment's answers beside their questions, in the questions' order."""
    answers = enrolment.answers or {}
    return [
        (question.text, str(answers.get(str(question.pk), "")).strip() or "—")
        for question in questions
    ]


def enrolments_for_review(programme: Programme, filters: ReviewFilters) -> QuerySet[Enrolment]:
    """The programme's enrolments for the review table, in a fixed number of queries."""
    result = Enrolment.objects.filter(programme=programme).select_related(
        "person", "person__department", "nominated_by", "decided_by"
    )
    if filters.role in Enrolment.Role.values:
        result = result.filter(role=filters.role)
    if filters.status in Enrolment.Status.values:
        result = result.filter(status=filters.status)
    if filters.route in Enrolment.Route.values:
        result = result.filter(route=filters.route)
    return result.order_by("created_at", "pk")
