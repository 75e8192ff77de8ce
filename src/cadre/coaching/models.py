"""The coaching work itself: relationships, agreements, sessions, notes, goals, circles.

A ``CoachingRelationship`` pairs a coach with a coachee in a programme and moves
proposed → agreed → active ⇄ paused → completed, or is ended early (``services.TRANSITIONS``);
each move is a ``RelationshipTransition``. It becomes active only when both have signed its
``Agreement``. ``CoachingSession`` rows belong to a relationship or to a ``Circle``; notes
(``SessionNote``, ``CircleNote``) are encrypted at rest and never leave their readers (see
``access``).
"""

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from cadre.core.fields import EncryptedTextField
from cadre.people.models import Competency, Person
from cadre.programs.models import Programme


class RelationshipStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    ENDED = "ended", "Ended early"


# A coachee has at most one relationship in these statuses per programme, and these count
# against a coach's capacity.
LIVE_STATUSES = (
    RelationshipStatus.PROPOSED,
    RelationshipStatus.AGREED,
    RelationshipStatus.ACTIVE,
    RelationshipStatus.PAUSED,
)


class RelationshipOrigin(models.TextChoices):
    MANUAL = "manual", "Paired by an admin"
    MATCHING = "matching", "Proposed by matching"


class EndReason(models.TextChoices):
    NO_FAULT = "no_fault", "No-fault: the pairing didn't work out"
    DECLINED = "declined", "The proposal was declined"
    COACHEE_REQUEST = "coachee_request", "At the coachee's request"
    COACH_REQUEST = "coach_request", "At the coach's request"
    LEFT_ORGANISATION = "left_organisation", "Someone left the organisation"
    ROLE_CHANGE = "role_change", "A change of role or reporting line"
    CONDUCT = "conduct", "A concern about conduct"
    OTHER = "other", "Other"


class CoachingRelationship(models.Model):
    """A coach and a coachee working together in one programme."""

    Status = RelationshipStatus
    Origin = RelationshipOrigin
    EndReason = EndReason

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="relationships")
    coach = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="coaching_as_coach")
    coachee = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="coaching_as_coachee"
    )
    status = models.CharField(
        max_length=16, choices=RelationshipStatus.choices, default=RelationshipStatus.PROPOSED
    )
    origin = models.CharField(
        max_length=16, choices=RelationshipOrigin.choices, default=RelationshipOrigin.MANUAL
    )
    coach_accepted_at = models.DateTimeField(null=True, blank=True)
    coachee_accepted_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField("active since", null=True, blank=True)
    finished_at = models.DateTimeField("completed or ended at", null=True, blank=True)
    end_reason = models.CharField(max_length=24, choices=EndReason.choices, blank=True)
    end_note = models.TextField(
        max_length=2000,
        blank=True,
        help_text="Seen by programme admins only; say nothing of what was said in sessions.",
    )
    rematch_priority = models.BooleanField(
        "re-match with priority",
        default=False,
        help_text="Ended no-fault: the coachee goes back to the pool ahead of others.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "coachee"],
                condition=models.Q(status__in=LIVE_STATUSES),
                name="coaching_one_live_relationship_per_coachee",
                violation_error_message="This coachee already has a coach in this programme.",
            ),
            models.CheckConstraint(
                condition=~models.Q(coach=models.F("coachee")),
                name="coaching_relationship_two_people",
                violation_error_message="Nobody coaches themselves.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RelationshipStatus.values),
                name="coaching_relationship_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(end_reason="")
                | models.Q(status__in=[RelationshipStatus.ENDED, RelationshipStatus.COMPLETED]),
                name="coaching_relationship_reason_only_when_over",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RelationshipStatus.ENDED) | ~models.Q(end_reason=""),
                name="coaching_relationship_ended_has_reason",
                violation_error_message="Say why the relationship ended.",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["coach", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.coach} coaching {self.coachee}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def party_role(self, person: Person | None) -> str | None:
        """'coach' or 'coachee' for a party to the relationship, None for anyone else."""
        if person is None:
            return None
        if person.pk == self.coach_id:
            return "coach"
        if person.pk == self.coachee_id:
            return "coachee"
        return None

    def other_party(self, person: Person) -> Person:
        return self.coachee if person.pk == self.coach_id else self.coach

    @property
    def chosen_by_coachee(self) -> bool:
        """A coachee's own request from their suggestions (coachee-choice mode): matching
        proposed it, and the proposer is the coachee's login. Reads ``coachee``."""
        coachee_user = self.coachee.user_id
        return (
            self.origin == RelationshipOrigin.MATCHING
            and coachee_user is not None
            and self.proposed_by_id == coachee_user
        )


