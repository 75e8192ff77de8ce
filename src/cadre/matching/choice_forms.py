"""The form of coachee-choice mode's settings."""

from django import forms

from cadre.matching.models import DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS


class ChoiceModeForm(forms.Form):
    suggestions = forms.IntegerField(
        label="Suggestions each coachee sees",
        min_value=1,
        max_value=MAX_SUGGESTIONS,
        initial=DEFAULT_SUGGESTIONS,
        help_text=f"The best-scored coaches with a place left, 1 to {MAX_SUGGESTIONS}.",
    )
