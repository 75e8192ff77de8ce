"""The built-in questionnaires, written for Cadre (no item is taken from a published scale).

Each is a ``TemplateSpec``: its family key, kind, title, intro and questions. They are
installed as version 1 of built-in templates by ``instruments_install`` (run by migration
0002, and safe to run again). The learning and 360 questionnaires also ask about every
competency in use; ``competency_questions`` adds those when a survey is assigned (see
``services.template_for``), making a new version whenever the competencies change.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.apps.registry import Apps

AGREE = {"1": "Strongly disagree", "5": "Strongly agree"}
EXTENT = {"1": "Not at all", "5": "Completely"}
RECOMMEND = {"0": "Not at all likely", "10": "Extremely likely"}
COMPETENCY_SCALE = {"1": "Rarely shows this", "3": "Often shows this", "5": "A role model"}


@dataclass(frozen=True)
class QuestionSpec:
    """One question, as ``services.template_revise`` and the installer take it."""

    key: str
    kind: str
    text: str
    help_text: str = ""
    required: bool = True
    anchors: dict[str, str] = field(default_factory=dict)
    choices: list[dict[str, str]] = field(default_factory=list)
    subscale: str = ""
    competency_id: int | None = None
    min_choices: int | None = None
    max_choices: int | None = None


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    kind: str
    title: str
    intro: str
    questions: Sequence[QuestionSpec]
    # Whether a question per competency in use is added when the survey is assigned.
    per_competency: bool = False


def _likert(
    key: str, text: str, *, subscale: str = "", anchors: dict[str, str] = AGREE
) -> QuestionSpec:
    return QuestionSpec(key=key, kind="likert", text=text, anchors=anchors, subscale=subscale)


def _comment(text: str, help_text: str = "") -> QuestionSpec:
    return QuestionSpec(key="comment", kind="text", text=text, help_text=help_text, required=False)


SESSION_COACHEE = TemplateSpec(
    key="session-coachee",
    kind="session_coachee",
    title="How was your session?",
    intro="Three quick questions about your last coaching session. Your coach sees only "
    "averages over several people, never your answers.",
    questions=[
        _likert("usefulness", "The session was useful to me.", anchors=EXTENT),
        _likert("next-steps", "I know what I will do next.", anchors=EXTENT),
        _likert("safety", "I felt safe to speak openly.", anchors=EXTENT),
        _comment("Anything you'd like to add?", "Optional. Seen only in anonymised summaries."),
    ],
)

SESSION_COACH = TemplateSpec(
    key="session-coach",
    kind="session_coach",
    title="Your session, in a minute",
    intro="For your own reflection and the programme's picture of how coaching is going.",
    questions=[
        _likert("progress", "We made progress on what matters to my coachee.", anchors=EXTENT),
        _likert("engagement", "My coachee was engaged.", anchors=EXTENT),
        _likert("confidence", "I felt able to help with what came up.", anchors=EXTENT),
        _comment("Anything the programme team could help with?"),
    ],
)

PULSE = TemplateSpec(
    key="pulse",
    kind="pulse",
    title="How is your coaching working?",
    intro="A short check on the working relationship. There are no right answers; "
    "nobody sees your answers on their own.",
    questions=[
        _likert("trust-honest", "I can be honest in our conversations.", subscale="trust"),
        _likert(
            "trust-confidential", "I trust that what we discuss stays between us.", subscale="trust"
        ),
        _likert("trust-reliable", "We both do what we say we will.", subscale="trust"),
        _likert("rapport-understood", "I feel understood in our sessions.", subscale="rapport"),
        _likert("rapport-respect", "We treat each other with respect.", subscale="rapport"),
        _likert("rapport-look-forward", "I look forward to our sessions.", subscale="rapport"),
        _likert("goals-shared", "We agree on what we are working towards.", subscale="goals"),
        _likert("goals-matter", "Our goals matter to the coachee's work.", subscale="goals"),
        _likert("working-approach", "We agree on how we work together.", subscale="working"),
        _likert("working-time", "Our sessions use the time well.", subscale="working"),
        _likert("working-change", "We can say when something isn't working.", subscale="working"),
    ],
)

REACTION = TemplateSpec(
    key="reaction",
    kind="reaction",
    title="What do you think of the programme?",
    intro="Your view of the programme so far helps the team improve it.",
    questions=[
        _likert("worthwhile", "The programme is worth the time I give it."),
        _likert("relevant", "What I do in the programme is relevant to my work."),
        _likert("organised", "The programme is well organised."),
        QuestionSpec(
            key="recommend",
            kind="nps",
            text="How likely are you to recommend the programme to a colleague?",
            anchors=RECOMMEND,
        ),
        QuestionSpec(
            key="most-valuable",
            kind="multiple_choice",
            text="What has been most valuable?",
            help_text="Choose up to two.",
            choices=[
                {"value": "sessions", "label": "The coaching sessions"},
                {"value": "goals", "label": "Setting and tracking goals"},
                {"value": "reflection", "label": "Time to reflect"},
                {"value": "network", "label": "Meeting people across the organisation"},
                {"value": "training", "label": "The training and materials"},
            ],
            min_choices=1,
            max_choices=2,
        ),
        _comment("What would make the programme better?"),
    ],
)

LEARNING = TemplateSpec(
    key="learning",
    kind="learning",
    title="What have you learned?",
    intro="Rate yourself on each competency now, at the end of your coaching.",
    questions=[
        QuestionSpec(
            key="change",
            kind="single_choice",
            text="Overall, how much has your leadership changed during the programme?",
            choices=[
                {"value": "none", "label": "Not at all"},
                {"value": "little", "label": "A little"},
                {"value": "some", "label": "Somewhat"},
                {"value": "much", "label": "A great deal"},
            ],
        ),
        _comment("What is the most important thing you learned?"),
    ],
    per_competency=True,
)

BEHAVIOUR = TemplateSpec(
    key="behaviour",
    kind="behaviour",
    title="Has anything changed?",
    intro="Someone who reports to you took part in a coaching programme three months ago. "
    "You know their work: has it changed since?",
    questions=[
        _likert("applies", "They apply what they worked on in coaching."),
        _likert("more-effective", "They lead more effectively than before."),
        _likert("team-notices", "Their team benefits from the change."),
        _comment("An example of a change you've seen?"),
    ],
)

ASSESSMENT_360 = TemplateSpec(
    key="assessment-360",
    kind="assessment_360",
    title="360° feedback",
    intro="Rate how often you see each behaviour. Choose “Not observed” when you haven't had "
    "the chance to see it. The person sees only averages over several raters.",
    questions=[_comment("What should they keep doing, or do more of?")],
    per_competency=True,
)

INSTRUMENTS = (
    SESSION_COACHEE,
    SESSION_COACH,
    PULSE,
    REACTION,
    LEARNING,
    BEHAVIOUR,
    ASSESSMENT_360,
)
BY_KEY = {spec.key: spec for spec in INSTRUMENTS}


def competency_questions(competencies: Sequence[Any], *, kind: str) -> list[QuestionSpec]:
    """A rating question per competency, in the order given."""
    text = "Rate yourself now: {name}" if kind == "learning" else "{name}"
    return [
        QuestionSpec(
            key=f"competency-{competency.pk}",
            kind="competency",
            text=text.format(name=competency.name),
            help_text=competency.description[:500],
            anchors=COMPETENCY_SCALE,
            competency_id=competency.pk,
        )
        for competency in competencies
    ]


def question_fields(spec: QuestionSpec) -> dict[str, Any]:
    """The ``Question`` model's fields for a spec (without the template and position)."""
    return {
        "key": spec.key,
        "kind": spec.kind,
        "text": spec.text,
        "help_text": spec.help_text,
        "required": spec.required,
        "anchors": dict(spec.anchors),
        "choices": list(spec.choices),
        "subscale": spec.subscale,
        "competency_id": spec.competency_id,
        "min_choices": spec.min_choices,
        "max_choices": spec.max_choices,
    }


def instruments_install(registry: Apps = django_apps) -> int:
    """Install each built-in questionnaire that has no built-in version yet; returns how many
    were installed. ``registry`` is the migration's app registry when a migration runs it."""
    template_model = registry.get_model("feedback", "SurveyTemplate")
    question_model = registry.get_model("feedback", "Question")
    installed = 0
    for spec in INSTRUMENTS:
        if template_model.objects.filter(programme__isnull=True, key=spec.key).exists():
            continue
        template = template_model.objects.create(
            key=spec.key,
            version=1,
            kind=spec.kind,
            title=spec.title,
            intro=spec.intro,
            programme=None,
            is_current=True,
        )
        question_model.objects.bulk_create(
            question_model(template=template, position=position, **question_fields(question))
            for position, question in enumerate(spec.questions, start=1)
        )
        installed += 1
    return installed