class RelationshipTransition(models.Model):
    """One move in a relationship's lifecycle: who made it, when and why."""

    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=16, choices=RelationshipStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=RelationshipStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.relationship}: {self.from_status or 'new'} → {self.to_status}"


class AgreementTemplate(models.Model):
    """A programme's coaching agreement, filled in for each pair when their work starts.

    Each section is Markdown; ``{coach}``, ``{coachee}``, ``{programme}``, ``{cadence_days}``
    and ``{months}`` are replaced for the pair. ``version`` goes up on every change.
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="agreement_template"
    )
    goals = models.TextField("goals", max_length=5000)
    confidentiality = models.TextField("confidentiality", max_length=5000)
    cadence = models.TextField("meeting cadence", max_length=5000)
    concerns = models.TextField("raising concerns", max_length=5000)
    ending = models.TextField("ending the relationship", max_length=5000)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    SECTIONS = ("goals", "confidentiality", "cadence", "concerns", "ending")

    def __str__(self) -> str:
        return f"Agreement template for {self.programme} (version {self.version})"


class Agreement(models.Model):
    """The agreement of one pair: the template's sections filled in, then signed by both.

    Until both have signed, the text can change, and a change withdraws any signature given.
    Once both have signed, ``signed_text`` holds the exact text they signed, and nothing
    changes it.
    """

    relationship = models.OneToOneField(
        CoachingRelationship, on_delete=models.CASCADE, related_name="agreement"
    )
    template_version = models.PositiveIntegerField()
    goals = models.TextField("goals", max_length=5000)
    confidentiality = models.TextField("confidentiality", max_length=5000)
    cadence = models.TextField("meeting cadence", max_length=5000)
    concerns = models.TextField("raising concerns", max_length=5000)
    ending = models.TextField("ending the relationship", max_length=5000)
    coach_signed_at = models.DateTimeField(null=True, blank=True)
    coachee_signed_at = models.DateTimeField(null=True, blank=True)
    signed_text = models.TextField(blank=True)
    signed_text_sha256 = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    SECTIONS = AgreementTemplate.SECTIONS

    def __str__(self) -> str:
        return f"Agreement of {self.relationship}"

    @property
    def is_signed(self) -> bool:
        return self.coach_signed_at is not None and self.coachee_signed_at is not None


class CircleKind(models.TextChoices):
    COACHING = "coaching", "Group coaching circle"
    SUPERVISION = "supervision", "Coaches' peer-supervision circle"


class Circle(models.Model):
    """A group that meets regularly with a certified coach as facilitator.

    Group coaching circles belong to a programme; peer-supervision circles bring coaches
    together to reflect on their coaching.
    """

    Kind = CircleKind

    kind = models.CharField(max_length=16, choices=CircleKind.choices)
    name = models.CharField(max_length=200)
    purpose = models.TextField(max_length=2000, blank=True)
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="circles"
    )
    facilitator = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="circles_facilitated"
    )
    members = models.ManyToManyField(Person, blank=True, related_name="circles")
    cadence_days = models.PositiveSmallIntegerField(
        "meets every (days)",
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    is_active = models.BooleanField("active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = [Lower("name"), "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="coaching_circle_name_ci_unique"),
            models.CheckConstraint(condition=~models.Q(name=""), name="coaching_circle_name_set"),
            models.CheckConstraint(
                condition=models.Q(kind__in=CircleKind.values), name="coaching_circle_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(cadence_days__gte=1, cadence_days__lte=90),
                name="coaching_circle_cadence_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# How long a session may last, in minutes: the model, the scheduling checks and the clash
# queries all read these.
SHORTEST_SESSION_MINUTES = 15
LONGEST_SESSION_MINUTES = 480


class SessionFormat(models.TextChoices):
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


class CoachingSession(models.Model):
    """A meeting of a relationship's pair, or of a circle.

    ``starts_at`` is an instant (stored in UTC); ``time_zone`` is the organiser's zone when it
    was scheduled, used for the calendar invite. Everyone sees it in their own zone. ``uid`` and
    ``sequence`` identify the calendar event: the UID never changes, and every change that
    sends an invite raises the sequence.
    """

    Format = SessionFormat
    Status = SessionStatus

    relationship = models.ForeignKey(
        CoachingRelationship,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    circle = models.ForeignKey(
        Circle, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField("starts at")
    duration_minutes = models.PositiveSmallIntegerField(
        "length (minutes)",
        default=60,
        validators=[
            MinValueValidator(SHORTEST_SESSION_MINUTES),
            MaxValueValidator(LONGEST_SESSION_MINUTES),
        ],
    )
    time_zone = models.CharField(max_length=64)
    format = models.CharField(max_length=16, choices=SessionFormat.choices)
    location = models.CharField(
        "place or link", max_length=500, blank=True, help_text="A room, an address or a call link."
    )
    agenda = models.TextField(
        max_length=2000, blank=True, help_text="Shown in the calendar invite; keep it general."
    )
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    no_show_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(relationship__isnull=False, circle__isnull=True)
                | models.Q(relationship__isnull=True, circle__isnull=False),
                name="coaching_session_of_a_relationship_or_a_circle",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SessionStatus.values),
                name="coaching_session_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(format__in=SessionFormat.values),
                name="coaching_session_format_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    duration_minutes__gte=SHORTEST_SESSION_MINUTES,
                    duration_minutes__lte=LONGEST_SESSION_MINUTES,
                ),
                name="coaching_session_duration_range",
            ),
        ]
        indexes = [
            models.Index(fields=["relationship", "starts_at"]),
            models.Index(fields=["circle", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"Session on {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class CircleAttendance(models.Model):
    """Whether a member came to a circle's session."""

    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="coaching_attendance_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {'present' if self.present else 'absent'}"


