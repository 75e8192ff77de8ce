"""Feedback reports: the programme report (admins and the sponsor), a coach's "feedback about
my coaching" and a coachee's 360 report. Every figure comes out of ``anonymity``'s rules; see
that module for what may be shown to whom. Each report is read in a fixed number of queries.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest

from cadre.accounts.models import Role, User
from cadre.accounts.services import audit_record
from cadre.feedback import anonymity
from cadre.feedback.anonymity import Cell, hidden_cell, shown_cell
from cadre.feedback.instruments import INSTRUMENTS
from cadre.feedback.models import (
    LOWEST_ANONYMITY_THRESHOLD,
    Answer,
    Assessment360,
    AssessmentPhase,
    FeedbackSettings,
    QuestionKind,
    Subscale,
    Survey,
    SurveyPurpose,
    SurveyStatus,
    SurveyTemplate,
)
from cadre.people.models import Competency, Department, Person
from cadre.programs.models import Programme

NO_DEPARTMENT = "No department"
# The 360 is about one person: it has its own report, never the programme's.
ASSESSMENT_PURPOSES = (SurveyPurpose.ASSESSMENT_BEFORE, SurveyPurpose.ASSESSMENT_AFTER)
FAMILY_ORDER = [spec.key for spec in INSTRUMENTS]

MEAN, NPS, CHOICES, TEXT = "mean", "nps", "choices", "text"


@dataclass(frozen=True)
class Datum:
    """One submitted answer as reports use it."""

    answer_id: int
    person_id: int
    group: int | None
    family: str
    family_title: str
    version: int
    key: str
    kind: str
    text_of_question: str
    position: int
    subscale: str
    competency_id: int | None
    choice_labels: dict[str, str]
    rater_group: str
    purpose: str
    number: int | None
    choices: tuple[str, ...]
    text: str
    # The coach whose report (``coach_report``) shows this answer, if any.
    coach_id: int | None = None


def _department_of(row: Mapping[str, Any]) -> int | None:
    """The department of the coachee the answer concerns; for a survey about the programme
    itself, of the person answering."""
    if row["survey__session__relationship_id"] is not None:
        return row["survey__session__relationship__coachee__department_id"]  # type: ignore[no-any-return]
    if row["survey__relationship_id"] is not None:
        return row["survey__relationship__coachee__department_id"]  # type: ignore[no-any-return]
    if row["survey__about_person_id"] is not None:
        return row["survey__about_person__department_id"]  # type: ignore[no-any-return]
    return row["survey__respondent__department_id"]  # type: ignore[no-any-return]


def _coach_of(row: Mapping[str, Any]) -> int | None:
    """The coach whose "feedback about my coaching" counts the answer: a coachee's, about a
    session or the relationship with that coach (as ``coach_report`` selects them)."""
    respondent = row["survey__respondent_id"]
    if (
        row["survey__purpose"] == SurveyPurpose.SESSION
        and row["survey__session__relationship__coachee_id"] == respondent
    ):
        return row["survey__session__relationship__coach_id"]  # type: ignore[no-any-return]
    if (
        row["survey__purpose"] == SurveyPurpose.PULSE
        and row["survey__relationship__coachee_id"] == respondent
    ):
        return row["survey__relationship__coach_id"]  # type: ignore[no-any-return]
    return None


def data_of(answers: QuerySet[Answer]) -> list[Datum]:
    """The answers as ``Datum`` rows, in one query. Only submitted surveys' answers count."""
    rows = answers.filter(survey__status=SurveyStatus.SUBMITTED).values(
        "pk",
        "number",
        "choices",
        "text",
        "survey__respondent_id",
        "survey__respondent__department_id",
        "survey__session__relationship_id",
        "survey__session__relationship__coachee__department_id",
        "survey__session__relationship__coach_id",
        "survey__session__relationship__coachee_id",
        "survey__relationship_id",
        "survey__relationship__coachee__department_id",
        "survey__relationship__coach_id",
        "survey__relationship__coachee_id",
        "survey__about_person_id",
        "survey__about_person__department_id",
        "survey__purpose",
        "survey__rater_group",
        "survey__template__key",
        "survey__template__title",
        "survey__template__version",
        "question__key",
        "question__kind",
        "question__text",
        "question__position",
        "question__subscale",
        "question__competency_id",
        "question__choices",
    )
    return [
        Datum(
            answer_id=row["pk"],
            person_id=row["survey__respondent_id"],
            group=_department_of(row),
            family=row["survey__template__key"],
            family_title=row["survey__template__title"],
            version=row["survey__template__version"],
            key=row["question__key"],
            kind=row["question__kind"],
            text_of_question=row["question__text"],
            position=row["question__position"],
            subscale=row["question__subscale"],
            competency_id=row["question__competency_id"],
            choice_labels={
                str(c.get("value")): str(c.get("label")) for c in row["question__choices"] or []
            },
            rater_group=row["survey__rater_group"],
            purpose=row["survey__purpose"],
            number=row["number"],
            choices=tuple(row["choices"] or ()),
            text=row["text"] or "",
            coach_id=_coach_of(row),
        )
        for row in rows.order_by("pk")
    ]


