"""Forms for feedback pages. A survey's answers are posted as ``q-<question key>`` and checked
by ``services.survey_answer_save``, so pages and the API refuse the same answers."""

from typing import Any

from django import forms
from django.http import QueryDict

from cadre.feedback.assessments import NOMINABLE_GROUPS
from cadre.feedback.models import (
    HIGHEST_ANONYMITY_THRESHOLD,
    LOWEST_ANONYMITY_THRESHOLD,
    Question,
    RaterGroup,
)
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


class AnonymityForm(forms.Form):
    anonymity_threshold = forms.IntegerField(
        label="Anonymity threshold",
        min_value=LOWEST_ANONYMITY_THRESHOLD,
        max_value=HIGHEST_ANONYMITY_THRESHOLD,
        help_text="The fewest people an aggregate may show: from 3 to 10.",
    )
