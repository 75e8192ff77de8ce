"""Feedback and evaluation: surveys, their answers, 360° assessments and relationship health.

A ``SurveyTemplate`` is one version of a questionnaire (a family shares its ``key``); its
``Question`` rows never change once surveys use that version, so a change makes a new version
(``services.template_revise``). A ``Survey`` asks one person (the respondent) about one
subject — a session, a relationship, a person (360) or the programme itself — and holds that
person's ``Answer`` rows. ``Assessment360`` gathers a coachee's raters (``RaterNomination``)
before surveys go to them. ``RelationshipHealth`` and ``HealthAlert`` record what the health
checks concluded. ``FeedbackSettings`` holds a programme's thresholds.

Answers are personal: free text is encrypted at rest, and anything shown to someone other than
the respondent is an aggregate over at least ``FeedbackSettings.anonymity_threshold`` people.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cadre.coaching.models import CoachingRelationship, CoachingSession
from cadre.core.fields import EncryptedTextField
from cadre.people.models import Competency, Person
from cadre.programs.models import Programme

LOWEST_ANONYMITY_THRESHOLD = 3
HIGHEST_ANONYMITY_THRESHOLD = 10


class PulseSchedule(models.TextChoices):
    EVERY_4_SESSIONS = "every_4_sessions", "Every 4 held sessions"
    MONTHLY = "monthly", "Monthly"


# What a refused threshold is told, wherever it is set.
ANONYMITY_THRESHOLD_RANGE = "choose from 3 to 10 (never below 3)."


class FeedbackSettings(models.Model):
    """A programme's feedback rules: anonymity, the pulse's rhythm and the health thresholds.

    Created with the defaults on first use (``queries.settings_for``). Scores are on the 1–5
    scale; the cadence factor multiplies the programme's session cadence.
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="feedback_settings"
    )
    anonymity_threshold = models.PositiveSmallIntegerField(
        default=5,
        validators=[
            MinValueValidator(LOWEST_ANONYMITY_THRESHOLD, message=ANONYMITY_THRESHOLD_RANGE),
            MaxValueValidator(HIGHEST_ANONYMITY_THRESHOLD, message=ANONYMITY_THRESHOLD_RANGE),
        ],
        help_text="The fewest respondents an aggregate may show (3 to 10).",
    )
    pulse_schedule = models.CharField(
        "relationship pulse",
        max_length=20,
        choices=PulseSchedule.choices,
        default=PulseSchedule.EVERY_4_SESSIONS,
        help_text="After the third held session, then this often.",
    )
    cadence_grace_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MaxValueValidator(90)],
        help_text="Days past the session cadence before a pair is asked to check in.",
    )
    at_risk_cadence_factor = models.FloatField(
        default=2.0,
        validators=[MinValueValidator(1.0), MaxValueValidator(10.0)],
        help_text="No session for this many cadences: the pair is at risk.",
    )
    pulse_check_in_below = models.FloatField(
        default=3.5,
        validators=[MinValueValidator(1.0), MaxValueValidator(5.0)],
        help_text="A pulse subscale below this asks for a check-in.",
    )
    pulse_at_risk_below = models.FloatField(
        default=2.5,
        validators=[MinValueValidator(1.0), MaxValueValidator(5.0)],
        help_text="A pulse subscale below this puts the pair at risk.",
    )
    pulse_drop = models.FloatField(
        default=0.75,
        validators=[MinValueValidator(0.0), MaxValueValidator(4.0)],
        help_text="A fall this large between two pulses asks for a check-in.",
    )
    session_usefulness_below = models.FloatField(
        default=3.0,
        validators=[MinValueValidator(1.0), MaxValueValidator(5.0)],
        help_text="Recent sessions rated less useful than this ask for a check-in.",
    )
    overdue_actions_check_in = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="This many overdue action items ask for a check-in.",
    )
    unanswered_surveys_check_in = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="This many surveys closed unanswered ask for a check-in.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "feedback settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    anonymity_threshold__gte=LOWEST_ANONYMITY_THRESHOLD,
                    anonymity_threshold__lte=HIGHEST_ANONYMITY_THRESHOLD,
                ),
                name="feedback_settings_anonymity_threshold_range",
                violation_error_message="The anonymity threshold must be from 3 to 10.",
            ),
            models.CheckConstraint(
                condition=models.Q(pulse_schedule__in=PulseSchedule.values),
                name="feedback_settings_pulse_schedule_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback settings of {self.programme}"


class TemplateKind(models.TextChoices):
    SESSION_COACHEE = "session_coachee", "After a session (coachee)"
    SESSION_COACH = "session_coach", "After a session (coach)"
    PULSE = "pulse", "Relationship pulse"
    REACTION = "reaction", "Programme reaction"
    LEARNING = "learning", "Learning"
    BEHAVIOUR = "behaviour", "Behaviour change"
    ASSESSMENT_360 = "assessment_360", "360° assessment"
    CUSTOM = "custom", "Custom"


class SurveyTemplate(models.Model):
    """One version of a questionnaire.

    Versions of one questionnaire share ``key`` (a slug such as ``session-coachee``); the
    newest is ``is_current``. Built-in templates have no programme and serve every programme;
    a programme's own template with the same key replaces the built-in one for it.
    """

    Kind = TemplateKind

    key = models.SlugField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=TemplateKind.choices)
    title = models.CharField(max_length=200)
    intro = models.TextField(max_length=2000, blank=True, help_text="Shown above the questions.")
    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_templates",
        help_text="Empty for a built-in template that every programme uses.",
    )
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "key", "version"],
                condition=models.Q(programme__isnull=False),
                name="feedback_template_version_once_per_programme",
            ),
            models.UniqueConstraint(
                fields=["key", "version"],
                condition=models.Q(programme__isnull=True),
                name="feedback_template_version_once_built_in",
            ),
            models.UniqueConstraint(
                fields=["programme", "key"],
                condition=models.Q(is_current=True, programme__isnull=False),
                name="feedback_template_one_current_per_programme",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(is_current=True, programme__isnull=True),
                name="feedback_template_one_current_built_in",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=TemplateKind.values),
                name="feedback_template_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="feedback_template_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_built_in(self) -> bool:
        return self.programme_id is None


