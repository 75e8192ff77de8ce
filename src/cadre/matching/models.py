"""Matching a programme's coachees with its coaches: runs of the engine and what they propose.

A ``MatchRun`` is one run of ``matchengine`` over a programme: queued, running (with a
progress figure and the stage it is at), then finished or failed. A finished run holds its
``MatchProposal`` rows (one per matched coachee, each with its score, the factors behind it
and the coach's rank among the coachee's options) and its ``UnmatchedCoachee`` rows (who was
left without a coach, and which rules left them so). Admins review the proposals, pin pairs
(``MatchPin``: the next run keeps them), exclude pairs (``MatchExclusion``: never proposed
again in the programme), swap a coach by hand, and approve: an approved proposal becomes a
proposed ``CoachingRelationship`` through the coaching service, which checks every hard rule
again.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cadre.coaching.models import CoachingRelationship
from cadre.people.models import Person
from cadre.programs.models import Programme


class MatchRunKind(models.TextChoices):
    FULL = "full", "Full: every approved coachee without a live relationship"
    INCREMENTAL = "incremental", "Incremental: late joiners and re-matches into free places"


class MatchRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


# A programme has at most one run in these statuses at a time.
ACTIVE_RUN_STATUSES = (MatchRunStatus.QUEUED, MatchRunStatus.RUNNING)


class MatchRun(models.Model):
    """One run of the matching engine over a programme, with its parameters and outcome.

    ``parameters`` holds what the run was asked to do (weights, top-K, seed) and a snapshot
    of the programme's rules at the time; ``summary`` what came out: ``matched``,
    ``unmatched``, ``cross_department_share``, ``mean_score`` and ``coach_load`` (coach
    name, load after the run, capacity).
    """

    Kind = MatchRunKind
    Status = MatchRunStatus

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="match_runs")
    kind = models.CharField(max_length=16, choices=MatchRunKind.choices)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=MatchRunStatus.choices, default=MatchRunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField(max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    objective = models.FloatField(
        null=True, blank=True, help_text="The total score of the proposed pairs."
    )
    bound = models.FloatField(
        null=True, blank=True, help_text="No matching can score more than this."
    )
    gap = models.FloatField(null=True, blank=True, help_text="Bound minus objective; 0 is optimal.")
    certified = models.BooleanField("proved optimal", default=False)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(status__in=ACTIVE_RUN_STATUSES),
                name="matching_one_active_run_per_programme",
                violation_error_message="This programme is being matched already.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=MatchRunKind.values), name="matching_run_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MatchRunStatus.values),
                name="matching_run_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="matching_run_progress_range"
            ),
        ]
        indexes = [models.Index(fields=["programme", "-created_at"])]

    def __str__(self) -> str:
        return f"Matching run #{self.pk} of {self.programme}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class MatchProposal(models.Model):
    """A pair a run proposes: the coachee, the coach, why, and what became of it.

    ``factors`` maps each score factor to its contribution; ``rank`` is the coach's place
    among the coachee's feasible coaches (1 is the best-scoring). ``swapped_from`` is set when
    an admin changed the coach by hand. Approving sets ``relationship``; a refusal by the
    coaching service is kept in ``refusal``.
    """

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    coachee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    factors = models.JSONField(default=dict, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    options = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many coaches the rules allowed for the coachee."
    )
    pinned = models.BooleanField(default=False)
    swapped_from = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relationship = models.OneToOneField(
        CoachingRelationship,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="match_proposal",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    refusal = models.TextField(blank=True)

    class Meta:
        ordering = ["coachee__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "coachee"], name="matching_proposal_once_per_coachee"
            ),
            models.CheckConstraint(
                condition=~models.Q(coach=models.F("coachee")), name="matching_proposal_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} for {self.coachee}"

    @property
    def is_approved(self) -> bool:
        return self.relationship_id is not None


class UnmatchedCoachee(models.Model):
    """A coachee a run left without a coach, with how many coaches each rule ruled out."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched")
    coachee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(
        default=dict, blank=True, help_text="Rule to the number of coaches it excluded."
    )

    class Meta:
        ordering = ["coachee__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "coachee"], name="matching_unmatched_once_per_coachee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coachee} unmatched in run {self.run_id}"


class MatchPin(models.Model):
    """A pair an admin fixed: every later run of the programme proposes it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="match_pins")
    coachee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "coachee"],
                name="matching_pin_once_per_coachee",
                violation_error_message="This coachee is pinned to a coach already.",
            ),
            models.CheckConstraint(
                condition=~models.Q(coach=models.F("coachee")), name="matching_pin_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} pinned to {self.coachee}"


class MatchExclusion(models.Model):
    """A pair an admin ruled out: no run of the programme proposes it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="match_exclusions"
    )
    coachee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "coachee", "coach"], name="matching_exclusion_once_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} excluded for {self.coachee}"


# Coachee-choice mode (issue 5) ----------------------------------------------------------------

DEFAULT_SUGGESTIONS = 5
MAX_SUGGESTIONS = 10


class ChoiceMode(models.Model):
    """A programme's coachee-choice mode: while it is open, each approved coachee without a
    coach sees their best-scored coaches with places left (``suggestions`` of them, with the
    reasons in words) and asks one; the coach accepts or declines. Runs by admins go on
    alongside: a coachee a run has proposed a coach for waits for that proposal instead.
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="choice_mode", primary_key=True
    )
    suggestions = models.PositiveSmallIntegerField(
        "suggestions per coachee",
        default=DEFAULT_SUGGESTIONS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SUGGESTIONS)],
    )
    is_open = models.BooleanField("open", default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(suggestions__gte=1, suggestions__lte=MAX_SUGGESTIONS),
                name="matching_choice_suggestions_range",
            ),
        ]

    def __str__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"Coachee choice in {self.programme} ({state})"
