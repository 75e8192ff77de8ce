"""Reads for the questionnaire editor: a programme's questionnaires with their figures, one
questionnaire's versions, and what changed from each version to the next. Nothing here checks
who may see what (see ``access``).

A programme's questionnaire ``key`` is its own family when it has one, else the built-in one.
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cadre.feedback.models import Question, Survey, SurveyTemplate
from cadre.programs.models import Programme

# What a version-to-version comparison calls each field of a question.
FIELD_NAMES = {
    "text": "text",
    "kind": "kind",
    "required": "required",
    "help_text": "help text",
    "anchors": "scale labels",
    "choices": "choices",
    "min_choices": "fewest choices",
    "max_choices": "most choices",
    "subscale": "subscale",
    "competency_id": "competency",
}


def _count(queryset: QuerySet[Question] | QuerySet[Survey]) -> Coalesce:
    counted = queryset.order_by().values("template").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(
    queryset: QuerySet[SurveyTemplate], programme: Programme
) -> QuerySet[SurveyTemplate]:
    """Templates with ``question_count`` and ``survey_count`` (the programme's surveys given
    on each version), in the same query."""
    return queryset.annotate(
        question_count=_count(Question.objects.filter(template=OuterRef("pk"))),
        survey_count=_count(Survey.objects.filter(template=OuterRef("pk"), programme=programme)),
    )


def _family_filter(programme: Programme) -> Q:
    return Q(programme=programme) | Q(programme__isnull=True)


@dataclass(frozen=True)
class QuestionnaireRow:
    """One questionnaire a programme uses: the version in force and where it comes from."""

    key: str
    current: SurveyTemplate
    is_own: bool
    is_built_in_family: bool
    # Surveys the programme gave on earlier versions of the family.
    earlier_surveys: int

    @property
    def is_customised(self) -> bool:
        return self.is_own and self.is_built_in_family


def programme_questionnaires(programme: Programme) -> list[QuestionnaireRow]:
    """The programme's questionnaires: each built-in one (or the programme's copy of it) in
    the order they were installed, then the programme's own new ones by title."""
    templates = list(
        with_counts(SurveyTemplate.objects.filter(_family_filter(programme)), programme).order_by(
            "key", "-version"
        )
    )
    by_family: dict[tuple[str, bool], list[SurveyTemplate]] = {}
    for template in templates:
        by_family.setdefault((template.key, template.programme_id is not None), []).append(template)
    built_in = sorted(
        (key for key, own in by_family if not own),
        key=lambda key: min(t.pk for t in by_family[key, False]),
    )
    new = sorted(
        (key for key, own in by_family if own and (key, False) not in by_family),
        key=lambda key: by_family[key, True][0].title.lower(),
    )
    rows = []
    for key in [*built_in, *new]:
        own = by_family.get((key, True))
        versions = own or by_family[key, False]
        current = next((t for t in versions if t.is_current), versions[0])
        rows.append(
            QuestionnaireRow(
                key=key,
                current=current,
                is_own=own is not None,
                is_built_in_family=(key, False) in by_family,
                earlier_surveys=sum(
                    t.survey_count  # type: ignore[attr-defined]
                    for t in versions
                    if t.pk != current.pk
                ),
            )
        )
    return rows


def family_versions(programme: Programme, key: str) -> list[SurveyTemplate]:
    """Every version of the programme's questionnaire ``key``, newest first, with their counts
    and questions (the programme's own family if it has one, else the built-in one)."""
    questions = Question.objects.select_related("competency").order_by("position")
    templates = list(
        with_counts(SurveyTemplate.objects.filter(_family_filter(programme), key=key), programme)
        .select_related("created_by")
        .prefetch_related(Prefetch("questions", queryset=questions))
        .order_by("-version")
    )
    own = [t for t in templates if t.programme_id is not None]
    return own or templates


def version_questions(template: SurveyTemplate) -> list[Question]:
    """The questions of a version fetched by ``family_versions`` (already in memory)."""
    return list(template.questions.all())


@dataclass(frozen=True)
class QuestionChange:
    """How one question differs from the version before: added, removed or edited."""

    change: str
    text: str
    fields: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VersionChanges:
    template: SurveyTemplate
    questions: list[Question]
    changes: list[QuestionChange]
    # The version compared with; None for the first version.
    previous: SurveyTemplate | None = None
    title_changed: bool = False
    intro_changed: bool = False
    reordered: bool = False

    @property
    def changed_nothing(self) -> bool:
        return not (self.changes or self.title_changed or self.intro_changed or self.reordered)


def _changed_fields(old: Question, new: Question) -> list[str]:
    return [
        label for name, label in FIELD_NAMES.items() if getattr(old, name) != getattr(new, name)
    ]


def version_changes(versions: list[SurveyTemplate]) -> list[VersionChanges]:
    """Each version (newest first, as ``family_versions`` gives them) with what changed since
    the version before it: questions added, removed or edited (matched by their key)."""
    result = []
    for index, template in enumerate(versions):
        questions = version_questions(template)
        previous = versions[index + 1] if index + 1 < len(versions) else None
        if previous is None:
            result.append(VersionChanges(template=template, questions=questions, changes=[]))
            continue
        before = {q.key: q for q in version_questions(previous)}
        now = {q.key: q for q in questions}
        changes = [QuestionChange("added", q.text) for q in questions if q.key not in before]
        changes += [
            QuestionChange("edited", q.text, fields)
            for q in questions
            if q.key in before and (fields := _changed_fields(before[q.key], q))
        ]
        changes += [QuestionChange("removed", q.text) for q in before.values() if q.key not in now]
        kept_before = [key for key in before if key in now]
        kept_now = [key for key in now if key in before]
        result.append(
            VersionChanges(
                template=template,
                questions=questions,
                changes=changes,
                previous=previous,
                title_changed=template.title != previous.title,
                intro_changed=template.intro != previous.intro,
                reordered=kept_before != kept_now,
            )
        )
    return result