class QuestionKind(models.TextChoices):
    LIKERT = "likert", "Agreement, 1 to 5"
    NPS = "nps", "Likelihood to recommend, 0 to 10"
    SINGLE_CHOICE = "single_choice", "One choice"
    MULTIPLE_CHOICE = "multiple_choice", "Several choices"
    COMPETENCY = "competency", "Competency rating, 1 to 5 or not observed"
    TEXT = "text", "Free text"


# Kinds whose answer is a number; ``Answer.number`` holds it.
NUMBER_KINDS = (QuestionKind.LIKERT, QuestionKind.NPS, QuestionKind.COMPETENCY)
# Kinds whose answer is a list of choice values; ``Answer.choices`` holds it.
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)

TEXT_ANSWER_MAX_LENGTH = 4000


class Subscale(models.TextChoices):
    TRUST = "trust", "Trust"
    RAPPORT = "rapport", "Rapport"
    GOALS = "goals", "Agreement on goals"
    WORKING = "working", "Agreement on how we work"


class Question(models.Model):
    """One question of a template version, asked in ``position`` order.

    ``key`` is stable across versions of the family, so answers to "the same" question can be
    compared over time. ``anchors`` labels the scale (``{"1": "Not at all", "5": "Completely"}``
    or the 0 and 10 ends); ``choices`` is a list of ``{"value": ..., "label": ...}``.
    A pulse item names its ``subscale``; a competency item names its ``competency``.
    """

    Kind = QuestionKind
    Subscale = Subscale

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=64)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=True)
    anchors = models.JSONField(default=dict, blank=True)
    choices = models.JSONField(default=list, blank=True)
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subscale = models.CharField(max_length=16, choices=Subscale.choices, blank=True)
    min_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="feedback_question_position_once"
            ),
            models.UniqueConstraint(fields=["template", "key"], name="feedback_question_key_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=QuestionKind.values),
                name="feedback_question_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(subscale="") | models.Q(subscale__in=Subscale.values),
                name="feedback_question_subscale_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(competency__isnull=True)
                | models.Q(kind=QuestionKind.COMPETENCY),
                name="feedback_question_competency_only_for_ratings",
            ),
            models.CheckConstraint(
                condition=models.Q(min_choices__isnull=True)
                | models.Q(max_choices__isnull=True)
                | models.Q(min_choices__lte=models.F("max_choices")),
                name="feedback_question_choice_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def label(self) -> str:
        """How errors name the question: its number and its text."""
        return f"Question {self.position} ({self.text})"


class SurveyPurpose(models.TextChoices):
    SESSION = "session", "After a session"
    PULSE = "pulse", "Relationship pulse"
    REACTION_MID = "reaction_mid", "Programme midpoint"
    REACTION_END = "reaction_end", "Programme end"
    LEARNING_END = "learning_end", "Learning at the end"
    BEHAVIOUR_3M = "behaviour_3m", "Behaviour, three months on"
    ASSESSMENT_BEFORE = "assessment_before", "360° before"
    ASSESSMENT_AFTER = "assessment_after", "360° after"
    CUSTOM = "custom", "Custom"


class RaterGroup(models.TextChoices):
    SELF = "self", "Self"
    MANAGER = "manager", "Manager"
    PEER = "peer", "Peer"
    DIRECT_REPORT = "direct_report", "Direct report"
    COACH = "coach", "Coach"


class SurveyStatus(models.TextChoices):
    OPEN = "open", "To answer"
    IN_PROGRESS = "in_progress", "Started"
    SUBMITTED = "submitted", "Submitted"
    CLOSED = "closed", "Closed unanswered"


# A respondent may still answer these.
ANSWERABLE_STATUSES = (SurveyStatus.OPEN, SurveyStatus.IN_PROGRESS)


class AssessmentPhase(models.TextChoices):
    BEFORE = "before", "Before"
    AFTER = "after", "After"


class AssessmentStatus(models.TextChoices):
    NOMINATING = "nominating", "Choosing raters"
    AWAITING_APPROVAL = "awaiting_approval", "Raters awaiting approval"
    COLLECTING = "collecting", "Collecting ratings"
    CLOSED = "closed", "Closed"


class Assessment360(models.Model):
    """A coachee's 360° competency assessment, before or after their coaching.

    The coachee nominates raters, their coach or an admin approves each, then every approved
    rater (and the coachee, as self) gets a survey. An ``after`` assessment points at its
    ``before`` one (``previous``) and asks the same approved raters again.
    """

    Phase = AssessmentPhase
    Status = AssessmentStatus

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="assessments")
    coachee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    relationship = models.ForeignKey(
        CoachingRelationship,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
    )
    phase = models.CharField(max_length=8, choices=AssessmentPhase.choices)
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.NOMINATING
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeat",
        help_text="The before-assessment this after-assessment repeats.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    opens_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "coachee", "phase"],
                name="feedback_assessment_once_per_phase",
                violation_error_message="This coachee already has this assessment.",
            ),
            models.CheckConstraint(
                condition=models.Q(phase__in=AssessmentPhase.values),
                name="feedback_assessment_phase_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AssessmentStatus.values),
                name="feedback_assessment_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(previous__isnull=True) | models.Q(phase=AssessmentPhase.AFTER),
                name="feedback_assessment_only_after_repeats",
            ),
        ]

    def __str__(self) -> str:
        return f"360° {self.get_phase_display().lower()} of {self.coachee}"


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# The groups a coachee nominates raters in; ``self`` is the coachee, added on approval.
NOMINATED_GROUPS = (
    RaterGroup.SELF,
    RaterGroup.MANAGER,
    RaterGroup.PEER,
    RaterGroup.DIRECT_REPORT,
)