# Measures: what a report shows for a questionnaire ---------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A figure a questionnaire's report shows: a question's, or a pulse subscale's."""

    key: str
    label: str
    kind: str  # MEAN (1 to 5), NPS (−100 to 100), CHOICES or TEXT
    choice_labels: dict[str, str] = field(default_factory=dict)

    @property
    def is_number(self) -> bool:
        return self.kind in (MEAN, NPS)

    def counts(self, datum: Datum) -> bool:
        """Whether ``datum`` is an answer to this measure (a subscale takes its items)."""
        if self.key.startswith("subscale-"):
            return datum.subscale == self.key.removeprefix("subscale-")
        return datum.key == self.key

    def answered(self, datum: Datum) -> bool:
        if self.kind in (MEAN, NPS):
            return datum.number is not None
        if self.kind == CHOICES:
            return bool(datum.choices)
        return bool(datum.text.strip())


def _kind_of(question_kind: str) -> str:
    if question_kind == QuestionKind.NPS:
        return NPS
    if question_kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        return CHOICES
    if question_kind == QuestionKind.TEXT:
        return TEXT
    return MEAN


def measures_of(data: Sequence[Datum]) -> list[Measure]:
    """A questionnaire family's measures, in the newest version's question order; a pulse's
    items are reported as one figure per subscale."""
    newest: dict[str, Datum] = {}
    subscales: set[str] = set()
    for datum in data:
        if datum.subscale:
            subscales.add(datum.subscale)
            continue
        seen = newest.get(datum.key)
        if seen is None or datum.version > seen.version:
            newest[datum.key] = datum
    measures = [
        Measure(
            key=f"subscale-{subscale}",
            label=Subscale(subscale).label,
            kind=MEAN,
        )
        for subscale in Subscale.values
        if subscale in subscales
    ]
    measures += [
        Measure(
            key=datum.key,
            label=datum.text_of_question,
            kind=_kind_of(datum.kind),
            choice_labels=datum.choice_labels,
        )
        for datum in sorted(newest.values(), key=lambda d: (d.position, d.key))
    ]
    return measures


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Figure:
    """A measure over some answers, as the threshold allows: the cell, and for a choice
    question its shares, for a free-text one its comments (empty when hidden)."""

    measure: Measure
    cell: Cell
    shares: list[Share] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def bar(self) -> float:
        """The bar's length in percent of the scale (0 when hidden)."""
        value = self.cell.value
        if value is None:
            return 0.0
        if self.measure.kind == NPS:
            return max(0.0, (value + 100) / 2)
        return max(0.0, min(100.0, (value - 1) / 4 * 100))


