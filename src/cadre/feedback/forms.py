"""Forms for feedback pages. A survey's answers are posted as ``q-<question key>`` and checked
by ``services.survey_answer_save``, so pages and the API refuse the same answers."""

from typing import Any

from django import forms
from django.http import QueryDict

from cadre.feedback.alerts import NUDGE_RECIPIENTS
from cadre.feedback.assessments import NOMINABLE_GROUPS
from cadre.feedback.models import (
    HIGHEST_ANONYMITY_THRESHOLD,
    LOWEST_ANONYMITY_THRESHOLD,
    AlertAction,
    FeedbackSettings,
    HealthStatus,
    Question,
    RaterGroup,
)
from cadre.feedback.rules import EDITABLE_FIELDS, LABELS
from cadre.feedback.services import AnswerData
from cadre.people.models import Person


def field_name(question: Question) -> str:
    return f"q-{question.key}"


def answers_from_post(questions: list[Question], post: QueryDict) -> AnswerData:
    """The raw answer to each question, as the survey form posted it."""
    return {question.key: post.getlist(field_name(question)) for question in questions}


class NominationForm(forms.Form):
    rater = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Person",
        help_text="Someone who has seen you lead in the last year.",
    )
    group = forms.ChoiceField(
        label="They are your",
        choices=[(group.value, RaterGroup(group).label) for group in NOMINABLE_GROUPS],
        widget=forms.RadioSelect,
        initial=RaterGroup.PEER.value,
    )

    def __init__(self, *args: Any, coachee: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rater"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.filter(is_active=True).exclude(pk=coachee.pk)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (for the coachee)",
        max_length=300,
        required=False,
        help_text="Optional: say why, so they can choose someone else.",
    )


# The anonymity threshold is refused in the same words wherever it is set.
ANONYMITY_THRESHOLD_ERRORS = {
    "min_value": "Anonymity threshold: choose from 3 to 10 (never below 3).",
    "max_value": "Anonymity threshold: choose from 3 to 10.",
}


class AnonymityForm(forms.Form):
    """The programme report's small form; ``rules.feedback_settings_update`` checks and saves,
    as for the settings page."""

    anonymity_threshold = forms.IntegerField(
        label="Anonymity threshold",
        min_value=LOWEST_ANONYMITY_THRESHOLD,
        max_value=HIGHEST_ANONYMITY_THRESHOLD,
        help_text="The fewest people an aggregate may show: from 3 to 10.",
        error_messages=ANONYMITY_THRESHOLD_ERRORS,
    )


class FeedbackSettingsForm(forms.ModelForm[FeedbackSettings]):
    """A programme's feedback rules; ``rules.feedback_settings_update`` checks and saves."""

    class Meta:
        model = FeedbackSettings
        fields = list(EDITABLE_FIELDS)
        labels = LABELS
        widgets = {"pulse_schedule": forms.RadioSelect}
        error_messages = {"anonymity_threshold": ANONYMITY_THRESHOLD_ERRORS}


class HealthFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Every status"), *HealthStatus.choices, ("unchecked", "Not checked yet")],
    )


# Actions that change the relationship: the admin confirms them first.
CONFIRMED_ACTIONS = (AlertAction.PAUSE.value, AlertAction.END_REMATCH.value)


class AlertActionForm(forms.Form):
    action = forms.ChoiceField(choices=AlertAction.choices)
    recipients = forms.ChoiceField(
        label="Send the reminder to",
        choices=list(NUDGE_RECIPIENTS.items()),
        required=False,
        initial="both",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note for programme admins",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional. Kept with the relationship; the pair never sees it.",
    )
    confirm = forms.BooleanField(label="Yes, I'm sure", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in CONFIRMED_ACTIONS and not data.get("confirm"):
            self.add_error("confirm", "Confirm: tick the box to confirm this change.")
        if action == AlertAction.NUDGE and not data.get("recipients"):
            data["recipients"] = "both"
        return data