class RaterNomination(models.Model):
    """A person the coachee asked to rate them in an assessment, and the decision on it."""

    Status = NominationStatus

    assessment = models.ForeignKey(
        Assessment360, on_delete=models.CASCADE, related_name="nominations"
    )
    rater = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(max_length=16, choices=RaterGroup.choices)
    status = models.CharField(
        max_length=12, choices=NominationStatus.choices, default=NominationStatus.PROPOSED
    )
    reason = models.CharField(
        max_length=300, blank=True, help_text="Why the nomination was rejected, for the coachee."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "group", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "rater"],
                name="feedback_nomination_once_per_rater",
                violation_error_message="This person is already a rater.",
            ),
            models.CheckConstraint(
                condition=models.Q(group__in=[group.value for group in NOMINATED_GROUPS]),
                name="feedback_nomination_group_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=NominationStatus.values),
                name="feedback_nomination_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rater} as {self.get_group_display().lower()}"


class Survey(models.Model):
    """One person asked to answer one template version about one subject.

    The subject is at most one of ``session``, ``relationship`` and ``about_person`` (a 360's
    coachee); none means the programme itself. ``dedupe_key`` names the assignment
    (``session:<id>:coachee``, ``pulse:<relationship>:<n>``…) so it is never made twice.
    """

    Purpose = SurveyPurpose
    RaterGroup = RaterGroup
    Status = SurveyStatus

    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="surveys")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="surveys")
    respondent = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="surveys")
    session = models.ForeignKey(
        CoachingSession, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys"
    )
    relationship = models.ForeignKey(
        CoachingRelationship,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    about_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="surveys_about"
    )
    purpose = models.CharField(max_length=20, choices=SurveyPurpose.choices)
    rater_group = models.CharField(max_length=16, choices=RaterGroup.choices, blank=True)
    assessment = models.ForeignKey(
        Assessment360, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys"
    )
    dedupe_key = models.CharField(
        max_length=200, unique=True, help_text="The assignment; one survey per key."
    )
    opens_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=SurveyStatus.choices, default=SurveyStatus.OPEN
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session__isnull=True, relationship__isnull=True)
                | models.Q(session__isnull=True, about_person__isnull=True)
                | models.Q(relationship__isnull=True, about_person__isnull=True),
                name="feedback_survey_at_most_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(purpose__in=SurveyPurpose.values),
                name="feedback_survey_purpose_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(rater_group="") | models.Q(rater_group__in=RaterGroup.values),
                name="feedback_survey_rater_group_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SurveyStatus.values),
                name="feedback_survey_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("opens_at")),
                name="feedback_survey_due_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True)
                | models.Q(status=SurveyStatus.SUBMITTED),
                name="feedback_survey_submitted_at_only_when_submitted",
            ),
            models.CheckConstraint(
                condition=models.Q(assessment__isnull=True) | ~models.Q(rater_group=""),
                name="feedback_survey_assessment_has_rater_group",
            ),
            models.CheckConstraint(
                condition=~models.Q(dedupe_key=""), name="feedback_survey_dedupe_key_set"
            ),
        ]
        indexes = [
            models.Index(fields=["respondent", "status"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["programme", "purpose"]),
        ]

    def __str__(self) -> str:
        return f"{self.template.title} for {self.respondent}"

    @property
    def is_answerable(self) -> bool:
        return self.status in ANSWERABLE_STATUSES


class Answer(models.Model):
    """A respondent's answer to one question of a survey.

    ``number`` holds a Likert, NPS or competency rating (a competency rating may instead be
    ``not_observed``, with no number); ``choices`` the chosen values of a choice question;
    ``text`` a free-text answer, encrypted at rest.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    not_observed = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)
    text = EncryptedTextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["survey", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "question"], name="feedback_answer_once_per_question"
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True) | models.Q(number__gte=0, number__lte=10),
                name="feedback_answer_number_range",
            ),
            models.CheckConstraint(
                condition=models.Q(not_observed=False) | models.Q(number__isnull=True),
                name="feedback_answer_not_observed_has_no_number",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to question {self.question_id} of survey {self.survey_id}"


class HealthStatus(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    CHECK_IN = "check_in", "Check in"
    AT_RISK = "at_risk", "At risk"


class RelationshipHealth(models.Model):
    """The latest health verdict on a relationship and the signals behind it (codes only)."""

    Status = HealthStatus

    relationship = models.OneToOneField(
        CoachingRelationship, on_delete=models.CASCADE, related_name="health"
    )
    status = models.CharField(
        max_length=12, choices=HealthStatus.choices, default=HealthStatus.ON_TRACK
    )
    signals = models.JSONField(default=list, blank=True, help_text="Signal codes, no answers.")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "relationship health"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=HealthStatus.values),
                name="feedback_health_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relationship}: {self.get_status_display()}"


class AlertState(models.TextChoices):
    OPEN = "open", "Open"
    HANDLED = "handled", "Handled"
    DISMISSED = "dismissed", "Dismissed"


class AlertAction(models.TextChoices):
    NUDGE = "nudge", "Nudge the pair"
    CHECK_IN = "check_in", "Check in with them"
    PAUSE = "pause", "Pause the relationship"
    END_REMATCH = "end_rematch", "End no-fault and re-match"
    DISMISS = "dismiss", "Dismiss"


class HealthAlert(models.Model):
    """A relationship's health got worse: what changed, and what an admin did about it."""

    State = AlertState
    Action = AlertAction

    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="health_alerts"
    )
    from_status = models.CharField(max_length=12, choices=HealthStatus.choices)
    to_status = models.CharField(max_length=12, choices=HealthStatus.choices)
    signals = models.JSONField(default=list, blank=True, help_text="Signal codes, no answers.")
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=AlertState.choices, default=AlertState.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=AlertAction.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=AlertState.values),
                name="feedback_alert_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(action="") | models.Q(action__in=AlertAction.values),
                name="feedback_alert_action_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.relationship}: {self.from_status} → {self.to_status}"