def _figure(measure: Measure, answered: list[Datum], cell_reason: str, *, salt: str) -> Figure:
    people = len({d.person_id for d in answered})
    if cell_reason:
        return Figure(measure=measure, cell=hidden_cell(cell_reason))
    if measure.kind == MEAN:
        value = anonymity.mean_of(d.number for d in answered if d.number is not None)
        return Figure(measure=measure, cell=shown_cell(value, people))
    if measure.kind == NPS:
        value = anonymity.net_promoter_score(d.number for d in answered if d.number is not None)
        return Figure(measure=measure, cell=shown_cell(value, people))
    if measure.kind == CHOICES:
        counts: dict[str, int] = defaultdict(int)
        for datum in answered:
            for choice in datum.choices:
                counts[choice] += 1
        labels = dict(measure.choice_labels)
        for given in counts:
            labels.setdefault(given, given)
        shares = [
            Share(
                label=label,
                count=counts.get(choice, 0),
                percent=round(100 * counts.get(choice, 0) / len(answered), 1),
            )
            for choice, label in labels.items()
        ]
        return Figure(measure=measure, cell=shown_cell(None, people), shares=shares)
    comments = anonymity.comments_shuffle(answered, key=lambda d: d.answer_id, salt=salt)
    return Figure(
        measure=measure,
        cell=shown_cell(None, people),
        comments=[d.text.strip() for d in comments],
    )


# The programme report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    group: int | None
    name: str
    cells: list[Cell]


@dataclass(frozen=True)
class Breakdown:
    """A questionnaire's number measures by department, under subtraction protection."""

    measures: list[Measure]
    total: list[Cell]
    rows: list[BreakdownRow]


@dataclass(frozen=True)
class Section:
    family: str
    title: str
    figures: list[Figure]
    breakdown: Breakdown | None = None

    @property
    def numbers(self) -> list[Figure]:
        return [f for f in self.figures if f.measure.is_number]

    @property
    def choices(self) -> list[Figure]:
        return [f for f in self.figures if f.measure.kind == CHOICES]

    @property
    def texts(self) -> list[Figure]:
        return [f for f in self.figures if f.measure.kind == TEXT]


@dataclass(frozen=True)
class ResponseRate:
    family: str
    title: str
    assigned: int
    submitted: int

    @property
    def percent(self) -> float:
        return round(100 * self.submitted / self.assigned, 1) if self.assigned else 0.0


@dataclass(frozen=True)
class DepartmentChoice:
    key: str
    name: str


@dataclass(frozen=True)
class ProgrammeReport:
    programme: Programme
    threshold: int
    department: DepartmentChoice | None
    departments: list[DepartmentChoice]
    response_rates: list[ResponseRate]
    sections: list[Section]


def _families(data: Iterable[Datum]) -> list[tuple[str, str, list[Datum]]]:
    by_family: dict[str, list[Datum]] = defaultdict(list)
    titles: dict[str, tuple[int, str]] = {}
    for datum in data:
        by_family[datum.family].append(datum)
        if datum.version >= titles.get(datum.family, (0, ""))[0]:
            titles[datum.family] = (datum.version, datum.family_title)

    def order(family: str) -> tuple[int, str]:
        return (FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER), family)

    return [
        (family, titles[family][1], by_family[family]) for family in sorted(by_family, key=order)
    ]


def department_key(group: int | None) -> str:
    return "none" if group is None else str(group)


def _coach_gap(data: Iterable[Datum], insiders: frozenset[int], threshold: int) -> bool:
    """Whether a coach who reads this report could subtract their own coach report (and
    their own answers) from a figure of ``data`` and be left with fewer than the threshold
    of other people."""
    found = list(data)
    people = {d.person_id for d in found}
    for coach in {d.coach_id for d in found if d.coach_id in insiders}:
        known = {d.person_id for d in found if d.coach_id == coach} | {coach}
        if 0 < len(people - known) < threshold:
            return True
    return False


