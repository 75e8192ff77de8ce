"""E-mail notifications: one row per message, sent once.

The row is written when the message is queued and marked sent when it goes out. Its
``key`` names the event it is about (``enrolment-approved:<enrolment id>``); the database
holds one row per key, so an event that happens twice, or is reported twice, makes one
message.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    ENROLMENT_RECEIVED = "enrolment-received", "Enrolment received"
    ENROLMENT_APPROVED = "enrolment-approved", "Enrolment approved"
    ENROLMENT_WAITLISTED = "enrolment-waitlisted", "Enrolment waitlisted"
    TRAINING_REMINDER = "training-reminder", "Training reminder"
    CERTIFICATION_EXPIRING = "certification-expiring", "Certification expiring"
    RELATIONSHIP_PROPOSED = "relationship-proposed", "Coaching pair proposed"
    AGREEMENT_TO_SIGN = "agreement-to-sign", "Coaching agreement to sign"
    RELATIONSHIP_STARTED = "relationship-started", "Coaching relationship started"
    RELATIONSHIP_CHANGED = "relationship-changed", "Coaching relationship paused, resumed or ended"
    SESSION_INVITE = "session-invite", "Session invitation"
    SESSION_CANCELLED = "session-cancelled", "Session cancelled"
    SESSION_REMINDER = "session-reminder", "Session reminder"
    CADENCE_NUDGE = "cadence-nudge", "No recent session"
    NOTE_SHARED = "note-shared", "Note shared"
    SURVEY_REQUEST = "survey-request", "Survey to answer"
    SURVEY_REMINDER = "survey-reminder", "Survey reminder"
    RATERS_TO_APPROVE = "raters-to-approve", "360° raters to approve"
    HEALTH_ALERT = "health-alert", "Relationship health alert"
    HEALTH_NUDGE = "health-nudge", "Check-in reminder"
    CHECK_IN_SUGGESTED = "check-in-suggested", "Check-in session suggested"


class Notification(models.Model):
    """One e-mail to one user: rendered when queued, sent at most once."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    key = models.CharField(
        "idempotency key",
        max_length=200,
        help_text="The event the message is about; one message per key.",
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    calendar = models.TextField(
        "calendar invitation",
        blank=True,
        help_text="An iCalendar object sent with the message (text/calendar), if any.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="notifications_one_per_key"),
            models.CheckConstraint(condition=~models.Q(key=""), name="notifications_key_set"),
        ]
        indexes = [models.Index(fields=["sent_at", "attempts"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}: {self.subject}"
