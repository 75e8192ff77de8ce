"""Programmes: what a coaching programme sets out to do, its rules, and its lifecycle.

A programme moves draft → enrolling → matching → running → closed (``services.TRANSITIONS``
lists the steps, including the two safe steps back). Every move is a ``ProgrammeTransition``.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from cadre.accounts.models import Role
from cadre.people.models import Competency, Department, Person

MAX_COACH_CAPACITY = 5
MAX_TIME_ZONE_WINDOW_HOURS = 12


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ENROLLING = "enrolling", "Enrolling"
    MATCHING = "matching", "Matching"
    RUNNING = "running", "Running"
    CLOSED = "closed", "Closed"


class CrossDepartment(models.TextChoices):
    REQUIRED = "required", "Required: coach and coachee always from different departments"
    PREFERRED = "preferred", "Preferred: a pair from different departments scores higher"
    NOT_CONSIDERED = "not_considered", "Not considered"


class Programme(models.Model):
    """One coaching programme, from its first draft until it is closed."""

    Status = ProgrammeStatus
    CrossDepartment = CrossDepartment

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sponsor = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_programmes",
        help_text="The executive who funds the programme; they see its page and outcomes.",
    )
    # The formats: a programme offers at least one (the database holds that).
    offers_one_on_one = models.BooleanField("one-on-one coaching", default=True)
    offers_group_circles = models.BooleanField("group coaching circles", default=False)
    offers_development_track = models.BooleanField("development track", default=False)

    starts_on = models.DateField("starts on")
    ends_on = models.DateField("ends on")
    relationship_months = models.PositiveSmallIntegerField(
        "relationship length (months)",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    session_cadence_days = models.PositiveSmallIntegerField(
        "session cadence (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="How often a pair meets: 14 is every two weeks.",
    )
    minimum_sessions = models.PositiveSmallIntegerField(
        "minimum sessions",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    enrolment_opens_on = models.DateField("enrolment opens on", null=True, blank=True)
    enrolment_closes_on = models.DateField("enrolment closes on", null=True, blank=True)

    # Eligibility: who may enrol as a coachee.
    min_level = models.PositiveSmallIntegerField(
        "lowest level",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="Leave empty for no lower limit.",
    )
    max_level = models.PositiveSmallIntegerField(
        "highest level",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="Leave empty for no upper limit.",
    )
    eligible_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        verbose_name="eligible departments",
        help_text="None chosen: every department.",
    )
    min_tenure_months = models.PositiveSmallIntegerField(
        "minimum tenure (months)",
        default=0,
        validators=[MaxValueValidator(600)],
        help_text="Months since the hire date; 0 for no minimum.",
    )
    default_coach_capacity = models.PositiveSmallIntegerField(
        "default coach capacity",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COACH_CAPACITY)],
        help_text="Coachees per coach unless a coach says otherwise (1 to 5).",
    )

    # Matching rules, used when the programme is matched.
    cross_department = models.CharField(
        "cross-department pairs",
        max_length=16,
        choices=CrossDepartment.choices,
        default=CrossDepartment.PREFERRED,
    )
    min_level_gap = models.PositiveSmallIntegerField(
        "minimum level gap",
        default=1,
        validators=[MaxValueValidator(98)],
        help_text="How many levels above the coachee a coach must be; 0 allows peers.",
    )
    time_zone_window_hours = models.PositiveSmallIntegerField(
        "time-zone window (hours)",
        default=4,
        validators=[MaxValueValidator(MAX_TIME_ZONE_WINDOW_HOURS)],
        help_text="The largest time difference between coach and coachee (0 to 12).",
    )

    status = models.CharField(
        max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="programs_programme_name_ci_unique",
                violation_error_message="A programme with this name already exists.",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="programs_programme_name_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(offers_one_on_one=True)
                | models.Q(offers_group_circles=True)
                | models.Q(offers_development_track=True),
                name="programs_programme_has_a_format",
                violation_error_message="Choose at least one format.",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="programs_programme_ends_after_start",
                violation_error_message="The programme must end after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    enrolment_opens_on__isnull=True, enrolment_closes_on__isnull=True
                )
                | models.Q(
                    enrolment_opens_on__isnull=False,
                    enrolment_closes_on__isnull=False,
                    enrolment_closes_on__gt=models.F("enrolment_opens_on"),
                    enrolment_opens_on__gte=models.F("starts_on"),
                    enrolment_closes_on__lte=models.F("ends_on"),
                ),
                name="programs_programme_enrolment_window",
                violation_error_message=(
                    "Enrolment must open and close within the programme, closing after it opens."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(min_level__isnull=True)
                | models.Q(max_level__isnull=True)
                | models.Q(min_level__lte=models.F("max_level")),
                name="programs_programme_level_range",
                violation_error_message="The lowest level can't be above the highest.",
            ),
            models.CheckConstraint(
                condition=models.Q(min_level__isnull=True)
                | models.Q(min_level__gte=1, min_level__lte=99),
                name="programs_programme_min_level_range",
            ),
            models.CheckConstraint(
                condition=models.Q(max_level__isnull=True)
                | models.Q(max_level__gte=1, max_level__lte=99),
                name="programs_programme_max_level_range",
            ),
            models.CheckConstraint(
                condition=models.Q(relationship_months__gte=1, relationship_months__lte=36),
                name="programs_programme_relationship_months_range",
            ),
            models.CheckConstraint(
                condition=models.Q(session_cadence_days__gte=1, session_cadence_days__lte=90),
                name="programs_programme_cadence_range",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_sessions__gte=1, minimum_sessions__lte=100),
                name="programs_programme_minimum_sessions_range",
            ),
            models.CheckConstraint(
                condition=models.Q(min_tenure_months__lte=600),
                name="programs_programme_tenure_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    default_coach_capacity__gte=1, default_coach_capacity__lte=MAX_COACH_CAPACITY
                ),
                name="programs_programme_coach_capacity_range",
            ),
            models.CheckConstraint(
                condition=models.Q(cross_department__in=CrossDepartment.values),
                name="programs_programme_cross_department_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(min_level_gap__lte=98),
                name="programs_programme_level_gap_range",
            ),
            models.CheckConstraint(
                condition=models.Q(time_zone_window_hours__lte=MAX_TIME_ZONE_WINDOW_HOURS),
                name="programs_programme_time_zone_window_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ProgrammeStatus.values),
                name="programs_programme_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def formats(self) -> list[str]:
        """The formats the programme offers, by name."""
        offered = [
            (self.offers_one_on_one, "One-on-one coaching"),
            (self.offers_group_circles, "Group coaching circles"),
            (self.offers_development_track, "Development track"),
        ]
        return [label for on, label in offered if on]


class ObjectiveMetric(models.TextChoices):
    SESSIONS_PER_COACHEE = "sessions_per_coachee", "Sessions per coachee"
    COMPETENCY_GROWTH_360 = "competency_growth_360", "Competency growth on the 360"
    COACHES_CERTIFIED = (
        "coaches_certified_before_matching",
        "Coaches certified before matching",
    )
    RETENTION = "retention", "Retention of participants"
    PROMOTION = "promotion", "Promotion of participants"
    PARTICIPANT_SATISFACTION = "participant_satisfaction", "Participant satisfaction"
    CUSTOM = "custom", "Custom (described above)"


class TargetComparison(models.TextChoices):
    AT_LEAST = "at_least", "≥"
    AT_MOST = "at_most", "≤"


class ProgrammeObjective(models.Model):
    """An objective with a measurable target, such as "80 % of coachees hold 6 sessions"."""

    Metric = ObjectiveMetric
    Comparison = TargetComparison

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="objectives")
    description = models.CharField(
        max_length=300, help_text="For example: 80 % of coachees hold at least 6 sessions."
    )
    metric = models.CharField(max_length=40, choices=ObjectiveMetric.choices)
    comparison = models.CharField(
        max_length=8, choices=TargetComparison.choices, default=TargetComparison.AT_LEAST
    )
    target = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    unit = models.CharField(
        max_length=20, blank=True, help_text="For example: %, sessions, points."
    )
    due_on = models.DateField("due on", null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(description=""), name="programs_objective_description_set"
            ),
            models.CheckConstraint(
                condition=models.Q(metric__in=ObjectiveMetric.values),
                name="programs_objective_metric_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(comparison__in=TargetComparison.values),
                name="programs_objective_comparison_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def target_display(self) -> str:
        """The target as people write it, such as "≥ 80 %"; empty without a target."""
        if self.target is None:
            return ""
        value = f"{self.target.normalize():f}"
        return f"{self.get_comparison_display()} {value} {self.unit}".strip()


class ProgrammeResponsibility(models.Model):
    """What one role in the programme is responsible for, one responsibility per line."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="responsibilities"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    text = models.TextField(blank=True, help_text="One responsibility per line.")

    class Meta:
        verbose_name_plural = "programme responsibilities"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "role"], name="programs_responsibility_one_per_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="programs_responsibility_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.programme_id}"

    @property
    def items(self) -> list[str]:
        """The responsibilities, one per non-empty line, without list markers."""
        return [
            line.strip().lstrip("-•*").strip() for line in self.text.splitlines() if line.strip()
        ]


