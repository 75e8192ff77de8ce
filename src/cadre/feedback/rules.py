"""Changing a programme's feedback rules: the anonymity threshold, the pulse's rhythm and the
health thresholds (``FeedbackSettings``). Programme admins only; every value is checked
before anything is written, and refusals name the field."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.access import require_programme_admin
from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.feedback.models import FeedbackSettings
from cadre.feedback.queries import settings_for
from cadre.feedback.services import FeedbackError
from cadre.programs.models import Programme

# The settings an admin may change, in the order the form shows them, with their labels.
LABELS = {
    "anonymity_threshold": "Anonymity threshold",
    "pulse_schedule": "Relationship pulse",
    "cadence_grace_days": "Days of grace after the cadence",
    "at_risk_cadence_factor": "At risk after this many cadences without a session",
    "pulse_check_in_below": "Check in when a pulse subscale is below",
    "pulse_at_risk_below": "At risk when a pulse subscale is below",
    "pulse_drop": "Check in when the pulse drops by",
    "session_usefulness_below": "Check in when session usefulness is below",
    "overdue_actions_check_in": "Check in at this many overdue actions",
    "unanswered_surveys_check_in": "Check in at this many unanswered surveys",
}
EDITABLE_FIELDS = tuple(LABELS)


def field_label(name: str) -> str:
    """How a refusal names a setting: its label, as the form shows it."""
    return LABELS.get(name, name)


def feedback_settings_update(
    *,
    programme: Programme,
    values: Mapping[str, Any],
    by: User,
    request: HttpRequest | None = None,
) -> FeedbackSettings:
    """Set the programme's feedback settings from ``values`` (any of ``EDITABLE_FIELDS``;
    others are refused). Raises ``FeedbackError`` naming the first field at fault.

    The one way to change them, the anonymity threshold included: the settings page and the
    programme report's small threshold form both call it (one check, one audit action)."""
    require_programme_admin(by)
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise FeedbackError(f"{unknown[0]}: this setting can't be changed here.")
    with transaction.atomic():
        current = settings_for(programme)
        current = FeedbackSettings.objects.select_for_update().get(pk=current.pk)
        changed = [name for name in EDITABLE_FIELDS if name in values]
        changed = [name for name in changed if getattr(current, name) != values[name]]
        for name in changed:
            setattr(current, name, values[name])
        try:
            current.full_clean(exclude=["programme"])
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            label = field_label(name) if name in EDITABLE_FIELDS else "Settings"
            raise FeedbackError(f"{label}: {' '.join(messages)}") from error
        if current.pulse_at_risk_below > current.pulse_check_in_below:
            raise FeedbackError(
                f"{field_label('pulse_at_risk_below')}: keep it at or below "
                f"“{field_label('pulse_check_in_below')}” ({current.pulse_check_in_below})."
            )
        if not changed:
            return current
        current.updated_at = timezone.now()
        current.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=by,
            action="feedback.settings_update",
            target=current,
            request=request,
            details={name: getattr(current, name) for name in changed},
        )
    return current