class SessionNote(models.Model):
    """A coaching note in the GROW model, by one party, private unless they share it.

    Every text is encrypted at rest. Only the author reads a private note; a shared note is
    also read by the other party, and that read is audited. No one else, admins included,
    ever reads it.
    """

    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="notes"
    )
    session = models.ForeignKey(
        CoachingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    goal = EncryptedTextField("goal", blank=True)
    reality = EncryptedTextField("reality", blank=True)
    options = EncryptedTextField("options", blank=True)
    way_forward = EncryptedTextField("way forward", blank=True)
    free_text = EncryptedTextField("other notes", blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    GROW_FIELDS = ("goal", "reality", "options", "way_forward", "free_text")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["relationship", "author"])]

    def __str__(self) -> str:
        # Never the content: this string may reach logs and admin screens.
        return f"Note #{self.pk}"

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None


class CircleNote(models.Model):
    """A note shared with a circle: read by its facilitator and members only, encrypted."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="notes")
    session = models.ForeignKey(
        CoachingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField("note")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Circle note #{self.pk}"


class GoalStatus(models.TextChoices):
    OPEN = "open", "In progress"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class Goal(models.Model):
    """A SMART development goal of a relationship, with its progress history."""

    Status = GoalStatus

    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="goals"
    )
    title = models.CharField("specific outcome", max_length=300)
    measure = models.CharField(
        "how we'll measure it",
        max_length=500,
        help_text="What will be different, and how you'll know.",
    )
    target_date = models.DateField("target date")
    competencies = models.ManyToManyField(Competency, blank=True, related_name="+")
    progress = models.PositiveSmallIntegerField(
        "progress (%)", default=0, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(max_length=16, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="coaching_goal_progress_range"
            ),
            models.CheckConstraint(condition=~models.Q(title=""), name="coaching_goal_title_set"),
            models.CheckConstraint(
                condition=models.Q(status__in=GoalStatus.values), name="coaching_goal_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GoalProgress(models.Model):
    """One progress update of a goal: the new figure and what moved it."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    progress = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    comment = models.TextField(max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="coaching_goal_update_progress_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.progress} %"


class ActionItem(models.Model):
    """Something one of the pair agreed to do, by a date."""

    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="actions"
    )
    session = models.ForeignKey(
        CoachingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField("action", max_length=300)
    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="coaching_actions")
    due_on = models.DateField("due on")
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="coaching_action_title_set"),
        ]
        indexes = [models.Index(fields=["relationship", "done_at", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date | None = None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())


class CalendarFeed(models.Model):
    """A user's private calendar subscription: a secret URL listing their sessions.

    The token is looked up by its SHA-256 digest and kept encrypted so the owner can see the
    URL again; revoking deletes the row, and a new token makes a new URL.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    token = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
