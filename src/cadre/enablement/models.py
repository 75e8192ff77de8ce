"""Coach enablement: training modules with a knowledge check, practice sign-offs, certification
with an expiry, and the resource library. (Coaches' peer-supervision circles are
``cadre.coaching.models.Circle`` of kind supervision.)

Completion is not stored: a module is complete for a coach when they have a passing
``ModuleAttempt`` (``queries`` derives it). A ``Certification`` is an explicit row, because it
has an expiry and a renewal history.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from cadre.people.models import Competency, Person
from cadre.programs.models import Programme

DEFAULT_PASS_MARK_PERCENT = 80


class TrainingModule(models.Model):
    """A training module written in Markdown, with a short knowledge check."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    body_markdown = models.TextField("body (Markdown)")
    position = models.PositiveSmallIntegerField(default=0)
    is_required = models.BooleanField(
        "required for certification", default=True, help_text="Coaches pass it to be certified."
    )
    pass_mark_percent = models.PositiveSmallIntegerField(
        "pass mark (%)",
        default=DEFAULT_PASS_MARK_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title=""), name="enablement_module_title_set"
            ),
            models.CheckConstraint(
                condition=models.Q(pass_mark_percent__gte=1, pass_mark_percent__lte=100),
                name="enablement_module_pass_mark_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuizQuestion(models.Model):
    """One single-choice question of a module's knowledge check."""

    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="enablement_question_set"),
        ]

    def __str__(self) -> str:
        return self.text


class QuizOption(models.Model):
    """One answer to a question; exactly one option of a question is the correct one."""

    question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField("correct", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                condition=models.Q(is_correct=True),
                name="enablement_option_one_correct_per_question",
                violation_error_message="A question has only one correct option.",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class ModuleAttempt(models.Model):
    """One submitted knowledge check: the answers given and the score they earned."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="module_attempts")
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="attempts")
    answers = models.JSONField(default=dict, help_text="Question id to the chosen option id.")
    correct_count = models.PositiveSmallIntegerField(default=0)
    question_count = models.PositiveSmallIntegerField(default=0)
    score_percent = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["person", "module", "passed"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score_percent__lte=100), name="enablement_attempt_score_range"
            ),
            models.CheckConstraint(
                condition=models.Q(correct_count__lte=models.F("question_count")),
                name="enablement_attempt_correct_within_questions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} by {self.person}: {self.score_percent} %"


class PracticeSignOff(models.Model):
    """A practice coaching session, observed and signed off by a certified coach or an admin."""

    coach = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="practice_sign_offs")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"Practice session of {self.coach}"


class CertificationRule(models.Model):
    """How long a certification granted under a programme's rule stays valid."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="certification_rule"
    )
    valid_months = models.PositiveSmallIntegerField(
        "valid for (months)", default=24, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_months__gte=1, valid_months__lte=60),
                name="enablement_rule_valid_months_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Certification valid {self.valid_months} months in {self.programme}"


class Certification(models.Model):
    """A coach's certification: valid from ``certified_on`` until the day before ``expires_on``.

    A renewal is a new row pointing at the certification it renews (``renewed_from``).
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certifications")
    certified_on = models.DateField("certified on")
    expires_on = models.DateField("expires on")
    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The programme whose rule set the expiry; empty for the default rule.",
    )
    renewed_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewal"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-certified_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("certified_on")),
                name="enablement_certification_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: certified {self.certified_on} until {self.expires_on}"


class ResourceKind(models.TextChoices):
    ARTICLE = "article", "Article"
    LINK = "link", "Link"
    FILE = "file", "File"


class Resource(models.Model):
    """An article, link or file in the coaches' resource library, tagged by competency."""

    Kind = ResourceKind

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ResourceKind.choices)
    description = models.CharField(max_length=500, blank=True)
    body_markdown = models.TextField("body (Markdown)", blank=True)
    url = models.URLField("address", max_length=500, blank=True)
    file = models.FileField(upload_to="enablement/resources/%Y/", blank=True, max_length=300)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="resources")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = [Lower("title"), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title=""), name="enablement_resource_title_set"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=ResourceKind.ARTICLE, body_markdown__gt="")
                | models.Q(kind=ResourceKind.LINK, url__gt="")
                | models.Q(kind=ResourceKind.FILE, file__gt=""),
                name="enablement_resource_has_content",
                violation_error_message=(
                    "An article needs a body, a link an address, and a file an uploaded file."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title