class ProgrammeTransition(models.Model):
    """One move of a programme from one status to another: who moved it, when, and why."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Programme.Status.choices)
    to_status = models.CharField(max_length=16, choices=Programme.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")),
                name="programs_transition_changes_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.from_status} → {self.to_status}"


# Enrolment (issue 3 §2): who applies to a programme, in which role, and what they bring.

MAX_RATING = 5
WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class ApplicationQuestion(models.Model):
    """A question the programme's admins ask everyone who applies."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="application_questions"
    )
    text = models.CharField(max_length=500)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="programs_question_text_set"),
        ]

    def __str__(self) -> str:
        return self.text


class EnrolmentRole(models.TextChoices):
    COACH = "coach", "Coach"
    COACHEE = "coachee", "Coachee"


class EnrolmentRoute(models.TextChoices):
    SELF_NOMINATION = "self", "Self-nomination"
    MANAGER_NOMINATION = "manager", "Manager nomination"
    ADMIN = "admin", "Enrolled by an admin"


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    APPROVED = "approved", "Approved"
    WAITLISTED = "waitlisted", "Waitlisted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Enrolment(models.Model):
    """One person's place (or application for one) in a programme, as coach or coachee.

    One per programme, person and role (the database holds that); that nobody is both coach
    and coachee in one programme is held by ``services`` under a lock on the person.
    """

    Role = EnrolmentRole
    Route = EnrolmentRoute
    Status = EnrolmentStatus

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(max_length=16, choices=EnrolmentRole.choices)
    route = models.CharField(max_length=16, choices=EnrolmentRoute.choices)
    status = models.CharField(
        max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.APPLIED
    )
    nominated_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The manager who nominated the person (manager nominations only).",
    )
    answers = models.JSONField(
        default=dict, blank=True, help_text="Answers to the application questions, by id."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    consent_at = models.DateTimeField(
        "consented at",
        null=True,
        blank=True,
        help_text="When the person agreed to the programme's terms (confidentiality, data use).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person", "role"],
                name="programs_enrolment_once_per_role",
                violation_error_message="This person is already enrolled in this role.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=EnrolmentRole.values),
                name="programs_enrolment_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(route__in=EnrolmentRoute.values),
                name="programs_enrolment_route_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EnrolmentStatus.values),
                name="programs_enrolment_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(route=EnrolmentRoute.MANAGER_NOMINATION)
                | models.Q(nominated_by__isnull=True),
                name="programs_enrolment_nominator_only_for_nominations",
            ),
            models.CheckConstraint(
                condition=~models.Q(route=EnrolmentRoute.SELF_NOMINATION)
                | models.Q(consent_at__isnull=False),
                name="programs_enrolment_self_nomination_consents",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"], name="programs_enrol_status_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} as {self.role} in {self.programme_id}"