def _section(
    family: str,
    title: str,
    data: list[Datum],
    *,
    threshold: int,
    names: dict[int | None, str],
    filtered: bool,
    department: int | None,
    salt: str,
    insiders: frozenset[int] = frozenset(),
) -> Section:
    """One questionnaire's figures: the total's, or (``filtered``) ``department``'s cell of
    the protected breakdown; and, unfiltered, the breakdown of the total."""
    groups_in_family = sorted({d.group for d in data}, key=lambda g: (names.get(g, ""), g or 0))
    figures: list[Figure] = []
    breakdown_measures: list[Measure] = []
    total_cells: list[Cell] = []
    row_cells: dict[int | None, list[Cell]] = {group: [] for group in groups_in_family}
    for measure in measures_of(data):
        answered = [d for d in data if measure.counts(d) and measure.answered(d)]
        by_group: dict[int | None, list[Datum]] = defaultdict(list)
        for datum in answered:
            by_group[datum.group].append(datum)
        groups = [
            (
                group,
                names.get(group, NO_DEPARTMENT),
                frozenset(d.person_id for d in by_group[group]),
            )
            for group in groups_in_family
        ]
        hidden = anonymity.breakdown_hidden(groups, threshold=threshold)
        total_reason = anonymity.threshold_reason(len({d.person_id for d in answered}), threshold)
        if insiders and not total_reason:
            # Rule 2 against the coach report of a coach who also reads this one: the total
            # may not leave a small group once their coachees' answers are taken out, nor may
            # any sum of the shown cells (each shown group, and the hidden ones together).
            if _coach_gap(answered, insiders, threshold):
                total_reason = anonymity.SUBTRACTION
            blocks = [by_group[g] for g in groups_in_family if g not in hidden]
            blocks.append([d for g in hidden for d in by_group[g]])
            if total_reason or any(
                _coach_gap(
                    [
                        d
                        for block in blocks
                        if any(d.coach_id == coach for d in block)
                        for d in block
                    ],
                    frozenset([coach]),
                    threshold,
                )
                for coach in {d.coach_id for d in answered if d.coach_id in insiders}
            ):
                hidden = {g: hidden.get(g, anonymity.SUBTRACTION) for g in groups_in_family}
        measure_salt = f"{salt}:{family}:{measure.key}"
        total = _figure(measure, answered, total_reason, salt=measure_salt)
        if not filtered:
            figures.append(total)
        else:
            figures.append(
                _figure(
                    measure,
                    by_group.get(department, []),
                    hidden.get(department, "") if department in row_cells else anonymity.NO_ANSWERS,
                    salt=measure_salt,
                )
            )
        if measure.is_number:
            breakdown_measures.append(measure)
            total_cells.append(total.cell)
            for group in groups_in_family:
                row_cells[group].append(
                    _figure(measure, by_group[group], hidden.get(group, ""), salt="").cell
                )
    breakdown = None
    if not filtered and breakdown_measures and groups_in_family:
        breakdown = Breakdown(
            measures=breakdown_measures,
            total=total_cells,
            rows=[
                BreakdownRow(group=group, name=names.get(group, NO_DEPARTMENT), cells=cells)
                for group, cells in row_cells.items()
            ],
        )
    return Section(family=family, title=title, figures=figures, breakdown=breakdown)


def _response_rates(programme: Programme) -> list[ResponseRate]:
    rows = (
        Survey.objects.filter(programme=programme)
        .exclude(purpose__in=ASSESSMENT_PURPOSES)
        .values("template__key")
        .annotate(
            assigned=Count("pk"),
            submitted=Count("pk", filter=Q(status=SurveyStatus.SUBMITTED)),
        )
        .order_by()
    )
    counts = {row["template__key"]: row for row in rows}
    titles = dict(
        SurveyTemplate.objects.filter(key__in=counts, is_current=True)
        .filter(Q(programme=programme) | Q(programme__isnull=True))
        .order_by("programme_id")  # built-in first, so the programme's own wins
        .values_list("key", "title")
    )
    order = {key: index for index, key in enumerate(FAMILY_ORDER)}
    return [
        ResponseRate(
            family=key,
            title=titles.get(key, key),
            assigned=row["assigned"],
            submitted=row["submitted"],
        )
        for key, row in sorted(counts.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    ]


def _coaching_readers(programme: Programme) -> frozenset[int]:
    """The people who may read the programme's report (its admins and sponsor) and may
    also coach: each sees their own coach report too."""
    return frozenset(
        Person.objects.filter(
            Q(user__role_grants__role=Role.PROGRAMME_ADMIN)
            | Q(user__is_superuser=True)
            | Q(pk=programme.sponsor_id)
        ).values_list("pk", flat=True)
    )


def programme_report(*, programme: Programme, department: str | None = None) -> ProgrammeReport:
    """The programme's feedback, every figure under the threshold and subtraction rules.

    ``department`` ("<id>" or "none") narrows every figure to that department's cell of the
    protected breakdown; an unknown one shows nothing ("No answers yet").
    """
    threshold = anonymity.threshold_of(programme)
    insiders = _coaching_readers(programme)
    data = data_of(
        Answer.objects.filter(survey__programme=programme).exclude(
            survey__purpose__in=ASSESSMENT_PURPOSES
        )
    )
    group_ids = {d.group for d in data}
    names: dict[int | None, str] = {None: NO_DEPARTMENT}
    names.update(
        Department.objects.filter(pk__in=[g for g in group_ids if g is not None]).values_list(
            "pk", "name"
        )
    )
    choices = [
        DepartmentChoice(key=department_key(group), name=names[group])
        for group in sorted(group_ids, key=lambda g: (g is None, names.get(g, "")))
    ]
    chosen = next((c for c in choices if c.key == department), None)
    selected: int | None = None
    if department:
        selected = None if department == "none" else int(department) if department.isdigit() else -1
        if chosen is None:
            chosen = DepartmentChoice(key=department, name="Unknown department")
    sections = [
        _section(
            family,
            title,
            family_data,
            threshold=threshold,
            names=names,
            filtered=bool(department),
            department=selected,
            salt=f"programme:{programme.pk}",
            insiders=insiders,
        )
        for family, title, family_data in _families(data)
    ]
    return ProgrammeReport(
        programme=programme,
        threshold=threshold,
        department=chosen,
        departments=choices,
        response_rates=_response_rates(programme) if department is None else [],
        sections=sections,
    )


# A coach's feedback about their coaching -------------------------------------------------------


@dataclass(frozen=True)
class CoachReport:
    threshold: int
    programmes: list[str]
    sections: list[Section]


DEFAULT_THRESHOLD = FeedbackSettings._meta.get_field("anonymity_threshold").default


def coach_report(*, coach: Person) -> CoachReport:
    """What the coach's coachees said about their sessions and the relationship (pulse),
    pooled over programmes under the strictest of their thresholds; never a breakdown."""
    answers = Answer.objects.filter(
        Q(
            survey__purpose=SurveyPurpose.SESSION,
            survey__session__relationship__coach=coach,
            survey__respondent=F("survey__session__relationship__coachee"),
        )
        | Q(
            survey__purpose=SurveyPurpose.PULSE,
            survey__relationship__coach=coach,
            survey__respondent=F("survey__relationship__coachee"),
        )
    )
    data = data_of(answers)
    programmes = list(
        Programme.objects.filter(Q(relationships__coach=coach) | Q(surveys__answers__in=answers))
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )
    stored = dict(
        FeedbackSettings.objects.filter(programme__in=[pk for pk, _ in programmes]).values_list(
            "programme_id", "anonymity_threshold"
        )
    )
    threshold = max(
        [LOWEST_ANONYMITY_THRESHOLD]
        + [stored.get(pk, DEFAULT_THRESHOLD) for pk, _ in programmes]
        + ([] if programmes else [DEFAULT_THRESHOLD])
    )
    sections = [
        _section(
            family,
            title,
            [replace(d, group=None) for d in family_data],
            threshold=threshold,
            names={},
            filtered=False,
            department=None,
            salt=f"coach:{coach.pk}",
        )
        for family, title, family_data in _families(data)
    ]
    return CoachReport(
        threshold=threshold,
        programmes=[name for _, name in programmes],
        sections=[Section(s.family, s.title, s.figures) for s in sections],
    )


# The 360 report --------------------------------------------------------------------------------

COLUMN_LABELS = {
    anonymity.SELF: "Self",
    anonymity.MANAGER: "Manager",
    "peer": "Peers",
    "direct_report": "Direct reports",
    anonymity.OTHERS: "Others",
    anonymity.ALL_RATERS: "All raters",
}
COLUMN_ORDER = list(COLUMN_LABELS)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    raters: int | None
    hidden: str


@dataclass(frozen=True)
class CompetencyRow:
    competency_id: int
    name: str
    cells: list[Cell]

    def cell(self, columns: list[Column], key: str) -> Cell:
        for column, cell in zip(columns, self.cells, strict=True):
            if column.key == key:
                return cell
        return hidden_cell(anonymity.NO_ANSWERS)


@dataclass(frozen=True)
class CommentGroup:
    label: str
    comments: list[str]


@dataclass(frozen=True)
class PhaseReport:
    assessment: Assessment360
    columns: list[Column]
    rows: list[CompetencyRow]
    comments: list[CommentGroup]


@dataclass(frozen=True)
class ChangeRow:
    name: str
    self_before: Cell
    self_after: Cell
    self_change: Cell
    all_before: Cell
    all_after: Cell
    all_change: Cell


@dataclass(frozen=True)
class AssessmentReport:
    coachee: Person
    before: PhaseReport | None
    after: PhaseReport | None
    changes: list[ChangeRow]


def _phase(
    assessment: Assessment360, data: list[Datum], competencies: dict[int, str]
) -> PhaseReport:
    raters: dict[str, set[int]] = defaultdict(set)
    for datum in data:
        raters[datum.rater_group].add(datum.person_id)
    plan = anonymity.assessment_groups({group: len(people) for group, people in raters.items()})
    merged = sorted(
        (g for g, c in plan.columns.items() if c == anonymity.OTHERS),
        key=lambda g: COLUMN_ORDER.index(g) if g in COLUMN_ORDER else 99,
    )
    column_people: dict[str, set[int]] = defaultdict(set)
    for group, people in raters.items():
        column_people[plan.columns[group]] |= people
        if group != anonymity.SELF:
            column_people[anonymity.ALL_RATERS] |= people
    columns: list[Column] = []
    for key in COLUMN_ORDER:
        count = len(column_people.get(key, ()))
        if count == 0 and key not in (anonymity.SELF, anonymity.ALL_RATERS):
            continue
        label = COLUMN_LABELS[key]
        if key == anonymity.OTHERS:
            label += " (" + ", ".join(COLUMN_LABELS.get(g, g).lower() for g in merged) + ")"
        reason = plan.hidden.get(key, "") or (anonymity.NO_ANSWERS if count == 0 else "")
        columns.append(
            Column(key=key, label=label, raters=None if reason else count, hidden=reason)
        )

    def column_of(datum: Datum, column: str) -> bool:
        if column == anonymity.ALL_RATERS:
            return datum.rater_group != anonymity.SELF
        return plan.columns.get(datum.rater_group) == column

    rows = []
    ratings = [d for d in data if d.competency_id is not None and d.number is not None]
    for competency_id, name in competencies.items():
        mine = [d for d in ratings if d.competency_id == competency_id]
        cells: list[Cell] = []
        for column in columns:
            values = [d for d in mine if column_of(d, column.key)]
            fewest = anonymity.fewest_for_column(column.key)
            if column.hidden:
                cells.append(hidden_cell(column.hidden))
            elif len(values) < fewest:
                cells.append(
                    hidden_cell(
                        anonymity.NO_ANSWERS if not values else anonymity.fewer_than(fewest)
                    )
                )
            else:
                cells.append(
                    shown_cell(
                        anonymity.mean_of(d.number for d in values if d.number is not None),
                        len({d.person_id for d in values}),
                    )
                )
        # Rule 3: "All raters" may not give away a group hidden for this competency.
        derivable = any(
            cell.is_hidden and cell.hidden != anonymity.NO_ANSWERS
            for column, cell in zip(columns, cells, strict=True)
            if column.key not in (anonymity.SELF, anonymity.ALL_RATERS)
        )
        if derivable:
            cells = [
                hidden_cell(anonymity.SUBTRACTION)
                if column.key == anonymity.ALL_RATERS and not cell.is_hidden
                else cell
                for column, cell in zip(columns, cells, strict=True)
            ]
        rows.append(CompetencyRow(competency_id=competency_id, name=name, cells=cells))
    comments = []
    texts = [d for d in data if d.kind == QuestionKind.TEXT and d.text.strip()]
    for column in columns:
        if column.hidden or column.key in (anonymity.MANAGER, anonymity.ALL_RATERS):
            continue
        chosen = [d for d in texts if column_of(d, column.key)]
        if chosen:
            shuffled = anonymity.comments_shuffle(
                chosen, key=lambda d: d.answer_id, salt=f"360:{assessment.pk}:{column.key}"
            )
            comments.append(CommentGroup(column.label, [d.text.strip() for d in shuffled]))
    return PhaseReport(assessment=assessment, columns=columns, rows=rows, comments=comments)


def _change(before: Cell, after: Cell) -> Cell:
    if before.is_hidden or after.is_hidden or before.value is None or after.value is None:
        return hidden_cell(before.hidden or after.hidden or anonymity.NO_ANSWERS)
    return shown_cell(
        round(after.value - before.value, 1), min(before.people or 0, after.people or 0)
    )


def assessment_report(*, assessment: Assessment360) -> AssessmentReport:
    """The coachee's 360: self against others per competency for each phase, and before
    against after with the change, under rule 3 of ``anonymity``."""
    before = assessment.previous if assessment.phase == AssessmentPhase.AFTER else assessment
    after = (
        assessment
        if assessment.phase == AssessmentPhase.AFTER
        else Assessment360.objects.filter(previous=assessment).first()
    )
    phases = [a for a in (before, after) if a is not None]
    data = data_of(Answer.objects.filter(survey__assessment__in=[a.pk for a in phases]))
    by_phase: dict[str, list[Datum]] = defaultdict(list)
    for datum in data:
        by_phase[datum.purpose].append(datum)
    competency_ids = sorted({d.competency_id for d in data if d.competency_id is not None})
    competencies = dict(
        Competency.objects.filter(pk__in=competency_ids)
        .order_by("position", "name")
        .values_list("pk", "name")
    )
    before_report = (
        _phase(before, by_phase[SurveyPurpose.ASSESSMENT_BEFORE], competencies)
        if before is not None
        else None
    )
    after_report = (
        _phase(after, by_phase[SurveyPurpose.ASSESSMENT_AFTER], competencies)
        if after is not None
        else None
    )
    changes = []
    if before_report is not None and after_report is not None:
        for row_before, row_after in zip(before_report.rows, after_report.rows, strict=True):
            self_before = row_before.cell(before_report.columns, anonymity.SELF)
            self_after = row_after.cell(after_report.columns, anonymity.SELF)
            all_before = row_before.cell(before_report.columns, anonymity.ALL_RATERS)
            all_after = row_after.cell(after_report.columns, anonymity.ALL_RATERS)
            changes.append(
                ChangeRow(
                    name=row_before.name,
                    self_before=self_before,
                    self_after=self_after,
                    self_change=_change(self_before, self_after),
                    all_before=all_before,
                    all_after=all_after,
                    all_change=_change(all_before, all_after),
                )
            )
    return AssessmentReport(
        coachee=assessment.coachee, before=before_report, after=after_report, changes=changes
    )


def assessment_report_view(
    *, assessment: Assessment360, by: User, request: HttpRequest | None = None
) -> AssessmentReport:
    """``by`` reads the 360 report (fetch ``assessment`` with ``access.assessment_for_report``).

    A sensitive read, audited every time: the report shows one person's self-ratings and their
    manager's ratings as they are. The entry names the assessment and the reader's part in it,
    never a figure or a comment.
    """
    report = assessment_report(assessment=assessment)
    audit_record(
        actor=by,
        action="feedback.assessment_report_view",
        target=assessment,
        request=request,
        details={
            "phase": assessment.phase,
            "reader": "coachee" if assessment.coachee.user_id == by.pk else "coach",
        },
    )
    return report


def report_rows(report: ProgrammeReport) -> list[list[object]]:
    """The programme report's figures as rows for an export: a header, then one row per
    figure (and per department of each breakdown); hidden figures give their reason."""
    header: list[object] = [
        "Questionnaire",
        "Measure",
        "Department",
        "Value",
        "People",
        "Hidden because",
    ]
    rows: list[list[object]] = [header]
    scope = report.department.name if report.department else "All departments"

    def cell_row(title: str, label: str, where: str, cell: Cell) -> list[object]:
        return [title, label, where, cell.value, cell.people, cell.hidden]

    for section in report.sections:
        for figure in section.figures:
            if figure.measure.kind == TEXT:
                continue
            rows.append(cell_row(section.title, figure.measure.label, scope, figure.cell))
            for share in figure.shares:
                rows.append(
                    [
                        section.title,
                        f"{figure.measure.label}: {share.label}",
                        scope,
                        share.percent,
                        share.count,
                        "",
                    ]
                )
        if section.breakdown is not None:
            for row in section.breakdown.rows:
                for measure, cell in zip(section.breakdown.measures, row.cells, strict=True):
                    rows.append(cell_row(section.title, measure.label, row.name, cell))
    return rows