class CoachProfile(models.Model):
    """What a coach offers: strengths, capacity, languages, a short bio and preferences."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="coach_profile"
    )
    capacity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COACH_CAPACITY)],
        help_text="How many coachees you can take (1 to 5).",
    )
    languages = models.JSONField(default=list, blank=True)
    bio = models.TextField("short bio", max_length=1000, blank=True)
    preferences = models.TextField(max_length=2000, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=MAX_COACH_CAPACITY),
                name="programs_coach_profile_capacity_range",
                violation_error_message="Capacity must be between 1 and 5 coachees.",
            ),
        ]

    def __str__(self) -> str:
        return f"Coach profile of enrolment {self.enrolment_id}"


class CoachStrength(models.Model):
    """A coach's own rating, 1 to 5, of one competency."""

    profile = models.ForeignKey(CoachProfile, on_delete=models.CASCADE, related_name="strengths")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RATING)]
    )

    class Meta:
        ordering = ["competency__position", "competency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "competency"], name="programs_strength_once_per_competency"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=MAX_RATING),
                name="programs_strength_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency_id}: {self.rating}"


class CoacheeProfile(models.Model):
    """What a coachee wants: goals in their own words, competencies to grow, preferences."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="coachee_profile"
    )
    goals = models.TextField("development goals", max_length=3000, blank=True)
    prefers_other_function = models.BooleanField("a coach from another function", default=False)
    avoid = models.ManyToManyField(
        Person, blank=True, related_name="+", verbose_name="people to avoid"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Coachee profile of enrolment {self.enrolment_id}"


class GrowthCompetency(models.Model):
    """A competency a coachee wants to grow; rank 1 matters most."""

    profile = models.ForeignKey(
        CoacheeProfile, on_delete=models.CASCADE, related_name="growth_competencies"
    )
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["rank"]
        verbose_name_plural = "growth competencies"
        constraints = [
            models.UniqueConstraint(fields=["profile", "rank"], name="programs_growth_rank_unique"),
            models.UniqueConstraint(
                fields=["profile", "competency"], name="programs_growth_competency_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1), name="programs_growth_rank_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.competency_id}"


class AvailabilityWindow(models.Model):
    """A weekly window when a participant can meet, in their own time zone (``Person``'s)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    starts_at = models.TimeField("from")
    ends_at = models.TimeField("until")

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="programs_availability_weekday_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="programs_availability_ends_after_start",
                violation_error_message="A window must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


# The development track (issue 3 §1): a curriculum of milestones with due dates, and each
# participant's progress through it. Only programmes that offer the track have one
# (``track.milestone_save`` holds that, and that a milestone falls within the programme).


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class TrackMilestone(models.Model):
    """One milestone or module of a programme's development track, due on a date."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    due_on = models.DateField("due on")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                models.F("programme"),
                Lower("title"),
                name="programs_milestone_title_ci_unique",
                violation_error_message="This programme already has a milestone with this title.",
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""), name="programs_milestone_title_set"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MilestoneProgress(models.Model):
    """Where one participant (an enrolment) stands on one milestone."""

    Status = MilestoneStatus

    milestone = models.ForeignKey(TrackMilestone, on_delete=models.CASCADE, related_name="progress")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="milestone_progress"
    )
    status = models.CharField(
        max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(max_length=1000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "milestone progress"
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "enrolment"],
                name="programs_progress_once_per_milestone",
                violation_error_message="This participant already has progress on this milestone.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MilestoneStatus.values),
                name="programs_progress_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=MilestoneStatus.DONE, completed_at__isnull=False)
                | (~models.Q(status=MilestoneStatus.DONE) & models.Q(completed_at__isnull=True)),
                name="programs_progress_completed_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} on {self.milestone_id}: {self.status}"
